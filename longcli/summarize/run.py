"""`longcli summarize`, from settings to a rendered result: what the CLI calls.

Chunking reads the input as a stream; `--plan` loads only the model's vocabulary, so it
describes a run of any size without running the model.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from longcli.backends.base import Backend, Completion, Delegating
from longcli.backends.engine import (
    Engine,
    EngineInfo,
    model_max_ctx,
    open_engine,
    ram_budget,
)
from longcli.calls import Message, Sampling
from longcli.config import BackendKind, Method, Settings
from longcli.models.footprint import Footprint, plan_footprint
from longcli.models.gguf import ModelInfo
from longcli.places import cache_dir
from longcli.prompts.templates import AUTO, Templates, templates_for
from longcli.streams import Streams
from longcli.summarize.budget import (
    Budget,
    Eta,
    Phase,
    Plan,
    Speeds,
    Stage,
    SummarizeOptions,
    default_chunk_cap,
    plan_run,
    summary_budget,
)
from longcli.summarize.eta import Recalibration, record_speed, speed_estimate
from longcli.summarize.method import choose_method, method_for_run, resolve_method
from longcli.summarize.pipeline import Summarizer, chunk_sources
from longcli.summarize.pool import question_meaning
from longcli.summarize.progress import ProgressEvent
from longcli.summarize.results import SummaryResult
from longcli.summarize.shortfall import Shortfall, shortfalls
from longcli.text import language
from longcli.text.chunks import Chunk, WordWatch
from longcli.text.decode import Source
from longcli.text.documents import Document, InputFormat, open_document
from longcli.text.vocabulary import word_count

ESTIMATED_BYTES_PER_TOKEN = 4.0


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


class _Lines:
    """Where a plain text's lines end, recorded as its blocks go by (a source is read
    once): the offsets of its newlines, for --cite to name a passage's lines."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.newlines: array[int] | None = (
            array("q") if document.format == InputFormat.text else None
        )
        self.length = 0  # characters so far: how far in a passage stands, elsewhere

    @property
    def blocks(self) -> Iterator[str]:
        for block in self.document.blocks:
            if self.newlines is not None:
                found = block.find("\n")
                while found >= 0:
                    self.newlines.append(self.length + found)
                    found = block.find("\n", found + 1)
            self.length += len(block)
            yield block


def _estimated_chunks(sources: list[Source], budget: Budget) -> int:
    total = 0
    for source in sources:
        if not source.rereadable or source.path is None:
            return 0  # unknown length (a pipe, stdin, a URL): the bar grows as chunks arrive
        total += source.path.stat().st_size
    return max(1, round(total / ESTIMATED_BYTES_PER_TOKEN / budget.chunk_tokens))


class _WiderContext(Delegating):
    """A backend's tokenizer with another context size, for planning only."""

    def __init__(self, inner: Backend, n_ctx: int) -> None:
        super().__init__(inner)
        self.n_ctx = n_ctx


@dataclass(frozen=True)
class InputInfo:
    """What one input is, as `--plan` describes it."""

    source: str
    format: InputFormat
    characters: int
    words: int
    tokens: int
    places: dict[str, int]  # how many of each kind of mark: page, chapter, section, time


@dataclass
class PlanReport:
    """What `--plan` shows."""

    plan: Plan
    model: EngineInfo
    eta_seconds: float
    calibrated: bool
    memory: Footprint | None
    at_max: Plan | None
    inputs: list[InputInfo] = field(default_factory=list)
    eta: Eta | None = None  # eta_seconds in its parts
    asked: Method = Method.auto  # --method as given, before it was resolved for the model
    why: str = ""  # why this method (auto: the calibration, or what stands in for one)


# A run's start, from the shell to its first chunk: Python, the imports and the tokenizer.
# --plan has just done the same, so it times its own start where it can (Linux); else
# START_S, measured on 2 busy CPU cores (1.5-2.4 s at a load of 6, 3-3.9 s at 7).
START_S = 2.0
FRESH_PROCESS_S = 30.0  # older than this, the process is not a fresh command (a test runner)
# The bundled 94 MB model's weights took 0.4 s more than the tokenizer alone; larger
# weights are read at about the page cache's speed.
WEIGHTS_LOAD_S = 0.3
WEIGHTS_BYTES_PER_S = 1_000_000_000
CALL_OVERHEAD_S = 0.05  # per call besides its tokens: sampling set-up, the grounding check
SHORTENED_SHARE = 1.0  # hybrid: a shortening's reply, as a share of its sentence's tokens


