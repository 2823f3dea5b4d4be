"""Several processes at once: one writer per session, a shared cache that stays sound."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from longcli.chat.session import Session
from tests.conftest import longcli_command
from tests.reliability.fake_runs import reference_run, summarize_args

WRITERS = 6
pytestmark = pytest.mark.usefixtures("fake_model")


def start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [*longcli_command(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_concurrent_chat_writers_one_wins_others_fail_fast(tmp_path: Path):
    session = tmp_path / "s"
    env = {**os.environ, "LONGCLI_FAKE_DELAY_S": "1.5"}
    # The session exists first, so every process races for the lock, not for creation.
    assert (
        subprocess.run(
            [
                sys.executable,
                "-m",
                "longcli",
                "chat",
                "--memory",
                str(session),
                "--message",
                "setup",
            ],
            env=os.environ,
        ).returncode
        == 0
    )
    procs = [
        start(["chat", "--memory", str(session), "--message", f"writer {i}"], env)
        for i in range(WRITERS)
    ]
    results = [(p.wait(60), p.stderr.read()) for p in procs]
    codes = [code for code, _ in results]
    assert codes.count(0) >= 1
    assert codes.count(0) + codes.count(3) == WRITERS
    for code, err in results:
        if code == 3:
            assert "in use by another longcli process" in err and "Traceback" not in err
    with Session.open(session, create=False, writable=False) as s:
        users = [e.user for e in s.load_journal()]
    winners = [f"writer {i}" for i, (code, _) in enumerate(results) if code == 0]
    assert users[0] == "setup" and sorted(users[1:]) == sorted(winners)  # none lost, none twice


def test_two_summarize_runs_share_the_cache(tmp_path: Path):
    text = tmp_path / "in.txt"
    text.write_text(
        "".join(f"Paragraph {i}: Bob sold item{i} to person{i} in city{i}.\n\n" for i in range(500))
    )
    args = summarize_args(text)
    expected = reference_run(args)["summary"]
    env = {
        **os.environ,
        "LONGCLI_CACHE_DIR": str(tmp_path / "cache"),
        "LONGCLI_FAKE_DELAY_S": "0.01",
    }
    procs = [start(args, env) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err
        assert json.loads(out)["summary"] == expected
    for entry in (tmp_path / "cache").rglob("*.json"):
        json.loads(entry.read_text())
    assert not list((tmp_path / "cache").rglob("*.tmp"))
