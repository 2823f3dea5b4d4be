"""How much of the context each kind of summary call gets, and what a run will cost.

`summary_budget` turns a context size into token budgets for map, merge, final and
single calls, and refuses a context too small to work with. `plan_run` predicts the tree
(chunks, merge levels) and the model's work (calls, prompt and generated tokens) without
running anything: what `--plan` prints and its ETA is computed from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from longcli.backends.base import SLACK_TOKENS, Backend
from longcli.calls import Sampling
from longcli.config import Method, Settings, Style
from longcli.errors import InputError, UsageError
from longcli.grounding.ask import TOKENS_PER_WORD, tokens_for_words
from longcli.models.gguf import ModelInfo

if TYPE_CHECKING:
    from longcli.backends.embedding import Embedder
from longcli.prompts.summary import fixed_prompt, shorten_prompt
from longcli.prompts.templates import Templates

MIN_CHUNK_TOKENS = 64
MIN_SUMMARY_TOKENS = 96
MAX_SUMMARY_TOKENS = 512
PREVIOUS_SHARE = 0.2  # of a map call's input budget, for the preceding summary
LABEL_TOKENS = 8  # allowance for "Part 12:\n" and the blank line between parts
POOL_SHARE = 1.6  # hybrid: candidate words shortened for the final choice, x --words
E2A_SOURCE_SHARE = 1.6  # extract-abstract: source words the model reads, x --words
PASSAGE_WORDS = 160  # extract-abstract: a part written in one call, about this many words
WRITE_EXTRA_TOKENS = 70  # for --plan: a write prompt's instructions beyond a shortening's
PLANNED_SENTENCE_WORDS = 17  # for --plan: a candidate sentence's typical length
PLANNED_SHORTENING = 0.8  # for --plan: a shortened answer's length, as a share
WORDS_INSIDE_CAP = 0.75  # words asked of a summary: this share of what its token cap holds


# Small models summarize long inputs badly. Measured on 3 SQuALITY stories with the bundled
# 135M model (bench/summarize_quality.py): ROUGE-L 0.100 with chunks of up to 7k tokens,
# 0.130 at 2048, 0.140 at 1024 (a lead-250 baseline: 0.132). Larger models keep more of
# their context useful; the thresholds for them are a judgement, not a measurement.
CHUNK_CAPS_BY_MODEL_BYTES = ((1_500_000_000, 1024), (6_000_000_000, 4096))


def default_chunk_cap(model: ModelInfo | None) -> int | None:
    """Largest default chunk for a model, by the size of its weights (None: no cap)."""
    if model is None:
        return None
    for limit, cap in CHUNK_CAPS_BY_MODEL_BYTES:
        if model.size_bytes < limit:
            return cap
    return None


@dataclass(frozen=True)
class SummarizeOptions:
    """How to summarize; the defaults are the settings' (summarize.run builds these from
    `Settings`)."""

    words: int = Settings.words
    style: Style = Settings.style
    instructions: str | None = None
    method: Method = Method.hybrid  # not auto: summarize/method.py resolves that for a model
    chunk_tokens: int | None = None
    max_chunk_tokens: int | None = None  # cap on the default chunk size
    summary_tokens: int | None = None  # cap on each chunk's summary (None: from the chunk)
    sampling: Sampling = Sampling()
    parallel: int = Settings.parallel  # calls in flight at once (a server with several slots)
    meaning: Embedder | None = None  # -i: an embedding model finds passages by meaning too


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
    # The overheads of map, merge and single calls include room for a retry's stricter
    # prompt (stricter_tokens), which a first attempt does not send.
    merge_overhead_tokens: int = 0  # prompt tokens of a merge besides the summaries
    single_overhead_tokens: int = 0  # prompt tokens of a one-call summary besides the text
    stricter_tokens: int = 0


def _overhead(backend: Backend, templates: Templates, name: str, opts: SummarizeOptions) -> int:
    """Prompt tokens of a call of template `name`, besides its text."""
    prompt = fixed_prompt(templates, name, opts.words, opts.style, opts.instructions)
    return backend.prompt_tokens(prompt)


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
    summary_words = int(summary_tokens / TOKENS_PER_WORD * WORDS_INSIDE_CAP)
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
        shorten_overhead_tokens=backend.prompt_tokens(shorten_prompt(templates, "")),
        final_words=opts.words,
        merge_overhead_tokens=merge_overhead,
        single_overhead_tokens=single_overhead,
        stricter_tokens=stricter,
    )


class Stage(StrEnum):
    """A stretch of a run, as `--plan` counts its calls and the progress bar shows it."""

    map = "map"  # every chunk summarized
    merge = "merge"  # one level of merges
    shorten = "shorten"  # hybrid: the final choice's sentences shortened
    write = "write"  # extract-abstract: the parts written from their passages
    final = "final"  # the final summary


@dataclass(frozen=True)
class Phase:
    """One stretch of a run's model calls: what `--plan` counts and the progress bar shows."""

    stage: Stage
    calls: int
    prompt_tokens: int
    completion_tokens: int
    level: int = 0  # merges: 1 for the merges of chunk summaries, 2 above them, ...


