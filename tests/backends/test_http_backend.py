"""The HTTP backend against a scripted OpenAI-compatible server on loopback."""

import socket
import subprocess
import sys

import pytest

from longcli.backends.http import DEFAULT_SERVER_CTX, HttpBackend, ServerOptions
from longcli.calls import Message, Sampling
from longcli.errors import ExitCode, ServerError, UsageError
from longcli.prompts.templates import load_templates
from longcli.summarize.budget import SummarizeOptions
from longcli.summarize.pipeline import Summarizer
from longcli.text.chunks import chunk_stream
from tests.fake_server import FakeServer
from tests.support.fake_backend import FakeBackend

QUICK = {"backoff_s": 0.01, "timeout_s": 10}
MESSAGES = [
    Message("system", "Be brief."),
    Message("user", "Tell me about the quiet harbour town."),
]


def backend(server: FakeServer, **kw) -> HttpBackend:
    return HttpBackend(ServerOptions(base_url=server.url, **{**QUICK, **kw}))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("dialect", ["llama-server", "vllm", "llama-cpp-python"])
def test_token_counts_come_from_the_servers_own_tokenize_endpoint(dialect):
    with FakeServer(dialect) as server:
        b = backend(server)
        assert b.tokenizer == "server" and b.dialect == dialect
        text = "One, two: three four five."
        before = len(server.requests)
        assert b.count_tokens(text) == FakeBackend().count_tokens(text)
        assert b.count_tokens(text) == FakeBackend().count_tokens(text)  # memoized
        assert len(server.requests) == before + 1


def test_without_a_tokenize_endpoint_counts_are_estimates_above_the_truth():
    with FakeServer("bare") as server:
        b = backend(server, tokenizer="estimate")
        assert b.tokenizer == "estimate"
        truth = FakeBackend().count_tokens("Tell me about the quiet harbour town.")
        assert b.count_tokens("Tell me about the quiet harbour town.") >= truth


def test_context_size_from_props_from_max_model_len_from_the_flag_or_the_default():
    with FakeServer("llama-server", n_ctx=3072) as server:
        assert (backend(server).n_ctx, backend(server).ctx_source) == (3072, "server")
        assert backend(server, ctx=1024).n_ctx == 1024
    with FakeServer("vllm", n_ctx=4096) as server:
        assert backend(server).n_ctx == 4096
    with FakeServer("llama-cpp-python") as server:
        b = backend(server)
        assert (b.n_ctx, b.ctx_source) == (DEFAULT_SERVER_CTX, "default")


def test_prompt_tokens_are_exact_where_the_server_renders_its_template():
    with FakeServer("llama-server") as server:
        b = backend(server)
        rendered = "".join(f"<{m.role}>{m.content}</>" for m in MESSAGES)
        assert b.prompt_tokens(MESSAGES) == FakeBackend().count_tokens(rendered)


def test_prompt_allowance_grows_when_the_server_counts_more():
    with FakeServer("llama-cpp-python") as server:
        b = backend(server)
        before = b.prompt_tokens(MESSAGES)
        b._learn(MESSAGES, before + 40)
        assert b.prompt_tokens(MESSAGES) == before + 40
        b._learn(MESSAGES, 3)  # never shrinks
        assert b.prompt_tokens(MESSAGES) == before + 40


def test_complete_and_stream_give_the_same_reply():
    with FakeServer("llama-server") as server:
        b = backend(server)
        sampling = Sampling(max_tokens=64, temperature=0.0, seed=7)
        done = b.complete(MESSAGES, sampling)
        assert done.text and done.finish_reason == "stop" and done.completion_tokens > 0
        assert "".join(b.stream(MESSAGES, sampling)) == done.text
        sent = server.chat_bodies[0]
        assert sent["model"] == "fake-model" and sent["max_tokens"] == 64 and sent["seed"] == 7
        assert sent["messages"][1] == {"role": "user", "content": MESSAGES[1].content}


def test_transient_failures_are_retried_with_backoff():
    with FakeServer("llama-server") as server:
        b = backend(server, retries=3)
        server.failures = [503, 429, 502]
        assert b.complete(MESSAGES, Sampling(max_tokens=32)).text
        assert server.chat_requests() == 4


def test_a_server_that_keeps_failing_gives_up_with_its_message():
    with FakeServer("llama-server") as server:
        b = backend(server, retries=2)
        server.failures = [503, 503, 503, 503]
        with pytest.raises(ServerError, match="answered 503 .*scripted failure 503"):
            b.complete(MESSAGES, Sampling(max_tokens=32))
        assert server.chat_requests() == 3


def test_a_client_error_is_not_retried():
    with FakeServer("llama-server") as server:
        b = backend(server, retries=3)
        server.failures = [400]
        with pytest.raises(ServerError, match="answered 400") as err:
            b.complete(MESSAGES, Sampling(max_tokens=32))
        assert err.value.exit_code == ExitCode.SERVER
        assert server.chat_requests() == 1


