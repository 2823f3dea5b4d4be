"""`longcli summarize URL` and `chat --file URL`, against a server of the test's own on
127.0.0.1: the Content-Type chooses the reader, its charset the decoding; redirects are
followed; every failure (404, a refused or silent server, a name that does not resolve, a
body too big, content that is not text) is one line and a documented exit code.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from longcli.text import fetch
from longcli.text.decode import Source, resolve_sources
from longcli.text.documents import open_document
from tests.support.documents import make_pdf

HTML = (
    b"<!DOCTYPE html><html><head><title>The Harbour Report</title></head><body>"
    b"<nav><a href='/'>Home</a></nav><main><article><h1>The Harbour Report</h1>"
    b"<p>The harbour committee met on Monday to decide the fate of the old pier.</p>"
    b"<p>After a long debate the vote passed, and the pier will be rebuilt in spring.</p>"
    b"</article></main></body></html>"
)
RUSSIAN = "Байкал - самое глубокое озеро на Земле. Его глубина составляет 1642 метра.\n"
BIG = b"The same sentence again. " * 100


@dataclass(frozen=True)
class Reply:
    status: int = 200
    content_type: str | None = "text/plain; charset=utf-8"
    body: bytes = b""
    location: str = ""
    sized: bool = True  # send a Content-Length


ROUTES = {
    "/page": Reply(content_type="text/html; charset=utf-8", body=HTML),
    "/russian": Reply(content_type="text/plain; charset=koi8-r", body=RUSSIAN.encode("koi8-r")),
    "/moved": Reply(302, location="/page"),
    "/loop": Reply(302, location="/loop"),
    "/missing": Reply(404, body=b"not here"),
    "/big": Reply(body=BIG),
    "/big-unsized": Reply(body=BIG, sized=False),
    "/document": Reply(
        content_type="application/pdf", body=make_pdf([["The harbour committee met."]])
    ),
    "/picture": Reply(content_type="image/png", body=b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
}


class Server:
    """An HTTP server on a free loopback port, in a thread; /slow answers only at shutdown."""

    def __init__(self) -> None:
        self.release = threading.Event()
        release = self.release

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if self.path == "/slow":
                    release.wait()
                    return
                reply = ROUTES.get(self.path, Reply(404))
                self.send_response(reply.status)
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                if reply.location:
                    self.send_header("Location", reply.location)
                if reply.sized:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    running = Server()
    running.thread.start()
    yield running
    running.release.set()
    running.httpd.shutdown()
    running.httpd.server_close()


def summarize(run, url: str, *more: str):
    return run("summarize", url, "--method", "extractive", *more)


def test_an_html_page_is_read_as_a_local_html_file_is(run, server: Server, tmp_path: Path):
    local = tmp_path / "page.html"
    local.write_bytes(HTML)
    source = resolve_sources([server.url("/page")], stdin_is_tty=True)[0]
    fetched = open_document(source)
    on_disk = open_document(Source(str(local), local))
    assert "".join(fetched.blocks) == "".join(on_disk.blocks)
    assert fetched.marks == on_disk.marks and fetched.format == on_disk.format
    r = summarize(run, server.url("/page"), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert "harbour committee" in r.stdout and "Home" not in r.stdout
    assert server.url("/page") in r.stdout  # the source is named by its address


def test_the_charset_of_the_content_type_is_honoured(run, server: Server):
    r = summarize(run, server.url("/russian"))
    assert r.returncode == 0, r.stderr
    assert "Байкал" in r.stdout


def test_a_redirect_is_followed(run, server: Server):
    r = summarize(run, server.url("/moved"))
    assert r.returncode == 0, r.stderr
    assert "harbour committee" in r.stdout


def test_a_pdf_content_type_chooses_the_pdf_reader(run, server: Server):
    r = summarize(run, server.url("/document"))
    assert r.returncode == 0, r.stderr
    assert "harbour committee met" in r.stdout


@pytest.mark.parametrize(
    ("path", "code", "line"),
    [
        ("/missing", 4, "{url} answered 404 Not Found (check the address)"),
        ("/loop", 4, "{url} redirects more than 10 times"),
        ("/picture", 2, "{url} is image/png, not text or a document (longcli reads text, "
         "Markdown, PDF, EPUB, HTML, DOCX, SRT and WebVTT)"),
    ],
)  # fmt: skip
def test_failures_are_one_line_with_their_exit_code(
    run, server: Server, path: str, code: int, line: str
):
    url = server.url(path)
    r = summarize(run, url)
    assert (r.returncode, r.stdout) == (code, "")
    assert r.stderr == f"longcli: {line.format(url=url)}\n"


@pytest.mark.parametrize("path", ["/big", "/big-unsized"])
def test_a_body_over_the_cap_is_refused(run, server: Server, monkeypatch, path: str):
    monkeypatch.setattr(fetch, "LIMITS", fetch.FetchLimits(max_bytes=1000))
    r = summarize(run, server.url(path))
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        f"longcli: {server.url(path)} is over 1,000 bytes, the most longcli fetches "
        "(download it, then summarize the file)\n"
    )


def test_a_silent_server_times_out(run, server: Server, monkeypatch):
    monkeypatch.setattr(fetch, "LIMITS", fetch.FetchLimits(read_timeout_s=0.2))
    r = summarize(run, server.url("/slow"))
    assert (r.returncode, r.stdout) == (4, "")
    assert r.stderr == "longcli: 127.0.0.1 did not answer within 0.2 s\n"


def test_a_refused_connection(run):
    with socket.socket() as probe:  # a port that was free a moment ago, and is closed now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    r = summarize(run, f"http://127.0.0.1:{port}/notes")
    assert (r.returncode, r.stdout) == (4, "")
    assert r.stderr == f"longcli: 127.0.0.1 port {port} refused the connection\n"


def test_a_name_that_does_not_resolve(run, monkeypatch):
    def no_such_host(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    r = summarize(run, "https://no-such-host.invalid/post")
    assert (r.returncode, r.stdout) == (4, "")
    assert r.stderr == (
        "longcli: no-such-host.invalid does not resolve (check the address and the network)\n"
    )


def test_an_address_without_a_host_is_refused(run):
    r = summarize(run, "https:///post")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == "longcli: https:///post is not a web address longcli can fetch (no host)\n"


def test_chat_file_takes_a_url(run, server: Server, tmp_path: Path):
    session = tmp_path / "s"
    r = run(
        "chat", "--memory", str(session), "--backend", "fake", "--file", server.url("/page"),
        "--message", "What did the committee decide?",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert f"added {server.url('/page')} to the session's memory" in r.stderr


def test_the_content_type_header_is_read_with_the_standard_parser():
    assert fetch.content_type('text/HTML; Charset="ISO-8859-1"') == ("text/html", "iso8859-1")
    assert fetch.content_type("text/plain; charset=no-such-set") == ("text/plain", None)
    assert fetch.content_type("") == ("", None)


def test_an_address_of_another_scheme_is_named_not_taken_for_a_file(run):
    """`ftp://host/x` was "no such file: ftp:/host/x" (the path's // folded)."""
    r = run("summarize", "ftp://127.0.0.1/x", "--backend", "fake")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == (
        "longcli: ftp://127.0.0.1/x: longcli reads http:// and https:// addresses, not ftp://\n"
    )
