"""Hierarchical map-reduce summarization: pure orchestration over a Backend.

Map: every chunk is summarized in order, with the (capped) summary of the chunk before it
as labelled context. Reduce: summaries are packed in order into groups that fit the
context and merged, level by level, until one remains.

Termination is guaranteed, whatever the model does: every answer is hard-capped (by
max_tokens and then by cutting at a sentence), so every summary is at most
`Budget.summary_tokens` long; a merge that does not come out clearly shorter than its
inputs is redone with a cap of half its inputs; and the budget is checked so that at
least two summaries always fit in one merge. So each level has strictly fewer items
than the one before, and a run of n chunks makes at most n - 1 merge calls in at most
ceil(log2 n) levels (plus retries, each bounded).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from typing import Any

from longcli.backend import Backend, Message, Sampling
from longcli.chunking import Chunk, chunk_stream
from longcli.errors import UsageError
from longcli.generation import (
    CallStats,
    ask_for_summary,
    tokens_for_words,
    truncate_to_tokens,
)
from longcli.parallel import pool_for
from longcli.templates import Templates

MIN_CHUNK_TOKENS = 64
MIN_SUMMARY_TOKENS = 96
MAX_SUMMARY_TOKENS = 512
PREVIOUS_SHARE = 0.2  # of a map call's input budget, for the preceding summary
SAFETY_TOKENS = 16  # slack for token merges where a template meets its content
LABEL_TOKENS = 8  # allowance for "Part 12:\n" and the blank line between parts
SHRINK_RATIO = 0.8  # a merge must come out at most this share of its inputs
TIGHTER_RATIO = 0.5  # a merge that did not shrink is redone with this hard cap
MIN_MERGE_SHARE = 0.3  # a merge answer under this share of its word target is retried
MAX_LEVELS = 64  # unreachable by construction; a guard against future bugs


@dataclass(frozen=True)
class SummarizeOptions:
    words: int = 250
    style: str = "paragraph"
    instructions: str | None = None
    chunk_tokens: int | None = None
    max_chunk_tokens: int | None = None  # cap on the default chunk size
    summary_tokens: int | None = None  # cap on each chunk's summary (None: from the chunk)
    sampling: Sampling = Sampling()
    parallel: int = 1  # model calls in flight at once (for a server with several slots)


@dataclass(frozen=True)
class Budget:
    """Token budgets for every kind of call, derived from the context size."""

    n_ctx: int
    chunk_tokens: int  # text per map call
    max_chunk_tokens: int
    previous_tokens: int  # preceding-summary context per map call
    summary_tokens: int  # cap on a map or intermediate merge output
    summary_words: int
    merge_input_tokens: int  # labelled summaries per intermediate merge
    final_tokens: int  # cap on the final summary
    final_input_tokens: int  # labelled summaries in the final merge
    single_input_tokens: int  # a whole text summarized in one call
    overhead_tokens: int  # prompt tokens of a map call besides the text and context


@dataclass
class ProgressEvent:
    stage: str  # "map", "merge" or "final"
    done: int
    total: int  # an estimate while chunks are still being read
    completion_tokens: int
    prompt_tokens: int
    cached: bool = False


ProgressCallback = Callable[[ProgressEvent], None]


@dataclass
class ChunkRecord:
    index: int
    source: int
    start: int
    end: int
    tokens: int
    summary: str
    summary_tokens: int


@dataclass
class MergeRecord:
    level: int
    index: int
    inputs: list[int]  # indices into the level below
    summary: str
    summary_tokens: int
    input_tokens: int
    tightened: bool = False  # the first answer did not shrink; this one was capped at half


@dataclass
class Stats:
    calls: int = 0
    cached_calls: int = 0
    retries: int = 0
    tightened: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    input_tokens: int = 0  # tokens of the user's text
    map_seconds: float = 0.0
    reduce_seconds: float = 0.0


@dataclass
class SummaryResult:
    summary: str
    chunks: list[ChunkRecord]
    levels: list[list[MergeRecord]]
    budget: Budget
    stats: Stats
    sources: list[str] = field(default_factory=list)

    def to_json(self, model: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "sources": self.sources,
            "model": model,
            "settings": settings,
            "budget": asdict(self.budget),
            "chunks": [asdict(c) for c in self.chunks],
            "levels": [[asdict(m) for m in level] for level in self.levels],
            "stats": asdict(self.stats),
        }


def _overhead(backend: Backend, templates: Templates, name: str, opts: SummarizeOptions) -> int:
    content = templates.fill(
        name,
        text="",
        previous="",
        words=opts.words,
        style=templates.style(opts.style),
        instructions=_instructions(opts),
    )
    return backend.prompt_tokens(_messages(templates, content))


def _instructions(opts: SummarizeOptions) -> str:
    return f" Also: {opts.instructions.strip()}" if opts.instructions else ""


def _messages(templates: Templates, content: str) -> list[Message]:
    system = templates.prompts.get("system", "")
    head = [Message("system", system)] if system else []
    return [*head, Message("user", content)]


def plan_budget(backend: Backend, templates: Templates, opts: SummarizeOptions) -> Budget:
    """Budgets for a context size; raises UsageError if the context is too small to work."""
    n_ctx = backend.n_ctx
    summary_tokens = max(MIN_SUMMARY_TOKENS, min(MAX_SUMMARY_TOKENS, n_ctx // 8))
    map_overhead = _overhead(backend, templates, "map_with_context", opts)
    map_input = n_ctx - summary_tokens - map_overhead - SAFETY_TOKENS
    previous_tokens = min(summary_tokens, int(map_input * PREVIOUS_SHARE))
    max_chunk = map_input - previous_tokens
    merge_overhead = _overhead(backend, templates, "merge", opts)
    merge_input = n_ctx - summary_tokens - merge_overhead - SAFETY_TOKENS
    final_tokens = min(tokens_for_words(opts.words), n_ctx // 2)
    final_input = n_ctx - final_tokens - merge_overhead - SAFETY_TOKENS
    single_input = n_ctx - final_tokens - _overhead(backend, templates, "single", opts)
    single_input -= SAFETY_TOKENS
    needed = 2 * (summary_tokens + LABEL_TOKENS)
    if max_chunk < MIN_CHUNK_TOKENS or merge_input < needed or final_input < needed // 2:
        raise UsageError(
            f"a context of {n_ctx} tokens is too small to summarize with these prompts",
            hint="use a larger --ctx, a smaller --words, or shorter prompt templates",
        )
    chunk_tokens = max_chunk
    if opts.max_chunk_tokens is not None:
        chunk_tokens = max(MIN_CHUNK_TOKENS, min(max_chunk, opts.max_chunk_tokens))
    if opts.chunk_tokens is not None:
        if not MIN_CHUNK_TOKENS <= opts.chunk_tokens <= max_chunk:
            raise UsageError(
                f"--chunk-tokens must be between {MIN_CHUNK_TOKENS} and {max_chunk} "
                f"for a context of {n_ctx} tokens, got {opts.chunk_tokens}"
            )
        chunk_tokens = opts.chunk_tokens
    # Summaries and the preceding context scale with the chunk actually used: a summary at
    # most half its chunk, context at most PREVIOUS_SHARE of a map call's input. Measured
    # on 5 SQuALITY stories with the bundled model and 1024-token chunks: summaries capped
    # at chunk/2 scored ROUGE-L 0.120, at chunk/4 0.112, for 20% more tokens.
    if opts.summary_tokens is not None:
        summary_tokens = max(MIN_SUMMARY_TOKENS, min(summary_tokens, opts.summary_tokens))
    else:
        summary_tokens = min(summary_tokens, max(MIN_SUMMARY_TOKENS, chunk_tokens // 2))
    summary_words = int(summary_tokens / 1.4 * 0.75)  # well inside the token cap
    share = PREVIOUS_SHARE / (1 - PREVIOUS_SHARE)
    previous_tokens = min(previous_tokens, summary_tokens, int(chunk_tokens * share))
    return Budget(
        n_ctx=n_ctx,
        chunk_tokens=chunk_tokens,
        max_chunk_tokens=max_chunk,
        previous_tokens=previous_tokens,
        summary_tokens=summary_tokens,
        summary_words=summary_words,
        merge_input_tokens=merge_input,
        final_tokens=final_tokens,
        final_input_tokens=final_input,
        single_input_tokens=single_input,
        overhead_tokens=map_overhead,
    )


def _labelled(parts: list[str]) -> str:
    return "\n\n".join(f"Part {i}:\n{p.strip()}" for i, p in enumerate(parts, 1))


class Summarizer:
    """Runs one summarization over a Backend, reporting progress through a callback."""

    def __init__(
        self,
        backend: Backend,
        templates: Templates,
        opts: SummarizeOptions,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.backend = backend
        self.templates = templates
        self.opts = opts
        self.budget = plan_budget(backend, templates, opts)
        self.stats = Stats()
        self._sampling = opts.sampling
        self._on_progress = on_progress or (lambda event: None)
        self._stats_lock = threading.Lock()
        self._parallel = max(1, opts.parallel)

    # -- model calls ------------------------------------------------------------------

    def _guarded(
        self,
        build: Callable[[int], str],
        words: int,
        max_tokens: int,
        source: str,
        check_copy: bool = True,
        context: str | None = None,
        min_words: int = 0,
    ) -> str:
        calls = CallStats()
        text = ask_for_summary(
            self.backend,
            lambda w: _messages(self.templates, build(w)),
            words,
            max_tokens,
            source,
            self._sampling,
            calls,
            check_copy,
            context,
            min_words,
        )
        with self._stats_lock:  # calls may run on several threads (--parallel)
            self.stats.calls += calls.calls
            self.stats.retries += calls.retries
            self.stats.cached_calls += calls.cached_calls
            self.stats.prompt_tokens += calls.prompt_tokens
            self.stats.completion_tokens += calls.completion_tokens
        return text

    # -- map ----------------------------------------------------------------------------

    def _map_one(self, chunk: Chunk, previous: str | None) -> str:
        b, o = self.budget, self.opts

        def build(words: int) -> str:
            name = "map_with_context" if previous else "map"
            return self.templates.fill(
                name,
                text=chunk.text,
                previous=previous or "",
                words=words,
                instructions=_instructions(o),
            )

        return self._guarded(build, b.summary_words, b.summary_tokens, chunk.text, context=previous)

    def _single(self, chunk: Chunk) -> str:
        b, o = self.budget, self.opts

        def build(words: int) -> str:
            return self.templates.fill(
                "single",
                text=chunk.text,
                words=words,
                style=self.templates.style(o.style),
                instructions=_instructions(o),
            )

        return self._guarded(build, o.words, b.final_tokens, chunk.text)

    # -- reduce -------------------------------------------------------------------------

    def _groups(self, tokens: list[int], budget: int) -> list[list[int]]:
        """Consecutive groups of indices whose labelled total fits `budget`."""
        groups: list[list[int]] = []
        current: list[int] = []
        used = 0
        for i, t in enumerate(tokens):
            cost = t + LABEL_TOKENS
            if current and used + cost > budget:
                groups.append(current)
                current, used = [], 0
            current.append(i)
            used += cost
        if current:
            groups.append(current)
        return groups

    def _merge(self, texts: list[str], words: int, max_tokens: int, final: bool) -> str:
        o = self.opts
        joined = _labelled(texts)

        def build(limit_words: int) -> str:
            return self.templates.fill(
                "merge",
                text=joined,
                words=limit_words,
                style=self.templates.style(o.style) if final else "",
                instructions=_instructions(o),
            )

        # Merging may reuse the parts' own sentences: loops and near-empty answers count
        # as degenerate here, copying does not.
        source_words = len(joined.split())
        min_words = min(int(words * MIN_MERGE_SHARE), source_words // 4)
        return self._guarded(
            build, words, max_tokens, joined, check_copy=False, min_words=min_words
        )

    def _merge_group(
        self, level: int, g: int, group: list[int], items: list[str], counts: list[int]
    ) -> MergeRecord:
        b = self.budget
        texts = [items[i] for i in group]
        total = sum(counts[i] for i in group)
        if len(group) == 1:  # a lone last item moves up unchanged
            return MergeRecord(level, g, group, texts[0], total, total)
        merged = self._merge(texts, b.summary_words, b.summary_tokens, final=False)
        tokens = self.backend.count_tokens(merged)
        tightened = False
        if tokens > total * SHRINK_RATIO:
            # Not clearly shorter: ask again for half, with a hard cap at half.
            with self._stats_lock:
                self.stats.tightened += 1
            tightened = True
            tighter = max(10, int(b.summary_words * TIGHTER_RATIO))
            cap = min(b.summary_tokens, int(total * TIGHTER_RATIO))
            merged = self._merge(texts, tighter, cap, final=False)
            tokens = self.backend.count_tokens(merged)
        return MergeRecord(level, g, group, merged, tokens, total, tightened)

    def _merge_level(self, level: int, items: list[str], counts: list[int]) -> list[MergeRecord]:
        """One level of merges; the groups are independent, so up to --parallel run at once."""
        groups = self._groups(counts, self.budget.merge_input_tokens)
        with pool_for(self._parallel) as pool:
            futures = [
                pool.submit(
                    lambda g=g, group=group: self._merge_group(level, g, group, items, counts)
                )
                for g, group in enumerate(groups)
            ]
            records: list[MergeRecord] = []
            for g, future in enumerate(futures):
                records.append(future.result())
                if len(groups[g]) > 1:
                    self._report("merge", g + 1, len(groups))
        return records

    def _report(self, stage: str, done: int, total: int) -> None:
        with self._stats_lock:
            completion, prompt = self.stats.completion_tokens, self.stats.prompt_tokens
        self._on_progress(ProgressEvent(stage, done, total, completion, prompt))

    def reduce(
        self, summaries: list[str], counts: list[int]
    ) -> tuple[str, list[list[MergeRecord]]]:
        """Merge summaries level by level until one remains; returns it and the levels."""
        b, o = self.budget, self.opts
        levels: list[list[MergeRecord]] = []
        items, item_counts = summaries, counts
        while sum(c + LABEL_TOKENS for c in item_counts) > b.final_input_tokens:
            if len(levels) >= MAX_LEVELS:
                raise RuntimeError("merge depth limit reached")  # unreachable, see module doc
            records = self._merge_level(len(levels) + 1, items, item_counts)
            if len(records) >= len(items):
                raise RuntimeError("a merge level did not reduce the number of summaries")
            levels.append(records)
            items = [r.summary for r in records]
            item_counts = [r.summary_tokens for r in records]
        self._on_progress(
            ProgressEvent("final", 0, 1, self.stats.completion_tokens, self.stats.prompt_tokens)
        )
        final = self._merge(items, o.words, b.final_tokens, final=True)
        tokens = self.backend.count_tokens(final)
        levels.append(
            [
                MergeRecord(
                    len(levels) + 1, 0, list(range(len(items))), final, tokens, sum(item_counts)
                )
            ]
        )
        self._on_progress(
            ProgressEvent("final", 1, 1, self.stats.completion_tokens, self.stats.prompt_tokens)
        )
        return final, levels

    # -- whole run ----------------------------------------------------------------------

    def run(self, chunks: Iterable[Chunk], estimated_chunks: int = 0) -> SummaryResult:
        b = self.budget
        records: list[ChunkRecord] = []
        started = time.monotonic()
        iterator: Iterator[Chunk] = iter(chunks)
        first = next(iterator, None)
        if first is None:
            raise UsageError("the input is empty")
        second = next(iterator, None)
        if second is None and first.tokens <= b.single_input_tokens:
            if not first.text.strip():
                raise UsageError("the input is empty (only white space)")
            summary = self._single(first)
            tokens = self.backend.count_tokens(summary)
            self.stats.input_tokens = first.tokens
            self.stats.map_seconds = time.monotonic() - started
            records.append(
                ChunkRecord(
                    first.index, first.source, first.start, first.end, first.tokens, summary, tokens
                )
            )
            level = MergeRecord(1, 0, [0], summary, tokens, first.tokens)
            self._on_progress(
                ProgressEvent("final", 1, 1, self.stats.completion_tokens, self.stats.prompt_tokens)
            )
            return SummaryResult(summary, records, [[level]], b, self.stats)
        pending = [first] if second is None else [first, second]
        self._map(_chain(pending, iterator), records, max(estimated_chunks, len(pending)))
        if not records:
            raise UsageError("the input is empty (only white space)")
        self.stats.map_seconds = time.monotonic() - started
        reduce_started = time.monotonic()
        final, levels = self.reduce(
            [r.summary for r in records], [r.summary_tokens for r in records]
        )
        self.stats.reduce_seconds = time.monotonic() - reduce_started
        return SummaryResult(final, records, levels, b, self.stats)

    def _map(self, chunks: Iterable[Chunk], records: list[ChunkRecord], estimated: int) -> None:
        """Summarize every chunk, in order, `--parallel` at a time.

        Chunk i's context is the summary of chunk i - N, N being --parallel: the summary of
        the chunk just before it when N = 1, and otherwise the newest one that can be done
        when chunk i starts. A worker freed by chunk i - N takes chunk i, so N calls stay in
        flight, and the prompts (hence the cache keys and the result) do not depend on
        timing.
        """
        n = self._parallel
        b = self.budget
        in_flight: deque[tuple[Chunk, Future[str]]] = deque()

        def finish_oldest() -> str:
            chunk, future = in_flight.popleft()
            summary = future.result()
            tokens = self.backend.count_tokens(summary)
            records.append(
                ChunkRecord(
                    chunk.index, chunk.source, chunk.start, chunk.end, chunk.tokens, summary, tokens
                )
            )
            self._report("map", len(records), max(estimated, len(records)))
            return summary

        with pool_for(n) as pool:
            previous: str | None = None
            for chunk in chunks:
                self.stats.input_tokens += chunk.tokens
                if not chunk.text.strip():
                    continue  # white space between sources carries nothing to summarize
                if len(in_flight) >= n:
                    previous = finish_oldest()
                context = (
                    truncate_to_tokens(self.backend, previous, b.previous_tokens)
                    if previous
                    else None
                )
                future = pool.submit(lambda c=chunk, ctx=context: self._map_one(c, ctx))
                in_flight.append((chunk, future))
            while in_flight:
                finish_oldest()


def _chain(first: list[Chunk], rest: Iterator[Chunk]) -> Iterator[Chunk]:
    yield from first
    yield from rest


def chunk_sources(
    texts: Iterable[Iterable[str]], budget: Budget, count: Callable[[str], int]
) -> Iterator[Chunk]:
    """Chunks of several sources in order; a chunk never spans two sources."""
    index = 0
    for source, blocks in enumerate(texts):
        for chunk in chunk_stream(blocks, budget.chunk_tokens, count, source, index):
            yield chunk
            index = chunk.index + 1


@dataclass(frozen=True)
class Plan:
    """What a run would do, computed without running the model."""

    chunks: int
    input_tokens: int
    levels: list[int]  # calls per merge level, the final merge last
    calls: int
    prompt_tokens: int
    completion_tokens: int
    budget: Budget

    def eta_seconds(self, prefill_tps: float, decode_tps: float) -> float:
        return self.prompt_tokens / prefill_tps + self.completion_tokens / decode_tps


def plan_run(chunk_tokens: list[int], budget: Budget) -> Plan:
    """The tree shape and work of a run, assuming every summary uses its full cap."""
    b = budget
    prompt_overhead = b.overhead_tokens
    n = len(chunk_tokens)
    if n == 0:
        raise UsageError("the input is empty")
    if n == 1 and chunk_tokens[0] <= b.single_input_tokens:
        prompt = chunk_tokens[0] + prompt_overhead
        return Plan(1, chunk_tokens[0], [1], 1, prompt, b.final_tokens, b)
    prompt = sum(chunk_tokens) + n * prompt_overhead + (n - 1) * b.previous_tokens
    completion = n * b.summary_tokens
    per_merge = max(2, b.merge_input_tokens // (b.summary_tokens + LABEL_TOKENS))
    levels: list[int] = []
    items = n
    while items * (b.summary_tokens + LABEL_TOKENS) > b.final_input_tokens:
        groups = math.ceil(items / per_merge)
        merges = groups - (1 if items % per_merge == 1 else 0)
        levels.append(merges)
        prompt += items * (b.summary_tokens + LABEL_TOKENS) + groups * prompt_overhead
        completion += groups * b.summary_tokens
        items = groups
    levels.append(1)
    prompt += items * (b.summary_tokens + LABEL_TOKENS) + prompt_overhead
    completion += b.final_tokens
    return Plan(n, sum(chunk_tokens), levels, n + sum(levels), prompt, completion, b)
