"""The fake-model `summarize` run the reliability tests interrupt, and its reference."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import longcli_command


def summarize_args(text: Path) -> list[str]:
    """A JSON-output summarize of `text` on the fake model, small enough to merge twice."""
    return [
        "summarize",
        str(text),
        "--ctx",
        "1024",
        "--quiet",
        "--format",
        "json",
    ]


def reference_run(args: list[str]) -> dict:
    """The uninterrupted, uncached result every interrupted run must reproduce."""
    r = subprocess.run([*longcli_command(), *args, "--no-cache"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)
