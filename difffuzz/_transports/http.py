"""Send inputs to a runtime over HTTP, one keep-alive connection pool per transport.

The exchange goes through httpcore, httpx's transport layer, used directly
(:mod:`.connection` says why). Every httpcore error is translated into an
:class:`~difffuzz.Outcome` failure in one place, :func:`_failure_from_exception`,
so nothing above this module ever sees an httpx or httpcore type.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, TypedDict, Unpack

import httpcore
import httpx

from difffuzz._exceptions import ConfigError
from difffuzz._inputs import FileTree, Input, WireInput, input_to_bytes, json_bytes
from difffuzz._outcome import Failure, Outcome
from difffuzz._secrets import Secret
from difffuzz._transports.base import ClosesOnExit, HTTPRequest
from difffuzz._transports.connection import HTTPCORE_ERRORS, connection_pool
from difffuzz._version import __version__

__all__ = ["HTTPRenderer", "HTTPRequestParts", "HTTPTransport", "join_url", "substitute"]

BodyMode = Literal["json", "raw", "template"]
_BODY_MODES: tuple[str, ...] = ("json", "raw", "template")
_NO_HEADERS: Mapping[str, str] = MappingProxyType({})
# Where a mutated document goes in a template body: replaced, quotes and all, by its bytes.
_SPLICE = "\ue000difffuzz-wire-document\ue000"
#: Methods whose request carries a Content-Length even when the body is empty.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# Ordered most specific first: a ConnectTimeout is a timeout before it is a
# failure to connect, and a timeout is what happened.
_FAILURES: tuple[tuple[type[Exception], Failure, str], ...] = (
    (httpcore.TimeoutException, Failure.TIMEOUT, "no answer within {timeout}s"),
    (httpcore.ConnectError, Failure.UNREACHABLE, "cannot connect"),
    (httpcore.RemoteProtocolError, Failure.CRASHED, "the answer is not valid HTTP"),
    (httpcore.ReadError, Failure.CRASHED, "the connection broke while reading the answer"),
    (httpcore.WriteError, Failure.CRASHED, "the connection broke while sending the request"),
    (Exception, Failure.CRASHED, "the exchange failed"),
)


def _failure_from_exception(exc: Exception, *, url: str, timeout: float, elapsed: float) -> Outcome:
    """The single place where httpcore exceptions become outcomes."""
    for kind, failure, what in _FAILURES:
        if isinstance(exc, kind):
            reason = str(exc) or type(exc).__name__
            detail = f"{what.format(timeout=timeout)} at {url} ({type(exc).__name__}: {reason})"
            return Outcome(status=None, elapsed=elapsed, failure=failure, detail=detail)
    raise AssertionError("unreachable: Exception is the last entry of _FAILURES")


def join_url(base_url: str, path: str) -> str:
    """``base_url`` and ``path`` joined with exactly one slash between them.

    >>> join_url("http://127.0.0.1:3100/", "/v1/validate")
    'http://127.0.0.1:3100/v1/validate'
    """
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def substitute(template: Any, marker: str, value: Input) -> Any:
    """``template`` with every string equal to ``marker`` replaced by ``value``.

    When ``value`` is a ``str``, strings that merely contain the marker have it
    replaced textually too (``"Need $input now"``).

    >>> substitute({"kind": "sms", "payload": "$input"}, "$input", {"to": "1"})
    {'kind': 'sms', 'payload': {'to': '1'}}
    """
    if isinstance(template, str):
        if template == marker:
            return value
        if isinstance(value, str) and marker in template:
            return template.replace(marker, value)
        return template
    if isinstance(template, Mapping):
        return {key: substitute(item, marker, value) for key, item in template.items()}
    if isinstance(template, list | tuple):
        return [substitute(item, marker, value) for item in template]
    return template


def _uses_marker(template: Any, marker: str) -> bool:
    if isinstance(template, str):
        return marker in template
    if isinstance(template, Mapping):
        return any(_uses_marker(item, marker) for item in template.values())
    if isinstance(template, list | tuple):
        return any(_uses_marker(item, marker) for item in template)
    return False


class HTTPRequestParts(TypedDict, total=False):
    """The keywords of :meth:`HTTPRenderer.of` (its defaults are the ones that hold):
    what an HTTP request is made of, beside its ``base_url``. Whoever builds a
    renderer, or a transport that builds one, passes them on as one value."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: BodyMode
    template: Any
    marker: str
    secrets: Sequence[Secret]


