"""Which summary method a model gets under `--method auto`, and why: chosen by evidence.

- Models the size of the bundled one (under CALIBRATE_FROM_BYTES) extract: on the
  SQuALITY dev stories (bench/summarize_quality.py) the story's key sentences scored above
  everything the 135M model wrote (ROUGE-Lsum 33.9 extractive, 33.0 hybrid, 29.7
  abstractive), and calling it costs time for nothing.
- Any larger in-process model is calibrated once: extract-abstract runs on a built-in
  sample (SAMPLE, a few grounded calls) and the share of what the model wrote that passed
  the claims check decides: extract-abstract when the model can write from passages
  without being refused (MIN_KEPT_SHARE), else extractive. The verdict is cached per
  model file in the cache dir (like `longcli tune`), so later runs and `--plan` read it.
- A server's model is unknown here: auto is abstractive, as servers are run for models
  larger than the bundled one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from longcli.backends.base import Backend
from longcli.calls import Sampling
from longcli.config import Method
from longcli.models.gguf import ModelInfo
from longcli.places import cache_dir
from longcli.prompts.templates import Templates

CALIBRATE_FROM_BYTES = 150_000_000  # smaller: the bundled model's class, which extracts
CALIBRATION_FILE = "methods.json"
CALIBRATION_VERSION = 1  # bump when SAMPLE, the check or the rule changes
CALIBRATION_WORDS = 80
MIN_KEPT_SHARE = 0.6  # of the sample's parts, written by the model and kept by the check
SMALL_MODEL_METHOD = Method.extractive
SERVER_METHOD = Method.abstractive

# A short story written for this calibration (no licence needed): people, places, a
# negation, a reason and an order of events, for the claims check to hold the model to.
SAMPLE = """The Lighthouse at Carrow Point

Mara Quill kept the lighthouse at Carrow Point with her younger brother Tom. Their father \
had left them the light when he went to sea, and he had not come back. Every night Mara \
climbed the ninety steps to light the lamp, and every morning Tom wrote the weather in the \
logbook.

One winter a ship called the Heron ran onto the rocks below the point during a storm. Mara \
saw its lanterns from the gallery and woke Tom. They rowed out in the small boat, although \
the sea was high, because the lifeboat from the village could not reach the rocks in time. \
They brought four sailors back to the lighthouse, and the captain of the Heron, a man named \
Osric Vell, thanked them at the door.

Vell stayed at the lighthouse for three days while the storm blew itself out. He did not \
speak about his cargo. On the third night Tom found him in the lamp room, reading the \
logbook by candlelight. Vell said he was looking for the names of ships that had passed the \
point in the autumn. Mara told him to leave the logbook alone.

When the weather cleared, men from the village came to salvage the Heron. They found no \
cargo in her hold, only empty crates stamped with the mark of a customs house in the south. \
Vell had already gone, walking along the cliff road before dawn. Tom later learned from the \
harbour master that the Heron had been carrying smuggled brandy, and that Vell had thrown it \
overboard before the wreck so that no one could prove it.

