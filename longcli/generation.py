"""Asking a model for a summary safely: capped, guarded against loops and copying, retried.

Shared by `summarize` (map, merge) and `chat` (folding turns into the running summary).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from longcli.backend import Backend, Message, Sampling
from longcli.guards import (
    degeneracy,
    drop_repeated_sentences,
    sentences,
    strip_artifacts,
    trim_to_sentence,
)

MAX_ATTEMPTS = 3
TOKENS_PER_WORD = 1.4  # English prose with BPE vocabularies, for max_tokens from a word count


def for_attempt(base: Sampling, max_tokens: int, attempt: int) -> Sampling:
    """The sampling for one call: each retry samples hotter, penalises repeats more, and
    uses another seed."""
    return dataclasses.replace(
        base,
        max_tokens=max_tokens,
        temperature=min(1.5, base.temperature + 0.3 * attempt),
        repeat_penalty=base.repeat_penalty + 0.1 * attempt,
        seed=base.seed + attempt,
    )


@dataclass
class CallStats:
    calls: int = 0
    cached_calls: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasons: list[str] = field(default_factory=list)


def tokens_for_words(words: int) -> int:
    return int(words * TOKENS_PER_WORD) + 32


def truncate_to_tokens(backend: Backend, text: str, limit: int) -> str:
    """The longest prefix of `text` within `limit` tokens, cut at a sentence if possible."""
    if limit <= 0:
        return ""
    if backend.count_tokens(text) <= limit:
        return text
    ends: list[int] = []
    pos = 0
    for sentence in sentences(text):
        found = text.find(sentence, pos)
        pos = found + len(sentence) if found >= 0 else pos
        ends.append(pos)
    cut = _longest_fitting(backend, text, ends, limit)
    if cut:
        return text[:cut].rstrip()
    spaces = [i for i, ch in enumerate(text) if ch.isspace()]
    cut = _longest_fitting(backend, text, spaces, limit)
    if cut:
        return text[:cut].rstrip()
    return text[: _longest_fitting(backend, text, list(range(1, len(text))), limit)]


def _longest_fitting(backend: Backend, text: str, cuts: list[int], limit: int) -> int:
    lo, hi, best = 0, len(cuts) - 1, 0
    while lo <= hi:
        mid = (lo + hi) // 2
        if backend.count_tokens(text[: cuts[mid]]) <= limit:
            best, lo = cuts[mid], mid + 1
        else:
            hi = mid - 1
    return best


def ask_for_summary(
    backend: Backend,
    build: Callable[[int], list[Message]],
    words: int,
    max_tokens: int,
    source: str,
    sampling: Sampling,
    stats: CallStats,
    check_copy: bool = True,
    context: str | None = None,
    min_words: int = 0,
) -> str:
    """Ask for a summary of at most `max_tokens`; retry shorter and hotter when degenerate.

    `build(words)` makes the prompt for a word limit. `source` is what is summarized: the
    last resort when every attempt fails, and (with `check_copy`) what must not be copied.
    `context` is earlier material the answer must not merely repeat; an answer under
    `min_words` is retried. The answer is always within `max_tokens` tokens.
    """
    text = ""
    for attempt in range(MAX_ATTEMPTS):
        limit_words = max(10, int(words * (1.0 - 0.25 * attempt)))
        messages = build(limit_words)
        room = backend.n_ctx - backend.prompt_tokens(messages)
        limit_tokens = max(1, min(max_tokens, tokens_for_words(limit_words), room))
        completion = backend.complete(messages, for_attempt(sampling, limit_tokens, attempt))
        stats.calls += 1
        stats.cached_calls += completion.cached
        stats.prompt_tokens += completion.prompt_tokens
        stats.completion_tokens += completion.completion_tokens
        text = strip_artifacts(completion.text)
        if completion.finish_reason == "length":
            text = trim_to_sentence(text)
        reason = degeneracy(text, source if check_copy else None, context, min_words)
        if reason is None:
            return truncate_to_tokens(backend, text, max_tokens)
        stats.reasons.append(reason)
        if attempt + 1 < MAX_ATTEMPTS:
            stats.retries += 1
    # Still degenerate: keep what is usable, or fall back to the source's own words.
    text = drop_repeated_sentences(text)
    if not text.strip():
        text = source
    return truncate_to_tokens(backend, text, max_tokens)