@dataclass(frozen=True)
class HTTPRenderer:
    """Turns inputs into one runtime's HTTP requests for one surface; sends nothing.

    ``body`` chooses how an input becomes the request body: ``"json"`` sends it
    serialised as JSON (except ``bytes``, which have no JSON form and go as
    they are: that is how a JSON surface's strategy sends a malformed body),
    ``"raw"`` sends its bytes as they are (how malformed bodies reach a
    runtime), ``"template"`` puts it into ``template`` wherever ``marker``
    appears. The content type is ``application/json`` unless ``headers`` sets
    one. Reports render reproductions with it, without opening a connection.

    >>> HTTPRenderer.of("http://127.0.0.1:3100", path="/v1/validate").render({"a": 1}).body
    b'{"a":1}'
    """

    url: str
    method: str
    headers: Mapping[str, str]
    body: BodyMode
    template: Any
    marker: str
    #: Values in the URL and headers that reproductions read from the environment.
    secrets: tuple[Secret, ...]

    @classmethod
    def of(
        cls,
        base_url: str,
        *,
        method: str = "POST",
        path: str = "/",
        headers: Mapping[str, str] = _NO_HEADERS,
        body: BodyMode = "json",
        template: Any = None,
        marker: str = "$input",
        secrets: Sequence[Secret] = (),
    ) -> HTTPRenderer:
        """Check the parts once (``ConfigError`` says what is wrong and the fix)."""
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"base_url={base_url!r} is not an HTTP URL; write it like 'http://127.0.0.1:3100'"
            )
        if body not in _BODY_MODES:
            raise ConfigError(f"body={body!r} is not one of {', '.join(_BODY_MODES)}")
        if body == "template" and not _uses_marker(template, marker):
            raise ConfigError(
                f"body='template' needs a template that contains the marker {marker!r}; "
                f"got template={template!r}"
            )
        url = join_url(base_url, path)
        try:
            host = httpx.URL(url).host
        except httpx.InvalidURL as exc:
            raise ConfigError(
                f"base_url={base_url!r} with path={path!r} is not a URL: {exc}"
            ) from None
        if not host:
            raise ConfigError(f"base_url={base_url!r} names no host; write 'http://HOST:PORT'")
        return cls(
            url=url,
            method=method.upper(),
            headers=_request_headers(headers),
            body=body,
            template=template,
            marker=marker,
            secrets=tuple(secrets),
        )

    def _body_bytes(self, value: Input) -> bytes:
        if isinstance(value, WireInput):
            return self._wire_body(value)
        try:
            if self.body == "raw" or isinstance(value, bytes | bytearray):
                return input_to_bytes(value)
            if isinstance(value, FileTree):
                raise TypeError("a FileTree has no JSON form")
            if self.body == "template":
                return json_bytes(substitute(self.template, self.marker, value))
            return json_bytes(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"cannot send a {type(value).__name__} input with body={self.body!r} to "
                f"{self.url} ({exc}); use body='raw' for bytes, or a strategy that "
                "generates JSON values"
            ) from None

    def _wire_body(self, value: WireInput) -> bytes:
        """A mutated document's bytes: the body, or (``body="template"``) spliced into it."""
        if not isinstance(value.sent, bytes):
            raise ConfigError(
                f"cannot send a mutated folder of files to {self.url}; a FileTree input "
                "needs a command surface with {input_dir}"
            )
        if self.body != "template" or (value.family == "http" and not value.sent):
            return value.sent  # the HTTP family's empty body is the whole request's
        body = json_bytes(substitute(self.template, self.marker, _SPLICE))
        quoted = json_bytes(_SPLICE)
        # The marker inside a longer template string ("Need $input") takes the bytes there.
        spot = quoted if quoted in body else _SPLICE.encode("utf-8")
        return body.replace(spot, value.sent)

    def render(self, value: Input) -> HTTPRequest:
        """The request an :class:`HTTPTransport` sends for ``value``."""
        headers = dict(self.headers)
        chunked = False
        if isinstance(value, WireInput):
            # The opt-in HTTP-level variants: a header changed or left out, a chunked body.
            for name, header in value.headers:
                headers.pop(name.lower(), None)
                if header is not None:
                    headers[name.lower()] = header
            chunked = value.chunked
        return HTTPRequest(
            method=self.method,
            url=self.url,
            headers=headers,
            body=self._body_bytes(value),
            chunked=chunked,
            secrets=self.secrets,
        )


def _request_headers(headers: Mapping[str, str]) -> dict[str, str]:
    chosen = {name.lower(): value for name, value in headers.items()}
    for name, value in chosen.items():
        try:
            (name + value).encode("latin-1")
        except UnicodeEncodeError:
            raise ConfigError(
                f"header {name}={value!r} cannot be sent over HTTP; use ASCII text"
            ) from None
    chosen.setdefault("content-type", "application/json")
    return chosen


