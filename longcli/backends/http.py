"""A Backend that talks to an OpenAI-compatible server: llama-server, vLLM, llama-cpp-python.

Only the standard library's http.client: one connection per request, so calls from
several threads (`--parallel`) never share one. Transient failures (connection refused
or reset, 408, 429, 5xx) are retried with exponential backoff; anything else becomes one
clear message naming the server.
"""

from __future__ import annotations

import dataclasses
import functools
import http.client
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from longcli.backends import reasoning
from longcli.backends.base import Capabilities, Completion, check_fits
from longcli.backends.tokens import (
    CachedCounter,
    EstimateCounter,
    TiktokenCounter,
    TokenCounter,
    load_tiktoken_offline,
)
from longcli.calls import Message, Sampling
from longcli.config import Settings, Tokenizer
from longcli.errors import ServerError, UsageError

TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})
MAX_BACKOFF_S = 8.0
PROBE_TIMEOUT_S = 10.0
# Used when neither --ctx nor the server says its context: llama-cpp-python's default.
DEFAULT_SERVER_CTX = 2048
# Template tokens around each message and at the start of a prompt, for servers that
# cannot render their template for us. Raised as calls report their real prompt size.
MESSAGE_OVERHEAD_TOKENS = 8
PROMPT_OVERHEAD_TOKENS = 32


@dataclass(frozen=True)
class ServerOptions:
    base_url: str
    api_key: str | None = None
    model: str | None = None  # the name sent in requests; None: the server's first model
    ctx: int | None = None  # None: ask the server
    timeout_s: float = Settings.http_timeout_s
    retries: int = Settings.http_retries  # attempts after the first, for transient failures
    backoff_s: float = 0.5
    tokenizer: Tokenizer = Settings.tokenizer
    tiktoken_encoding: str = Settings.tiktoken_encoding


