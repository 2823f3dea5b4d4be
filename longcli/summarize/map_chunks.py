"""The map stage: every chunk becomes a summary, in order; and a text of one chunk that
fits a single call becomes the final summary directly.

Key sentences are picked first, with no model (text/keysentences.py). When the model
writes every node (abstractive), each chunk is summarized with the summary of the chunk
before it as context, and an answer that cannot be trusted falls back to the chunk's key
sentences (grounding/ask.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from functools import partial

from longcli.calls import Message
from longcli.grounding.ask import SummaryRequest, truncate_to_tokens
from longcli.grounding.check import Grounds
from longcli.prompts.summary import map_prompt, single_prompt
from longcli.summarize.budget import Stage
from longcli.summarize.context import RunContext
from longcli.summarize.extract import extracted, fallback
from longcli.summarize.final import final_choice
from longcli.summarize.parallel import pool_for
from longcli.summarize.pool import Node, chunk_pool
from longcli.summarize.results import ChunkRecord
from longcli.text.chunks import Chunk


def chunk_grounds(ctx: RunContext, chunk: Chunk, previous: str | None = None) -> Grounds:
    """What a summary of one chunk may draw on: the chunk and --instructions, with the
    summary before it as context (allowed, not to be echoed); shorter than the chunk."""
    return Grounds(
        [chunk.text, ctx.opts.instructions or ""],
        previous,
        compress_from=chunk.text,
        language=ctx.templates.target(),
        summary=True,
    )


def map_one(ctx: RunContext, chunk: Chunk, previous: str | None) -> Node:
    """A chunk's summary, in the budget's summary size; `previous` the context."""
    b, o = ctx.budget, ctx.opts
    pool = chunk_pool(chunk, o.instructions, o.meaning)
    if not ctx.writes:
        return extracted(ctx, pool, b.summary_tokens)

    def build(words: int, stricter: bool) -> list[Message]:
        return map_prompt(ctx.templates, chunk.text, previous, words, o.instructions, stricter)

    request = SummaryRequest(
        build=build,
        words=b.summary_words,
        max_tokens=b.summary_tokens,
        grounds=chunk_grounds(ctx, chunk, previous),
        fallback=fallback(ctx, pool, b.summary_tokens),
    )
    return ctx.ask(request, pool)


def single(ctx: RunContext, chunk: Chunk) -> Node:
    """The final summary of a text that fits one call."""
    b, o = ctx.budget, ctx.opts
    pool = chunk_pool(chunk, o.instructions, o.meaning)
    if not ctx.writes:
        return final_choice(ctx, pool)

    def build(words: int, stricter: bool) -> list[Message]:
        return single_prompt(ctx.templates, chunk.text, words, o.style, o.instructions, stricter)

    request = SummaryRequest(
        build=build,
        words=o.words,
        max_tokens=b.final_tokens,
        grounds=chunk_grounds(ctx, chunk),
        fallback=fallback(ctx, pool, o.words, final=True),
    )
    return ctx.ask(request, pool)


def chunk_record(chunk: Chunk, node: Node) -> ChunkRecord:
    return ChunkRecord(
        chunk.index,
        chunk.source,
        chunk.start,
        chunk.end,
        chunk.tokens,
        node.text,
        node.tokens,
        node.outcome,
        node.origins,
    )


def map_chunks(
    ctx: RunContext, chunks: Iterable[Chunk], records: list[ChunkRecord], estimated: int
) -> list[Node]:
    """Summarize every chunk, in order, `--parallel` at a time; each is recorded in
    `records` as it is done.

    Chunk i's context is the summary of chunk i - N, N being --parallel: the summary of
    the chunk just before it when N = 1, and otherwise the newest one that can be done
    when chunk i starts. A worker freed by chunk i - N takes chunk i, so N calls stay in
    flight, and the prompts (hence the cache keys and the result) do not depend on
    timing.
    """
    n = ctx.parallel if ctx.writes else 1
    nodes: list[Node] = []
    in_flight: deque[tuple[Chunk, Future[Node]]] = deque()

    def finish_oldest() -> str:
        chunk, future = in_flight.popleft()
        node = future.result()
        nodes.append(node)
        records.append(chunk_record(chunk, node))
        ctx.progress.report(Stage.map, len(records), max(estimated, len(records)))
        return node.text

    ctx.progress.report(Stage.map, 0, estimated)  # the bar, its clock and its rate start now
    with pool_for(n) as pool:
        previous: str | None = None
        for chunk in chunks:
            with ctx.tally.counting() as stats:
                stats.input_tokens += chunk.tokens
            if not chunk.text.strip():
                continue  # white space between sources carries nothing to summarize
            if len(in_flight) >= n:
                previous = finish_oldest()
            context = (
                truncate_to_tokens(ctx.backend, previous, ctx.budget.previous_tokens)
                if previous and ctx.writes
                else None
            )
            future = pool.submit(partial(map_one, ctx, chunk, context))
            in_flight.append((chunk, future))
        while in_flight:
            finish_oldest()
    return nodes


def chained(first: list[Chunk], rest: Iterator[Chunk]) -> Iterator[Chunk]:
    yield from first
    yield from rest
