"""URLs: ``urllib.parse.urlsplit`` (CPython 3.11) vs ``rfc3986.uri_reference``.

urllib follows the WHATWG URL standard's cleaning steps before splitting: it
strips leading C0 controls and spaces, deletes tabs and newlines anywhere, checks
the port (a number, at most 65535) when asked for it, and checks brackets in the
host (balanced, an IP address inside). rfc3986 splits by RFC 3986's grammar and
keeps what it was given (and percent-encodes what the grammar does not allow,
which the adapters undo, so only meaning is compared). Each side answers
``[scheme, authority, path, query, fragment, port]``: the scheme lowercased (it
is case-insensitive), components percent-decoded, a missing component as ``""``.

The strategy writes URLs from parts (scheme, userinfo, host as a name, IPv4 or
IPv6 literal, port, path segments, query, fragment), every part optional, with
the variations found in logs and user input: surrounding whitespace, a tab or
newline pasted inside, non-ASCII and reserved characters, percent-escapes, ports
that are not numbers or too large, and unbalanced brackets.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

import rfc3986  # type: ignore[import-untyped]  # no stubs or py.typed
from hypothesis import strategies as st

import difffuzz
from tests.quality.pairs import Cause, Pair, answer

__all__ = ["PAIR", "rfc3986_reference", "urllib_split", "urls"]


def _split_urllib(text: str) -> list[Any]:
    parts = urllib.parse.urlsplit(text)
    return _normalised(
        parts.scheme, parts.netloc, parts.path, parts.query, parts.fragment, parts.port
    )


def _split_rfc3986(text: str) -> list[Any]:
    parts = rfc3986.uri_reference(text)
    port = int(parts.port) if parts.port else None
    return _normalised(parts.scheme, parts.authority, parts.path, parts.query, parts.fragment, port)


def _normalised(scheme: str | None, *rest: Any) -> list[Any]:
    *components, port = rest
    return [
        (scheme or "").lower(),
        *(urllib.parse.unquote(component or "") for component in components),
        port,
    ]


def urllib_split(value: str) -> str:
    return answer(_split_urllib, value)


def rfc3986_reference(value: str) -> str:
    return answer(_split_rfc3986, value)


_TEXT = st.lists(
    st.sampled_from([*list("abz09-._~é %/?#@:[]"), "%20", "%41", "%e9", "%C3%A9"]), max_size=4
).map("".join)


@st.composite
def _url(draw: st.DrawFn) -> str:
    text = ""
    if draw(st.booleans()):
        text += draw(st.sampled_from(["http", "https", "ftp", "a", "HTTP", "svn+ssh"])) + ":"
    if draw(st.booleans()):
        text += "//"
        if draw(st.booleans()):
            text += draw(st.sampled_from(["u", "user:pw", "a@b", "é"])) + "@"
        text += draw(
            st.sampled_from(["", "a", "example.com", "127.0.0.1", "[::1]", "[fe80::1]", "EX.com"])
            | st.sampled_from(["[", "]", "a]", "[a]", "[::1", "[v1.x]"])  # bad brackets
        )
        if draw(st.booleans()):
            text += ":" + draw(
                st.sampled_from(["", "80", "8080", "0", "65535"])
                | st.sampled_from(["x", "65536", "99999", "-1", "+1", "8o", "000080"])
            )
    for _ in range(draw(st.integers(0, 2))):
        text += "/" + draw(_TEXT)
    if draw(st.booleans()):
        text += "?" + draw(_TEXT)
    if draw(st.booleans()):
        text += "#" + draw(_TEXT)
    if draw(st.integers(0, 5)) == 5:  # pasted in: surrounding whitespace, a tab or newline inside
        where = draw(st.sampled_from(["start", "end", "inside"]))
        junk = draw(st.sampled_from([" ", "\t", "\n", "\r\n", "\x00", "\x1f"]))
        cut = draw(st.integers(0, len(text)))
        text = {"start": junk + text, "end": text + junk, "inside": text[:cut] + junk + text[cut:]}[
            where
        ]
    return text


@difffuzz.strategy(
    "pairs_urls",
    description="URLs from parts, every part optional, with the variations of logs and user input",
    examples=["https://user@example.com:8080/a/b?q=1#top"],
)
def urls() -> st.SearchStrategy[str]:
    return _url()


_C0_OR_SPACE = "".join(map(chr, range(0x21)))


def _cleaned(value: str) -> str:
    """What urllib splits: leading C0 and spaces stripped, tabs and newlines deleted."""
    return re.sub("[\t\r\n]", "", value.lstrip(_C0_OR_SPACE))


def _authority(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    match = re.match(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:)?//([^/?#]*)", _cleaned(value))
    return match[1] if match else None


def _port(value: Any) -> str | None:
    authority = _authority(value)
    if authority is None:
        return None
    # urllib's reading: after the last '@', after a bracketed host, from the first ':'.
    host_port = authority.rpartition("@")[2]
    if "[" in host_port:
        host_port = host_port.partition("]")[2]
    _, colon, port = host_port.partition(":")
    return port if colon else None


def _leading_c0_or_space(value: Any) -> bool:
    return isinstance(value, str) and value[:1] in tuple(_C0_OR_SPACE) and value != ""


def _tab_or_newline(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    before, hash_sign, fragment = value.lstrip(_C0_OR_SPACE).partition("#")
    if re.search("[\t\r\n]", before):
        return True
    # rfc3986 reads the fragment with '.', which stops at a newline: a final LF is
    # dropped by both sides alike, anything after one is dropped by rfc3986 only.
    return bool(hash_sign) and re.search("[\t\r]|\n.", fragment, re.DOTALL) is not None


def _stray_percent(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    after_authority = re.sub(r"^[^/?#]*://[^/?#]*|^//[^/?#]*", "", value)
    rest, _, fragment = after_authority.partition("#")
    path, _, query = rest.partition("?")
    for component in (path, query, fragment):
        escaped = re.search(r"%[0-9A-Fa-f]{2}", component)
        if escaped and re.search(r"%(?![0-9A-Fa-f]{2})", component):
            return True
    return False


def _numeric(port: str) -> bool:
    return port.isascii() and port.isdigit()


def _bad_port(value: Any) -> bool:
    port = _port(value)
    return bool(port) and not (port is not None and _numeric(port) and int(port) <= 65535)


def _long_port(value: Any) -> bool:
    port = _port(value) or ""
    return _numeric(port) and len(port) > 5 and int(port) <= 65535


_USERINFO = r"[A-Za-z0-9\-._~!$&'()*+,;=:%]*"
_HOST = r"\[[^\[\]]*\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*"


def _authority_outside_grammar(value: Any) -> bool:
    authority, port = _authority(value), _port(value)
    if authority is None or not port or not (port.isascii() and port.isdigit()):
        return False
    if len(port) > 5 or int(port) > 65535:
        return False  # the port causes above
    userinfo_host = authority[: -len(port) - 1]
    return re.fullmatch(f"(?:{_USERINFO}@)?(?:{_HOST})", userinfo_host) is None


def _bad_brackets(value: Any) -> bool:
    authority = _authority(value)
    if authority is None:
        return False
    host = authority.rpartition("@")[2]
    if ("[" in authority) != ("]" in authority):
        return True  # urllib checks the balance over the whole authority
    if "[" not in host and "]" not in host:
        return False
    match = re.fullmatch(r"\[([^\[\]]*)\][^\[\]]*", host)
    if not match:
        return True
    inside = match[1]
    if inside.startswith(("v", "V")):  # an IPvFuture literal, as urllib checks it
        return re.match(r"v[a-fA-F0-9]+\..+\Z", inside, re.IGNORECASE) is None
    try:
        import ipaddress

        ipaddress.IPv6Address(inside.partition("%")[0])
    except ValueError:
        return True
    return False


PAIR = Pair(
    name="urls",
    left="urllib.parse.urlsplit",
    right="rfc3986.uri_reference",
    left_target="tests.quality.pairs.urls:urllib_split",
    right_target="tests.quality.pairs.urls:rfc3986_reference",
    strategy="pairs_urls",
    module="tests.quality.pairs.urls",
    causes=(
        Cause(
            "leading-c0-or-space",
            "leading C0 controls or spaces: urllib strips them (WHATWG), rfc3986 keeps them",
            " ",
            _leading_c0_or_space,
        ),
        Cause(
            "tab-or-newline",
            "a tab, CR or LF inside the URL: urllib deletes it (WHATWG), rfc3986 keeps it (or, "
            "in the fragment, stops reading at a LF)",
            "a\t",
            _tab_or_newline,
        ),
        Cause(
            "bad-port",
            "a port that is not a number or is above 65535: urllib raises when asked for the "
            "port, rfc3986 answers it (or none)",
            "//:x",
            _bad_port,
        ),
        Cause(
            "long-port",
            "a port of more than five digits that is still <= 65535 (000080): urllib reads "
            "80, rfc3986's grammar takes at most five digits and answers no port",
            "//:000080",
            _long_port,
        ),
        Cause(
            "bad-brackets",
            "unbalanced brackets in the host, or brackets around what is not an IPv6 address: "
            "urllib raises, rfc3986 keeps the host",
            "//[",
            _bad_brackets,
        ),
        # Found by the table's coverage check (plain sampling of the strategy, before
        # difffuzz ran on the pair), then verified by hand like the others.
        Cause(
            "stray-percent",
            "a '%' not followed by two hex digits beside a valid escape in one component "
            "(%00%): rfc3986 then encodes every '%' of the component, so %00 no longer decodes",
            "%00%",
            _stray_percent,
        ),
        Cause(
            "authority-outside-grammar",
            "a port after a userinfo or host outside RFC 3986's grammar (a second '@', a "
            "non-ASCII character): rfc3986 matches no host and answers no port, urllib splits "
            "at the last '@' and reads the port",
            "//@@:0",
            _authority_outside_grammar,
        ),
    ),
)
