"""Pipes that close early, Ctrl-C, SIGTERM, closed standard streams."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FAKE_ENV, longcli_command, wait_for_trace

pytestmark = pytest.mark.usefixtures("fake_model")


def longcli() -> str:
    """The command that starts longcli, for a shell line (on the stand-in model here)."""
    return shlex.join(longcli_command())


def shell(cmd: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=os.environ, **kw)


@pytest.fixture
def long_text(tmp_path: Path) -> Path:
    f = tmp_path / "in.txt"
    f.write_text("".join(f"Line {i}: Carol paid bill{i} in town{i}.\n\n" for i in range(600)))
    return f


def test_summarize_into_head_is_quiet(long_text: Path):
    r = shell(f"{longcli()} summarize {long_text} -q --style bullets | head -1")
    assert r.returncode == 0 and r.stderr == "" and r.stdout.strip()


def test_memory_export_into_head_is_quiet(tmp_path: Path):
    s = tmp_path / "s"
    messages = "".join(f"message {i} " + "x " * 200 + "\n" for i in range(40))
    made = subprocess.run(
        [*longcli_command(), "chat", "--memory", str(s), "--interactive"],
        input=messages,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    assert len(s.joinpath("journal.jsonl").read_text().splitlines()) == 40
    r = shell(f"set -o pipefail; {longcli()} memory export {s} | head -1")
    assert r.stderr == "" and r.stdout.startswith("# Conversation")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_exits_130_and_keeps_finished_calls(long_text: Path, tmp_path: Path, sig):
    cache, trace = tmp_path / "cache", tmp_path / "trace"
    env = {**os.environ, "LONGCLI_CACHE_DIR": str(cache)}
    args = [*longcli_command(), "summarize", str(long_text), "--ctx", "1024", "-q"]
    # Held in its third model call, so exactly two calls are finished when the signal lands.
    held = {**env, "LONGCLI_FAULT_PAUSE": "generate@3:60", "LONGCLI_FAULT_TRACE": str(trace)}
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=held,
        # A shell starts background jobs with SIGINT ignored, and a process honours that
        # (as longcli does): give the child the default, as a terminal's job would have.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    wait_for_trace(trace, "generate", times=3)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.strip() == "longcli: interrupted" and out == ""
    assert len(list(cache.rglob("*.json"))) == 2
    r = subprocess.run([*args, "--format", "json"], capture_output=True, text=True, env=env)
    assert r.returncode == 0
    assert '"cached_calls": 2' in r.stdout


@pytest.mark.model
def test_closed_stderr_with_llama_logging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(FAKE_ENV)  # the real model, and its log
    f = tmp_path / "in.txt"
    f.write_text("Alice met Bob in Paris. They talked about painting and then went home.")
    out = tmp_path / "out.txt"
    args = "--debug --words 20 --ctx 512 --method abstractive"  # --debug: llama.cpp's log
    r = shell(f"{longcli()} summarize {f} {args} -o {out} 2>&-")
    assert r.returncode == 0
    assert out.read_text().strip()


def test_closed_stdout_is_a_clear_error(tmp_path: Path):
    f = tmp_path / "in.txt"
    f.write_text("Alice met Bob in Paris. They talked about painting and then went home.")
    r = shell(f"{longcli()} summarize {f} 1>&-")
    assert r.returncode == 2
    assert r.stderr == "longcli: standard output is closed (use --output FILE)\n"
    out = tmp_path / "out.txt"
    r = shell(f"{longcli()} summarize {f} -o {out} 1>&- 2>&-")
    assert r.returncode == 0 and out.read_text().strip()


def test_closed_stderr_does_not_leak_into_a_session(tmp_path: Path):
    """With fd 2 closed, the journal must not be opened as fd 2 and receive log text."""
    s = tmp_path / "s"
    r = shell(f"{longcli()} chat --memory {s} --message 'hello there' 2>&-")
    assert r.returncode == 0
    r = shell(f"{longcli()} chat --memory {s} --message 'again' --debug 2>&-")
    lines = (s / "journal.jsonl").read_text().splitlines()
    assert len(lines) == 2 and all(line.startswith("{") for line in lines)
