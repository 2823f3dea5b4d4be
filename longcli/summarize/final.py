"""The final summary where the model does not write the whole of it: chosen from the key
sentences of the level below, by method."""

from __future__ import annotations

from longcli.config import Method
from longcli.summarize.context import RunContext
from longcli.summarize.extract import extracted
from longcli.summarize.extract_abstract import written
from longcli.summarize.hybrid import shortened_choice
from longcli.summarize.pool import Node, Pool


def final_choice(ctx: RunContext, pool: Pool) -> Node:
    """The final summary from `pool`, within --words: its key sentences (extractive),
    shortened first (hybrid), or retold part by part (extract-abstract)."""
    if ctx.opts.method == Method.extract_abstract:
        return written(ctx, pool)
    if ctx.opts.method == Method.hybrid:
        return shortened_choice(ctx, pool)
    return extracted(ctx, pool, ctx.opts.words, final=True)