@dataclass(frozen=True)
class Speeds:
    """How fast the model is expected to work, for an ETA."""

    prefill_tps: float
    decode_tps: float
    calibrated: bool  # measured on this model's last run, not guessed from its size
    load_s: float = 0.0  # loading the weights (0 when the run loads none)
    call_overhead_s: float = 0.0  # each call, besides its tokens


@dataclass(frozen=True)
class Eta:
    """A run's expected wall time, in the parts it is made of."""

    start_s: float  # the process, its imports and the tokenizer
    load_s: float  # the model's weights (0 when the run loads none)
    reading_s: float  # reading, chunking and choosing sentences: the work without a model
    calls_s: float
    calibrated: bool

    @property
    def seconds(self) -> float:
        return self.start_s + self.load_s + self.reading_s + self.calls_s


@dataclass(frozen=True)
class Plan:
    """What a run would do, computed without running the model.

    `levels` holds the merges of each level, the final summary last, whether the model
    makes them (abstractive) or not; `phases` holds the model's calls, and their sums are
    `calls`, `prompt_tokens` and `completion_tokens`. With `exact`, the calls are those
    the run will make (they do not depend on the model's answers); otherwise the calls are
    an upper bound before retries and the tokens assume every answer uses its full length.
    """

    chunks: int
    input_tokens: int
    levels: list[int]
    phases: list[Phase]
    budget: Budget
    method: Method = Method.hybrid
    exact: bool = False

    @property
    def calls(self) -> int:
        return sum(p.calls for p in self.phases)

    @property
    def prompt_tokens(self) -> int:
        return sum(p.prompt_tokens for p in self.phases)

    @property
    def completion_tokens(self) -> int:
        return sum(p.completion_tokens for p in self.phases)

    def eta(self, speeds: Speeds, reading_s: float = 0.0, start_s: float = 0.0) -> Eta:
        """The expected wall time with these speeds."""
        calls_s = (
            self.prompt_tokens / speeds.prefill_tps
            + self.completion_tokens / speeds.decode_tps
            + self.calls * speeds.call_overhead_s
        )
        return Eta(start_s, speeds.load_s, reading_s, calls_s, speeds.calibrated)

    def eta_seconds(self, prefill_tps: float, decode_tps: float) -> float:
        return self.eta(Speeds(prefill_tps, decode_tps, calibrated=False)).seconds


def answer_tokens(words: int, max_tokens: int) -> int:
    """The most tokens a summary call may generate (as grounding.ask caps it)."""
    return min(max_tokens, tokens_for_words(words))


