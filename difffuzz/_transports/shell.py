"""Bash words and data: quoting that delivers exactly the bytes a transport sent.

Every command targets **bash** (``$'...'`` quoting and the ``printf`` builtin's
octal escapes are bash behaviour; they also work in zsh, not in a plain POSIX
``sh``):

* data (a request body, a helper's stdin, a file's content) goes through
  ``printf '<format>'``: printable text stays readable, ``%`` ``\\`` and ``'``
  are escaped, and every other byte, NUL and invalid UTF-8 included, becomes a
  three-digit octal escape. A bash *string* cannot hold NUL, so ``$'...'``
  would silently truncate there; ``printf`` writes the byte itself.
* words (argv items, URLs, headers, paths) are quoted as a bare word, in
  single quotes, or as ``$'...'`` when they hold control or non-UTF-8 bytes.
* secrets (see :mod:`difffuzz._secrets`) are never written: a word that holds
  one reads it from an environment variable instead (:class:`ShellWords`), and
  a comment line first names the variables the command needs.

Each transport kind builds its reproduction from these
(:meth:`difffuzz._transports.kind.TransportKind.reproduce`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from difffuzz._secrets import MIN_REDACTED_LENGTH, Secret

__all__ = ["ShellWords", "quote_data", "quote_word"]

_BARE = re.compile(rb"[A-Za-z0-9_@%+=:,./-]+")
_NAMED_ESCAPES = {ord("\n"): "\\n", ord("\t"): "\\t", ord("\r"): "\\r"}


def quote_word(word: str | bytes) -> str:
    """Quote one shell word for bash so that it arrives as exactly these bytes.

    ``str`` words are encoded as the OS does for argv (UTF-8, surrogateescape).

    >>> quote_word("plain/path.txt"), quote_word("it's"), quote_word("a\\tb")
    ('plain/path.txt', "'it'\\\\''s'", "$'a\\\\tb'")
    """
    raw = _word_bytes(word)
    if _BARE.fullmatch(raw):
        return raw.decode("ascii")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    else:
        if text.isprintable():
            return "'" + text.replace("'", "'\\''") + "'"
    pieces = []
    for byte in raw:
        if byte in _NAMED_ESCAPES:
            pieces.append(_NAMED_ESCAPES[byte])
        elif byte in (ord("\\"), ord("'")):
            pieces.append("\\" + chr(byte))
        elif 0x20 <= byte < 0x7F:
            pieces.append(chr(byte))
        else:
            pieces.append(f"\\x{byte:02x}")
    return "$'" + "".join(pieces) + "'"


def _word_bytes(word: str | bytes) -> bytes:
    if isinstance(word, str):
        try:
            raw = os.fsencode(word)
        except UnicodeEncodeError:
            raise ValueError(
                f"shell word {word!r} holds a lone surrogate the OS cannot pass in argv; "
                "use bytes for such an argument"
            ) from None
    else:
        raw = bytes(word)
    if b"\x00" in raw:
        raise ValueError(
            f"shell word {raw!r} contains a NUL byte, which no argv or header can carry; "
            "send such data on stdin or in the body instead"
        )
    return raw


def quote_data(data: bytes) -> str:
    """A ``printf`` command that writes exactly ``data`` to stdout (bash builtin).

    >>> quote_data(b"50% done\\n\\xff")
    "printf '50%% done\\\\n\\\\377'"
    """
    pieces: list[str] = []
    for char in data.decode("utf-8", "surrogateescape"):
        code = ord(char)
        if char == "%":
            pieces.append("%%")
        elif char == "\\":
            pieces.append("\\\\")
        elif code in _NAMED_ESCAPES:
            pieces.append(_NAMED_ESCAPES[code])
        elif char != "'" and char.isprintable() and not 0xD800 <= code <= 0xDFFF:
            pieces.append(char)
        else:
            encoded = char.encode("utf-8", "surrogateescape")
            pieces.append("".join(f"\\{byte:03o}" for byte in encoded))
    if pieces and pieces[0] == "-":
        pieces[0] = "\\055"  # a leading '-' would be read as a printf option
    return "printf '" + "".join(pieces) + "'"


# Characters a double-quoted bash string would not keep as they are.
_DOUBLE_QUOTE_SAFE = re.compile(r'[^"\\$`!]*')


class ShellWords:
    """Quotes shell words, turning the secrets in them into variable expansions."""

    def __init__(self, secrets: Sequence[Secret]) -> None:
        ordered = sorted(dict.fromkeys(secrets), key=lambda s: -len(s.value))
        self.secrets = {s.value: s for s in ordered if s.value}
        # Short values are replaced only where they are a whole word's value: "1"
        # must not turn every digit of a URL into a variable.
        long_values = [re.escape(v) for v in self.secrets if len(v) >= MIN_REDACTED_LENGTH]
        self._pattern = re.compile("|".join(long_values)) if long_values else None
        self.used: dict[str, Secret] = {}

    def word(self, text: str, *, prefix: str = "") -> str:
        """``prefix + text`` as one word; secrets in ``text`` become ``$VARIABLE``."""
        pieces = self._split(text)
        if not any(isinstance(piece, Secret) for piece in pieces):
            return quote_word(prefix + text)
        if prefix:
            pieces.insert(0, prefix)
        for piece in pieces:
            if isinstance(piece, Secret):
                self.used.setdefault(piece.variable, piece)
        literals = [piece for piece in pieces if isinstance(piece, str)]
        if all(_DOUBLE_QUOTE_SAFE.fullmatch(p) and p.isprintable() for p in literals):
            return '"' + "".join(_expansion(pieces, i) for i in range(len(pieces))) + '"'
        return "".join(
            f'"${piece.variable}"' if isinstance(piece, Secret) else quote_word(piece)
            for piece in pieces
        )

    def _split(self, text: str) -> list[str | Secret]:
        if text in self.secrets:
            return [self.secrets[text]]
        if self._pattern is None:
            return [text]
        pieces: list[str | Secret] = []
        position = 0
        for match in self._pattern.finditer(text):
            if match.start() > position:
                pieces.append(text[position : match.start()])
            pieces.append(self.secrets[match.group()])
            position = match.end()
        if position < len(text) or not pieces:
            pieces.append(text[position:])
        return pieces

    def preamble(self, command: str) -> str:
        """``command``, after a comment naming the variables it reads, if any."""
        if not self.used:
            return command
        needed = ", ".join(
            f"{name} ({secret.origin})" if secret.origin else name
            for name, secret in self.used.items()
        )
        return f"# reads secrets from the environment: {needed}\n{command}"


def _expansion(pieces: Sequence[str | Secret], index: int) -> str:
    piece = pieces[index]
    if isinstance(piece, str):
        return piece
    after = pieces[index + 1] if index + 1 < len(pieces) else ""
    # "$TOKENx" would read the variable TOKENx; braces end the name.
    joined = isinstance(after, str) and after[:1] != "" and (after[0].isalnum() or after[0] == "_")
    return f"${{{piece.variable}}}" if joined else f"${piece.variable}"