class HttpClient:
    """JSON over HTTP to one server, with retries for what may pass."""

    def __init__(self, options: ServerOptions) -> None:
        url = options.base_url.strip()
        if "://" not in url:
            url = "http://" + url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--base-url must be an http:// or https:// address, got {url!r}")
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        try:
            self.port = parts.port or (443 if self.https else 80)
        except ValueError:
            raise UsageError(f"--base-url has a bad port: {url!r}") from None
        # People paste the OpenAI base URL, which ends in /v1; the paths below add it.
        prefix = parts.path.rstrip("/")
        self.prefix = prefix[: -len("/v1")] if prefix.endswith("/v1") else prefix
        self.url = f"{parts.scheme}://{parts.netloc}{self.prefix}"
        self.options = options

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self.https:
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=timeout, context=ssl.create_default_context()
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.options.api_key:
            headers["Authorization"] = f"Bearer {self.options.api_key}"
        return headers

    def open(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        timeout: float | None = None,
        retries: int | None = None,
    ) -> http.client.HTTPResponse:
        """Send a request and return the response once its status is 200.

        Retries transient failures; raises ServerError for anything else, with the
        server's own message when it sent one.
        """
        attempts = 1 + (self.options.retries if retries is None else retries)
        payload = None if body is None else json.dumps(body).encode("utf-8")
        delay = self.options.backoff_s
        for attempt in range(attempts):
            last = attempt + 1 == attempts
            conn = self._connection(timeout or self.options.timeout_s)
            try:
                conn.request(method, self.prefix + path, body=payload, headers=self._headers())
                response = conn.getresponse()
            except (ConnectionError, http.client.RemoteDisconnected) as exc:
                conn.close()
                if last:
                    raise ServerError(
                        f"cannot reach the server at {self.url}: {_reason(exc)}",
                        hint="is it running? check --base-url",
                    ) from None
            except TimeoutError:
                conn.close()
                raise ServerError(
                    f"the server at {self.url} did not answer within "
                    f"{timeout or self.options.timeout_s:g} s",
                    hint="raise http_timeout_s for slow models",
                ) from None
            except OSError as exc:  # name resolution, no route, TLS
                conn.close()
                raise ServerError(
                    f"cannot reach the server at {self.url}: {_reason(exc)}"
                ) from None
            else:
                if response.status == 200:
                    return response
                text = response.read().decode("utf-8", errors="replace")
                conn.close()
                if response.status not in TRANSIENT_STATUS or last:
                    raise ServerError(
                        f"the server at {self.url} answered {response.status} to {path}: "
                        f"{_server_message(text) or response.reason}",
                        hint=_hint_for(response.status),
                    )
                retry_after = response.getheader("Retry-After")
                if retry_after and retry_after.isdigit():
                    delay = max(delay, float(retry_after))
            time.sleep(min(delay, MAX_BACKOFF_S))
            delay *= 2
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def json(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        response = self.open(method, path, body, **kw)
        try:
            return json.loads(response.read())
        except ValueError:
            raise ServerError(f"the server at {self.url} sent something other than JSON") from None
        except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
            raise ServerError(f"the connection to {self.url} broke: {_reason(exc)}") from None
        finally:
            response.close()

    def probe(self, method: str, path: str, body: Any = None) -> Any | None:
        """One short request to find out what the server offers: its JSON, or None if the
        endpoint is missing or refuses (a server that cannot be reached still raises)."""
        try:
            return self.json(method, path, body, timeout=PROBE_TIMEOUT_S, retries=0)
        except ServerError as exc:
            if "cannot reach" in exc.message:
                raise
            return None

    def stream_events(self, path: str, body: Any) -> Iterator[dict[str, Any]]:
        """Server-sent events of a streaming request, each decoded from JSON."""
        response = self.open("POST", path, body)
        try:
            for raw in response:
                line = raw.decode("utf-8", errors="replace").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                try:
                    event = json.loads(data)
                except ValueError:
                    continue
                if isinstance(event, dict) and "error" in event:
                    raise ServerError(
                        f"the server at {self.url} failed mid-reply: "
                        f"{_server_message(json.dumps(event))}"
                    )
                yield event
        except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
            raise ServerError(
                f"the connection to {self.url} broke mid-reply: {_reason(exc)}"
            ) from None
        finally:
            response.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _server_message(text: str) -> str:
    """The error message inside a server's JSON error body, or the body's start."""
    try:
        data = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:200]
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data.get("message")))
        if isinstance(error, dict):
            error = error.get("message", error)
        if isinstance(error, list) and error and isinstance(error[0], dict):
            error = error[0].get("msg", error[0])
        if error is not None:
            return " ".join(str(error).split())[:300]
    return " ".join(text.split())[:200]


def _hint_for(status: int) -> str | None:
    if status in (401, 403):
        return "set api_key in the config or LONGCLI_API_KEY"
    if status == 404:
        return "is --base-url the server's address, and --server-model one it serves?"
    return None


class ServerTokenCounter:
    """Exact counts from the server's tokenize endpoint (its shape depends on the server)."""

    name = "server"
    exact = True

    def __init__(self, client: HttpClient, dialect: str, model: str) -> None:
        self._client = client
        self.dialect = dialect
        self._model = model

    def count(self, text: str) -> int:
        if not text:
            return 0
        path, body = self.request(text, self.dialect, self._model)
        return _token_count(self._client.json("POST", path, body))

    @staticmethod
    def request(text: str, dialect: str, model: str) -> tuple[str, dict[str, Any]]:
        if dialect == "llama-server":
            return "/tokenize", {"content": text, "add_special": False, "parse_special": False}
        if dialect == "vllm":
            return "/tokenize", {"model": model, "prompt": text, "add_special_tokens": False}
        return "/extras/tokenize/count", {"input": text, "model": model}


def _token_count(data: Any) -> int:
    if isinstance(data, dict):
        if isinstance(data.get("count"), int):
            return int(data["count"])
        if isinstance(data.get("tokens"), list):
            return len(data["tokens"])
    raise ServerError("the server's tokenize endpoint answered in an unknown shape")


