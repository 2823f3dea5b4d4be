"""How much of the context each kind of summary call gets, and what a run will cost.

`summary_budget` turns a context size into token budgets for map, merge, final and
single calls, and refuses a context too small to work with. `plan_run` predicts the tree
(chunks, merge levels) and the model's work (calls, prompt and generated tokens) without
running anything: what `--plan` prints and its ETA is computed from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from longcli.backends.base import SLACK_TOKENS, Backend, Message, Sampling
from longcli.config import Method, Style
from longcli.errors import InputError, UsageError
from longcli.grounding.ask import TOKENS_PER_WORD, tokens_for_words
from longcli.prompts.templates import Templates

MIN_CHUNK_TOKENS = 64
MIN_SUMMARY_TOKENS = 96
MAX_SUMMARY_TOKENS = 512
PREVIOUS_SHARE = 0.2  # of a map call's input budget, for the preceding summary
LABEL_TOKENS = 8  # allowance for "Part 12:\n" and the blank line between parts
POOL_SHARE = 1.6  # hybrid: candidate words shortened for the final choice, x --words
PLANNED_SENTENCE_WORDS = 17  # for --plan: a candidate sentence's typical length
PLANNED_SHORTENING = 0.8  # for --plan: a shortened answer's length, as a share


@dataclass(frozen=True)
class SummarizeOptions:
    words: int = 250
    style: Style = Style.paragraph
    instructions: str | None = None
    method: Method = Method.hybrid  # not auto: backends/engine.py resolves that for a model
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


def _overhead(backend: Backend, templates: Templates, name: str, opts: SummarizeOptions) -> int:
    content = templates.fill(
        name,
        text="",
        previous="",
        words=opts.words,
        style=templates.style(opts.style),
        instructions=instructions_text(opts),
    )
    return backend.prompt_tokens(prompt_messages(templates, content))


def instructions_text(opts: SummarizeOptions) -> str:
    return f" Also: {opts.instructions.strip()}" if opts.instructions else ""


def prompt_messages(templates: Templates, content: str, stricter: bool = False) -> list[Message]:
    system = templates.prompts.get("system", "")
    head = [Message("system", system)] if system else []
    if stricter:
        content = templates.prompts["stricter"].strip() + "\n\n" + content
    return [*head, Message("user", content)]


def summary_budget(backend: Backend, templates: Templates, opts: SummarizeOptions) -> Budget:
    """Budgets for a context size; raises UsageError if the context is too small to work."""
    n_ctx = backend.n_ctx
    summary_tokens = max(MIN_SUMMARY_TOKENS, min(MAX_SUMMARY_TOKENS, n_ctx // 8))
    stricter = backend.count_tokens(templates.prompts["stricter"]) + 2
    map_overhead = _overhead(backend, templates, "map_with_context", opts) + stricter
    map_input = n_ctx - summary_tokens - map_overhead - SLACK_TOKENS
    previous_tokens = min(summary_tokens, int(map_input * PREVIOUS_SHARE))
    max_chunk = map_input - previous_tokens
    merge_overhead = _overhead(backend, templates, "merge", opts) + stricter
    merge_input = n_ctx - summary_tokens - merge_overhead - SLACK_TOKENS
    final_tokens = min(tokens_for_words(opts.words), n_ctx // 2)
    final_input = n_ctx - final_tokens - merge_overhead - SLACK_TOKENS
    single_overhead = _overhead(backend, templates, "single", opts) + stricter
    single_input = n_ctx - final_tokens - single_overhead - SLACK_TOKENS
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
            prompt_messages(templates, templates.fill("shorten", text=""))
        ),
        final_words=opts.words,
    )


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
    method: Method = Method.hybrid

    def eta_seconds(self, prefill_tps: float, decode_tps: float) -> float:
        return self.prompt_tokens / prefill_tps + self.completion_tokens / decode_tps


def plan_run(chunk_tokens: list[int], budget: Budget, method: Method = Method.hybrid) -> Plan:
    """The tree shape and the model's work for a run (an upper bound for `abstractive`,
    where every answer is assumed to use its full cap)."""
    b = budget
    n = len(chunk_tokens)
    if n == 0:
        raise InputError("the input is empty")
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
