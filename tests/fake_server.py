"""An OpenAI-compatible server on loopback for tests, answering like FakeBackend.

`dialect` picks which tokenize endpoint and context report it has, as the real servers
differ: "llama-server" (/tokenize, /props, /apply-template), "vllm" (/tokenize with a
prompt, max_model_len in /v1/models), "llama-cpp-python" (/extras/tokenize/count) or
"bare" (none of them).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from longcli.calls import Message, Sampling
from tests.support.fake_backend import FakeBackend


class FakeServer:
    def __init__(self, dialect: str = "llama-server", n_ctx: int = 2048, delay_s: float = 0.0):
        self.dialect = dialect
        self.n_ctx = n_ctx
        self.delay_s = delay_s
        self.model = FakeBackend(n_ctx=n_ctx)
        self.failures: list[int] = []  # statuses to answer the next chat requests with
        self.requests: list[tuple[str, str]] = []
        self.chat_bodies: list[dict[str, Any]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.api_key: str | None = None
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def chat_requests(self) -> int:
        return sum(1 for _, path in self.requests if path == "/v1/chat/completions")

    # -- answers --------------------------------------------------------------------------

    def answer(self, method: str, path: str, body: Any, headers: Any) -> tuple[int, Any]:
        with self._lock:
            self.requests.append((method, path))
        if self.api_key and headers.get("Authorization") != f"Bearer {self.api_key}":
            return 401, {"error": {"message": "invalid api key"}}
        d = self.dialect
        if method == "GET" and path == "/v1/models":
            entry: dict[str, Any] = {"id": "fake-model", "object": "model"}
            if d == "vllm":
                entry["max_model_len"] = self.n_ctx
            return 200, {"object": "list", "data": [entry]}
        if method == "GET" and path == "/props" and d == "llama-server":
            return 200, {"default_generation_settings": {"n_ctx": self.n_ctx}}
        if path == "/tokenize" and d == "llama-server" and "content" in body:
            text = body["content"]
            return 200, {"tokens": list(range(self.model.count_tokens(text)))}
        if path == "/apply-template" and d == "llama-server":
            rendered = "".join(f"<{m['role']}>{m['content']}</>" for m in body["messages"])
            return 200, {"prompt": rendered}
        if path == "/tokenize" and d == "vllm" and "prompt" in body:
            return 200, {"count": self.model.count_tokens(body["prompt"]), "tokens": []}
        if path == "/extras/tokenize/count" and d == "llama-cpp-python":
            return 200, {"count": self.model.count_tokens(body["input"])}
        if method == "POST" and path == "/v1/chat/completions":
            return self.chat(body)
        return 404, {"detail": "Not Found"}

    def chat(self, body: dict[str, Any]) -> tuple[int, Any]:
        with self._lock:
            self.chat_bodies.append(body)
            if self.failures:
                status = self.failures.pop(0)
                return status, {"error": {"message": f"scripted failure {status}"}}
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.delay_s:
                time.sleep(self.delay_s)
            messages = [Message(m["role"], m["content"]) for m in body["messages"]]
            reply = self.model.complete(messages, Sampling(max_tokens=body["max_tokens"]))
        finally:
            with self._lock:
                self.in_flight -= 1
        return 200, {
            "choices": [
                {
                    "message": {"role": "assistant", "content": reply.text},
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
            },
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                status, data = server.answer(method, self.path, body, self.headers)
                if status == 200 and isinstance(body, dict) and body.get("stream"):
                    return self._stream(data)
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _stream(self, data: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                text = data["choices"][0]["message"]["content"]
                for i, word in enumerate(text.split(" ")):
                    piece = word if i == 0 else " " + word
                    event = {"choices": [{"delta": {"content": piece}}]}
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

        return Handler