def test_api_key_is_sent_and_a_wrong_one_is_explained():
    with FakeServer("llama-server") as server:
        server.api_key = "sesame"
        assert backend(server, api_key="sesame").complete(MESSAGES, Sampling(max_tokens=8))
        with pytest.raises(ServerError, match="401") as err:
            backend(server, api_key="wrong", ctx=2048).complete(MESSAGES, Sampling(max_tokens=8))
        assert "api_key" in (err.value.hint or "")


def test_a_prompt_too_long_for_the_servers_context_is_refused_before_sending():
    with FakeServer("llama-server", n_ctx=512) as server:
        b = backend(server)
        with pytest.raises(Exception, match="exceeds the context of 512"):
            b.complete([Message("user", "word " * 600)], Sampling(max_tokens=32))
        assert server.chat_requests() == 0


def test_unreachable_server_is_one_clear_error():
    options = ServerOptions(base_url=f"http://127.0.0.1:{closed_port()}", **QUICK, retries=1)
    with pytest.raises(ServerError, match="cannot reach the server .* connection refused"):
        HttpBackend(options)


def test_timeout_is_reported_with_the_setting_to_raise():
    with FakeServer("llama-server", delay_s=2.0) as server:
        b = HttpBackend(ServerOptions(base_url=server.url, backoff_s=0.01, timeout_s=0.5))
        with pytest.raises(ServerError, match="did not answer within 0.5 s") as err:
            b.complete(MESSAGES, Sampling(max_tokens=8))
        assert "http_timeout_s" in (err.value.hint or "")


@pytest.mark.parametrize("url", ["ftp://x", "http://", "http://host:notaport"])
def test_bad_base_urls_are_usage_errors(url):
    with pytest.raises(UsageError):
        HttpBackend(ServerOptions(base_url=url))


def test_a_v1_suffix_on_the_base_url_is_understood():
    with FakeServer("llama-server") as server:
        b = HttpBackend(ServerOptions(base_url=server.url + "/v1/", **QUICK))
        assert b.complete(MESSAGES, Sampling(max_tokens=8)).text
        assert ("POST", "/v1/chat/completions") in server.requests


def test_summarize_over_http_runs_parallel_calls_and_fits_every_prompt():
    text = "".join(
        f"Part {i}: Alice met person{i} in town{i} and they talked.\n\n" for i in range(400)
    )
    with FakeServer("llama-server", n_ctx=1024, delay_s=0.02) as server:
        b = backend(server)
        summarizer = Summarizer(b, load_templates(), SummarizeOptions(parallel=3))
        chunks = chunk_stream([text], summarizer.budget.chunk_tokens, b.count_tokens)
        result = summarizer.run(chunks)
        assert result.summary and len(result.chunks) > 3
        assert server.most_in_flight == 3
        # the server would have refused nothing: every prompt fit its context
        assert all(body["max_tokens"] > 0 for body in server.chat_bodies)


def run_cli(*args, **env):
    import os

    return subprocess.run(
        [sys.executable, "-m", "longcli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_cli_summarize_and_chat_through_a_server(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(
        "".join(f"Day {i}: the baker sold bread to person{i}.\n\n" for i in range(300))
    )
    with FakeServer("llama-server", n_ctx=1024) as server:
        done = run_cli(
            "summarize", str(story), "--base-url", server.url, "-P", "2", "-q", "-f", "json"
        )
        assert done.returncode == 0, done.stderr
        import json

        out = json.loads(done.stdout)
        assert out["summary"] and out["model"]["tokenizer"] == "server"
        assert "api_key" not in out["settings"]
        assert out["model"]["n_ctx"] == 1024 and out["model"]["ctx_source"] == "server"
        chat = run_cli(
            "chat",
            "--memory",
            str(tmp_path / "s"),
            "--base-url",
            server.url,
            "--message",
            "Hello there, baker",
        )
        assert chat.returncode == 0, chat.stderr
        assert chat.stdout.strip()


def test_cli_unreachable_server_exits_4_with_one_line(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("Some text.\n")
    done = run_cli(
        "summarize",
        str(story),
        "--base-url",
        f"http://127.0.0.1:{closed_port()}",
        LONGCLI_HTTP_RETRIES="1",
    )
    assert done.returncode == 4
    assert done.stderr.count("\n") == 1 and "cannot reach the server" in done.stderr
    assert "Traceback" not in done.stderr


def test_config_show_never_prints_the_api_key(run):
    done = run("config", "show", env={"LONGCLI_API_KEY": "s3cret-token"})
    assert done.returncode == 0, done.stderr
    assert "s3cret-token" not in done.stdout and "api_key: (set, hidden)" in done.stdout


def test_backend_http_without_a_base_url_is_a_usage_error(run, tmp_path):
    story = tmp_path / "s.txt"
    story.write_text("Some text.\n")
    done = run("summarize", str(story), "--backend", "http")
    assert done.returncode == 2 and "needs base_url" in done.stderr
