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

The stages, each a module of functions over one RunContext (context.py): the map
(map_chunks.py), the reduce tree (reduce_tree.py), the final choice (final.py: extract.py,
hybrid.py, extract_abstract.py), all choosing from the sentence pools of pool.py; progress
is told by progress.py, and results.py holds what a run returns.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Iterable, Iterator

from longcli.backends.base import Backend
from longcli.config import Method
from longcli.errors import InputError
from longcli.prompts.templates import Templates
from longcli.summarize.budget import Budget, SummarizeOptions, answer_tokens
from longcli.summarize.context import RunContext
from longcli.summarize.map_chunks import chained, chunk_record, map_chunks, single
from longcli.summarize.pool import Node
from longcli.summarize.progress import ProgressCallback
from longcli.summarize.reduce_tree import reduce
from longcli.summarize.results import ChunkRecord, MergeRecord, Stats, SummaryResult
from longcli.text import boilerplate
from longcli.text.chunks import Chunk, chunk_stream


class Summarizer:
    """Runs one summarization over a Backend, reporting progress through a callback."""

    def __init__(
        self,
        backend: Backend,
        templates: Templates,
        opts: SummarizeOptions,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self._ctx = RunContext.create(backend, templates, opts, on_progress)

    @property
    def budget(self) -> Budget:
        return self._ctx.budget

    @property
    def opts(self) -> SummarizeOptions:
        return self._ctx.opts

    @property
    def templates(self) -> Templates:
        """The prompts, knowing the text's language once a run has started."""
        return self._ctx.templates

    @property
    def stats(self) -> Stats:
        return self._ctx.tally.stats

    def run(self, chunks: Iterable[Chunk], estimated_chunks: int = 0) -> SummaryResult:
        """Summarize the chunks of a text, in order (see the module's doc)."""
        records: list[ChunkRecord] = []
        self._ctx.progress.started = started = time.monotonic()  # calls are timed from here
        iterator: Iterator[Chunk] = iter(chunks)
        first = next(iterator, None)
        if first is None:
            raise InputError("the input is empty")
        if self.opts.method != Method.extractive:  # the model is told the language to write
            templates = self._ctx.templates.for_text(first.text)
            self._ctx = dataclasses.replace(self._ctx, templates=templates)
        ctx, b, stats = self._ctx, self._ctx.budget, self.stats
        second = next(iterator, None)
        if second is None and first.tokens <= b.single_input_tokens:
            if not first.text.strip():
                raise InputError("the input is empty (only white space)")
            overhead = b.single_overhead_tokens - b.stricter_tokens
            call = (first.tokens + overhead, answer_tokens(self.opts.words, b.final_tokens))
            with ctx.progress.final([call] if ctx.writes else []):
                node = single(ctx, first)
            stats.input_tokens = first.tokens
            stats.map_seconds = time.monotonic() - started
            records.append(chunk_record(first, node))
            level = MergeRecord(1, 0, [0], node.text, node.tokens, first.tokens)
            level.outcome, level.citations = node.outcome, records[0].citations
            return self._result(node, records, [[level]])
        pending = [first] if second is None else [first, second]
        estimated = max(estimated_chunks, len(pending))
        nodes = map_chunks(ctx, chained(pending, iterator), records, estimated)
        if not records:
            raise InputError("the input is empty (only white space)")
        stats.map_seconds = time.monotonic() - started
        reduce_started = time.monotonic()
        final, levels = reduce(ctx, nodes)
        stats.reduce_seconds = time.monotonic() - reduce_started
        return self._result(final, records, levels)

    def _result(
        self, final: Node, records: list[ChunkRecord], levels: list[list[MergeRecord]]
    ) -> SummaryResult:
        return SummaryResult(
            final.text, records, levels, self.budget, self.stats, self.opts.method, final.origins
        )


def chunk_sources(
    texts: Iterable[Iterable[str]], budget: Budget, count: Callable[[str], int]
) -> Iterator[Chunk]:
    """Chunks of several sources in order; a chunk never spans two sources. Boilerplate
    (a Project Gutenberg licence, illustration captions, front matter) is blanked out,
    offsets kept, so no summary is made of it."""
    index = 0
    for source, blocks in enumerate(texts):
        clean = boilerplate.without_boilerplate(blocks)
        chunks = chunk_stream(clean, budget.chunk_tokens, count, source, index)
        for chunk in _ending_marked(chunks):
            yield chunk
            index = chunk.index + 1


# A sentence's end in prose: its mark after a word's last letter that is no capital (not
# an initial: "Other books by J. Sheridan LeFanu"), a closing quote or bracket maybe,
# then a space or the end ("... at the drawing room door."); a list of titles has none.
_PROSE_END = re.compile(r"(?:[^\W\d_A-Z]|\d)[.!?。！？][\"'”’»)\]]*(?:\s|$)")


def _ending_marked(chunks: Iterable[Chunk]) -> Iterator[Chunk]:
    """`chunks` of one source, its last one with prose marked `closes`: the one that holds
    its ending (a licence after it is blanked, not words; a list after it, such as a
    book's "Other books by J. Sheridan LeFanu", ends no sentence). One chunk is held
    back, and those after it."""
    pending: Chunk | None = None
    blank: list[Chunk] = []
    for chunk in chunks:
        if not _PROSE_END.search(chunk.text):
            blank.append(chunk)
            continue
        if pending is not None:
            yield pending
        yield from blank
        pending, blank = chunk, []
    if pending is not None:
        yield dataclasses.replace(pending, closes=True)
    yield from blank
