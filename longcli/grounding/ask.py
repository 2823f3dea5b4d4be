"""Asking a model for a summary it may be trusted with: capped, checked, mended or replaced.

Shared by `summarize` (map, merge, final) and `chat` (folding turns into the summary).
Every answer goes through the grounding check (check.py). The ladder:

1. the answer as asked for, checked;
2. once more with a stricter prompt (and another seed), checked;
3. the better of the two with its failing sentences dropped, if enough is left;
4. the request's model-free fallback (an extractive selection of the inputs).

So what comes back never holds a name or number the inputs lack, commentary about the
text, or a loop, whatever the model does; and it is always within `max_tokens`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from longcli.backends.base import Backend
from longcli.calls import Message, Sampling
from longcli.grounding.check import Grounds, Verdict, check, words
from longcli.grounding.cleanup import strip_artifacts, trim_to_sentence
from longcli.text.sentences import split_sentences

MAX_ATTEMPTS = 2  # the answer, then one stricter retry
MEND_MIN_SHARE = 0.3  # a mended answer must keep this share of the words asked for
TOKENS_PER_WORD = 1.4  # English prose with BPE vocabularies, for max_tokens from a word count


class Outcome(StrEnum):
    """How an answer was obtained (SummaryAnswer.outcome, and every node of a summary)."""

    model = "model"  # as the model wrote it, checked
    mended = "mended"  # the model's, with its failing sentences dropped
    extractive = "extractive"  # chosen from the inputs without the model


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
    mended: int = 0  # answers kept with their failing sentences dropped
    fallbacks: int = 0  # answers replaced by the extractive fallback

    def add(self, other: CallStats) -> None:
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(frozen=True)
class SummaryRequest:
    """One summary call: its prompt, what it may draw on, and what to use if it fails."""

    build: Callable[[int, bool], list[Message]]  # (word limit, stricter) -> the prompt
    words: int
    max_tokens: int
    grounds: Grounds
    fallback: Callable[[], str]  # a model-free answer, computed only when needed
    min_words: int = 0


@dataclass
class SummaryAnswer:
    text: str
    outcome: Outcome
    stats: CallStats


def tokens_for_words(words: int) -> int:
    return int(words * TOKENS_PER_WORD) + 32


def truncate_to_tokens(backend: Backend, text: str, limit: int) -> str:
    """The longest prefix of `text` within `limit` tokens, cut at a sentence if possible."""
    if limit <= 0:
        return ""
    if backend.count_tokens(text) <= limit:
        return text
    ends = [s.end for s in split_sentences(text)]
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


def _mendable(verdict: Verdict) -> str:
    """The answer without its failing sentences, or "" when no dropping can save it."""
    return "" if verdict.whole else verdict.kept_text()


def ask_for_summary(backend: Backend, request: SummaryRequest, sampling: Sampling) -> SummaryAnswer:
    """Ask for a summary and return one that passed the grounding check (see module doc)."""
    stats = CallStats()
    grounds = request.grounds
    if grounds.compress_from and len(words(grounds.compress_from)) <= request.words:
        grounds = dataclasses.replace(grounds, compress_from=None)  # already short enough
    vocabulary = grounds.vocabulary()
    mended = ""
    for attempt in range(MAX_ATTEMPTS):
        messages = request.build(request.words, attempt > 0)
        room = backend.n_ctx - backend.prompt_tokens(messages)
        limit = max(1, min(request.max_tokens, tokens_for_words(request.words), room))
        completion = backend.complete(messages, for_attempt(sampling, limit, attempt))
        stats.calls += 1
        stats.cached_calls += completion.cached
        stats.prompt_tokens += completion.prompt_tokens
        stats.completion_tokens += completion.completion_tokens
        text = strip_artifacts(completion.text)
        if completion.finish_reason == "length":
            text = trim_to_sentence(text)
        verdict = check(text, grounds, min_words=request.min_words, vocabulary=vocabulary)
        if verdict.ok:
            return SummaryAnswer(
                truncate_to_tokens(backend, text, request.max_tokens), Outcome.model, stats
            )
        kept = _mendable(verdict)
        if len(words(kept)) > len(words(mended)):
            mended = kept
        if attempt + 1 < MAX_ATTEMPTS:
            stats.retries += 1
    if len(words(mended)) >= max(request.min_words, MEND_MIN_SHARE * request.words):
        stats.mended += 1
        mended = truncate_to_tokens(backend, mended, request.max_tokens)
        return SummaryAnswer(mended, Outcome.mended, stats)
    stats.fallbacks += 1
    fallback = truncate_to_tokens(backend, request.fallback(), request.max_tokens)
    return SummaryAnswer(fallback, Outcome.extractive, stats)
