"""Hierarchical map-reduce summarization: pure orchestration over a Backend.

Map: every chunk becomes a summary, in order. Its key sentences are picked first, with
no model (extractive.py). Reduce: summaries are packed in order into groups that fit the
context and merged, level by level, until one remains; the last merge makes the final
summary (`--words`, `--style`). By method:

- `extractive`: every node is the key sentences of the nodes below it; no model at all.
- `hybrid`: the same tree; then, for the final choice, the model shortens each candidate
  sentence by deleting words, and a shortening is kept only if nothing else changed
  (grounding.is_shortening). Every word of the summary is a word of the input, in order.
- `abstractive`: the model writes every node: each chunk with the summary of the chunk
  before it as context, then the merges. Every answer goes through the grounding check
  and falls back to an extractive selection of its inputs when it cannot be trusted
  (generation.py).

Termination is guaranteed, whatever the model does: every answer is hard-capped (by
max_tokens and then by cutting at a sentence), so every summary is at most
`Budget.summary_tokens` long; a merge that does not come out clearly shorter than its
inputs is redone with a cap of half its inputs; and the budget is checked so that at
least two summaries always fit in one merge. So each level has strictly fewer items
than the one before, and a run of n chunks makes at most n - 1 merges in at most
ceil(log2 n) levels (each merge at most two model calls, plus one when it is tightened).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from typing import Any

from longcli.backend import Backend, Message, Sampling
from longcli.chunking import Chunk, chunk_stream
from longcli.citations import Origins, Span, trace
from longcli.config import SUMMARY_METHODS
from longcli.errors import UsageError
from longcli.extractive import Scored, score_sentences, select, word_count
from longcli.generation import (
    EXTRACTIVE,
    MODEL,
    TOKENS_PER_WORD,
    CallStats,
    SummaryRequest,
    ask_for_summary,
    for_attempt,
    tokens_for_words,
    truncate_to_tokens,
)
from longcli.grounding import Grounds, check, is_shortening
from longcli.guards import strip_artifacts
from longcli.parallel import pool_for
from longcli.sentences import split_sentences
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
POOL_SHARE = 1.6  # hybrid: candidate words shortened for the final choice, x --words
MIN_SHORTEN_WORDS = 8  # hybrid: shorter sentences are used as they are
PLANNED_SENTENCE_WORDS = 17  # for --plan: a candidate sentence's typical length
PLANNED_SHORTENING = 0.8  # for --plan: a shortened answer's length, as a share
MAX_LEVELS = 64  # unreachable by construction; a guard against future bugs


@dataclass(frozen=True)
class SummarizeOptions:
    words: int = 250
    style: str = "paragraph"
    instructions: str | None = None
    method: str = "hybrid"  # one of SUMMARY_METHODS; the CLI resolves "auto" (engine.py)
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
    shorten_overhead_tokens: int  # prompt tokens of a hybrid shortening besides the sentence
    final_words: int  # --words


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
    outcome: str = MODEL  # model | mended | extractive: how the summary was obtained
    citations: list[list[dict[str, int]]] = field(default_factory=list)  # per sentence


@dataclass
class MergeRecord:
    level: int
    index: int
    inputs: list[int]  # indices into the level below
    summary: str
    summary_tokens: int
    input_tokens: int
    tightened: bool = False  # the first answer did not shrink; this one was capped at half
    outcome: str = MODEL
    citations: list[list[dict[str, int]]] = field(default_factory=list)  # per sentence


@dataclass
class Stats:
    calls: int = 0
    cached_calls: int = 0
    retries: int = 0
    tightened: int = 0
    mended: int = 0  # answers kept with their failing sentences dropped
    fallbacks: int = 0  # answers replaced by an extractive selection
    shortened: int = 0  # hybrid: sentences the model shortened (others kept as they were)
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
    method: str = "hybrid"
    origins: Origins = field(default_factory=list)  # per sentence of the summary
    sources: list[str] = field(default_factory=list)

    def to_json(self, model: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "method": self.method,
            "citations": _citations_json(self.origins),
            "sources": self.sources,
            "model": model,
            "settings": settings,
            "budget": asdict(self.budget),
            "chunks": [asdict(c) for c in self.chunks],
            "levels": [[asdict(m) for m in level] for level in self.levels],
            "stats": asdict(self.stats),
        }


def _citations_json(origins: Origins) -> list[list[dict[str, int]]]:
    return [[span.to_json() for span in spans] for spans in origins]


@dataclass
class Node:
    """A summary at some level of the tree, with the source spans behind each sentence."""

    text: str
    tokens: int
    origins: Origins
    outcome: str = MODEL


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


def _messages(templates: Templates, content: str, stricter: bool = False) -> list[Message]:
    system = templates.prompts.get("system", "")
    head = [Message("system", system)] if system else []
    if stricter:
        content = templates.prompts["stricter"].strip() + "\n\n" + content
    return [*head, Message("user", content)]


def plan_budget(backend: Backend, templates: Templates, opts: SummarizeOptions) -> Budget:
    """Budgets for a context size; raises UsageError if the context is too small to work."""
    n_ctx = backend.n_ctx
    summary_tokens = max(MIN_SUMMARY_TOKENS, min(MAX_SUMMARY_TOKENS, n_ctx // 8))
    stricter = backend.count_tokens(templates.prompts["stricter"]) + 2
    map_overhead = _overhead(backend, templates, "map_with_context", opts) + stricter
    map_input = n_ctx - summary_tokens - map_overhead - SAFETY_TOKENS
    previous_tokens = min(summary_tokens, int(map_input * PREVIOUS_SHARE))
    max_chunk = map_input - previous_tokens
    merge_overhead = _overhead(backend, templates, "merge", opts) + stricter
    merge_input = n_ctx - summary_tokens - merge_overhead - SAFETY_TOKENS
    final_tokens = min(tokens_for_words(opts.words), n_ctx // 2)
    final_input = n_ctx - final_tokens - merge_overhead - SAFETY_TOKENS
    single_overhead = _overhead(backend, templates, "single", opts) + stricter
    single_input = n_ctx - final_tokens - single_overhead - SAFETY_TOKENS
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
        shorten_overhead_tokens=backend.prompt_tokens(
            _messages(templates, templates.fill("shorten", text=""))
        ),
        final_words=opts.words,
    )


def _labelled(parts: list[str]) -> str:
    return "\n\n".join(f"Part {i}:\n{p.strip()}" for i, p in enumerate(parts, 1))


@dataclass(frozen=True)
class _Pool:
    """Sentences to select from, each with its source spans and an estimated cost."""

    sentences: list[str]
    origins: Origins
    tokens_per_word: float

    def cost(self, sentence: str) -> int:
        return max(1, math.ceil(word_count(sentence) * self.tokens_per_word))

    scored: list[Scored] | None = None  # importance, when not that of these sentences

    def indices(self, budget: int, by_words: bool = False) -> list[int]:
        """The key sentences within a budget (of tokens, or words), in source order."""
        cost = word_count if by_words else self.cost
        return select(self.sentences, budget, cost, self.scored)

    def pick(self, budget: int, by_words: bool = False) -> str:
        return " ".join(self.sentences[i] for i in self.indices(budget, by_words))


def _chunk_pool(chunk: Chunk) -> _Pool:
    found = split_sentences(chunk.text)
    spans = [[Span(chunk.source, chunk.index, chunk.start + s.start, chunk.start + s.end)]
             for s in found]  # fmt: skip
    ratio = chunk.tokens / max(word_count(chunk.text), 1)
    return _Pool([s.text for s in found], spans, ratio)


def _nodes_pool(nodes: Sequence[Node]) -> _Pool:
    sentences: list[str] = []
    origins: Origins = []
    for node in nodes:
        found = [s.text for s in split_sentences(node.text)]
        sentences.extend(found)
        origins.extend(node.origins[i] if i < len(node.origins) else [] for i in range(len(found)))
    tokens = sum(n.tokens for n in nodes)
    ratio = tokens / max(sum(word_count(n.text) for n in nodes), 1)
    return _Pool(sentences, origins, ratio)


class Summarizer:
    """Runs one summarization over a Backend, reporting progress through a callback."""

    def __init__(
        self,
        backend: Backend,
        templates: Templates,
        opts: SummarizeOptions,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        if opts.method not in SUMMARY_METHODS:
            raise UsageError(
                f"--method must be one of {', '.join(SUMMARY_METHODS)}, got {opts.method}"
            )
        self.backend = backend
        self.templates = templates
        self.opts = opts
        self.budget = plan_budget(backend, templates, opts)
        self.stats = Stats()
        self._sampling = opts.sampling
        self._on_progress = on_progress or (lambda event: None)
        self._stats_lock = threading.Lock()
        self._parallel = max(1, opts.parallel)
        self._writes = opts.method == "abstractive"  # the model writes every node
        self._nodes: dict[tuple[int, int], Node] = {}  # (level, index) -> merged node

    # -- nodes --------------------------------------------------------------------------

    def _count(self, stats: CallStats) -> None:
        with self._stats_lock:  # calls may run on several threads (--parallel)
            s = self.stats
            s.calls += stats.calls
            s.retries += stats.retries
            s.cached_calls += stats.cached_calls
            s.prompt_tokens += stats.prompt_tokens
            s.completion_tokens += stats.completion_tokens
            s.mended += stats.mended
            s.fallbacks += stats.fallbacks

    def _ask(self, request: SummaryRequest, candidates: _Pool) -> Node:
        answer = ask_for_summary(self.backend, request, self._sampling)
        self._count(answer.stats)
        return self._node(answer.text, candidates, answer.outcome)

    def _node(self, text: str, candidates: _Pool, outcome: str) -> Node:
        origins = trace(text, candidates.sentences, candidates.origins)
        return Node(text, self.backend.count_tokens(text), origins, outcome)

    def _extracted(
        self, pool: _Pool, budget: int, by_words: bool = False, outcome: str = EXTRACTIVE
    ) -> Node:
        """A model-free node: the key sentences of `pool`, without any that repeat."""
        text = pool.pick(budget, by_words)
        verdict = check(text, Grounds([text]))
        if verdict.failing():  # a sentence repeating an earlier one's phrase
            text = verdict.kept_text()
        if not by_words:
            text = truncate_to_tokens(self.backend, text, budget)
        return self._node(text, pool, outcome)

    def _fallback(self, pool: _Pool, budget: int, by_words: bool = False) -> Callable[[], str]:
        return lambda: self._extracted(pool, budget, by_words).text

    def _final_choice(self, pool: _Pool) -> Node:
        """The final summary, chosen from `pool` within --words (hybrid: shortened first)."""
        words = self.opts.words
        if self.opts.method != "hybrid":
            return self._extracted(pool, words, by_words=True)
        picked = pool.indices(int(words * POOL_SHARE), by_words=True)
        originals = [pool.sentences[i] for i in picked]
        with pool_for(self._parallel) as workers:
            futures = [workers.submit(lambda s=s: self._shorten(s)) for s in originals]
            shortened = [f.result() for f in futures]
        changed = sum(a != b for a, b in zip(originals, shortened, strict=True))
        with self._stats_lock:
            self.stats.shortened += changed
        # Chosen by the importance of the sentences as written, at their shortened cost.
        scored = [Scored(i, s.score, s.vector) for i, s in enumerate(score_sentences(originals))]
        candidates = _Pool(shortened, [pool.origins[i] for i in picked], 1.0, scored)
        return self._extracted(candidates, words, True, MODEL if changed else EXTRACTIVE)

    def _shorten(self, sentence: str) -> str:
        """The sentence with words deleted by the model, or as it is if that fails."""
        n = word_count(sentence)
        if n < MIN_SHORTEN_WORDS:
            return sentence
        content = self.templates.fill("shorten", text=sentence)
        messages = _messages(self.templates, content)
        sampling = for_attempt(self._sampling, tokens_for_words(n), 0)
        completion = self.backend.complete(messages, sampling)
        self._count(
            CallStats(
                calls=1,
                cached_calls=int(completion.cached),
                prompt_tokens=completion.prompt_tokens,
                completion_tokens=completion.completion_tokens,
            )
        )
        lines = strip_artifacts(completion.text).splitlines()
        answer = lines[0].strip() if lines else ""
        if is_shortening(answer, sentence) and check(answer, Grounds([sentence])).ok:
            return answer
        return sentence

    # -- map ----------------------------------------------------------------------------

    def _map_one(self, chunk: Chunk, previous: str | None) -> Node:
        b, o = self.budget, self.opts
        pool = _chunk_pool(chunk)
        if not self._writes:
            return self._extracted(pool, b.summary_tokens)

        def build(words: int, stricter: bool) -> list[Message]:
            name = "map_with_context" if previous else "map"
            content = self.templates.fill(
                name,
                text=chunk.text,
                previous=previous or "",
                words=words,
                instructions=_instructions(o),
            )
            return _messages(self.templates, content, stricter)

        request = SummaryRequest(
            build=build,
            words=b.summary_words,
            max_tokens=b.summary_tokens,
            grounds=Grounds([chunk.text, o.instructions or ""], previous, compress_from=chunk.text),
            fallback=self._fallback(pool, b.summary_tokens),
        )
        return self._ask(request, pool)

    def _single(self, chunk: Chunk) -> Node:
        b, o = self.budget, self.opts
        pool = _chunk_pool(chunk)
        if not self._writes:
            return self._final_choice(pool)

        def build(words: int, stricter: bool) -> list[Message]:
            content = self.templates.fill(
                "single",
                text=chunk.text,
                words=words,
                style=self.templates.style(o.style),
                instructions=_instructions(o),
            )
            return _messages(self.templates, content, stricter)

        request = SummaryRequest(
            build=build,
            words=o.words,
            max_tokens=b.final_tokens,
            grounds=Grounds([chunk.text, o.instructions or ""], compress_from=chunk.text),
            fallback=self._fallback(pool, o.words, by_words=True),
        )
        return self._ask(request, pool)

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

    def _merge(self, nodes: list[Node], words: int, max_tokens: int, final: bool) -> Node:
        o = self.opts
        pool = _nodes_pool(nodes)
        if not self._writes:
            return self._final_choice(pool) if final else self._extracted(pool, max_tokens)
        texts = [n.text for n in nodes]
        joined = _labelled(texts)

        def build(limit_words: int, stricter: bool) -> list[Message]:
            content = self.templates.fill(
                "merge",
                text=joined,
                words=limit_words,
                style=self.templates.style(o.style) if final else "",
                instructions=_instructions(o),
            )
            return _messages(self.templates, content, stricter)

        source_words = len(joined.split())
        request = SummaryRequest(
            build=build,
            words=words,
            max_tokens=max_tokens,
            grounds=Grounds([*texts, o.instructions or ""], compress_from=joined),
            fallback=self._fallback(pool, words if final else max_tokens, by_words=final),
            min_words=min(int(words * MIN_MERGE_SHARE), source_words // 4),
        )
        return self._ask(request, pool)

    def _merge_group(self, level: int, g: int, group: list[int], items: list[Node]) -> MergeRecord:
        b = self.budget
        nodes = [items[i] for i in group]
        total = sum(n.tokens for n in nodes)
        if len(group) == 1:  # a lone last item moves up unchanged
            return self._record(level, g, group, nodes[0], total)
        merged = self._merge(nodes, b.summary_words, b.summary_tokens, final=False)
        tightened = False
        if merged.tokens > total * SHRINK_RATIO:
            # Not clearly shorter: ask again for half, with a hard cap at half.
            with self._stats_lock:
                self.stats.tightened += 1
            tightened = True
            tighter = max(10, int(b.summary_words * TIGHTER_RATIO))
            cap = min(b.summary_tokens, int(total * TIGHTER_RATIO))
            merged = self._merge(nodes, tighter, cap, final=False)
        return self._record(level, g, group, merged, total, tightened)

    def _record(
        self,
        level: int,
        g: int,
        group: list[int],
        node: Node,
        input_tokens: int,
        tightened: bool = False,
    ) -> MergeRecord:
        record = MergeRecord(level, g, group, node.text, node.tokens, input_tokens, tightened)
        record.outcome = node.outcome
        record.citations = _citations_json(node.origins)
        self._nodes[(level, g)] = node
        return record

    def _merge_level(self, level: int, items: list[Node]) -> list[MergeRecord]:
        """One level of merges; the groups are independent, so up to --parallel run at once."""
        groups = self._groups([n.tokens for n in items], self.budget.merge_input_tokens)
        with pool_for(self._parallel if self._writes else 1) as pool:
            futures = [
                pool.submit(lambda g=g, group=group: self._merge_group(level, g, group, items))
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

    def reduce(self, nodes: list[Node]) -> tuple[Node, list[list[MergeRecord]]]:
        """Merge summaries level by level until one remains; returns it and the levels."""
        b, o = self.budget, self.opts
        levels: list[list[MergeRecord]] = []
        items = nodes
        while sum(n.tokens + LABEL_TOKENS for n in items) > b.final_input_tokens:
            if len(levels) >= MAX_LEVELS:
                raise RuntimeError("merge depth limit reached")  # unreachable, see module doc
            level = len(levels) + 1
            records = self._merge_level(level, items)
            if len(records) >= len(items):
                raise RuntimeError("a merge level did not reduce the number of summaries")
            levels.append(records)
            items = [self._nodes[(level, r.index)] for r in records]
        self._report("final", 0, 1)
        final = self._merge(items, o.words, b.final_tokens, final=True)
        total = sum(n.tokens for n in items)
        levels.append([self._record(len(levels) + 1, 0, list(range(len(items))), final, total)])
        self._report("final", 1, 1)
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
            node = self._single(first)
            self.stats.input_tokens = first.tokens
            self.stats.map_seconds = time.monotonic() - started
            records.append(self._chunk_record(first, node))
            level = MergeRecord(1, 0, [0], node.text, node.tokens, first.tokens)
            level.outcome, level.citations = node.outcome, records[0].citations
            self._report("final", 1, 1)
            return self._result(node, records, [[level]])
        pending = [first] if second is None else [first, second]
        nodes = self._map(_chain(pending, iterator), records, max(estimated_chunks, len(pending)))
        if not records:
            raise UsageError("the input is empty (only white space)")
        self.stats.map_seconds = time.monotonic() - started
        reduce_started = time.monotonic()
        final, levels = self.reduce(nodes)
        self.stats.reduce_seconds = time.monotonic() - reduce_started
        return self._result(final, records, levels)

    def _result(
        self, final: Node, records: list[ChunkRecord], levels: list[list[MergeRecord]]
    ) -> SummaryResult:
        return SummaryResult(
            final.text, records, levels, self.budget, self.stats, self.opts.method, final.origins
        )

    @staticmethod
    def _chunk_record(chunk: Chunk, node: Node) -> ChunkRecord:
        return ChunkRecord(
            chunk.index,
            chunk.source,
            chunk.start,
            chunk.end,
            chunk.tokens,
            node.text,
            node.tokens,
            node.outcome,
            _citations_json(node.origins),
        )

    def _map(
        self, chunks: Iterable[Chunk], records: list[ChunkRecord], estimated: int
    ) -> list[Node]:
        """Summarize every chunk, in order, `--parallel` at a time.

        Chunk i's context is the summary of chunk i - N, N being --parallel: the summary of
        the chunk just before it when N = 1, and otherwise the newest one that can be done
        when chunk i starts. A worker freed by chunk i - N takes chunk i, so N calls stay in
        flight, and the prompts (hence the cache keys and the result) do not depend on
        timing.
        """
        n = self._parallel if self._writes else 1
        b = self.budget
        nodes: list[Node] = []
        in_flight: deque[tuple[Chunk, Future[Node]]] = deque()

        def finish_oldest() -> str:
            chunk, future = in_flight.popleft()
            node = future.result()
            nodes.append(node)
            records.append(self._chunk_record(chunk, node))
            self._report("map", len(records), max(estimated, len(records)))
            return node.text

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
                    if previous and self._writes
                    else None
                )
                future = pool.submit(lambda c=chunk, ctx=context: self._map_one(c, ctx))
                in_flight.append((chunk, future))
            while in_flight:
                finish_oldest()
        return nodes


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
    method: str = "hybrid"

    def eta_seconds(self, prefill_tps: float, decode_tps: float) -> float:
        return self.prompt_tokens / prefill_tps + self.completion_tokens / decode_tps


def plan_run(chunk_tokens: list[int], budget: Budget, method: str = "hybrid") -> Plan:
    """The tree shape and the model's work for a run (an upper bound for `abstractive`,
    where every answer is assumed to use its full cap)."""
    b = budget
    n = len(chunk_tokens)
    if n == 0:
        raise UsageError("the input is empty")
    levels = _levels(chunk_tokens, b)
    if method == "extractive":
        return Plan(n, sum(chunk_tokens), levels, 0, 0, 0, b, method)
    if method == "hybrid":
        calls = math.ceil(b.final_words * POOL_SHARE / PLANNED_SENTENCE_WORDS)
        sentence = PLANNED_SENTENCE_WORDS * TOKENS_PER_WORD
        prompt = calls * (b.shorten_overhead_tokens + sentence)
        completion = calls * sentence * PLANNED_SHORTENING
        return Plan(n, sum(chunk_tokens), levels, calls, int(prompt), int(completion), b, method)
    overhead = b.overhead_tokens
    if n == 1 and chunk_tokens[0] <= b.single_input_tokens:
        prompt = chunk_tokens[0] + overhead
        return Plan(1, chunk_tokens[0], [1], 1, prompt, b.final_tokens, b, method)
    prompt = sum(chunk_tokens) + n * overhead + (n - 1) * b.previous_tokens
    completion = n * b.summary_tokens
    per_merge = max(2, b.merge_input_tokens // (b.summary_tokens + LABEL_TOKENS))
    items = n
    for _ in levels[:-1]:
        groups = math.ceil(items / per_merge)
        prompt += items * (b.summary_tokens + LABEL_TOKENS) + groups * overhead
        completion += groups * b.summary_tokens
        items = groups
    prompt += items * (b.summary_tokens + LABEL_TOKENS) + overhead
    completion += b.final_tokens
    return Plan(n, sum(chunk_tokens), levels, n + sum(levels), prompt, completion, b, method)


def _levels(chunk_tokens: list[int], b: Budget) -> list[int]:
    """Merges per level, the final one last, when every summary is at its cap."""
    if len(chunk_tokens) == 1 and chunk_tokens[0] <= b.single_input_tokens:
        return [1]
    per_merge = max(2, b.merge_input_tokens // (b.summary_tokens + LABEL_TOKENS))
    levels: list[int] = []
    items = len(chunk_tokens)
    while items * (b.summary_tokens + LABEL_TOKENS) > b.final_input_tokens:
        groups = math.ceil(items / per_merge)
        levels.append(groups - (1 if items % per_merge == 1 else 0))
        items = groups
    return [*levels, 1]
