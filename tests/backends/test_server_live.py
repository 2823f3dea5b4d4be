"""longcli against a real OpenAI-compatible server: llama-cpp-python's, on loopback,
serving the bundled model. Started and stopped by the test; nothing leaves the machine."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import squality_stories

pytestmark = pytest.mark.model

SERVER_CTX = 2048
START_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(repack_verdicts: bytes | None) -> list[str]:
    """llama-cpp-python's server, without repacked weights where the probe saw them crash
    (it builds `Llama` itself, so longcli's loader cannot tell it)."""
    verdicts = json.loads(repack_verdicts or b"{}").get("verdicts", {})
    if not any(v.get("repack") is False for v in verdicts.values()):
        return [sys.executable, "-m", "llama_cpp.server"]
    shim = (
        "from longcli.backends.repack import disable_for_process; disable_for_process(); "
        "import runpy; runpy.run_module('llama_cpp.server', run_name='__main__')"
    )
    return [sys.executable, "-c", shim]


@pytest.fixture(scope="module")
def server(bundled_model_info, tmp_path_factory, repack_verdicts) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                *server_command(repack_verdicts),
                "--model",
                str(bundled_model_info.path),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                str(SERVER_CTX),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(url + "/v1/models", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield url, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def completions_served(log: Path) -> int:
    return log.read_text(errors="replace").count('"POST /v1/chat/completions HTTP/1.1" 200')


def test_summarize_through_the_server_with_two_calls_at_once(server, run, tmp_path):
    url, log = server
    story = tmp_path / "story.txt"
    words = squality_stories()[0]["document"].split()
    story.write_text(" ".join(words[:700]), encoding="utf-8")
    before = completions_served(log)
    done = run(
        "summarize", str(story), "--backend", "http", "--base-url", url,
        "--parallel", "2", "--chunk-tokens", "256", "--words", "60", "-f", "json", "-q",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert len(out["summary"].split()) >= 10
    assert len(out["chunks"]) >= 3 and len(out["levels"]) >= 1
    model = out["model"]
    assert model["tokenizer"] == "server" and model["n_ctx"] == SERVER_CTX
    # every model call the run counted was served by the server
    assert completions_served(log) - before == out["stats"]["calls"]


def test_a_chat_turn_through_the_server_is_remembered(server, run, tmp_path):
    url, log = server
    session = tmp_path / "session"
    before = completions_served(log)
    first = run(
        "chat", "--memory", str(session), "--base-url", url,
        "--message", "My name is Ada and I keep bees.",
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip()
    assert completions_served(log) - before >= 1
    shown = run("memory", "show", str(session), "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["window_turns"] == 1
    exported = run("memory", "export", str(session), "-f", "json")
    assert "I keep bees" in exported.stdout and first.stdout.strip()[:40] in exported.stdout


def test_a_stopped_server_is_a_clear_error(run, tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("A short text.\n")
    done = run(
        "summarize", str(story), "--base-url", f"http://127.0.0.1:{free_port()}",
        env={**os.environ, "LONGCLI_HTTP_RETRIES": "0"},
    )  # fmt: skip
    assert done.returncode == 4
    assert "cannot reach the server" in done.stderr and "Traceback" not in done.stderr
