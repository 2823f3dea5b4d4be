"""`longcli summarize`, from settings to a rendered result: what the CLI calls.

Chunking reads the input as a stream; `--plan` loads only the model's vocabulary, so it
describes a run of any size without running the model.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from longcli.backends.base import Delegating
from longcli.backends.engine import (
    Engine,
    default_chunk_cap,
    model_max_ctx,
    open_engine,
    ram_budget,
    record_speed,
    resolve_method,
    speed_estimate,
)
from longcli.config import BackendKind, Method, Settings, cache_dir
from longcli.errors import UsageError
from longcli.models.footprint import Footprint, plan_footprint
from longcli.models.gguf import ModelInfo
from longcli.prompts.templates import templates_for
from longcli.streams import Streams
from longcli.summarize.budget import Budget, Plan, SummarizeOptions, plan_run, summary_budget
from longcli.summarize.pipeline import ProgressEvent, Summarizer, SummaryResult, chunk_sources
from longcli.text.chunks import Chunk
from longcli.text.decode import Source
from longcli.text.documents import Document, InputFormat, open_document

ESTIMATED_BYTES_PER_TOKEN = 4.0
SECRET_SETTINGS = ("aliases", "system", "api_key")  # never echoed into output


@dataclass(frozen=True)
class Reading:
    """How to read the inputs: --input-format, --encoding and --errors."""

    encoding: str | None = None
    errors: str = "strict"
    format: InputFormat = InputFormat.auto

    def open(self, source: Source) -> Document:
        return open_document(source, self.format, self.encoding, self.errors)


def summarize_options(settings: Settings, model: ModelInfo | None = None) -> SummarizeOptions:
    """The summarize options the settings ask for, with the defaults for this model."""
    cap = settings.max_chunk_tokens
    if cap is None:
        cap = default_chunk_cap(model)
    return SummarizeOptions(
        words=settings.words,
        style=settings.style,
        instructions=settings.instructions,
        method=resolve_method(settings.method, model),
        chunk_tokens=settings.chunk_tokens,
        max_chunk_tokens=cap,
        sampling=settings.sampling(),
        parallel=settings.parallel,
    )


def _chunks(engine: Engine, documents: list[Document], budget: Budget) -> Iterator[Chunk]:
    return chunk_sources((d.blocks for d in documents), budget, engine.backend.count_tokens)


def _estimated_chunks(sources: list[Source], budget: Budget) -> int:
    total = 0
    for source in sources:
        if source.path is None:
            return 0  # unknown length: the bar grows as chunks arrive
        total += source.path.stat().st_size
    return max(1, round(total / ESTIMATED_BYTES_PER_TOKEN / budget.chunk_tokens))


class _WiderContext(Delegating):
    """A backend's tokenizer with another context size, for planning only."""

    def __init__(self, inner: Any, n_ctx: int) -> None:
        super().__init__(inner)
        self.n_ctx = n_ctx


@dataclass
class PlanReport:
    """What `--plan` shows."""

    plan: Plan
    model: dict[str, Any]
    eta_seconds: float
    calibrated: bool
    memory: Footprint | None
    at_max: Plan | None


def plan(settings: Settings, sources: list[Source], reading: Reading) -> PlanReport:
    """Chunk the input with the model's tokenizer only and describe the run that would follow."""
    engine = open_engine(settings, vocab_only=True)
    templates = templates_for(settings)
    opts = summarize_options(settings, engine.model)
    budget = summary_budget(engine.backend, templates, opts)
    documents = [reading.open(s) for s in sources]
    counts = [c.tokens for c in _chunks(engine, documents, budget) if c.text.strip()]
    planned = plan_run(counts, budget, opts.method)
    at_max = None
    max_ctx = model_max_ctx(settings, engine)
    if max_ctx and max_ctx != engine.n_ctx:
        max_budget = summary_budget(_WiderContext(engine.backend, max_ctx), templates, opts)
        if max_budget.chunk_tokens != budget.chunk_tokens:
            again = [reading.open(s) for s in sources]
            counts = [c.tokens for c in _chunks(engine, again, max_budget) if c.text.strip()]
        at_max = plan_run(counts, max_budget, opts.method)
    prefill, decode, calibrated = speed_estimate(engine)
    memory = None
    if engine.model is not None:
        offloaded = engine.gpu_layers != 0
        memory = plan_footprint(
            engine.model,
            engine.n_ctx,
            settings.kv_type,
            settings.batch,
            ram_budget(settings, offloaded),
            weights_in_budget=not offloaded,
        )
    eta = planned.eta_seconds(prefill, decode)
    return PlanReport(planned, engine.facts(), eta, calibrated, memory, at_max)


