"""Hierarchical map-reduce summarization: pure orchestration over a Backend.

Map: every chunk becomes a summary, in order. Its key sentences are picked first, with
no model (text/keysentences.py). Reduce: summaries are packed in order into groups that
fit the context and merged, level by level, until one remains; the last merge makes the
final summary (`--words`, `--style`). By method:

- `extractive`: every node is the key sentences of the nodes below it; no model at all.
- `hybrid`: the same tree; then, for the final choice, the model shortens each candidate
  sentence by deleting words, and a shortening is kept only if nothing else changed
  (grounding.is_shortening). Every word of the summary is a word of the input, in order.
- `abstractive`: the model writes every node: each chunk with the summary of the chunk
  before it as context, then the merges. Every answer goes through the grounding check
  and falls back to an extractive selection of its inputs when it cannot be trusted
  (grounding/ask.py).
- `extract-abstract`: the extractive tree chooses the key passages (more than `--words`);
  they are cut into parts at chapters and headings, the model writes each part from its
  passages alone, and every written sentence is checked against them
  (grounding.check_written); a part that fails is its passages as they are.

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
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from longcli.backends.base import Backend, Message
from longcli.config import Method
from longcli.errors import InputError, UsageError
from longcli.grounding.ask import (
    EXTRACTIVE,
    MENDED,
    MODEL,
    CallStats,
    SummaryRequest,
    ask_for_summary,
    for_attempt,
    tokens_for_words,
    truncate_to_tokens,
)
from longcli.grounding.check import (
    Grounds,
    check,
    check_written,
    is_shortening,
    repeating,
    restored_sentences,
)
from longcli.grounding.cite import (
    Citations,
    Origins,
    Span,
    describe_place,
    number_references,
    placed,
    trace,
)
from longcli.grounding.cleanup import strip_artifacts, trim_to_sentence
from longcli.prompts.templates import Templates
from longcli.summarize.budget import (
    E2A_SOURCE_SHARE,
    LABEL_TOKENS,
    PASSAGE_WORDS,
    POOL_SHARE,
    Budget,
    SummarizeOptions,
    answer_tokens,
    instructions_text,
    prompt_messages,
    summary_budget,
)
from longcli.summarize.eta import REFERENCE_DECODE_TPS, REFERENCE_PREFILL_TPS
from longcli.summarize.parallel import pool_for
from longcli.text import debris
from longcli.text.chunks import Chunk, chunk_stream
from longcli.text.documents import Mark
from longcli.text.keysentences import Scored, score_sentences, spread, word_count
from longcli.text.sentences import split_sentences

SHRINK_RATIO = 0.8  # a merge must come out at most this share of its inputs
TIGHTER_RATIO = 0.5  # a merge that did not shrink is redone with this hard cap
MIN_MERGE_SHARE = 0.3  # a merge answer under this share of its word target is retried
MIN_SHORTEN_WORDS = 8  # hybrid: shorter sentences are used as they are
MAX_LEVELS = 64  # unreachable by construction; a guard against future bugs
REPEAT_RETRIES = 3  # extractive: choices made again without the sentences that repeat


TICK_S = 0.5  # how often the progress of calls still running is estimated and reported
ESTIMATE_CAP = 0.99  # a running call is never shown as more done than this
EASE_FROM = 0.8  # past this share of its expected time, an estimate slows, never stopping
# A generated token takes as long as this many prompt tokens (the ratio of the reference
# speeds), for a call's expected time from its sizes.
GENERATED_TOKEN_COST = REFERENCE_PREFILL_TPS / REFERENCE_DECODE_TPS


@dataclass
class ProgressEvent:
    """How far one stage of a run has got. Steps are chunks (map), merges (one level),
    sentences shortened (hybrid's final choice); the final abstractive summary, one long
    call, counts tokens read and written instead. While calls run, `done` holds a share
    of them estimated by time (see _Estimate), and the tokens include that share."""

    stage: str  # "map", "merge", "shorten" or "final"
    done: float
    total: int  # an estimate while chunks are still being read
    completion_tokens: int
    prompt_tokens: int
    cached: bool = False
    level: int = 0  # "merge": 1 merges chunk summaries, 2 merges those merges, ...
    unit: str = "step"  # "step", or "token" (the final summary of an abstractive run)


ProgressCallback = Callable[[ProgressEvent], None]


class _Steps:
    """Counts steps done on any thread and reports each, in order: as each call ends, not
    as the caller collects the results (the one-call pool runs them all on submit)."""

    def __init__(self, report: Callable[[int], None]) -> None:
        self._report = report
        self._done = 0
        self._lock = threading.Lock()

    def step(self) -> None:
        with self._lock:
            self._done += 1
            self._report(self._done)


class _Estimate:
    """How far calls that say nothing until they end have probably got.

    No backend reports progress within a call: llama.cpp makes a completion in one call,
    and `stream` would lose the finish reason and the resume cache that `complete` has.
    So the calls' expected work (prompt + GENERATED_TOKEN_COST x reply tokens) is timed
    at the speed this run has shown so far. Past EASE_FROM of that time the estimate
    slows down, approaching the end without reaching it (the first call of a run is timed
    at a reference speed that a busy machine may be far below, and a retry takes as long
    again), so the bar keeps moving; a call is never shown past ESTIMATE_CAP before it
    ends. The caller counts the calls that have ended in `finished`.
    """

    def __init__(self, calls: list[tuple[int, int]], work_per_s: float) -> None:
        self.calls = calls  # (prompt, reply) tokens expected of each call, in order
        work = sum(p + GENERATED_TOKEN_COST * c for p, c in calls)
        self.expected_s = max(work / work_per_s, 1e-3)
        self.finished = 0
        self._started = time.monotonic()

    def now(self) -> tuple[float, int, int]:
        """(calls done, with a share of the running one; its prompt and reply tokens)."""
        share = (time.monotonic() - self._started) / self.expected_s
        if share > EASE_FROM:  # what is left halves each time the time taken doubles
            share = 1 - (1 - EASE_FROM) * EASE_FROM / share
        guess = len(self.calls) * share
        done = max(float(self.finished), min(self.finished + ESTIMATE_CAP, guess))
        if self.finished >= len(self.calls):
            return done, 0, 0
        part = done - self.finished
        prompt, reply = self.calls[self.finished]
        return done, int(part * prompt), int(part * reply)


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
    written: int = 0  # extract-abstract: sentences the model wrote that passed the check
    refused: int = 0  # extract-abstract: written sentences the check refused
    passage_tokens: int = 0  # extract-abstract: tokens of source passages the model read
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
        """The most specific place a span of a source covers: "pp. 7–9", 'chapter "The
        Ship"', 'section "Prices"', "00:01:02–00:01:30", else "characters 0–1,180"."""
        marks = self.places[source] if source < len(self.places) else []
        return describe_place(marks, start, end)

    def citations(self) -> Citations:
        """The passages the summary cites, numbered as --cite shows them."""
        return number_references(self.origins, lambda s: self.where(s.source, s.start, s.end))

    def to_json(self, model: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
        cited = self.citations()
        data: dict[str, Any] = {
            "summary": self.summary,
            "method": self.method,
            "citations": _citations_json(self.origins),
            "references": [r.to_json(self.sources) for r in cited.references],
            "cites": cited.numbers,  # per sentence: the numbers of its references, as [n]
            "sources": self.sources,
            "model": model,
            "settings": settings,
            "budget": asdict(self.budget),
            "chunks": [asdict(c) for c in self.chunks],
            "levels": [[asdict(m) for m in level] for level in self.levels],
            "stats": asdict(self.stats),
        }
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
    units: _Pool | None = None  # chosen without a model: the sentences it is made of


def _labelled(parts: list[str]) -> str:
    return "\n\n".join(f"Part {i}:\n{p.strip()}" for i, p in enumerate(parts, 1))


LENGTH_OVERSHOOT = 0.05  # --words may be passed by this share when that ends nearer it
LEAD_GROUP = -1  # in _Pool.groups: the document's lead (title, introduction), chosen first


@dataclass(frozen=True)
class _Pool:
    """Sentences to select from, each with its source spans and an estimated cost."""

    sentences: list[str]
    origins: Origins
    tokens_per_word: float

    groups: list[int]  # for each sentence, which node of the level below it came from
    focus: str | None = None  # --instructions: sentences sharing its words count more
    scored: list[Scored] | None = None  # importance, when not that of these sentences
    sections: list[str] | None = None  # for each sentence, the heading it is under, or ""
    rough: frozenset[int] = frozenset()  # no reader could use these alone: chosen only
    # when nothing else is left (a chunk of code, a list of names)

    def cost(self, sentence: str) -> int:
        return max(1, math.ceil(word_count(sentence) * self.tokens_per_word))

    def indices(
        self,
        budget: int,
        by_words: bool = False,
        skip: frozenset[int] = frozenset(),
        reader_length: bool = False,
    ) -> list[int]:
        """The key sentences within a budget (of tokens, or words), in source order: the
        lead first, then every part of the text in proportion to its length."""
        cost = word_count if by_words else self.cost
        scored = self.scored or score_sentences(self.sentences, self.focus, main_names=True)
        readable = len(self.sentences) - len(self.rough | skip) > 0
        excluded = skip | self.rough if readable else skip
        leads = [i for i, g in enumerate(self.groups) if g == LEAD_GROUP]
        overshoot = LENGTH_OVERSHOOT if reader_length else 0.0  # --words, not a context
        return spread(
            self.sentences, budget, cost, scored, self.positions(), leads, excluded, overshoot
        )

    def positions(self) -> list[float]:
        """Where each sentence comes from, 0 (start) to 1 (end) of the text this pool
        covers, several sources taken in order."""
        firsts = [min(spans, key=lambda s: (s.source, s.start)) if spans else None
                  for spans in self.origins]  # fmt: skip
        extent: dict[int, tuple[int, int]] = {}
        for spans in self.origins:
            for s in spans:
                low, high = extent.get(s.source, (s.start, s.end))
                extent[s.source] = (min(low, s.start), max(high, s.end))
        base, offset = {}, 0
        for source in sorted(extent):
            base[source] = offset - extent[source][0]
            offset += extent[source][1] - extent[source][0]
        positions: list[float] = []
        for first in firsts:
            if first is None:
                positions.append(positions[-1] if positions else 0.0)
            else:
                positions.append((base[first.source] + first.start) / max(offset, 1))
        return positions


def _chunk_pool(chunk: Chunk, focus: str | None) -> _Pool:
    units = [u for u in debris.readable_units(chunk.text, chunk.start == 0) if u.text]
    spans = [[Span(chunk.source, chunk.index, chunk.start + u.start, chunk.start + u.end)]
             for u in units]  # fmt: skip
    ratio = chunk.tokens / max(word_count(chunk.text), 1)
    groups = [LEAD_GROUP if u.lead else 0 for u in units]
    rough = frozenset(i for i, u in enumerate(units) if not u.readable)
    sections = [u.section for u in units]
    return _Pool([u.text for u in units], spans, ratio, groups, focus, None, sections, rough)


def _nodes_pool(nodes: Sequence[Node], focus: str | None) -> _Pool:
    sentences: list[str] = []
    origins: Origins = []
    groups: list[int] = []
    sections: list[str] = []
    rough: set[int] = set()
    for g, node in enumerate(nodes):
        if node.units is not None:  # chosen without a model: its sentences as they were
            units = node.units
            rough.update(len(sentences) + i for i in units.rough)
            sentences.extend(units.sentences)
            origins.extend(units.origins)
            groups.extend(LEAD_GROUP if x == LEAD_GROUP else g for x in units.groups)
            sections.extend(units.sections or [""] * len(units.sentences))
            continue
        found = [s.text for s in split_sentences(node.text)]
        sentences.extend(found)
        origins.extend(node.origins[i] if i < len(node.origins) else [] for i in range(len(found)))
        groups.extend([g] * len(found))
        sections.extend([""] * len(found))
    for i in range(1, len(sections)):  # a chunk's first sentences go on with the section before
        sections[i] = sections[i] or sections[i - 1]
    tokens = sum(n.tokens for n in nodes)
    ratio = tokens / max(sum(word_count(n.text) for n in nodes), 1)
    return _Pool(sentences, origins, ratio, groups, focus, None, sections, frozenset(rough))


def _styled(
    sentences: list[str],
    groups: list[int],
    origins: Origins,
    style: str,
    sections: list[str] | None = None,
) -> str:
    """Sentences chosen without a model, laid out as --style asks. An outline's parts are
    the sections their headings name, or else the nodes they came from."""
    if style == "bullets":
        return "\n".join(f"- {s}" for s in sentences)
    if style != "outline":
        return debris.joined(sentences)
    named = sections or [""] * len(sentences)
    titled = 0  # leads above named parts stand alone: "Pride and Prejudice, by Jane Austen."
    while any(named) and titled < len(groups) and groups[titled] == LEAD_GROUP:
        if named[titled]:
            break
        titled += 1
    if 0 < titled < len(groups):
        rest = _styled(sentences[titled:], groups[titled:], origins[titled:], style,
                       named[titled:])  # fmt: skip
        return "\n".join(sentences[:titled]) + "\n\n" + rest
    keys = [(name, 0) if name else ("", g) for name, g in zip(named, groups, strict=True)]
    for i in reversed(range(len(keys) - 1)):
        if groups[i] == LEAD_GROUP:  # the lead opens the first part
            keys[i] = keys[i + 1]
    parts: list[str] = []
    for i, (sentence, key) in enumerate(zip(sentences, keys, strict=True)):
        if i == 0 or key != keys[i - 1]:
            spans = [s for j in range(i, len(keys)) if keys[j] == key for s in origins[j]]
            if key[0]:
                heading = f"{key[0].rstrip('.:')}:"
            else:
                heading = _span_heading(spans) if spans else f"Part {len(parts) + 1}"
            parts.append(f"{'' if i == 0 else chr(10)}{heading}")
        parts.append(f"- {sentence}")
    return "\n".join(parts)


def _span_heading(spans: list[Span]) -> str:
    start, end = min(s.start for s in spans), max(s.end for s in spans)
    source = f"input {spans[0].source + 1}, " if any(s.source for s in spans) else ""
    return f"{source}characters {start:,}-{end:,}:"


# extract-abstract: what the model reads and writes.
MIN_PART_WORDS = 15  # the least a part is asked to be written in
MAX_WRITE_ATTEMPTS = 2  # the answer, then one stricter retry
KEEP_WRITTEN_SHARE = 0.5  # a part's checked sentences must keep this share of its words

WRITE_PROMPT = """Below are key passages from {where}, in the order they appear. Retell \
what happens in them in at most {words} words of plain prose, in the third person. Name \
the people and places as the passages do. Use only what the passages say: add no reasons, \
opinions, comments or events of your own, and do not address the reader.{instructions}

Passages:
{text}"""


def _write_prompt(passages: list[str], sections: list[str], words: int, instructions: str) -> str:
    names = [n.strip().rstrip(".:") for n in dict.fromkeys(sections) if n.strip()]
    if len(names) > 1:
        where = f'the parts "{names[0]}" to "{names[-1]}" of a longer text'
    else:
        where = f'the part "{names[0]}" of a longer text' if names else "a longer text"
    text = "\n".join(passages)
    return WRITE_PROMPT.format(where=where, words=words, instructions=instructions, text=text)


def _within_words(passages: list[str], words: int) -> list[int]:
    """The most important of `passages` within `words` (at least one), in their order."""
    kept: list[int] = []
    used = 0
    for scored in sorted(score_sentences(passages), key=lambda s: -s.score):
        n = word_count(passages[scored.index])
        if not kept or used + n <= words:
            kept.append(scored.index)
            used += n
    return sorted(kept)


def _passage_parts(pool: _Pool, picked: list[int]) -> list[list[int]]:
    """`picked` (in source order) cut into parts written one call each: past PASSAGE_WORDS,
    or at a new section (chapter, heading) once a part has half that; a short last part
    joins the one before it."""
    parts: list[list[int]] = []
    used = 0
    for i in picked:
        section = pool.sections[i] if pool.sections else ""
        previous = pool.sections[parts[-1][-1]] if parts and pool.sections else ""
        new_section = section != previous and used >= PASSAGE_WORDS // 2
        if not parts or new_section or used >= PASSAGE_WORDS:
            parts.append([])
            used = 0
        parts[-1].append(i)
        used += word_count(pool.sentences[i])
    if len(parts) > 1 and used < PASSAGE_WORDS // 3:
        parts[-2].extend(parts.pop())
    return parts


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
        self._started = time.monotonic()  # reset by run: progress estimates time calls from it

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
        picked = self._picked(pool, budget, final, reader_length=final)  # what is read
        chosen = [pool.sentences[i] for i in picked]
        origins = [pool.origins[i] for i in picked]
        groups = [pool.groups[i] for i in picked]
        sections = [pool.sections[i] for i in picked] if pool.sections else None
        if final:
            text = _styled(chosen, groups, origins, self.opts.style, sections)
        else:
            text = truncate_to_tokens(self.backend, " ".join(chosen), budget)
        # Known, not guessed from shared words (trace), which gave a sentence of one file
        # to another file's sentence when a heading ran into it: see cite.placed.
        spans = placed(text, chosen, origins)
        rough = frozenset(k for k, i in enumerate(picked) if i in pool.rough)
        units = _Pool(chosen, origins, pool.tokens_per_word, groups, None, None, sections, rough)
        return Node(text, self.backend.count_tokens(text), spans, outcome, units)

    def _picked(
        self, pool: _Pool, budget: int, final: bool, reader_length: bool = False
    ) -> list[int]:
        """`pool.indices` within the budget, chosen again without any sentence that repeats
        an earlier one's phrase, so that dropping it does not leave the budget unspent;
        without a model's budget overrun either (the cost per word is an estimate)."""
        skip: frozenset[int] = frozenset()
        for _ in range(REPEAT_RETRIES):
            picked = pool.indices(budget, by_words=final, skip=skip, reader_length=reader_length)
            repeats = repeating([pool.sentences[i] for i in picked])
            if not repeats:
                break
            skip |= {picked[k] for k in repeats}
        picked = [p for k, p in enumerate(picked) if k not in repeats]
        leads = [p for p in picked if pool.groups[p] == LEAD_GROUP]
        while not final and len(picked) > len(leads) + 1:
            if self.backend.count_tokens(" ".join(pool.sentences[i] for i in picked)) <= budget:
                break
            longest = max((p for p in picked if p not in leads),
                          key=lambda p: len(pool.sentences[p]))  # fmt: skip
            picked.remove(longest)
        return picked

    def _fallback(self, pool: _Pool, budget: int, final: bool = False) -> Callable[[], str]:
        return lambda: self._extracted(pool, budget, final).text

    def _final_choice(self, pool: _Pool) -> Node:
        """The final summary, chosen from `pool` within --words (hybrid: shortened first)."""
        words = self.opts.words
        if self.opts.method == Method.extract_abstract:
            return self._written(pool)
        if self.opts.method != "hybrid":
            return self._extracted(pool, words, final=True)
        picked = pool.indices(int(words * POOL_SHARE), by_words=True)
        originals = [pool.sentences[i] for i in picked]
        calls = sum(word_count(s) >= MIN_SHORTEN_WORDS for s in originals)  # as _shorten asks
        if calls:
            self._report("shorten", 0, calls)
        steps = _Steps(lambda done: self._report("shorten", done, calls))
        with pool_for(self._parallel) as workers:
            futures = [workers.submit(partial(self._shorten, s, steps)) for s in originals]
            shortened = [f.result() for f in futures]
        changed = sum(a != b for a, b in zip(originals, shortened, strict=True))
        with self._stats_lock:
            self.stats.shortened += changed
        # Chosen by the importance of the sentences as written, at their shortened cost.
        scored = score_sentences(originals, pool.focus)
        origins, groups = [pool.origins[i] for i in picked], [pool.groups[i] for i in picked]
        candidates = _Pool(shortened, origins, 1.0, groups, pool.focus, scored)
        return self._extracted(candidates, words, True, MODEL if changed else EXTRACTIVE)

    def _shorten(self, sentence: str, steps: _Steps | None = None) -> str:
        """The sentence with words deleted by the model, or as it is if that fails; a
        call made is counted in `steps` (progress)."""
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
        if steps is not None:
            steps.step()
        lines = strip_artifacts(completion.text).splitlines()
        answer = lines[0].strip() if lines else ""
        if is_shortening(answer, sentence) and check(answer, Grounds([sentence])).ok:
            return answer
        return sentence

    # -- extract, then abstract ---------------------------------------------------------

    def _written(self, pool: _Pool) -> Node:
        """The final summary written by the model from the key passages of `pool` only:
        the passages are chosen as extractive chooses (E2A_SOURCE_SHARE x --words), cut
        into parts (a section, or about PASSAGE_WORDS), each part written in its share of
        the words, every written sentence checked against its part's passages
        (check_written), the parts joined in order. A part whose answer keeps too little
        is its passages as they are."""
        words = self.opts.words
        picked = self._picked(pool, int(words * E2A_SOURCE_SHARE), final=True)
        parts = _passage_parts(pool, picked)
        if not parts:
            return self._extracted(pool, words, final=True)
        source_words = sum(word_count(pool.sentences[i]) for part in parts for i in part)
        calls = len(parts)
        self._report("write", 0, calls)
        steps = _Steps(lambda done: self._report("write", done, calls))
        with pool_for(self._parallel) as workers:
            futures = [
                workers.submit(partial(self._write_part, pool, part, words, source_words, steps))
                for part in parts
            ]
            written = [f.result() for f in futures]
        sentences: list[str] = []
        origins: Origins = []
        groups: list[int] = []
        sections: list[str] = []
        for g, (texts, spans, _) in enumerate(written):
            section = pool.sections[parts[g][0]] if pool.sections else ""
            sentences += texts
            origins += spans
            groups += [LEAD_GROUP if pool.groups[parts[g][0]] == LEAD_GROUP else g] * len(texts)
            sections += [section] * len(texts)
        outcomes = {outcome for _, _, outcome in written}
        outcome = (
            EXTRACTIVE if outcomes == {EXTRACTIVE} else MODEL if outcomes == {MODEL} else MENDED
        )
        text = _styled(sentences, groups, origins, self.opts.style, sections)
        return Node(text, self.backend.count_tokens(text), origins, outcome)

    def _write_part(
        self, pool: _Pool, part: list[int], words: int, source_words: int, steps: _Steps
    ) -> tuple[list[str], Origins, str]:
        """One part's sentences, their source spans, and how they were obtained."""
        passages = [pool.sentences[i] for i in part]
        spans = [pool.origins[i] for i in part]
        share = sum(word_count(p) for p in passages) / max(source_words, 1)
        target = max(MIN_PART_WORDS, round(words * share))
        sections = [pool.sections[i] for i in part] if pool.sections else []
        grounds = Grounds([*passages, self.opts.instructions or ""],
                          language=self.templates.target(), summary=True)  # fmt: skip
        best: list[str] = []
        whole = False  # the best answer passed with every sentence
        for attempt in range(MAX_WRITE_ATTEMPTS):
            instructions = instructions_text(self.opts) + self.templates.language_instruction()
            content = _write_prompt(passages, sections, target, instructions)
            messages = prompt_messages(self.templates, content, stricter=attempt > 0)
            room = self.backend.n_ctx - self.backend.prompt_tokens(messages)
            limit = max(1, min(tokens_for_words(target), room))
            completion = self.backend.complete(
                messages, for_attempt(self._sampling, limit, attempt)
            )
            stats = CallStats(1, int(completion.cached), int(attempt > 0))
            stats.prompt_tokens = completion.prompt_tokens
            stats.completion_tokens = completion.completion_tokens
            self._count(stats)
            text = strip_artifacts(completion.text)
            if completion.finish_reason == "length":
                text = trim_to_sentence(text)
            verdict = check_written(text, passages, grounds)
            kept = restored_sentences(verdict)  # a copy cut where it matters: whole again
            refused = len(verdict.sentences) - len(kept)
            with self._stats_lock:
                self.stats.refused += refused
            if word_count(" ".join(kept)) > word_count(" ".join(best)):
                best, whole = kept, refused == 0
            if word_count(" ".join(best)) >= KEEP_WRITTEN_SHARE * target:
                break
        with self._stats_lock:
            self.stats.passage_tokens += self.backend.count_tokens(" ".join(passages))
        steps.step()
        if word_count(" ".join(best)) >= KEEP_WRITTEN_SHARE * target:
            with self._stats_lock:
                self.stats.written += len(best)
            return best, trace(" ".join(best), passages, spans), MODEL if whole else MENDED
        with self._stats_lock:
            self.stats.fallbacks += 1
        chosen = _within_words(passages, target)
        return [passages[k] for k in chosen], [spans[k] for k in chosen], EXTRACTIVE

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
            grounds=Grounds(
                [chunk.text, o.instructions or ""],
                previous,
                compress_from=chunk.text,
                language=self.templates.target(),
                summary=True,
            ),
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
            grounds=Grounds(
                [chunk.text, o.instructions or ""],
                compress_from=chunk.text,
                language=self.templates.target(),
                summary=True,
            ),
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
            grounds=Grounds(
                [*texts, o.instructions or ""],
                compress_from=joined,
                language=self.templates.target(),
                summary=True,
            ),
            fallback=self._fallback(pool, words if final else max_tokens, final),
            min_words=min(int(words * MIN_MERGE_SHARE), source_words // 4),
        )
        return self._ask(request, pool)

    def _merge_group(
        self, level: int, g: int, group: list[int], items: list[Node], steps: _Steps | None = None
    ) -> MergeRecord:
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
        if steps is not None:
            steps.step()
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
        merged = [group for group in groups if len(group) > 1]  # a lone last one moves up
        reply = answer_tokens(self.budget.summary_words, self.budget.summary_tokens)
        calls = [(self._merge_prompt_tokens(items, g), reply) for g in merged]
        if not self._writes:
            calls = []  # no model: nothing to wait for
        with (
            pool_for(self._parallel if self._writes else 1) as pool,
            self._estimating("merge", calls, level) as estimate,
        ):

            def merged_one(done: int) -> None:
                estimate.finished = done
                self._report("merge", done, len(merged), level)

            steps = _Steps(merged_one)
            futures = [
                pool.submit(partial(self._merge_group, level, g, group, items, steps))
                for g, group in enumerate(groups)
            ]
            return [future.result() for future in futures]

    def _merge_prompt_tokens(self, items: list[Node], group: list[int]) -> int:
        """A merge's expected prompt: its labelled summaries and the template."""
        b = self.budget
        overhead = b.merge_overhead_tokens - b.stricter_tokens
        return sum(items[i].tokens + LABEL_TOKENS for i in group) + overhead

    def _report(
        self,
        stage: str,
        done: float,
        total: int,
        level: int = 0,
        unit: str = "step",
        running: tuple[int, int] = (0, 0),
    ) -> None:
        """Tell the progress callback; `running` adds the (prompt, reply) tokens that calls
        still running have probably processed."""
        with self._stats_lock:
            completion, prompt = self.stats.completion_tokens, self.stats.prompt_tokens
        prompt, completion = prompt + running[0], completion + running[1]
        self._on_progress(ProgressEvent(stage, done, total, completion, prompt, False, level, unit))

    def _work_per_s(self) -> float:
        """Prompt tokens per second (a generated one counting GENERATED_TOKEN_COST) in this
        run so far; before any call, the bundled model's reference speed."""
        with self._stats_lock:
            s = self.stats
            work = s.prompt_tokens + GENERATED_TOKEN_COST * s.completion_tokens
            live = s.calls - s.cached_calls
        seconds = time.monotonic() - self._started
        return work / seconds if live and work and seconds > 0 else REFERENCE_PREFILL_TPS

    @contextmanager
    def _estimating(
        self, stage: str, calls: list[tuple[int, int]], level: int = 0, unit: str = "step"
    ) -> Iterator[_Estimate]:
        """While the block runs `calls`, report `stage` every TICK_S as _Estimate guesses:
        in steps (calls), or in tokens read and written (`unit` "token")."""
        estimate = _Estimate(calls, self._work_per_s())
        if not calls:
            yield estimate
            return
        tokens = sum(p + c for p, c in calls)

        def tick() -> None:
            done, prompt, reply = estimate.now()
            if unit == "token":
                share = done / len(calls)
                self._report(stage, share * tokens, tokens, level, unit, (prompt, reply))
            else:
                self._report(stage, done, len(calls), level, unit, (prompt, reply))

        stop = threading.Event()

        def ticking() -> None:
            while not stop.wait(TICK_S):
                tick()

        tick()
        thread = threading.Thread(target=ticking, name="longcli-progress", daemon=True)
        thread.start()
        try:
            yield estimate
        finally:
            stop.set()
            thread.join()

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
        everything = list(range(len(items)))
        call = (
            self._merge_prompt_tokens(items, everything),
            answer_tokens(o.words, b.final_tokens),
        )
        with self._final_progress([call] if self._writes else []):
            final = self._merge(items, o.words, b.final_tokens, final=True)
        total = sum(n.tokens for n in items)
        levels.append([self._record(len(levels) + 1, 0, everything, final, total)])
        return final, levels

    @contextmanager
    def _final_progress(self, calls: list[tuple[int, int]]) -> Iterator[None]:
        """The final summary's progress: its one call's tokens, estimated while it runs
        (abstractive); then done. Hybrid reports its shortening calls on their own."""
        tokens = sum(p + c for p, c in calls) or 1
        with self._estimating("final", calls, unit="token"):
            yield
        self._report("final", tokens, tokens, unit="token" if calls else "step")

    # -- whole run ----------------------------------------------------------------------

    def run(self, chunks: Iterable[Chunk], estimated_chunks: int = 0) -> SummaryResult:
        b = self.budget
        records: list[ChunkRecord] = []
        started = self._started = time.monotonic()  # progress estimates time calls from here
        iterator: Iterator[Chunk] = iter(chunks)
        first = next(iterator, None)
        if first is None:
            raise InputError("the input is empty")
        if self.opts.method != Method.extractive:  # the model is told the language to write
            self.templates = self.templates.for_text(first.text)
        second = next(iterator, None)
        if second is None and first.tokens <= b.single_input_tokens:
            if not first.text.strip():
                raise InputError("the input is empty (only white space)")
            overhead = b.single_overhead_tokens - b.stricter_tokens
            call = (first.tokens + overhead, answer_tokens(self.opts.words, b.final_tokens))
            with self._final_progress([call] if self._writes else []):
                node = self._single(first)
            self.stats.input_tokens = first.tokens
            self.stats.map_seconds = time.monotonic() - started
            records.append(self._chunk_record(first, node))
            level = MergeRecord(1, 0, [0], node.text, node.tokens, first.tokens)
            level.outcome, level.citations = node.outcome, records[0].citations
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

        self._report("map", 0, estimated)  # the bar, its clock and its rate start now
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
    """Chunks of several sources in order; a chunk never spans two sources. Boilerplate
    (a Project Gutenberg licence, illustration captions, front matter) is blanked out,
    offsets kept, so no summary is made of it."""
    index = 0
    for source, blocks in enumerate(texts):
        clean = debris.without_boilerplate(blocks)
        for chunk in chunk_stream(clean, budget.chunk_tokens, count, source, index):
            yield chunk
            index = chunk.index + 1
