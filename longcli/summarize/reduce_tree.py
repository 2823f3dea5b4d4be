"""The reduce stage: summaries packed in order into groups that fit the context and
merged, level by level, until they fit one final merge, which makes the final summary.

A merge that does not come out clearly shorter than its inputs is redone with a cap of
half its inputs, so each level has strictly fewer items than the one before (see
pipeline.py for why the tree always ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from longcli.calls import Message
from longcli.grounding.ask import SummaryRequest
from longcli.grounding.check import Grounds
from longcli.prompts.summary import labelled, merge_prompt
from longcli.summarize.budget import LABEL_TOKENS, Stage, answer_tokens
from longcli.summarize.context import RunContext
from longcli.summarize.extract import extracted, fallback
from longcli.summarize.final import final_choice
from longcli.summarize.parallel import pool_for
from longcli.summarize.pool import Node, nodes_pool
from longcli.summarize.progress import Steps
from longcli.summarize.results import MergeRecord

SHRINK_RATIO = 0.8  # a merge must come out at most this share of its inputs
TIGHTER_RATIO = 0.5  # a merge that did not shrink is redone with this hard cap
MIN_MERGE_SHARE = 0.3  # a merge answer under this share of its word target is retried
MAX_LEVELS = 64  # unreachable by construction; a guard against future bugs


@dataclass(frozen=True)
class Merged:
    """A merge as recorded, and the node it made (the next level's input)."""

    record: MergeRecord
    node: Node


def groups_within(tokens: list[int], budget: int) -> list[list[int]]:
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


def merge(ctx: RunContext, nodes: list[Node], words: int, max_tokens: int, final: bool) -> Node:
    """One node from `nodes`: written by the model (abstractive), else chosen."""
    o = ctx.opts
    pool = nodes_pool(nodes, o.instructions, o.meaning)
    if not ctx.writes:
        return final_choice(ctx, pool) if final else extracted(ctx, pool, max_tokens)
    texts = [n.text for n in nodes]
    joined = labelled(texts)
    style = o.style if final else None

    def build(limit_words: int, stricter: bool) -> list[Message]:
        return merge_prompt(ctx.templates, texts, limit_words, style, o.instructions, stricter)

    source_words = len(joined.split())
    request = SummaryRequest(
        build=build,
        words=words,
        max_tokens=max_tokens,
        grounds=Grounds(
            [*texts, o.instructions or ""],
            compress_from=joined,
            language=ctx.templates.target(),
            summary=True,
        ),
        fallback=fallback(ctx, pool, words if final else max_tokens, final),
        min_words=min(int(words * MIN_MERGE_SHARE), source_words // 4),
    )
    return ctx.ask(request, pool)


def merge_group(
    ctx: RunContext, level: int, g: int, group: list[int], items: list[Node], steps: Steps
) -> Merged:
    """Group `g` of a level merged; redone with a hard cap when it did not shrink."""
    b = ctx.budget
    nodes = [items[i] for i in group]
    total = sum(n.tokens for n in nodes)
    if len(group) == 1:  # a lone last item moves up unchanged
        return _merged(level, g, group, nodes[0], total)
    node = merge(ctx, nodes, b.summary_words, b.summary_tokens, final=False)
    tightened = False
    if node.tokens > total * SHRINK_RATIO:
        # Not clearly shorter: ask again for half, with a hard cap at half.
        with ctx.tally.counting() as stats:
            stats.tightened += 1
        tightened = True
        tighter = max(10, int(b.summary_words * TIGHTER_RATIO))
        cap = min(b.summary_tokens, int(total * TIGHTER_RATIO))
        node = merge(ctx, nodes, tighter, cap, final=False)
    steps.step()
    return _merged(level, g, group, node, total, tightened)


def _merged(
    level: int, g: int, group: list[int], node: Node, input_tokens: int, tightened: bool = False
) -> Merged:
    record = MergeRecord(level, g, group, node.text, node.tokens, input_tokens, tightened)
    record.outcome, record.citations = node.outcome, node.origins
    return Merged(record, node)


def merge_level(ctx: RunContext, level: int, items: list[Node]) -> list[Merged]:
    """One level of merges; the groups are independent, so up to --parallel run at once."""
    b = ctx.budget
    groups = groups_within([n.tokens for n in items], b.merge_input_tokens)
    merged = [group for group in groups if len(group) > 1]  # a lone last one moves up
    reply = answer_tokens(b.summary_words, b.summary_tokens)
    calls = [(merge_prompt_tokens(ctx, items, g), reply) for g in merged]
    if not ctx.writes:
        calls = []  # no model: nothing to wait for
    with (
        pool_for(ctx.parallel if ctx.writes else 1) as pool,
        ctx.progress.estimating(Stage.merge, calls, level) as estimate,
    ):

        def merged_one(done: int) -> None:
            estimate.finished = done
            ctx.progress.report(Stage.merge, done, len(merged), level)

        steps = Steps(merged_one)
        futures = [
            pool.submit(partial(merge_group, ctx, level, g, group, items, steps))
            for g, group in enumerate(groups)
        ]
        return [future.result() for future in futures]


def merge_prompt_tokens(ctx: RunContext, items: list[Node], group: list[int]) -> int:
    """A merge's expected prompt: its labelled summaries and the template."""
    b = ctx.budget
    overhead = b.merge_overhead_tokens - b.stricter_tokens
    return sum(items[i].tokens + LABEL_TOKENS for i in group) + overhead


def reduce(ctx: RunContext, nodes: list[Node]) -> tuple[Node, list[list[MergeRecord]]]:
    """Merge summaries level by level until one remains; returns it and the levels."""
    b, o = ctx.budget, ctx.opts
    levels: list[list[MergeRecord]] = []
    items = nodes
    while sum(n.tokens + LABEL_TOKENS for n in items) > b.final_input_tokens:
        if len(levels) >= MAX_LEVELS:
            raise RuntimeError("merge depth limit reached")  # unreachable, see pipeline.py
        level = len(levels) + 1
        merges = merge_level(ctx, level, items)
        if len(merges) >= len(items):
            raise RuntimeError("a merge level did not reduce the number of summaries")
        levels.append([m.record for m in merges])
        items = [m.node for m in merges]
    everything = list(range(len(items)))
    call = (merge_prompt_tokens(ctx, items, everything), answer_tokens(o.words, b.final_tokens))
    with ctx.progress.final([call] if ctx.writes else []):
        final = merge(ctx, items, o.words, b.final_tokens, final=True)
    total = sum(n.tokens for n in items)
    levels.append([_merged(len(levels) + 1, 0, everything, final, total).record])
    return final, levels