def plan(settings: Settings, sources: list[Source], reading: Reading) -> PlanReport:
    """Describe the run that would follow, using the model's tokenizer only.

    The input is read and chunked as the run will read it. For `extractive` and `hybrid`
    the model-free part of the run is done too (key sentences and merges need no model),
    so the hybrid's shortening calls are the ones the run will make; `abstractive`
    calls depend on the model's answers and are planned as an upper bound.
    """
    started = time.monotonic()
    engine = open_engine(settings, vocab_only=True)
    start_s = _process_age_s() + time.monotonic() - started
    templates = templates_for(settings)
    opts = summarize_options(settings, engine.model)
    started = time.monotonic()
    planned, inputs, unrehearsed_s = _plan_with(
        engine, engine.backend, templates, opts, sources, reading
    )
    reading_s = time.monotonic() - started + unrehearsed_s
    at_max = None
    max_ctx = model_max_ctx(settings, engine)
    if max_ctx and max_ctx != engine.n_ctx and all(s.rereadable for s in sources):
        wider = _WiderContext(engine.backend, max_ctx)
        at_max = _plan_with(engine, wider, templates, opts, sources, reading)[0]
    prefill, decode, calibrated = speed_estimate(engine)
    load_s = 0.0
    if engine.model is not None and _loads_weights(settings):
        load_s = WEIGHTS_LOAD_S + engine.model.size_bytes / WEIGHTS_BYTES_PER_S
    speeds = Speeds(prefill, decode, calibrated, load_s, CALL_OVERHEAD_S)
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
    eta = planned.eta(speeds, reading_s, start_s if start_s < FRESH_PROCESS_S else START_S)
    report = PlanReport(planned, engine.describe(), eta.seconds, calibrated, memory, at_max)
    report.inputs, report.eta, report.asked = inputs, eta, Method(settings.method)
    report.why = choose_method(settings.method, engine.model).reason
    return report


