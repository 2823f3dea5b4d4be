"""From settings to a ready Backend: model resolution, context size, caching. Shared by commands."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from longcli.backend import Backend, FakeBackend
from longcli.config import Settings, cache_dir
from longcli.errors import UsageError
from longcli.models import ModelInfo, describe_model, resolve_model

FAKE_DEFAULT_CTX = 2048
# Rough speeds of the bundled 135M model on 2 CPU cores; scaled by weight size for others.
REFERENCE_MODEL_BYTES = 100_000_000
REFERENCE_PREFILL_TPS = 350.0
REFERENCE_DECODE_TPS = 80.0
SPEEDS_FILE = "speeds.json"


@dataclass
class Engine:
    backend: Backend
    model: ModelInfo | None  # None for the fake backend
    n_ctx: int

    def describe(self) -> dict[str, Any]:
        if self.model is None:
            return {"name": self.backend.identity, "path": None, "n_ctx": self.n_ctx}
        return {
            "name": self.model.name,
            "path": str(self.model.path),
            "architecture": self.model.architecture,
            "quantization": self.model.quantization,
            "trained_ctx": self.model.context_length,
            "n_ctx": self.n_ctx,
        }


# Small models summarize long inputs badly. Measured on 3 SQuALITY stories with the bundled
# 135M model (bench/summarize_quality.py): ROUGE-L 0.100 with chunks of up to 7k tokens,
# 0.130 at 2048, 0.140 at 1024 (a lead-250 baseline: 0.132). Larger models keep more of
# their context useful; the thresholds for them are a judgement, not a measurement.
CHUNK_CAPS_BY_MODEL_BYTES = ((1_500_000_000, 1024), (6_000_000_000, 4096))


def default_chunk_cap(model: ModelInfo | None) -> int | None:
    """Largest default chunk for a model, by the size of its weights (None: no cap)."""
    if model is None:
        return None
    for limit, cap in CHUNK_CAPS_BY_MODEL_BYTES:
        if model.size_bytes < limit:
            return cap
    return None


def choose_ctx(settings: Settings, trained: int | None) -> int:
    """--ctx if given (never above what the model was trained for), else trained capped."""
    if settings.ctx is not None:
        if trained is not None and settings.ctx > trained:
            raise UsageError(
                f"--ctx {settings.ctx} is larger than the model's trained context "
                f"of {trained} tokens"
            )
        return settings.ctx
    return min(trained or settings.max_ctx, settings.max_ctx)


def resolve_model_info(settings: Settings) -> ModelInfo:
    return describe_model(resolve_model(settings.model, settings.aliases))


def open_engine(settings: Settings, *, verbose: bool = False, vocab_only: bool = False) -> Engine:
    """Load the backend the settings ask for (vocab_only: tokenizer without weights)."""
    if settings.backend == "fake":
        n_ctx = settings.ctx or FAKE_DEFAULT_CTX
        mode = os.environ.get("LONGCLI_FAKE_MODE", "extract")
        delay = float(os.environ.get("LONGCLI_FAKE_DELAY_S", "0") or 0)
        return Engine(FakeBackend(n_ctx=n_ctx, mode=mode, delay_s=delay), None, n_ctx)
    from longcli.backend import LlamaBackend

    info = resolve_model_info(settings)
    n_ctx = choose_ctx(settings, info.context_length)
    backend = LlamaBackend(
        info,
        n_ctx,
        gpu_layers=settings.gpu_layers,
        threads=settings.threads,
        batch=settings.batch,
        seed=settings.seed,
        verbose=verbose,
        vocab_only=vocab_only,
    )
    return Engine(backend, info, n_ctx)


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
) -> None:
    """Remember how fast this model really was, relative to the rough guess."""
    if seconds <= 1.0 or prompt_tokens + completion_tokens == 0:
        return
    size = engine.model.size_bytes if engine.model else REFERENCE_MODEL_BYTES
    scale = REFERENCE_MODEL_BYTES / max(size, 1)
    guessed = prompt_tokens / (REFERENCE_PREFILL_TPS * scale)
    guessed += completion_tokens / (REFERENCE_DECODE_TPS * scale)
    speeds = _read_speeds()
    speeds[engine.backend.identity] = round(guessed / seconds, 4)
    from longcli.storage import atomic_write_text, ensure_private_dir

    try:
        ensure_private_dir(cache_dir())
        atomic_write_text(_speeds_path(), json.dumps(speeds, indent=1))
    except OSError:
        pass  # an ETA is a nicety; never fail a run over it


def _speeds_path() -> Path:
    return cache_dir() / SPEEDS_FILE


def _read_speeds() -> dict[str, Any]:
    try:
        data = json.loads(_speeds_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