def detect_tokenize_dialect(client: HttpClient, model: str) -> str | None:
    """Which tokenize endpoint the server has: llama-server, vllm, llama-cpp-python or None."""
    for dialect in ("llama-server", "llama-cpp-python", "vllm"):
        path, body = ServerTokenCounter.request("Hello, world", dialect, model)
        data = client.probe("POST", path, body)
        try:
            if data is not None and _token_count(data) > 0:
                return dialect
        except ServerError:
            continue
    return None


def choose_counter(
    client: HttpClient, options: ServerOptions, model: str
) -> tuple[TokenCounter, str | None]:
    """The token counter for this server, by --tokenizer (auto: the best available)."""
    wanted = options.tokenizer
    if wanted in ("auto", "server"):
        dialect = detect_tokenize_dialect(client, model)
        if dialect:
            return ServerTokenCounter(client, dialect, model), dialect
        if wanted == "server":
            raise UsageError(
                f"tokenizer server: the server at {client.url} has no tokenize endpoint",
                hint="use tokenizer auto, tiktoken or estimate",
            )
    if wanted in ("auto", "tiktoken"):
        encoding = load_tiktoken_offline(options.tiktoken_encoding)
        if encoding is not None:
            return TiktokenCounter(encoding), None
        if wanted == "tiktoken":
            raise UsageError(
                f"tokenizer tiktoken: the encoding {options.tiktoken_encoding!r} is not on "
                "this machine, and longcli never downloads it",
                hint="set tiktoken_encoding to a .tiktoken file, or use tokenizer estimate",
            )
    return EstimateCounter(), None


def _first_id(models: list[dict[str, Any]]) -> str:
    return str(models[0].get("id") or "default") if models else "default"


