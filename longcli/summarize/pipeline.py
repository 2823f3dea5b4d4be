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
from functools import partial
from typing import Any

from longcli.backends.base import Backend, Message
from longcli.config import Method
from longcli.errors import InputError, UsageError
from longcli.grounding.ask import (
    EXTRACTIVE,
    MODEL,
    CallStats,
    SummaryRequest,
    ask_for_summary,
    for_attempt,
    tokens_for_words,
    truncate_to_tokens,
)
from longcli.grounding.check import Grounds, check, is_shortening, repeating
from longcli.grounding.cite import Origins, Span, trace
from longcli.grounding.cleanup import strip_artifacts
from longcli.prompts.templates import Templates
from longcli.summarize.budget import (
    LABEL_TOKENS,
    POOL_SHARE,
    Budget,
    SummarizeOptions,
    instructions_text,
    prompt_messages,
    summary_budget,
)
from longcli.summarize.parallel import pool_for
from longcli.text.chunks import Chunk, chunk_stream
from longcli.text.documents import Mark, describe_span
from longcli.text.keysentences import Scored, score_sentences, select, word_count
from longcli.text.sentences import split_sentences

SHRINK_RATIO = 0.8  # a merge must come out at most this share of its inputs
TIGHTER_RATIO = 0.5  # a merge that did not shrink is redone with this hard cap
MIN_MERGE_SHARE = 0.3  # a merge answer under this share of its word target is retried
MIN_SHORTEN_WORDS = 8  # hybrid: shorter sentences are used as they are
MAX_LEVELS = 64  # unreachable by construction; a guard against future bugs


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
    citations: list[list[dict[str, Any]]] = field(default_factory=list)  # per sentence


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
    citations: list[list[dict[str, Any]]] = field(default_factory=list)  # per sentence


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
    places: list[list[Mark]] = field(default_factory=list)  # per source: pages, chapters

    def where(self, source: int, start: int, end: int) -> str:
        """The pages, chapter or times a span of a source covers ("" for plain text)."""
        marks = self.places[source] if source < len(self.places) else []
        return describe_span(marks, start, end)

    def to_json(self, model: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {
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
        if any(self.places):
            records = [*data["chunks"], *(m for level in data["levels"] for m in level)]
            for chunk in data["chunks"]:
                chunk["where"] = self.where(chunk["source"], chunk["start"], chunk["end"])
            for sentence in [*data["citations"], *(s for r in records for s in r["citations"])]:
                for span in sentence:
                    span["where"] = self.where(span["source"], span["start"], span["end"])
        return data


def _citations_json(origins: Origins) -> list[list[dict[str, Any]]]:
    return [[span.to_json() for span in spans] for spans in origins]


@dataclass
class Node:
    """A summary at some level of the tree, with the source spans behind each sentence."""

    text: str
    tokens: int
    origins: Origins
    outcome: str = MODEL


def _labelled(parts: list[str]) -> str:
    return "\n\n".join(f"Part {i}:\n{p.strip()}" for i, p in enumerate(parts, 1))


@dataclass(frozen=True)
class _Pool:
    """Sentences to select from, each with its source spans and an estimated cost."""

    sentences: list[str]
    origins: Origins
    tokens_per_word: float

    groups: list[int]  # for each sentence, which node of the level below it came from
    focus: str | None = None  # --instructions: sentences sharing its words count more
    scored: list[Scored] | None = None  # importance, when not that of these sentences

    def cost(self, sentence: str) -> int:
        return max(1, math.ceil(word_count(sentence) * self.tokens_per_word))

    def indices(self, budget: int, by_words: bool = False) -> list[int]:
        """The key sentences within a budget (of tokens, or words), in source order."""
        cost = word_count if by_words else self.cost
        scored = self.scored or score_sentences(self.sentences, self.focus)
        return select(self.sentences, budget, cost, scored)


def _chunk_pool(chunk: Chunk, focus: str | None) -> _Pool:
    found = split_sentences(chunk.text)
    spans = [[Span(chunk.source, chunk.index, chunk.start + s.start, chunk.start + s.end)]
             for s in found]  # fmt: skip
    ratio = chunk.tokens / max(word_count(chunk.text), 1)
    return _Pool([s.text for s in found], spans, ratio, [0] * len(found), focus)


def _nodes_pool(nodes: Sequence[Node], focus: str | None) -> _Pool:
    sentences: list[str] = []
    origins: Origins = []
    groups: list[int] = []
    for g, node in enumerate(nodes):
        found = [s.text for s in split_sentences(node.text)]
        sentences.extend(found)
        origins.extend(node.origins[i] if i < len(node.origins) else [] for i in range(len(found)))
        groups.extend([g] * len(found))
    tokens = sum(n.tokens for n in nodes)
    ratio = tokens / max(sum(word_count(n.text) for n in nodes), 1)
    return _Pool(sentences, origins, ratio, groups, focus)


def _styled(sentences: list[str], groups: list[int], origins: Origins, style: str) -> str:
    """Sentences chosen without a model, laid out as --style asks."""
    if style == "bullets":
        return "\n".join(f"- {s}" for s in sentences)
    if style != "outline":
        return " ".join(sentences)
    parts: list[str] = []
    for i, (sentence, group) in enumerate(zip(sentences, groups, strict=True)):
        if i == 0 or group != groups[i - 1]:
            spans = [s for j in range(i, len(groups)) if groups[j] == group for s in origins[j]]
            heading = _span_heading(spans) if spans else f"Part {len(parts) + 1}"
            parts.append(f"{'' if i == 0 else chr(10)}{heading}")
        parts.append(f"- {sentence}")
    return "\n".join(parts)


def _span_heading(spans: list[Span]) -> str:
    start, end = min(s.start for s in spans), max(s.end for s in spans)
    source = f"input {spans[0].source + 1}, " if any(s.source for s in spans) else ""
    return f"{source}characters {start:,}-{end:,}:"


class Summarizer:
    """Runs one summarization over a Backend, reporting progress through a callback."""

    def __init__(
        self,
        backend: Backend,
        templates: Templates,
        opts: SummarizeOptions,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        if opts.method == Method.auto or opts.method not in list(Method):
            raise UsageError(f"not a summary method: {opts.method} (resolve auto first)")
        self.backend = backend
        self.templates = templates
        self.opts = opts
        self.budget = summary_budget(backend, templates, opts)
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
        self, pool: _Pool, budget: int, final: bool = False, outcome: str = EXTRACTIVE
    ) -> Node:
        """A model-free node: the key sentences of `pool` (within --words and laid out in
        --style when final), without any that repeats an earlier one's phrase."""
        picked = pool.indices(budget, by_words=final)
        repeats = repeating([pool.sentences[i] for i in picked])
        picked = [p for k, p in enumerate(picked) if k not in repeats]
        chosen = [pool.sentences[i] for i in picked]
        if final:
            groups, origins = [pool.groups[i] for i in picked], [pool.origins[i] for i in picked]
            text = _styled(chosen, groups, origins, self.opts.style)
        else:
            text = truncate_to_tokens(self.backend, " ".join(chosen), budget)
        return self._node(text, pool, outcome)

    def _fallback(self, pool: _Pool, budget: int, final: bool = False) -> Callable[[], str]:
        return lambda: self._extracted(pool, budget, final).text

    def _final_choice(self, pool: _Pool) -> Node:
        """The final summary, chosen from `pool` within --words (hybrid: shortened first)."""
        words = self.opts.words
        if self.opts.method != "hybrid":
            return self._extracted(pool, words, final=True)
        picked = pool.indices(int(words * POOL_SHARE), by_words=True)
        originals = [pool.sentences[i] for i in picked]
        with pool_for(self._parallel) as workers:
            futures = [workers.submit(partial(self._shorten, s)) for s in originals]
            shortened = [f.result() for f in futures]
        changed = sum(a != b for a, b in zip(originals, shortened, strict=True))
        with self._stats_lock:
            self.stats.shortened += changed
        # Chosen by the importance of the sentences as written, at their shortened cost.
        scored = score_sentences(originals, pool.focus)
        origins, groups = [pool.origins[i] for i in picked], [pool.groups[i] for i in picked]
        candidates = _Pool(shortened, origins, 1.0, groups, pool.focus, scored)
        return self._extracted(candidates, words, True, MODEL if changed else EXTRACTIVE)

    def _shorten(self, sentence: str) -> str:
        """The sentence with words deleted by the model, or as it is if that fails."""
        n = word_count(sentence)
        if n < MIN_SHORTEN_WORDS:
            return sentence
        content = self.templates.fill("shorten", text=sentence)
        messages = prompt_messages(self.templates, content)
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
        pool = _chunk_pool(chunk, o.instructions)
        if not self._writes:
            return self._extracted(pool, b.summary_tokens)

        def build(words: int, stricter: bool) -> list[Message]:
            name = "map_with_context" if previous else "map"
            content = self.templates.fill(
                name,
                text=chunk.text,
                previous=previous or "",
                words=words,
                instructions=instructions_text(o),
            )
            return prompt_messages(self.templates, content, stricter)

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
        pool = _chunk_pool(chunk, o.instructions)
        if not self._writes:
            return self._final_choice(pool)

        def build(words: int, stricter: bool) -> list[Message]:
            content = self.templates.fill(
                "single",
                text=chunk.text,
                words=words,
                style=self.templates.style(o.style),
                instructions=instructions_text(o),
            )
            return prompt_messages(self.templates, content, stricter)

        request = SummaryRequest(
            build=build,
            words=o.words,
            max_tokens=b.final_tokens,
            grounds=Grounds([chunk.text, o.instructions or ""], compress_from=chunk.text),
            fallback=self._fallback(pool, o.words, final=True),
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
        pool = _nodes_pool(nodes, o.instructions)
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
                instructions=instructions_text(o),
            )
            return prompt_messages(self.templates, content, stricter)

        source_words = len(joined.split())
        request = SummaryRequest(
            build=build,
            words=words,
            max_tokens=max_tokens,
            grounds=Grounds([*texts, o.instructions or ""], compress_from=joined),
            fallback=self._fallback(pool, words if final else max_tokens, final),
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
                pool.submit(partial(self._merge_group, level, g, group, items))
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
            raise InputError("the input is empty")
        second = next(iterator, None)
        if second is None and first.tokens <= b.single_input_tokens:
            if not first.text.strip():
                raise InputError("the input is empty (only white space)")
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
            raise InputError("the input is empty (only white space)")
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
                future = pool.submit(partial(self._map_one, chunk, context))
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