def _process_age_s() -> float:
    """Seconds since this process started (Linux's /proc), else START_S."""
    try:
        stat = Path("/proc/self/stat").read_text()
        since_boot_s = float(Path("/proc/uptime").read_text().split()[0])
        started_ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, starttime
        return max(0.0, since_boot_s - started_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return START_S


def _loads_weights(settings: Settings) -> bool:
    """Whether the run loads the model's weights, as `open_for` decides: not when the
    method, resolved for this model, is extractive."""
    return not _extractive(settings)


def _extractive(settings: Settings) -> bool:
    """Whether the run makes no model call: --method extractive, or auto for a model that
    extracts (the bundled one). Only an in-process model's size is known here."""
    if settings.method == Method.extractive:
        return True
    if settings.method != Method.auto or settings.backend != BackendKind.llama:
        return False
    from longcli.backends.engine import resolve_model_info, stand_in_active

    if stand_in_active():
        return False  # the tests' stand-in model, whose size is unknown: auto is abstractive

    return resolve_method(settings.method, resolve_model_info(settings)) == Method.extractive


def _plan_with(
    engine: Engine,
    backend: Backend,
    templates: Templates,
    opts: SummarizeOptions,
    sources: list[Source],
    reading: Reading,
) -> tuple[Plan, list[InputInfo], float]:
    """The plan for a context of backend.n_ctx, what the inputs are, and the seconds of
    model-free work a rehearsal cut short (see REHEARSAL_MAX_CHUNKS) left out."""
    budget = summary_budget(backend, templates, opts)
    tallies = [_Tally(reading.open(s)) for s in sources]
    blocks = [t.blocks() for t in tallies]
    chunks = _tallied(chunk_sources(blocks, budget, engine.backend.count_tokens), tallies)
    counts: list[int] = []

    def counted(limit: float) -> Iterator[Chunk]:
        for chunk in chunks:
            if chunk.text.strip():
                counts.append(chunk.tokens)
            if len(counts) > limit:
                raise _TooLong
            yield chunk

    rehearsed, per_chunk_s = 0, 0.0
    if opts.method != Method.abstractive:
        started = time.monotonic()
        try:
            planned = _rehearse(backend, templates, opts, counted(REHEARSAL_MAX_CHUNKS))
            return planned, [t.describe() for t in tallies], 0.0
        except _TooLong:
            rehearsed = len(counts) - 1  # the last one counted was not rehearsed
            per_chunk_s = (time.monotonic() - started) / rehearsed
    started = time.monotonic()
    for _ in counted(math.inf):
        pass
    # The model-free work on the chunks not rehearsed: as long as on those that were, less
    # the reading just timed (it is part of what the plan measures as reading).
    rest_s = per_chunk_s * (len(counts) - rehearsed) - (time.monotonic() - started)
    return plan_run(counts, budget, opts.method), [t.describe() for t in tallies], max(0.0, rest_s)


# Inputs of more chunks than this are planned from the chunks' sizes: a rehearsal costs
# about 0.05 s a chunk on 2 busy cores, so --plan stays quick on a book and a log alike.
REHEARSAL_MAX_CHUNKS = 400


class _TooLong(Exception):
    """More chunks than a plan rehearses."""


class _Tally:
    """Counts what a document's reader yields: characters, words, Markdown headings."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.characters = self.words = self.tokens = self.headings = 0
        path = document.source.path
        self._markdown = document.format == InputFormat.text and (
            path is not None and path.suffix.lower() in MARKDOWN_SUFFIXES
        )
        self._in_fence = False
        self._line = ""  # the unfinished last line of the blocks so far
        self._in_word = False

    def blocks(self) -> Iterator[str]:
        for block in self.document.blocks:
            self.characters += len(block)
            words = len(block.split())
            if words and self._in_word and not block[0].isspace():
                words -= 1  # a word cut between two blocks
            self.words += words
            self._in_word = bool(block) and not block[-1].isspace()
            if self._markdown:
                self._count_headings(block)
            yield block
        if self._markdown:
            self._count_headings("\n")

    def _count_headings(self, block: str) -> None:
        *lines, self._line = (self._line + block).split("\n")
        for line in lines:
            if line.startswith(("```", "~~~")):
                self._in_fence = not self._in_fence
            elif not self._in_fence and MARKDOWN_HEADING.match(line):
                self.headings += 1

    def describe(self) -> InputInfo:
        places: dict[str, int] = {}
        for mark in self.document.marks:
            places[mark.kind] = places.get(mark.kind, 0) + 1
        if self.headings:
            places["section"] = self.headings
        d = self.document
        return InputInfo(d.source.label, d.format, self.characters, self.words, self.tokens, places)


MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx")
MARKDOWN_HEADING = re.compile(r"#{1,6} +\S")


def _tallied(chunks: Iterator[Chunk], tallies: list[_Tally]) -> Iterator[Chunk]:
    for chunk in chunks:
        tallies[chunk.source].tokens += chunk.tokens
        yield chunk


class _Rehearsal(Delegating):
    """The tokenizer standing in for the model while a plan runs the model-free part of a
    run: each call is counted with its real prompt and answered with nothing (so every
    sentence stays as written), its reply's length estimated."""

    def __init__(self, inner: Backend, shorten_overhead_tokens: int) -> None:
        super().__init__(inner)
        self._overhead = shorten_overhead_tokens

    def complete(self, messages: list[Message], sampling: Sampling) -> Completion:
        prompt = self.inner.prompt_tokens(messages)
        sentence = max(1, prompt - self._overhead)
        reply = min(sampling.max_tokens, round(sentence * SHORTENED_SHARE))
        return Completion("", prompt, reply, "stop")


def _rehearse(
    backend: Backend, templates: Templates, opts: SummarizeOptions, chunks: Iterator[Chunk]
) -> Plan:
    """The plan of an extractive or hybrid run, found by running it without the model:
    the tree and the sentences chosen for shortening are the run's own."""
    one_at_a_time = dataclasses.replace(opts, parallel=1)
    budget = summary_budget(backend, templates, one_at_a_time)
    stand_in = _Rehearsal(backend, budget.shorten_overhead_tokens)
    result = Summarizer(stand_in, templates, one_at_a_time).run(chunks)
    s = result.stats
    levels = [sum(len(m.inputs) > 1 for m in level) for level in result.levels[:-1]]
    shorten = Phase(Stage.shorten, s.calls, s.prompt_tokens, s.completion_tokens)
    phases = [shorten] if s.calls else []
    chunk_tokens = sum(c.tokens for c in result.chunks)
    if opts.method == Method.extract_abstract:  # the parts it writes; the stand-in's empty
        first = s.calls - s.retries  # answers were each retried, which real ones may not be
        share = first / s.calls if s.calls else 0.0
        phases = [Phase(Stage.write, first, round(s.prompt_tokens * share),
                        round(s.completion_tokens * share))] if first else []  # fmt: skip
        return Plan(len(result.chunks), chunk_tokens, [*levels, 1], phases, budget, opts.method)
    return Plan(len(result.chunks), chunk_tokens, [*levels, 1], phases, budget, opts.method, True)


def summarize(
    settings: Settings,
    sources: list[Source],
    reading: Reading,
    streams: Streams,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    engine: Engine | None = None,
) -> tuple[SummaryResult, RunInfo]:
    """Summarize the sources; returns the result and what the run was (for JSON output)."""
    from longcli.backends.cache import CachingBackend, CallCache

    if engine is None:
        engine = open_for(settings, streams)
    backend = engine.backend
    if settings.cache:
        backend = CachingBackend(engine.backend, CallCache(cache_dir(), streams.warn))
    started = time.monotonic()
    templates, opts = templates_for(settings), summarize_options(settings, engine.model)
    method = method_for_run(settings.method, engine.model, engine.backend, templates,
                            opts.sampling, streams.note)  # fmt: skip
    meaning = question_meaning(settings, streams, sources)  # -i by meaning too, or None
    opts = dataclasses.replace(opts, method=method, meaning=meaning)
    summarizer = Summarizer(backend, templates, opts, on_progress=on_progress)
    documents = [reading.open(s) for s in sources]
    lines = [_Lines(d) for d in documents]
    counted = _CountedWords(
        chunk_sources((n.blocks for n in lines), summarizer.budget, engine.backend.count_tokens)
    )
    chunks = WordWatch(counted, [s.label for s in sources])
    result = summarizer.run(chunks, _estimated_chunks(sources, summarizer.budget))
    if not result.summary.strip():  # never an empty summary with exit 0: say why
        raise chunks.empty_summary()
    seconds = time.monotonic() - started
    result.sources = [s.label for s in sources]
    result.places = [d.marks for d in documents]
    result.works = [d.work for d in documents]
    result.newlines = [n.newlines for n in lines]
    result.lengths = [n.length for n in lines]
    for document in documents:
        for warning in document.warnings:
            streams.warn(warning)
    written_in, read_in = summarizer.templates.target(), summarizer.templates.source_language
    if result.stats.written and language.translated(written_in, read_in):
        streams.warn(
            f"the summary is in {language.name(written_in)}, the text in "
            f"{language.name(read_in)}: what the model wrote was "
            "checked for names and numbers only (words cannot be compared across languages)"
        )
    s = result.stats
    speed = None
    if s.cached_calls == 0:
        speed = record_speed(engine, s.prompt_tokens, s.completion_tokens, seconds)
    streams.detail(
        f"method {result.method}: {len(result.chunks)} chunks, {len(result.levels)} levels, "
        f"{s.calls} calls ({s.cached_calls} cached, {s.retries} retries, {s.mended} mended, "
        f"{s.fallbacks} extractive fallbacks, {s.shortened} sentences shortened), "
        f"{s.prompt_tokens} prompt + {s.completion_tokens} generated tokens in {seconds:.1f}s"
        + (
            f"; the model read {s.passage_tokens} of {s.input_tokens} input tokens, wrote "
            f"{s.written} sentences, {s.refused} refused by the check"
            if result.method == Method.extract_abstract
            else ""
        )  # fmt: skip
    )
    asked = templates.language if templates.language != AUTO else ""
    unmet = shortfalls(result, asked, opts.words, settings.method, opts.instructions,
                       counted.words, opts.meaning is not None)  # fmt: skip
    return result, RunInfo(engine.describe(), settings, seconds, speed, unmet)


class _CountedWords:
    """Chunks passed on as they come, their words counted (the text's length, for saying
    when --words was out of reach)."""

    def __init__(self, chunks: Iterator[Chunk]) -> None:
        self._chunks = chunks
        self.words = 0

    def __iter__(self) -> Iterator[Chunk]:
        for chunk in self._chunks:
            self.words += word_count(chunk.text)
            yield chunk


@dataclass(frozen=True)
class RunInfo:
    """What a summary was made with: the model, the settings and the time it took."""

    model: EngineInfo
    settings: Settings
    seconds: float
    speed: Recalibration | None = None  # how this run changed the model's ETAs
    shortfalls: list[Shortfall] = field(default_factory=list)  # asks the summary missed


def open_for(settings: Settings, streams: Streams) -> Engine:
    """The engine a run needs: the tokenizer alone when no model call will be made."""
    if _extractive(settings):
        return open_engine(settings, vocab_only=True)
    sequences = settings.parallel if settings.backend == BackendKind.llama else 1
    return open_engine(settings, verbose=streams.llama_log, sequences=sequences, note=streams.warn)
