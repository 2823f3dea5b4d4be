"""ETAs: how fast a model prefills and decodes, guessed from the bundled model's speed
scaled by the size of the weights, then calibrated from this model's real runs (remembered
in the cache dir, speeds.json). summarize/run.py's --plan and progress use these."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from longcli.backends.engine import Engine
from longcli.places import cache_dir

REFERENCE_MODEL_BYTES = 100_000_000
REFERENCE_PREFILL_TPS = 350.0
REFERENCE_DECODE_TPS = 80.0
SPEEDS_FILE = "speeds.json"
# A recalibration worth saying: ETAs move by more than this factor (either way).
RECALIBRATION_SAID_RATIO = 2.0


@dataclass(frozen=True)
class Recalibration:
    """How a run changed this model's ETAs: its speed relative to the rough guess (1.0 is
    the guess), before (None: never measured) and now."""

    was: float | None
    now: float

    def worth_saying(self) -> bool:
        before = 1.0 if self.was is None else self.was
        ratio = max(before, self.now) / max(min(before, self.now), 1e-9)
        return ratio >= RECALIBRATION_SAID_RATIO


def speed_estimate(engine: Engine) -> tuple[float, float, bool]:
    """(prefill tokens/s, decode tokens/s, calibrated) for ETAs.

    Calibrated from this model's last real run when there is one, else a rough guess
    scaled from the bundled model by the size of the weights.
    """
    size = engine.model.size_bytes if engine.model else REFERENCE_MODEL_BYTES
    scale = REFERENCE_MODEL_BYTES / max(size, 1)
    prefill, decode = REFERENCE_PREFILL_TPS * scale, REFERENCE_DECODE_TPS * scale
    factor = _read_speeds().get(engine.backend.identity)
    if isinstance(factor, int | float) and factor > 0:
        return prefill * factor, decode * factor, True
    return prefill, decode, False


def record_speed(
    engine: Engine, prompt_tokens: int, completion_tokens: int, seconds: float
) -> Recalibration | None:
    """Remember how fast this model really was, relative to the rough guess; returns the
    change to its ETAs (None when the run was too short to time)."""
    if seconds <= 1.0 or prompt_tokens + completion_tokens == 0:
        return None
    size = engine.model.size_bytes if engine.model else REFERENCE_MODEL_BYTES
    scale = REFERENCE_MODEL_BYTES / max(size, 1)
    guessed = prompt_tokens / (REFERENCE_PREFILL_TPS * scale)
    guessed += completion_tokens / (REFERENCE_DECODE_TPS * scale)
    speeds = _read_speeds()
    was = speeds.get(engine.backend.identity)
    now = speeds[engine.backend.identity] = round(guessed / seconds, 4)
    change = Recalibration(was if isinstance(was, int | float) and was > 0 else None, now)
    from longcli.storage import atomic_write_text, ensure_private_dir

    try:
        ensure_private_dir(cache_dir())
        atomic_write_text(_speeds_path(), json.dumps(speeds, indent=1))
    except OSError:
        pass  # an ETA is a nicety; never fail a run over it
    return change


def _speeds_path() -> Path:
    return cache_dir() / SPEEDS_FILE


def _read_speeds() -> dict[str, Any]:
    from longcli.storage import read_json_object

    return read_json_object(_speeds_path())
