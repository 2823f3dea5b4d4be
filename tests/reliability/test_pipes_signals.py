"""Pipes that close early, Ctrl-C, SIGTERM, closed standard streams."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PY = sys.executable


def shell(cmd: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=os.environ, **kw)


@pytest.fixture
def long_text(tmp_path: Path) -> Path:
    f = tmp_path / "in.txt"
    f.write_text("".join(f"Line {i}: Carol paid bill{i} in town{i}.\n\n" for i in range(600)))
    return f


def test_summarize_into_head_is_quiet(long_text: Path):
    r = shell(f"{PY} -m longcli summarize {long_text} --backend fake -q --style bullets | head -1")
    assert r.returncode == 0 and r.stderr == "" and r.stdout.strip()


def test_memory_export_into_head_is_quiet(tmp_path: Path):
    s = tmp_path / "s"
    for i in range(40):
        shell(
            f"{PY} -m longcli chat --memory {s} --backend fake -m 'message {i} " + "x " * 200 + "'"
        )
    r = shell(f"set -o pipefail; {PY} -m longcli memory export {s} | head -1")
    assert r.stderr == "" and r.stdout.startswith("# Conversation")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_exits_130_and_keeps_finished_calls(long_text: Path, tmp_path: Path, sig):
    cache = tmp_path / "cache"
    env = {**os.environ, "LONGCLI_CACHE_DIR": str(cache), "LONGCLI_FAKE_DELAY_S": "0.05"}
    args = [
        PY,
        "-m",
        "longcli",
        "summarize",
        str(long_text),
        "--backend",
        "fake",
        "--ctx",
        "1024",
        "-q",
    ]
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    deadline = time.monotonic() + 30
    while len(list(cache.rglob("*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.strip() == "longcli: interrupted" and out == ""
    kept = len(list(cache.rglob("*.json")))
    assert kept >= 3
    r = subprocess.run(
        [*args, "--format", "json"],
        capture_output=True,
        text=True,
        env={**env, "LONGCLI_FAKE_DELAY_S": "0"},
    )
    assert r.returncode == 0
    assert f'"cached_calls": {kept}' in r.stdout


@pytest.mark.model
def test_closed_stderr_with_llama_logging(tmp_path: Path):
    f = tmp_path / "in.txt"
    f.write_text("Alice met Bob in Paris. They talked about painting and then went home.")
    out = tmp_path / "out.txt"
    r = shell(f"{PY} -m longcli summarize {f} --verbose --words 20 --ctx 512 -o {out} 2>&-")
    assert r.returncode == 0
    assert out.read_text().strip()


def test_closed_stdout_is_a_clear_error(tmp_path: Path):
    f = tmp_path / "in.txt"
    f.write_text("Alice met Bob in Paris. They talked about painting and then went home.")
    r = shell(f"{PY} -m longcli summarize {f} --backend fake 1>&-")
    assert r.returncode == 2
    assert r.stderr == "longcli: standard output is closed (use --output FILE)\n"
    out = tmp_path / "out.txt"
    r = shell(f"{PY} -m longcli summarize {f} --backend fake -o {out} 1>&- 2>&-")
    assert r.returncode == 0 and out.read_text().strip()


def test_closed_stderr_does_not_leak_into_a_session(tmp_path: Path):
    """With fd 2 closed, the journal must not be opened as fd 2 and receive log text."""
    s = tmp_path / "s"
    r = shell(f"{PY} -m longcli chat --memory {s} --backend fake -m 'hello there' 2>&-")
    assert r.returncode == 0
    r = shell(f"{PY} -m longcli chat --memory {s} --backend fake -m 'again' --debug 2>&-")
    lines = (s / "journal.jsonl").read_text().splitlines()
    assert len(lines) == 2 and all(line.startswith("{") for line in lines)