class HttpBackend:
    """Model calls sent to an OpenAI-compatible server; safe to call from several threads."""

    def __init__(self, options: ServerOptions) -> None:
        self.client = HttpClient(options)
        self.options = options
        models = self._listed_models()
        self.model_name = options.model or _first_id(models)
        counter, self.dialect = choose_counter(self.client, options, self.model_name)
        self.counter = CachedCounter(counter)
        self.n_ctx, self.ctx_source = self._context_size(models)
        self.base_url = self.client.url
        self.identity = f"http|{self.client.url}|{self.model_name}"
        self.capabilities = Capabilities(exact_counts=self.counter.exact)
        self._renders_template = self.dialect == "llama-server" and self._can_apply_template()
        self._learned_overhead = 0
        self._lock = threading.Lock()
        # The budget check and the call measure the same prompt: ask the server once.
        self._rendered_prompt_tokens = functools.lru_cache(maxsize=16)(self._rendered)

    # -- discovery ----------------------------------------------------------------------

    def _listed_models(self) -> list[dict[str, Any]]:
        """The entries of the server's /v1/models (asked once: name and context need it)."""
        data = self.client.probe("GET", "/v1/models")
        models = data.get("data") if isinstance(data, dict) else None
        return [m for m in models if isinstance(m, dict)] if isinstance(models, list) else []

    def _context_size(self, models: list[dict[str, Any]]) -> tuple[int, str]:
        if self.options.ctx:
            return self.options.ctx, "setting"
        props = self.client.probe("GET", "/props")
        if isinstance(props, dict):
            settings = props.get("default_generation_settings")
            n_ctx = settings.get("n_ctx") if isinstance(settings, dict) else None
            n_ctx = n_ctx or props.get("n_ctx")
            if isinstance(n_ctx, int) and n_ctx > 0:
                return n_ctx, "server"
        for entry in models:
            if entry.get("id") == self.model_name:
                length = entry.get("max_model_len")
                if isinstance(length, int) and length > 0:
                    return length, "server"
        return DEFAULT_SERVER_CTX, "default"

    def _can_apply_template(self) -> bool:
        data = self.client.probe(
            "POST", "/apply-template", {"messages": [{"role": "user", "content": "hi"}]}
        )
        return isinstance(data, dict) and isinstance(data.get("prompt"), str)

    @property
    def tokenizer(self) -> str:
        return self.counter.name

    def facts(self) -> dict[str, Any]:
        """Where the numbers came from, for --plan, -v and --format json."""
        return {
            "base_url": self.base_url,
            "model_name": self.model_name,
            "ctx_source": self.ctx_source,
            "tokenizer": self.tokenizer,
        }

    # -- counting -----------------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        return self.counter.count(text)

    def prompt_tokens(self, messages: list[Message]) -> int:
        if self._renders_template:
            return self._rendered_prompt_tokens(tuple(messages))
        return self._estimated_prompt(messages) + self._learned_overhead

    def _rendered(self, messages: tuple[Message, ...]) -> int:
        """Exact: the server renders its own template, then tokenizes the result."""
        body = {"messages": [{"role": m.role, "content": m.content} for m in messages]}
        prompt = self.client.json("POST", "/apply-template", body)["prompt"]
        data = self.client.json(
            "POST", "/tokenize", {"content": prompt, "add_special": True, "parse_special": True}
        )
        return _token_count(data)

    def _estimated_prompt(self, messages: list[Message]) -> int:
        content = sum(self.counter.count(m.content) for m in messages)
        return content + MESSAGE_OVERHEAD_TOKENS * len(messages) + PROMPT_OVERHEAD_TOKENS

    def _learn(self, messages: list[Message], reported: int) -> None:
        """Raise the template allowance when the server counted more than we did."""
        if self._renders_template or reported <= 0:
            return
        gap = reported - self._estimated_prompt(messages)
        with self._lock:
            self._learned_overhead = max(self._learned_overhead, gap)

    # -- generation ---------------------------------------------------------------------

    def _body(self, messages: list[Message], sampling: Sampling, stream: bool) -> dict[str, Any]:
        check_fits(self.prompt_tokens(messages), sampling.max_tokens, self.n_ctx)
        return {
            "model": self.model_name,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            **sampling.params(),
            "stream": stream,
            # Qwen3-style templates: no thinking (llama-server and vLLM read this; others
            # ignore it). What a model thinks anyway is stripped (reasoning.py).
            "chat_template_kwargs": {"enable_thinking": False},
        }

    def complete(self, messages: list[Message], sampling: Sampling) -> Completion:
        done = self._complete(messages, sampling)
        room = self.n_ctx - self.prompt_tokens(messages) - sampling.max_tokens
        if done.finish_reason == "length" and not done.text and room > 0:
            # A model that thought until the cap and never answered: once more, with
            # room for its thinking (the server would not be told not to think).
            more = sampling.max_tokens + min(reasoning.THINKING_TOKENS, room)
            again = self._complete(messages, dataclasses.replace(sampling, max_tokens=more))
            return dataclasses.replace(
                again, completion_tokens=again.completion_tokens + done.completion_tokens
            )
        return done

    def _complete(self, messages: list[Message], sampling: Sampling) -> Completion:
        data = self.client.json(
            "POST", "/v1/chat/completions", self._body(messages, sampling, False)
        )
        try:
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError):
            raise ServerError(
                f"the server at {self.client.url} sent a reply without a message"
            ) from None
        usage = data.get("usage") or {}
        prompt = int(usage.get("prompt_tokens") or 0)
        self._learn(messages, prompt)
        completion = int(usage.get("completion_tokens") or 0) or self.count_tokens(text)
        reason = "length" if choice.get("finish_reason") == "length" else "stop"
        text = reasoning.visible(text)  # thinking in the content; reasoning_content is unread
        return Completion(text, prompt or self.prompt_tokens(messages), completion, reason)

    def stream(self, messages: list[Message], sampling: Sampling) -> Iterator[str]:
        yield from reasoning.filtered(self._pieces(self._body(messages, sampling, True)))

    def _pieces(self, body: dict[str, Any]) -> Iterator[str]:
        for event in self.client.stream_events("/v1/chat/completions", body):
            choices = event.get("choices") or []
            if not choices or not isinstance(choices[0], dict):
                continue
            delta = choices[0].get("delta") or {}
            piece = delta.get("content") if isinstance(delta, dict) else None
            if piece:
                yield piece
