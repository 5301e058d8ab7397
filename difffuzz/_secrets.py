"""Secrets in a config, and what reports and reproductions show instead of them.

A config may hold credentials: an ``Authorization`` header, a token in a
helper's ``env``. They must reach the runtimes, and must never reach a report,
a console or a copy-paste command. Three things make a value secret:

* it comes from a ``${NAME}`` reference (in ``headers``, ``env`` or
  ``base_url``), read from the environment when the config is loaded; ``$${``
  writes a literal ``${``;
* it is the value of a header that carries credentials
  (:data:`CREDENTIAL_HEADERS`);
* the config lists its header or env name under ``secret``.

Every secret is a :class:`Secret`: the value, and the environment variable a
reproduction reads it from instead. A reference names its own variable
(``-H "authorization: Bearer $LAKEHOUSE_TOKEN"``); a secret written in the
config in clear gets one named after the runtime and the header or env name
(``$DIFFFUZZ_RUST_AUTHORIZATION``). :class:`Redactor` replaces secret values
in any other text (a runtime that echoes its credentials, a URL in a message),
and in every answer the engine and replay judge (:meth:`Redactor.outcome`), so
that what a fixture stores, what a report shows and what a live answer is
compared with are one and the same.

>>> expand_references("Bearer ${TOKEN}", {"TOKEN": "s3cr3t-value"}, where="headers.authorization")
('Bearer s3cr3t-value', (Secret(value='s3cr3t-value', variable='TOKEN', origin=''),))
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from difffuzz._outcome import Outcome

__all__ = [
    "CREDENTIAL_HEADERS",
    "Redactor",
    "Secret",
    "expand_references",
    "literal_secret",
    "spellings",
]

#: Request headers whose values are credentials, secret without being marked.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})

#: Values shorter than this are not redacted from free text: a secret "1" would
#: blank out every digit of a report. Reproductions still read them from the
#: environment, since there the place is known exactly.
MIN_REDACTED_LENGTH = 4

_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: What Go's encoding/json escapes inside strings besides JSON's own (HTML safety).
_GO_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


@dataclass(frozen=True)
class Secret:
    """A value that must not be shown, and the variable a reproduction reads it from."""

    value: str
    variable: str
    #: Where a clear-text secret sits in the config ("header authorization of
    #: runtime rust"), so a reproduction can say what to put in the variable;
    #: empty for a reference, whose variable the user already sets.
    origin: str = ""

    @property
    def mark(self) -> str:
        """What free text shows instead of the value."""
        return f"[redacted ${self.variable}]"


def expand_references(
    text: str, environ: Mapping[str, str], *, where: str
) -> tuple[str, tuple[Secret, ...]]:
    """Replace each ``${NAME}`` by the variable's value; the values are secrets.

    Raises ``ValueError`` naming ``where`` and the variable when it is unset or
    malformed (the config reader turns it into a ``ConfigError``).
    """
    secrets: list[Secret] = []

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        name = match.group(1)
        if not _VARIABLE.fullmatch(name):
            raise ValueError(
                f"{where}: ${{{name}}} is not a variable reference; write ${{NAME}} with "
                "letters, digits and '_' (or $${ for a literal '${')"
            )
        if name not in environ:
            raise ValueError(
                f"{where}: refers to ${{{name}}}, which is not set in the environment; "
                f"export {name}=... before running difffuzz"
            )
        value = environ[name]
        if value:
            secrets.append(Secret(value=value, variable=name))
        return value

    return _REFERENCE.sub(substitute, text), tuple(secrets)


def literal_secret(value: str, *, runtime: str, kind: str, name: str) -> Secret:
    """A secret written in clear in the config: its variable is named after where it sits.

    >>> literal_secret("Bearer abc", runtime="rust", kind="header", name="Authorization").variable
    'DIFFFUZZ_RUST_AUTHORIZATION'
    """
    variable = re.sub(r"[^A-Z0-9_]", "_", f"DIFFFUZZ_{runtime}_{name}".upper())
    return Secret(value=value, variable=variable, origin=f"{kind} {name} of runtime {runtime}")


def spellings(value: str) -> tuple[str, ...]:
    r"""The ways an answer may spell ``value``: as is, and as JSON writers escape it
    inside a string (Python's ``\u00e9`` for non-ASCII, Go's ``\u0026`` for ``<>&``).

    >>> spellings("a&b")
    ('a&b', 'a\\u0026b')
    """
    found = [value]
    for ascii_only in (False, True):
        escaped = json.dumps(value, ensure_ascii=ascii_only)[1:-1]
        found.append(escaped)
        found.append(escaped.translate(_GO_ESCAPES))
    return tuple(dict.fromkeys(found))


class Redactor:
    """Replaces every secret value in a text by its :attr:`Secret.mark`.

    Longer values are replaced first, so a secret that contains another is
    redacted whole; a value is found however a JSON writer escaped it
    (:func:`spellings`). The mark holds no quote or backslash, so a JSON
    answer stays JSON.

    >>> Redactor([Secret("s3cr3t", "TOKEN")]).text("token=s3cr3t")
    'token=[redacted $TOKEN]'
    """

    def __init__(self, secrets: Iterable[Secret] = ()) -> None:
        chosen: dict[str, Secret] = {}
        for secret in secrets:
            if len(secret.value) >= MIN_REDACTED_LENGTH:
                chosen.setdefault(secret.value, secret)
        self.secrets = tuple(sorted(chosen.values(), key=lambda s: -len(s.value)))
        self._marks: dict[str, str] = {}
        for secret in self.secrets:
            for spelling in spellings(secret.value):
                self._marks.setdefault(spelling, secret.mark)
        ordered = sorted(self._marks, key=lambda s: -len(s))
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        self._raw = (
            re.compile(b"|".join(re.escape(s.encode("utf-8")) for s in ordered))
            if ordered
            else None
        )

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._marks[m.group()], text)

    def bytes(self, raw: bytes) -> bytes:
        if self._raw is None:
            return raw
        return self._raw.sub(lambda m: self._marks[m.group().decode("utf-8")].encode(), raw)

    def outcome(self, outcome: Outcome) -> Outcome:
        """``outcome`` with no secret in its body, stderr, headers or detail (the same
        object when there is none to take out)."""
        if self._pattern is None:
            return outcome
        redacted = replace(
            outcome,
            body=self.bytes(outcome.body),
            stderr=self.bytes(outcome.stderr),
            headers={name: self.text(value) for name, value in outcome.headers.items()},
            detail=self.text(outcome.detail),
        )
        return outcome if redacted == outcome else redacted