Mara never told the village what Vell had been reading. She kept the logbook locked in her \
desk after that, and Tom wrote the weather in a new book."""


@dataclass(frozen=True)
class Calibration:
    """What a model did with the built-in sample, and the method that follows from it."""

    method: Method
    parts: int  # parts of the sample the model was asked to write
    written_parts: int  # parts whose written sentences the check kept
    written: int  # sentences kept
    refused: int  # sentences refused by the check
    calls: int
    seconds: float
    version: int = CALIBRATION_VERSION

    def reason(self) -> str:
        return (
            f"calibrated: the model wrote {self.written_parts} of {self.parts} parts of a "
            f"sample from its key passages with every claim checked ({self.written} "
            f"sentences kept, {self.refused} refused; {MIN_KEPT_SHARE:.0%} needed)"
        )


@dataclass(frozen=True)
class MethodChoice:
    """The method a run uses, why, and whether a calibration must run first."""

    method: Method
    reason: str
    calibrate: bool = False  # auto, no verdict yet: the run calibrates before it starts


def choose_method(method: Method, model: ModelInfo | None) -> MethodChoice:
    """--method, or for auto the method this model has shown it should use (no calls)."""
    if method != Method.auto:
        return MethodChoice(Method(method), "as --method asked")
    if model is None:
        return MethodChoice(SERVER_METHOD, "a server's model cannot be calibrated here")
    if model.size_bytes < CALIBRATE_FROM_BYTES:
        return MethodChoice(
            SMALL_MODEL_METHOD,
            "models the size of the bundled one score higher extracting than writing, "
            "as measured by bench/summarize_quality.py",
        )
    known = cached_calibration(model.identity)
    if known is not None:
        return MethodChoice(known.method, known.reason())
    return MethodChoice(
        Method.extract_abstract,
        "not calibrated for this model yet: the run first writes a built-in sample "
        "(a few calls) and keeps extract-abstract only if what the model wrote passes "
        "the check, else extracts",
        calibrate=True,
    )


def resolve_method(method: Method, model: ModelInfo | None) -> Method:
    """The summary method to use: --method, or for "auto" the one chosen for the model."""
    return choose_method(method, model).method


def calibrate(backend: Backend, templates: Templates, sampling: Sampling) -> Calibration:
    """Write the built-in sample with extract-abstract and judge the model by it."""
    from longcli.summarize.budget import SummarizeOptions
    from longcli.summarize.pipeline import Summarizer, chunk_sources

    opts = SummarizeOptions(
        words=CALIBRATION_WORDS, method=Method.extract_abstract, sampling=sampling
    )
    summarizer = Summarizer(backend, templates, opts)
    started = time.monotonic()
    chunks = chunk_sources([[SAMPLE]], summarizer.budget, backend.count_tokens)
    result = summarizer.run(chunks)
    s = result.stats
    parts = s.calls - s.retries
    written_parts = max(0, parts - s.fallbacks)
    share = written_parts / parts if parts else 0.0
    method = Method.extract_abstract if share >= MIN_KEPT_SHARE else SMALL_MODEL_METHOD
    return Calibration(
        method, parts, written_parts, s.written, s.refused, s.calls,
        round(time.monotonic() - started, 2),
    )  # fmt: skip


def _path() -> Path:
    return cache_dir() / CALIBRATION_FILE


def _read() -> dict[str, Any]:
    from longcli.storage import read_json_object

    return read_json_object(_path())


def cached_calibration(identity: str) -> Calibration | None:
    """This model's calibration, if one was made with the current rule."""
    entry = _read().get(identity)
    if not isinstance(entry, dict) or entry.get("version") != CALIBRATION_VERSION:
        return None
    try:
        entry = {**entry, "method": Method(entry["method"])}
        return Calibration(**entry)
    except (KeyError, TypeError, ValueError):
        return None


def remember(identity: str, calibration: Calibration) -> None:
    """Keep a calibration for later runs; a cache that cannot be written is no failure."""
    from longcli.storage import atomic_write_text, ensure_private_dir

    entries = _read()
    entries[identity] = {**asdict(calibration), "method": str(calibration.method)}
    try:
        ensure_private_dir(cache_dir())
        atomic_write_text(_path(), json.dumps(entries, indent=1))
    except OSError:
        pass


def method_for_run(
    method: Method,
    model: ModelInfo | None,
    backend: Backend,
    templates: Templates,
    sampling: Sampling,
    note: Callable[[str], None],
) -> Method:
    """The method a run uses: as `choose_method` says, calibrating first (once per model,
    said in one line) when auto has no verdict for this model yet."""
    choice = choose_method(method, model)
    if not choice.calibrate or model is None:
        return choice.method
    result = calibrate(backend, templates, sampling)
    remember(model.identity, result)
    note(
        f"--method auto: {result.method} for {model.name} ({result.reason()}; "
        f"{result.seconds:.0f} s, once per model)"
    )
    return result.method
