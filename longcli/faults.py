"""Test-only pauses at the points where a crash would hurt most, for process-level tests.

    LONGCLI_FAULT_PAUSE="journal:0.05,replace:0.05"   pause there, each time, that long
    LONGCLI_FAULT_PAUSE="generate@3:60"               pause only the 3rd time it is reached
    LONGCLI_FAULT_TRACE=/path/to/file                 append each point's name when reached

With a trace and a counted pause, a test knows the process is held at a known point (the
trace shows it arrived) before it signals or kills it: no test depends on timing.
Unset (always, outside the tests), `pause` is a dictionary lookup.
"""

from __future__ import annotations

import os
import time
from collections import Counter

PAUSE_ENV = "LONGCLI_FAULT_PAUSE"
TRACE_ENV = "LONGCLI_FAULT_TRACE"
_Pauses = dict[str, tuple[float, int | None]]  # point -> (seconds, only at the n-th time)
_pauses: tuple[str, _Pauses] | None = None  # (the variable's value, parsed)
_reached: Counter[str] = Counter()


def _load(spec: str) -> _Pauses:
    pauses: _Pauses = {}
    for item in spec.split(","):
        name, _, seconds = item.partition(":")
        name, _, nth = name.strip().partition("@")
        if not name:
            continue
        try:
            pauses[name] = (float(seconds or 0), int(nth) if nth else None)
        except ValueError:
            continue
    return pauses


def _configured() -> _Pauses:
    global _pauses
    spec = os.environ.get(PAUSE_ENV, "")
    if _pauses is None or _pauses[0] != spec:  # tests may set it between in-process runs
        _pauses = (spec, _load(spec))
        _reached.clear()
    return _pauses[1]


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
            f.flush()
    if point not in pauses:
        return
    _reached[point] += 1
    seconds, nth = pauses[point]
    if seconds and (nth is None or _reached[point] == nth):
        # In short naps: a signal that lands just before a long sleep starts would
        # otherwise wait for the whole sleep to be handled.
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.05))
