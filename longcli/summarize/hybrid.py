"""hybrid's final choice: key sentences, each shortened by the model deleting words.

A shortening is kept only if it is the sentence with words deleted and nothing else
changed (grounding.is_shortening), so every word of the summary is a word of the input,
in order. The final choice is then made among the shortened sentences, by the importance
of the sentences as written.
"""

from __future__ import annotations

from functools import partial

from longcli.grounding.ask import CallStats, Outcome, for_attempt, tokens_for_words
from longcli.grounding.check import Grounds, check, is_shortening
from longcli.grounding.cleanup import strip_artifacts
from longcli.prompts.summary import shorten_prompt
from longcli.summarize.budget import POOL_SHARE, Stage
from longcli.summarize.context import RunContext
from longcli.summarize.extract import extracted
from longcli.summarize.parallel import pool_for
from longcli.summarize.pool import Node, Pool
from longcli.summarize.progress import Steps
from longcli.text.keysentences import score_sentences
from longcli.text.vocabulary import word_count

MIN_SHORTEN_WORDS = 8  # shorter sentences are used as they are


def shortened_choice(ctx: RunContext, pool: Pool) -> Node:
    """The final summary: POOL_SHARE x --words of key sentences shortened, then chosen
    within --words."""
    words = ctx.opts.words
    picked = pool.indices(int(words * POOL_SHARE), by_words=True)
    originals = [pool.sentences[i] for i in picked]
    calls = sum(word_count(s) >= MIN_SHORTEN_WORDS for s in originals)  # as shorten asks
    if calls:
        ctx.progress.report(Stage.shorten, 0, calls)
    steps = Steps(lambda done: ctx.progress.report(Stage.shorten, done, calls))
    with pool_for(ctx.parallel) as workers:
        futures = [workers.submit(partial(shorten, ctx, s, steps)) for s in originals]
        shortened = [f.result() for f in futures]
    changed = sum(a != b for a, b in zip(originals, shortened, strict=True))
    with ctx.tally.counting() as stats:
        stats.shortened += changed
    # Chosen by the importance of the sentences as written, at their shortened cost.
    scored = score_sentences(originals, pool.focus)
    origins, groups = [pool.origins[i] for i in picked], [pool.groups[i] for i in picked]
    candidates = Pool(shortened, origins, 1.0, groups, pool.focus, scored)
    outcome = Outcome.model if changed else Outcome.extractive
    return extracted(ctx, candidates, words, True, outcome)


def shorten(ctx: RunContext, sentence: str, steps: Steps | None = None) -> str:
    """The sentence with words deleted by the model, or as it is if that fails; a call
    made is counted in `steps` (progress)."""
    n = word_count(sentence)
    if n < MIN_SHORTEN_WORDS:
        return sentence
    sampling = for_attempt(ctx.opts.sampling, tokens_for_words(n), 0)
    completion = ctx.backend.complete(shorten_prompt(ctx.templates, sentence), sampling)
    ctx.tally.count(
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
