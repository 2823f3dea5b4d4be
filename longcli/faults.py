"""Test-only pauses at the points where a crash would hurt most, for the kill harness.

    LONGCLI_FAULT_PAUSE="journal:0.05,replace:0.05"   pause there for that many seconds
    LONGCLI_FAULT_TRACE=/path/to/file                 append each point's name when reached

Unset (always, outside the reliability tests), `pause` is a dictionary lookup.
"""

from __future__ import annotations

import os
import time

PAUSE_ENV = "LONGCLI_FAULT_PAUSE"
TRACE_ENV = "LONGCLI_FAULT_TRACE"
_pauses: dict[str, float] | None = None


def _load() -> dict[str, float]:
    pauses: dict[str, float] = {}
    for item in os.environ.get(PAUSE_ENV, "").split(","):
        name, _, seconds = item.partition(":")
        if name.strip():
            try:
                pauses[name.strip()] = float(seconds or 0)
            except ValueError:
                continue
    return pauses


def _configured() -> dict[str, float]:
    global _pauses
    if _pauses is None:
        _pauses = _load()
    return _pauses


def wanted(point: str) -> bool:
    """Whether the tests asked to pause at `point`."""
    return point in _configured()


def pause(point: str) -> None:
    """Mark a crash-sensitive point: trace it and pause there when the tests ask to."""
    pauses = _configured()
    trace = os.environ.get(TRACE_ENV)
    if trace:
        with open(trace, "a", encoding="utf-8") as f:
            f.write(point + "\n")
    seconds = pauses.get(point)
    if seconds:
        time.sleep(seconds)