def plan_run(chunk_tokens: list[int], budget: Budget, method: Method = Method.hybrid) -> Plan:
    """The tree shape and the model's work for a run, from the chunks' sizes alone.

    Exact for `extractive` (no calls). For `abstractive`, an upper bound: every summary
    is assumed to use its full cap. For `hybrid`, the shortening calls are estimated from
    a typical sentence length; `summarize.run.plan` counts them exactly instead, by
    choosing the sentences as the run will.
    """
    b = budget
    n = len(chunk_tokens)
    if n == 0:
        raise InputError("the input is empty")
    levels = _levels(chunk_tokens, b)
    total = sum(chunk_tokens)
    if method == Method.extractive:
        return Plan(n, total, levels, [], b, method, exact=True)
    if method == Method.extract_abstract:  # reads its passages only, writes --words
        source_words = b.final_words * E2A_SOURCE_SHARE
        calls = max(1, math.ceil(source_words / PASSAGE_WORDS))
        overhead = b.shorten_overhead_tokens + WRITE_EXTRA_TOKENS
        read = int(calls * overhead + source_words * TOKENS_PER_WORD)
        wrote = tokens_for_words(b.final_words) + calls * 32
        return Plan(n, total, levels, [Phase(Stage.write, calls, read, wrote)], b, method)
    if method == Method.hybrid:
        calls = math.ceil(b.final_words * POOL_SHARE / PLANNED_SENTENCE_WORDS)
        sentence = PLANNED_SENTENCE_WORDS * TOKENS_PER_WORD
        prompt = calls * (b.shorten_overhead_tokens + sentence)
        completion = calls * sentence * PLANNED_SHORTENING
        return Plan(n, total, levels, [Phase(Stage.shorten, calls, int(prompt), int(completion))],
                    b, method)  # fmt: skip
    return Plan(n, total, levels, _abstractive_phases(chunk_tokens, levels, b), b, method)


def _abstractive_phases(chunk_tokens: list[int], levels: list[int], b: Budget) -> list[Phase]:
    """The calls of an abstractive run whose every answer uses its full length."""
    n = len(chunk_tokens)
    final = answer_tokens(b.final_words, b.final_tokens)
    if n == 1 and chunk_tokens[0] <= b.single_input_tokens:
        prompt = chunk_tokens[0] + b.single_overhead_tokens - b.stricter_tokens
        return [Phase(Stage.final, 1, prompt, final, level=1)]
    summary = answer_tokens(b.summary_words, b.summary_tokens)
    overhead = b.overhead_tokens - b.stricter_tokens
    phases = [Phase(Stage.map, n, sum(chunk_tokens) + n * overhead + (n - 1) * b.previous_tokens,
                    n * summary)]  # fmt: skip
    merge_overhead = b.merge_overhead_tokens - b.stricter_tokens
    per_merge = _per_merge(b)
    item = b.summary_tokens + LABEL_TOKENS  # what a summary may take in a merge's prompt
    items = n
    for level, merges in enumerate(levels[:-1], 1):
        merged_items = items - (1 if items % per_merge == 1 else 0)  # a lone last one moves up
        prompt = merged_items * item + merges * merge_overhead
        phases.append(Phase(Stage.merge, merges, prompt, merges * summary, level))
        items = math.ceil(items / per_merge)
    prompt = items * item + merge_overhead
    phases.append(Phase(Stage.final, 1, prompt, final, len(levels)))
    return phases


def _per_merge(b: Budget) -> int:
    return max(2, b.merge_input_tokens // (b.summary_tokens + LABEL_TOKENS))


def _levels(chunk_tokens: list[int], b: Budget) -> list[int]:
    """Merges per level, the final one last, when every summary is at its cap."""
    if len(chunk_tokens) == 1 and chunk_tokens[0] <= b.single_input_tokens:
        return [1]
    per_merge = _per_merge(b)
    levels: list[int] = []
    items = len(chunk_tokens)
    while items * (b.summary_tokens + LABEL_TOKENS) > b.final_input_tokens:
        groups = math.ceil(items / per_merge)
        levels.append(groups - (1 if items % per_merge == 1 else 0))
        items = groups
    return [*levels, 1]
