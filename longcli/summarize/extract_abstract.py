"""extract-abstract's final summary: the model retells the key passages, part by part.

The extractive tree chooses the key passages (E2A_SOURCE_SHARE x --words); they are cut
into parts at chapters and headings (or about PASSAGE_WORDS), the model writes each part
from its passages alone, in its share of the words, and every written sentence is checked
against them (grounding.check_written). A part whose answer keeps too little is its
passages as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from longcli.grounding.ask import CallStats, Outcome, for_attempt, tokens_for_words
from longcli.grounding.check import Grounds, check_written, restored_sentences
from longcli.grounding.cite import Origins, trace
from longcli.grounding.cleanup import strip_artifacts, trim_to_sentence
from longcli.prompts.summary import write_prompt
from longcli.summarize.budget import E2A_SOURCE_SHARE, PASSAGE_WORDS, Stage
from longcli.summarize.context import RunContext
from longcli.summarize.extract import extracted, picked_within, styled
from longcli.summarize.parallel import pool_for
from longcli.summarize.pool import LEAD_GROUP, Node, Pool
from longcli.summarize.progress import Steps
from longcli.text.keysentences import score_sentences
from longcli.text.vocabulary import word_count

MIN_PART_WORDS = 15  # the least a part is asked to be written in
MAX_WRITE_ATTEMPTS = 2  # the answer, then one stricter retry
KEEP_WRITTEN_SHARE = 0.5  # a part's checked sentences must keep this share of its words


@dataclass(frozen=True)
class WrittenPart:
    """One part of the summary: its sentences, their source spans, how they were made."""

    sentences: list[str]
    origins: Origins
    outcome: Outcome


def written(ctx: RunContext, pool: Pool) -> Node:
    """The final summary written by the model from the key passages of `pool` only, the
    parts joined in order (see the module's doc)."""
    words = ctx.opts.words
    picked = picked_within(ctx, pool, int(words * E2A_SOURCE_SHARE), final=True)
    parts = passage_parts(pool, picked)
    if not parts:
        return extracted(ctx, pool, words, final=True)
    source_words = sum(word_count(pool.sentences[i]) for part in parts for i in part)
    calls = len(parts)
    ctx.progress.report(Stage.write, 0, calls)
    steps = Steps(lambda done: ctx.progress.report(Stage.write, done, calls))
    with pool_for(ctx.parallel) as workers:
        futures = [
            workers.submit(partial(write_part, ctx, pool, part, source_words, steps))
            for part in parts
        ]
        results = [f.result() for f in futures]
    sentences: list[str] = []
    origins: Origins = []
    groups: list[int] = []
    sections: list[str] = []
    for g, result in enumerate(results):
        first = parts[g][0]
        section = pool.sections[first] if pool.sections else ""
        n = len(result.sentences)
        sentences += result.sentences
        origins += result.origins
        groups += [LEAD_GROUP if pool.groups[first] == LEAD_GROUP else g] * n
        sections += [section] * n
    text = styled(sentences, groups, origins, ctx.opts.style, sections, pool.headings)
    outcome = _joined_outcome({r.outcome for r in results})
    return Node(text, ctx.backend.count_tokens(text), origins, outcome)


def _joined_outcome(outcomes: set[Outcome]) -> Outcome:
    """The parts' outcome: all model, all extractive, else mended."""
    if outcomes == {Outcome.extractive}:
        return Outcome.extractive
    return Outcome.model if outcomes == {Outcome.model} else Outcome.mended


def write_part(
    ctx: RunContext, pool: Pool, part: list[int], source_words: int, steps: Steps
) -> WrittenPart:
    """One part, written in its share of --words and checked; its passages if too little
    of what the model wrote passes."""
    passages = [pool.sentences[i] for i in part]
    spans = [pool.origins[i] for i in part]
    share = sum(word_count(p) for p in passages) / max(source_words, 1)
    target = max(MIN_PART_WORDS, round(ctx.opts.words * share))
    sections = [pool.sections[i] for i in part] if pool.sections else []
    grounds = Grounds([*passages, ctx.opts.instructions or ""],
                      language=ctx.templates.target(), summary=True)  # fmt: skip
    best: list[str] = []
    whole = False  # the best answer passed with every sentence
    for attempt in range(MAX_WRITE_ATTEMPTS):
        messages = write_prompt(ctx.templates, passages, sections, target,
                                ctx.opts.instructions, stricter=attempt > 0)  # fmt: skip
        room = ctx.backend.n_ctx - ctx.backend.prompt_tokens(messages)
        limit = max(1, min(tokens_for_words(target), room))
        completion = ctx.backend.complete(messages, for_attempt(ctx.opts.sampling, limit, attempt))
        stats = CallStats(1, int(completion.cached), int(attempt > 0))
        stats.prompt_tokens = completion.prompt_tokens
        stats.completion_tokens = completion.completion_tokens
        ctx.tally.count(stats)
        text = strip_artifacts(completion.text)
        if completion.finish_reason == "length":
            text = trim_to_sentence(text)
        verdict = check_written(text, passages, grounds)
        kept = restored_sentences(verdict)  # a copy cut where it matters: whole again
        refused = len(verdict.sentences) - len(kept)
        with ctx.tally.counting() as s:
            s.refused += refused
        if word_count(" ".join(kept)) > word_count(" ".join(best)):
            best, whole = kept, refused == 0
        if word_count(" ".join(best)) >= KEEP_WRITTEN_SHARE * target:
            break
    passage_tokens = ctx.backend.count_tokens(" ".join(passages))
    with ctx.tally.counting() as s:
        s.passage_tokens += passage_tokens
    steps.step()
    if word_count(" ".join(best)) >= KEEP_WRITTEN_SHARE * target:
        with ctx.tally.counting() as s:
            s.written += len(best)
        outcome = Outcome.model if whole else Outcome.mended
        return WrittenPart(best, trace(" ".join(best), passages, spans), outcome)
    with ctx.tally.counting() as s:
        s.fallbacks += 1
    chosen = within_words(passages, target)
    return WrittenPart([passages[k] for k in chosen], [spans[k] for k in chosen],
                       Outcome.extractive)  # fmt: skip


def within_words(passages: list[str], words: int) -> list[int]:
    """The most important of `passages` within `words` (at least one), in their order."""
    kept: list[int] = []
    used = 0
    for scored in sorted(score_sentences(passages), key=lambda s: -s.score):
        n = word_count(passages[scored.index])
        if not kept or used + n <= words:
            kept.append(scored.index)
            used += n
    return sorted(kept)


def passage_parts(pool: Pool, picked: list[int]) -> list[list[int]]:
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
