"""SIGKILL at random points: a crash loses at most the work in flight.

Seeded (RELIABILITY_SEED), so a failure reproduces. The fake model and fault pauses
make kills land in every phase: generation, folding, the journal write (between the two
halves of a line) and the atomic replace of state files (after fsync, before rename).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from longcli.chat.session import Session
from tests.conftest import longcli_command
from tests.reliability.fake_runs import reference_run, summarize_args

pytestmark = pytest.mark.usefixtures("fake_model")

SEED = int(os.environ.get("RELIABILITY_SEED", "20261124"))
CHAT_TURNS = 40
SUMMARIZE_RUNS = 20
PAUSE_S = 0.04
PAUSES = f"journal:{PAUSE_S},replace:{PAUSE_S},fold:{PAUSE_S}"
PHASES = ["start", "generate", "fold", "journal", "replace"]
REPORT: dict[str, object] = {}


def longcli(*args: str) -> list[str]:
    return [*longcli_command(), *args]


def start(cmd: list[str], env: dict, stdin: bytes) -> subprocess.Popen:
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    try:
        proc.stdin.write(stdin)
        proc.stdin.close()
    except BrokenPipeError:
        pass  # it already exited
    return proc


def run_then_kill_after_trace(cmd: list[str], env: dict, trace: Path, after_s: float) -> bool:
    """Start; once the trace shows the first atomic replace, SIGKILL after `after_s`; True
    when it was still running then."""
    proc = start(cmd, env, b"")
    deadline = time.monotonic() + 60
    while not (trace.exists() and "replace" in trace.read_text()):
        if proc.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.005)
    try:
        proc.wait(after_s)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        return True


def run_and_kill_in(
    cmd: list[str], env: dict, stdin: bytes, phase: str, trace: Path, rng: random.Random
) -> bool:
    """Start, then SIGKILL once the process is inside `phase` (by its fault trace) for the
    first, second or third time, so that a round also gets some work done."""
    proc = start(cmd, env, stdin)
    deadline = time.monotonic() + 10
    nth = rng.randint(1, 3)
    if phase == "start":
        time.sleep(rng.uniform(0.01, 0.3))
    else:
        while proc.poll() is None and time.monotonic() < deadline:
            phases = phases_seen(trace)
            if phases[-1:] == [phase] and phases.count(phase) >= nth:
                time.sleep(rng.uniform(0, PAUSE_S * 0.8))
                break
            time.sleep(0.002)
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    return True


def phases_seen(trace: Path) -> list[str]:
    try:
        return trace.read_text().split()
    except FileNotFoundError:
        return []


def last_phase(trace: Path) -> str:
    return (phases_seen(trace) or ["start"])[-1]


def load_session(path: Path) -> tuple[list[str], dict]:
    if not (path / "meta.json").exists():  # killed before the session was written
        return [], {"window_start": 0, "summary": ""}
    with Session.open(path, create=False, writable=False) as s:
        users = [e.user for e in s.load_journal()]
        state = s.load_state()
    return users, {"window_start": state.window_start, "summary": state.summary}


def test_chat_survives_random_kills(tmp_path: Path):
    rng = random.Random(SEED)
    script = [
        f"turn-{i:02d} " + " ".join(f"word{i}x{j}" for j in range(rng.randint(5, 40)))
        for i in range(CHAT_TURNS)
    ]
    session = tmp_path / "s"
    trace = tmp_path / "trace"
    env = {
        **os.environ,
        "LONGCLI_FAKE_DELAY_S": str(PAUSE_S),
        "LONGCLI_FAULT_PAUSE": PAUSES,
        "LONGCLI_FAULT_TRACE": str(trace),
    }
    cmd = longcli("chat", "--memory", str(session), "--ctx", "512", "--interactive")
    kills: Counter[str] = Counter()
    previous_state = {"window_start": 0}
    for round_ in range(400):
        done = load_session(session)[0]
        if len(done) == CHAT_TURNS:
            break
        trace.unlink(missing_ok=True)
        remaining = "\n".join(script[len(done) :]) + "\n"
        target = PHASES[round_ % len(PHASES)]
        if run_and_kill_in(cmd, env, remaining.encode(), target, trace, rng):
            kills[last_phase(trace)] += 1
        users, state = load_session(session)
        # every completed turn present exactly once, in order, and nothing else
        assert users == script[: len(users)]
        assert len(users) >= len(done)
        # the memory state is a consistent one: within the journal, never going back
        assert previous_state["window_start"] <= state["window_start"] <= len(users)
        previous_state = state
    assert load_session(session)[0] == script
    assert sum(kills.values()) >= 20
    assert all(kills[phase] >= 2 for phase in PHASES), kills
    REPORT["chat_kills"] = dict(kills)
    REPORT["chat_rounds"] = round_ + 1
    # and the session still works normally afterwards
    r = subprocess.run(
        longcli("chat", "--memory", str(session), "--message", "still here?"),
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr


def test_summarize_resumes_after_random_kills(tmp_path: Path):
    rng = random.Random(SEED + 1)
    text = tmp_path / "in.txt"
    text.write_text(
        "".join(
            f"Paragraph {i}: Alice met person{i} in town{i}; they talked "
            f"about thing{i} and left.\n\n"
            for i in range(900)
        )
    )
    base = summarize_args(text)
    reference = reference_run(base)
    expected = reference["summary"]
    calls = reference["stats"]["calls"]
    cache = tmp_path / "cache"
    env = {
        **os.environ,
        "LONGCLI_CACHE_DIR": str(cache),
        "LONGCLI_FAKE_DELAY_S": "0.01",
        "LONGCLI_FAULT_PAUSE": "replace:0.01",
    }
    killed = resumed_midway = 0
    trace = tmp_path / "trace"
    for _ in range(SUMMARIZE_RUNS):
        # Kill at a random point after the first finished call is being stored (the trace
        # says so), not after a fixed time: how long start-up takes is not the test's matter.
        trace.unlink(missing_ok=True)
        if run_then_kill_after_trace(longcli(*base), {**env, "LONGCLI_FAULT_TRACE": str(trace)},
                                     trace, rng.uniform(0.0, 0.02 * calls)):  # fmt: skip
            killed += 1
        finished = list(cache.rglob("*.json"))
        for entry in finished:
            json.loads(entry.read_text())  # no half-written cache entry, ever
        result = subprocess.run(
            longcli(*base), capture_output=True, text=True, env={**env, "LONGCLI_FAULT_PAUSE": ""}
        )
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert out["summary"] == expected  # same result as an uninterrupted run
        assert out["stats"]["cached_calls"] == len(finished)  # every finished call reused
        resumed_midway += 0 < len(finished) < calls
        for leftover in cache.rglob("*.tmp"):
            leftover.unlink()
        # start the next run from a fresh cache, so every run resumes a real interruption
        for entry in cache.rglob("*.json"):
            entry.unlink()
    assert killed >= SUMMARIZE_RUNS // 2 and resumed_midway >= SUMMARIZE_RUNS // 4
    REPORT["summarize_kills"] = killed
    REPORT["summarize_resumed_midway"] = resumed_midway


@pytest.fixture(scope="module", autouse=True)
def print_report():
    yield
    if REPORT:
        sys.stderr.write(f"\nreliability kills: {REPORT}\n")
