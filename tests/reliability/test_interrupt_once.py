"""One Ctrl-C, one "longcli: interrupted", whatever the run was doing."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.conftest import longcli_command, wait_for_trace

pytestmark = pytest.mark.usefixtures("fake_model")


@pytest.mark.parametrize("extra", [[], ["-v"], ["--each", "--output-dir", "OUT"]])
def test_one_interrupt_is_said_once(tmp_path: Path, extra: list[str]):
    f = tmp_path / "in.txt"
    f.write_text("".join(f"Line {i}: Carol paid bill{i} in town{i}.\n\n" for i in range(600)))
    trace = tmp_path / "trace"
    args = [a.replace("OUT", str(tmp_path / "out")) for a in extra]
    env = {**os.environ, "LONGCLI_FAULT_PAUSE": "generate@2:60", "LONGCLI_FAULT_TRACE": str(trace)}
    proc = subprocess.Popen(
        [*longcli_command(), "summarize", str(f), "--ctx", "1024", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    wait_for_trace(trace, "generate", times=2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert [line for line in err.splitlines() if "interrupted" in line] == ["longcli: interrupted"]
    assert err.endswith("longcli: interrupted\n")
