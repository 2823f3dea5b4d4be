"""A Hugging Face Hub on loopback, just enough of it for `longcli models pull`.

It serves repositories of files given by the test: the tree listing (with each file's
sha256, as the hub lists LFS files), and `resolve` downloads with the hub's headers
(X-Repo-Commit, X-Linked-Etag, X-Linked-Size) and Range requests. Tests can make it drop
the connection half way through a file, answer 404 or 401, answer 503 for a while (a
flaky hub), or list a wrong checksum; it
records every request, so a test can see a resumed download ask for the rest.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class Seen:
    method: str
    path: str
    range: str | None
    authorization: str | None


@dataclass
class Hub:
    repos: dict[str, dict[str, bytes]]
    drop_once: set[str] = field(default_factory=set)  # files whose first GET breaks midway
    drop_always: set[str] = field(default_factory=set)  # files every GET breaks
    wrong_sha: set[str] = field(default_factory=set)  # files listed with a wrong sha256
    token: str | None = None  # when set, requests without it get 401
    busy: int = 0  # this many requests are answered 503 first (a flaky hub), then served
    seen: list[Seen] = field(default_factory=list)

    def __enter__(self) -> Hub:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                hub.handle(self, body=False)

            def do_GET(self) -> None:
                hub.handle(self, body=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- answering ------------------------------------------------------------------------

    def handle(self, request: BaseHTTPRequestHandler, body: bool) -> None:
        path = unquote(urlsplit(request.path).path)
        self.seen.append(
            Seen(
                request.command,
                path,
                request.headers.get("Range"),
                request.headers.get("Authorization"),
            )  # fmt: skip
        )
        if self.busy > 0:
            self.busy -= 1
            return self.error(request, 503, None, "Service unavailable, try again")
        if self.token and request.headers.get("Authorization") != f"Bearer {self.token}":
            return self.error(request, 401, "RepoNotFound", "Invalid credentials")
        if path.startswith("/api/models/"):
            return self.tree(request, path)
        if "/resolve/" in path:
            return self.file(request, path, body)
        return self.error(request, 404, None, "not found")

    def error(
        self, request: BaseHTTPRequestHandler, status: int, code: str | None, text: str
    ) -> None:
        data = json.dumps({"error": text}).encode()
        request.send_response(status)
        if code:
            request.send_header("X-Error-Code", code)
        request.send_header("X-Repo-Commit", COMMIT)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(data)

    def tree(self, request: BaseHTTPRequestHandler, path: str) -> None:
        repo = "/".join(path.split("/")[3:5])
        files = self.repos.get(repo)
        if files is None:
            return self.error(request, 404, "RepoNotFound", "Repository not found")
        listing = []
        for name, data in files.items():
            sha = hashlib.sha256(data + (b"x" if name in self.wrong_sha else b"")).hexdigest()
            listing.append({
                "type": "file", "path": name, "size": len(data),
                "oid": hashlib.sha1(data).hexdigest(),
                "lfs": {"oid": sha, "size": len(data), "pointerSize": 134},
            })  # fmt: skip
        data = json.dumps(listing).encode()
        request.send_response(200)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def file(self, request: BaseHTTPRequestHandler, path: str, body: bool) -> None:
        repo, _, rest = path.strip("/").partition("/resolve/")
        name = rest.partition("/")[2]
        files = self.repos.get(repo)
        if files is None:
            return self.error(request, 404, "RepoNotFound", "Repository not found")
        if name not in files:
            return self.error(request, 404, "EntryNotFound", "Entry not found")
        data = files[name]
        start = 0
        wanted = request.headers.get("Range")
        if body and wanted and wanted.startswith("bytes="):
            start = int(wanted[6:].split("-")[0] or 0)
        request.send_response(206 if start else 200)
        request.send_header("X-Repo-Commit", COMMIT)
        request.send_header("X-Linked-Etag", f'"{hashlib.sha256(data).hexdigest()}"')
        request.send_header("X-Linked-Size", str(len(data)))
        request.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
        request.send_header("Accept-Ranges", "bytes")
        request.send_header("Content-Length", str(len(data) - start))
        if start:
            request.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        request.end_headers()
        if not body:
            return
        drop = name in self.drop_always or (name in self.drop_once and start == 0)
        if drop:
            self.drop_once.discard(name)
            request.wfile.write(data[start : start + (len(data) - start) // 2])
            request.wfile.flush()
            request.close_connection = True
            request.connection.shutdown(2)  # the socket goes away mid-file
            return
        request.wfile.write(data[start:])
