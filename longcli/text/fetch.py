"""A web page as an input: `longcli summarize URL`, `chat --file URL` (http and https).

The one network access longcli makes besides `models pull`, and only for an address the
user names. requests (Apache-2.0) does the HTTP: it is installed with tiktoken already, and
brings proxies from the environment, redirects, certifi's certificates and gzip. The whole
body is read first, into a temp file that never has a name (no signal leaves it behind),
at most `max_bytes` of it and within `total_timeout_s`, so that every failure comes before
any work, in one line: a host that does not resolve, refuses or does not answer, an HTTP
error status, too many redirects (exit 4, the network, as for `models pull`); a body over
the cap, or one that is neither text nor a document longcli reads (exit 2, the input).

The Content-Type chooses the reader (as a file's first bytes do) and its charset the
decoding (as --encoding does; --encoding still wins).
"""

from __future__ import annotations

import codecs
import socket
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from longcli import __version__
from longcli.errors import InputError, LongcliError, ServerError

URL_SCHEMES = ("http://", "https://")
USER_AGENT = f"longcli/{__version__}"
AUTO = "auto"  # a media type that names no format: the body's first bytes tell, as a file's
READABLE = "longcli reads text, Markdown, PDF, EPUB, HTML, DOCX, SRT and WebVTT"
# The --input-format each Content-Type names.
_FORMATS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/epub+zip": "epub",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/x-subrip": "srt",
    "text/srt": "srt",
    "text/vtt": "vtt",
}
# Types that are text without naming a format (plain text, JSON, XML), or that say nothing
# ("application/octet-stream"): read as a file would be, by their bytes.
_BY_THEIR_BYTES = ("application/octet-stream", "application/json", "application/xml")