def summarize(
    settings: Settings,
    sources: list[Source],
    reading: Reading,
    streams: Streams,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    engine: Engine | None = None,
) -> tuple[SummaryResult, dict[str, Any]]:
    """Summarize the sources; returns the result and the run's facts for JSON output."""
    from longcli.backends.cache import CachingBackend, CallCache

    if engine is None:
        engine = open_for(settings, streams)
    backend = engine.backend
    if settings.cache:
        backend = CachingBackend(engine.backend, CallCache(cache_dir()))
    started = time.monotonic()
    summarizer = Summarizer(
        backend,
        templates_for(settings),
        summarize_options(settings, engine.model),
        on_progress=on_progress,
    )
    documents = [reading.open(s) for s in sources]
    chunks = _chunks(engine, documents, summarizer.budget)
    result = summarizer.run(chunks, _estimated_chunks(sources, summarizer.budget))
    seconds = time.monotonic() - started
    result.sources = [s.label for s in sources]
    result.places = [d.marks for d in documents]
    for document in documents:
        for warning in document.warnings:
            streams.warn(warning)
    s = result.stats
    if s.cached_calls == 0:
        record_speed(engine, s.prompt_tokens, s.completion_tokens, seconds)
    streams.detail(
        f"method {result.method}: {len(result.chunks)} chunks, {len(result.levels)} levels, "
        f"{s.calls} calls ({s.cached_calls} cached, {s.retries} retries, {s.mended} mended, "
        f"{s.fallbacks} extractive fallbacks, {s.shortened} sentences shortened), "
        f"{s.prompt_tokens} prompt + {s.completion_tokens} generated tokens in {seconds:.1f}s"
    )
    shown = {k: v for k, v in settings.plain().items() if k not in SECRET_SETTINGS}
    shown["seconds"] = round(seconds, 2)
    return result, {"model": engine.facts(), "settings": shown}


def open_for(settings: Settings, streams: Streams) -> Engine:
    """The engine a run needs: the tokenizer alone when no model call will be made."""
    if settings.method == Method.extractive:
        return open_engine(settings, vocab_only=True)
    sequences = settings.parallel if settings.backend == BackendKind.llama else 1
    return open_engine(settings, verbose=streams.verbose, sequences=sequences, note=streams.warn)


@dataclass
class EachOutcome:
    """One file of `summarize --each`: where its summary went, and how it went."""

    source: str
    output: Path
    status: str  # "done", "kept" (it was done by an earlier run), or the error
    chunks: int = 0
    seconds: float = 0.0


def each_outputs(sources: list[Source], directory: Path, suffix: str) -> list[Path]:
    """DIR/<name><suffix> for every input, in order; a repeated name gets -2, -3, ..."""
    seen: dict[str, int] = {}
    paths = []
    for source in sources:
        stem = source.path.stem if source.path else "stdin"
        seen[stem] = seen.get(stem, 0) + 1
        paths.append(directory / f"{stem}{'' if seen[stem] == 1 else f'-{seen[stem]}'}{suffix}")
    return paths


def summarize_each(
    settings: Settings,
    sources: list[Source],
    reading: Reading,
    directory: Path,
    render: Callable[[SummaryResult, dict[str, Any]], str],
    suffix: str,
    streams: Streams,
) -> list[EachOutcome]:
    """Summarize every source on its own into `directory`, one file each, written
    atomically. An output that exists already is kept, so an interrupted run resumes; a
    document that cannot be read is reported and the others go on. With a server, up to
    --parallel files are summarized at once, keeping its slots busy."""
    from longcli.errors import InputError
    from longcli.storage import ensure_private_dir, umask_file_mode
    from longcli.summarize.parallel import pool_for

    if any(s.path is None for s in sources):
        raise UsageError("--each summarizes files; standard input cannot be one of them")
    outputs = each_outputs(sources, directory, suffix)
    _refuse_inputs_as_outputs(sources, outputs, directory)
    ensure_private_dir(directory)
    new_file_mode = umask_file_mode()  # read here, before the pool's threads write files
    at_once = settings.parallel if settings.backend == BackendKind.http else 1
    engine = open_for(dataclasses.replace(settings, parallel=1), streams)
    one_at_a_time = dataclasses.replace(settings, parallel=1)

    def one(source: Source, output: Path) -> EachOutcome:
        if output.exists():
            return EachOutcome(source.label, output, "kept")
        started = time.monotonic()
        try:
            result, facts = summarize(one_at_a_time, [source], reading, streams, None, engine)
        except InputError as exc:
            return EachOutcome(source.label, output, exc.message)
        _write_each(output, render(result, facts), new_file_mode)
        return EachOutcome(
            source.label, output, "done", len(result.chunks), time.monotonic() - started
        )

    outcomes: list[EachOutcome] = []
    with pool_for(at_once) as pool:
        futures = [pool.submit(partial(one, s, o)) for s, o in zip(sources, outputs, strict=True)]
        for n, future in enumerate(futures, 1):
            outcome = future.result()
            outcomes.append(outcome)
            took = f", {outcome.seconds:.0f} s" if outcome.status == "done" else ""
            streams.note(f"[{n}/{len(sources)}] {outcome.source}: {outcome.status}{took}")
    return outcomes


def _refuse_inputs_as_outputs(sources: list[Source], outputs: list[Path], directory: Path) -> None:
    """Refuse, before any work, an --output-dir where a summary would be one of the inputs."""
    from longcli.storage import overwrites_input

    inputs = [s.path for s in sources if s.path is not None]
    for output in outputs:
        if overwrites_input(output, inputs):
            raise UsageError(
                f"--output-dir {directory}: {output.name} is one of the inputs; "
                "write the summaries elsewhere"
            )


def _write_each(output: Path, text: str, new_file_mode: int) -> None:
    """One summary of --each; a failed write stops the run (a full disk fails every file)."""
    from longcli.errors import OutputError
    from longcli.storage import write_failed, write_output

    try:
        write_output(output, text, new_file_mode)
    except OSError as exc:
        error = OutputError if write_failed(exc) else UsageError
        raise error(f"cannot write {output}: {exc.strerror or exc}") from None