class HTTPTransport(ClosesOnExit):
    """Sends each input as the body of one HTTP request to one runtime.

    The request is built by an :class:`HTTPRenderer`: every keyword of
    :meth:`HTTPRenderer.of` (:class:`HTTPRequestParts`: ``method``, ``path``,
    ``headers``, ``body``, ``template``, ``marker``, ``secrets``) is passed on to
    it, so the two cannot drift apart. ``timeout`` bounds each exchange as a
    whole and ``max_body_bytes`` the answer.

    >>> with HTTPTransport("http://127.0.0.1:3100", path="/v1/validate") as rust:
    ...     rust.render({"kind": "sms"}).url
    'http://127.0.0.1:3100/v1/validate'
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        max_body_bytes: int = 10_000_000,
        keep_headers: Sequence[str] = ("content-type",),
        **request: Unpack[HTTPRequestParts],
    ) -> None:
        self.renderer = HTTPRenderer.of(base_url, **request)
        if timeout <= 0:
            raise ConfigError(f"timeout={timeout!r} must be a positive number of seconds")
        if max_body_bytes <= 0:
            raise ConfigError(f"max_body_bytes={max_body_bytes!r} must be positive")
        self.url = self.renderer.url
        self.target = f"{self.renderer.method} {self.url}"
        self.timeout = timeout
        self.max_body_bytes = max_body_bytes
        self.keep_headers = tuple(name.lower() for name in keep_headers)
        # Parsed once: the URL and the fixed headers are the same for every call.
        # No proxy variables and no .netrc are read: calls meant for a runtime on
        # this machine go to it, without credentials nobody configured.
        parsed = httpx.URL(self.url)
        self._url = httpcore.URL(
            scheme=parsed.raw_scheme, host=parsed.raw_host, port=parsed.port, target=parsed.raw_path
        )
        self._fixed_headers = [
            (b"host", parsed.netloc),
            (b"accept", b"*/*"),
            (b"user-agent", f"difffuzz/{__version__}".encode("ascii")),
        ]
        self._timeouts = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
        self._pool = connection_pool()

    def render(self, value: Input) -> HTTPRequest:
        """The request :meth:`send` makes for ``value``."""
        return self.renderer.render(value)

    def _wire_headers(self, request: HTTPRequest) -> list[tuple[bytes, bytes]]:
        given = {name.lower(): value for name, value in request.headers.items()}
        headers = [
            (name, value) for name, value in self._fixed_headers if name.decode() not in given
        ]
        headers.extend(
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in given.items()
        )
        if "content-length" in given or "transfer-encoding" in given:
            return headers  # a wire variant sets the framing itself
        if request.chunked:
            headers.append((b"transfer-encoding", b"chunked"))
        elif request.body or request.method in _BODY_METHODS:
            headers.append((b"content-length", str(len(request.body)).encode("ascii")))
        return headers

    def send(self, value: Input) -> Outcome:
        """Send ``value`` and return the answer; transport faults become failures."""
        request = self.render(value)
        # An iterator has no length: with Transfer-Encoding set, h11 sends it chunked.
        content = iter((request.body,)) if request.chunked else request.body
        started = time.perf_counter()
        try:
            with self._pool.stream(
                request.method.encode("ascii"),
                self._url,
                headers=self._wire_headers(request),
                content=content,
                extensions={"timeout": self._timeouts},
            ) as response:
                return self._read(response, started)
        except HTTPCORE_ERRORS as exc:
            elapsed = time.perf_counter() - started
            return _failure_from_exception(exc, url=self.url, timeout=self.timeout, elapsed=elapsed)

    def _read(self, response: httpcore.Response, started: float) -> Outcome:
        received = _header_table(response.headers)
        declared = received.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            return self._too_large(response, started, f"declares {declared} bytes")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_stream():
            size += len(chunk)
            if size > self.max_body_bytes:
                return self._too_large(
                    response, started, f"sent more than {self.max_body_bytes} bytes"
                )
            # The read timeout applies per read; a runtime that trickles bytes
            # must still finish within the surface's timeout as a whole.
            if time.perf_counter() - started > self.timeout:
                return Outcome(
                    status=None,
                    elapsed=time.perf_counter() - started,
                    failure=Failure.TIMEOUT,
                    detail=f"answer from {self.url} not complete within {self.timeout}s "
                    f"({size} bytes so far)",
                )
            chunks.append(chunk)
        headers = {name: received[name] for name in self.keep_headers if name in received}
        return Outcome(
            status=response.status,
            body=b"".join(chunks),
            headers=headers,
            elapsed=time.perf_counter() - started,
        )

    def _too_large(self, response: httpcore.Response, started: float, what: str) -> Outcome:
        return Outcome(
            status=None,
            elapsed=time.perf_counter() - started,
            failure=Failure.TOO_LARGE,
            detail=f"answer from {self.url} (status {response.status}) {what}, over "
            f"max_body_bytes={self.max_body_bytes}; raise the limit in the surface config "
            "if such answers are expected",
        )

    def close(self) -> None:
        """Close the kept-alive connections."""
        self._pool.close()

    def __repr__(self) -> str:
        return f"HTTPTransport({self.target!r}, body={self.renderer.body!r})"


def _header_table(headers: Sequence[tuple[bytes, bytes]]) -> dict[str, str]:
    """Response headers by lower-cased name; repeated ones joined with ", " (as httpx does)."""
    table: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        table[name] = f"{table[name]}, {value}" if name in table else value
    return table