@dataclass(frozen=True)
class FetchLimits:
    """How long and how much a fetch may take."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0  # the longest a server may stay silent
    total_timeout_s: float = 300.0  # the whole download
    max_bytes: int = 100 << 20
    max_redirects: int = 10


LIMITS = FetchLimits()  # tests set a small cap or a short timeout here


@dataclass(frozen=True)
class Page:
    """A fetched body and what its headers say it is."""

    url: str  # where the body came from, after redirects
    media_type: str  # "text/html"; "" when the server named none
    charset: str | None  # the Content-Type's charset, when it names a text encoding
    format: str  # the --input-format the media type names, or AUTO
    body: BinaryIO  # the whole body, in a temp file without a name, at its start


def is_url(name: str) -> bool:
    """Whether a command-line input names a web page rather than a file."""
    return name.lower().startswith(URL_SCHEMES)


def check_url(url: str) -> str:
    """The URL, when it names a host to fetch from; else an InputError."""
    try:
        host = urlsplit(url).hostname
    except ValueError as exc:  # a malformed port or IPv6 address
        raise InputError(f"{url} is not a web address longcli can fetch ({exc})") from None
    if not host:
        raise InputError(f"{url} is not a web address longcli can fetch (no host)")
    return url


def fetch(url: str, limits: FetchLimits | None = None) -> Page:
    """The page at `url`, read whole (within the limits), or one clear error."""
    import requests

    limits = limits or LIMITS
    deadline = time.monotonic() + limits.total_timeout_s
    with requests.Session() as session:
        session.max_redirects = limits.max_redirects
        session.headers["User-Agent"] = USER_AGENT
        try:
            response = session.get(
                url, stream=True, timeout=(limits.connect_timeout_s, limits.read_timeout_s)
            )
        except requests.RequestException as exc:
            raise _failure(url, exc, limits) from None
        with response:
            if response.status_code >= 400:
                missing = response.status_code in (404, 410)
                raise ServerError(
                    f"{url} answered {response.status_code} {response.reason or ''}".rstrip(),
                    hint="check the address" if missing else None,
                )
            media_type, charset = content_type(response.headers.get("Content-Type", ""))
            fmt = _format(url, media_type)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                raise _too_big(url, limits)
            body = tempfile.TemporaryFile()  # noqa: SIM115 - handed on in the Page
            try:
                _download(url, response, body, limits, deadline)
            except BaseException:
                body.close()
                raise
            body.seek(0)
            return Page(response.url, media_type, charset, fmt, body)


def content_type(value: str) -> tuple[str, str | None]:
    """The media type and the charset a Content-Type header names ("" and None when it is
    missing; no charset when it names no text encoding Python knows)."""
    if not value.strip():
        return "", None
    header = Message()
    header["Content-Type"] = value
    charset = header.get_content_charset()
    if charset is not None:
        try:
            charset = codecs.lookup(charset).name
        except LookupError:
            charset = None  # an unknown name: the bytes are read as a file's would be
    return header.get_content_type(), charset


def _format(url: str, media_type: str) -> str:
    if media_type in _FORMATS:
        return _FORMATS[media_type]
    if (
        not media_type
        or media_type.startswith("text/")
        or media_type in _BY_THEIR_BYTES
        or media_type.endswith(("+json", "+xml"))
    ):
        return AUTO
    raise InputError(f"{url} is {media_type}, not text or a document", hint=READABLE)


def _download(
    url: str, response: Any, body: BinaryIO, limits: FetchLimits, deadline: float
) -> None:
    import requests

    size = 0
    try:
        for block in _blocks(response):
            size += len(block)
            if size > limits.max_bytes:
                raise _too_big(url, limits)
            if time.monotonic() > deadline:
                raise ServerError(
                    f"{url} took longer than {limits.total_timeout_s:g} s to download"
                )
            body.write(block)
    except requests.RequestException as exc:
        raise _failure(url, exc, limits) from None


def _blocks(response: Any) -> Iterator[bytes]:
    # chunk_size=None: each block as it arrives, so the deadline is checked while a slow
    # server drips, not only after a whole block has come.
    return response.iter_content(chunk_size=None)


def _too_big(url: str, limits: FetchLimits) -> InputError:
    return InputError(
        f"{url} is over {_size(limits.max_bytes)}, the most longcli fetches",
        hint="download it, then summarize the file",
    )


def _size(count: int) -> str:
    return f"{count >> 20} MiB" if count >= 1 << 20 else f"{count:,} bytes"


def _failure(url: str, exc: Exception, limits: FetchLimits) -> LongcliError:
    """One line for what requests raised: the cause found in the exceptions it wraps."""
    import requests
    from urllib3.exceptions import NameResolutionError
    from urllib3.exceptions import TimeoutError as Urllib3Timeout

    address = urlsplit(url)
    host = address.hostname or url
    causes = list(_causes(exc))
    if isinstance(exc, requests.TooManyRedirects):
        return ServerError(f"{url} redirects more than {limits.max_redirects} times")
    if isinstance(exc, (requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL)):
        return InputError(f"{url} is not a web address longcli can fetch ({_first_line(exc)})")
    if any(isinstance(c, (NameResolutionError, socket.gaierror)) for c in causes):
        return ServerError(f"{host} does not resolve", hint="check the address and the network")
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        port = address.port or (443 if address.scheme == "https" else 80)
        return ServerError(f"{host} port {port} refused the connection")
    if isinstance(exc, requests.Timeout) or any(
        isinstance(c, (Urllib3Timeout, TimeoutError)) for c in causes
    ):
        return ServerError(f"{host} did not answer within {limits.read_timeout_s:g} s")
    if isinstance(exc, requests.exceptions.SSLError):
        return ServerError(f"the TLS connection to {host} failed ({_first_line(exc)})")
    return ServerError(f"cannot fetch {url}: {_first_line(exc)}")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and every exception it wraps: urllib3 keeps them in `reason` and in `args`."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        current = todo.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        yield current
        linked = [getattr(current, "reason", None), current.__cause__, current.__context__]
        todo += [e for e in [*linked, *current.args] if isinstance(e, BaseException)]


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
