"""Folding the oldest exchanges into the running summary, and keeping the user's facts in it.

A fold is the model's (checked like every summary, in as many calls as the context needs)
or extractive (the key sentences of the old summary and the folded turns, no model).
Either way the facts with a name or a number that the summary lost are put back: the
newest quoted in the user's words, the rest named by their subject.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from longcli.backends.base import SLACK_TOKENS, Backend
from longcli.calls import Message, Sampling
from longcli.chat.budget import ChatBudget
from longcli.chat.exchange import Exchange
from longcli.chat.facts import Fact, Ledger, holds, names, subject_phrase
from longcli.chat.prompt import (
    FOLDED_REPLY_LEAD,
    FOLDED_USER_LEAD,
    QUOTE_LEAD,
    SUBJECTS_LEAD,
    without_labels,
)
from longcli.config import Fold
from longcli.grounding.ask import (
    TOKENS_PER_WORD,
    CallStats,
    SummaryRequest,
    ask_for_summary,
    truncate_to_tokens,
)
from longcli.grounding.check import Grounds
from longcli.prompts.templates import Templates
from longcli.text.keysentences import Scored, score_sentences, select
from longcli.text.names import mentions as names_and_numbers
from longcli.text.sentences import split_sentences
from longcli.text.terms import terms
from longcli.text.vocabulary import word_count

KEPT_FACTS_SHARE = 0.35  # of the summary cap, at most this goes to facts a fold must keep
SUBJECTS_SHARE = 0.4  # of the summary cap, at most this names the facts it cannot quote
ALIKE = 0.6  # word overlap (Jaccard) from which two sentences count as saying the same


@dataclass
class Folder:
    """Folds exchanges into a summary, the way the options say, within the summary cap."""

    backend: Backend
    templates: Templates
    budget: ChatBudget
    how: Fold  # model or extractive; "auto" is resolved before
    sampling: Sampling
    calls: CallStats  # the model's fold calls, added up

    def fold(self, summary: str, exchanges: list[Exchange], ledger: Ledger) -> str:
        """The summary updated with `exchanges`, and the facts stated in them kept."""
        cap = self.budget.summary_cap
        if self.how == Fold.extractive:
            dropped = _dropped(ledger)
            folded = extractive_fold(summary, exchanges, cap, self._sentence_tokens, dropped)
        else:
            folded = self._model_fold(summary, exchanges, ledger)
        # The prompt's role and turn labels are its layout, never a summary's words (a
        # model fold echoes them; an older session's summary holds "Assistant: ...").
        folded = without_labels(folded)
        if self.budget.facts_tokens <= 0:  # the ledger is off
            return folded
        for fact in ledger.facts:
            if not fact.active:  # replaced or forgotten: an earlier fold's quote goes
                folded = unquote(folded, fact)
        facts = _stated_before(ledger, exchanges[-1].n + 1)
        return keep_facts(folded, facts, cap, self._sentence_tokens)

    def _sentence_tokens(self, sentence: str) -> int:
        return self.backend.count_tokens(sentence) + 1  # and the space that joins it

    def _messages(
        self, summary: str, turns: str, words: int, stricter: bool = False
    ) -> list[Message]:
        content = self.templates.fill(
            "fold", summary=summary or "(empty)", turns=turns, words=words
        )
        if stricter:
            content = self.templates.prompts["stricter"].strip() + "\n\n" + content
        system = self.templates.prompts.get("system", "")
        return ([Message("system", system)] if system else []) + [Message("user", content)]

    def _model_fold(self, summary: str, exchanges: list[Exchange], ledger: Ledger) -> str:
        """The model's update of the summary, in as many calls as the context needs."""
        cap = self.budget.summary_cap
        words = max(20, int(cap / 1.4 * 0.75))
        overhead = self.backend.prompt_tokens(self._messages("", "", words))
        batch_budget = self.backend.n_ctx - overhead - 2 * cap - SLACK_TOKENS
        batch: list[Exchange] = []
        texts: list[str] = []
        used = 0
        for exchange in exchanges:
            text = truncate_to_tokens(self.backend, exchange.as_text(), batch_budget)
            tokens = self.backend.count_tokens(text) + 2
            if batch and used + tokens > batch_budget:
                summary = self._fold_batch(summary, batch, texts, words, ledger)
                batch, texts, used = [], [], 0
            batch.append(exchange)
            texts.append(text)
            used += tokens
        if batch:
            summary = self._fold_batch(summary, batch, texts, words, ledger)
        return summary

    def _fold_batch(
        self, summary: str, batch: list[Exchange], texts: list[str], words: int, ledger: Ledger
    ) -> str:
        """One fold call on turns that fit the context, checked like every summary; the
        extractive fold stands in for an answer that fails the check twice."""
        cap = self.budget.summary_cap
        joined = "\n\n".join(texts)
        request = SummaryRequest(
            build=lambda w, stricter: self._messages(summary, joined, w, stricter),
            words=words,
            max_tokens=cap,
            grounds=Grounds([summary, joined]),
            fallback=lambda: extractive_fold(
                summary, batch, cap, self._sentence_tokens, _dropped(ledger)
            ),
        )
        answer = ask_for_summary(self.backend, request, self.sampling)
        self.calls.add(answer.stats)
        return answer.text


def _dropped(ledger: Ledger) -> frozenset[str]:
    """Sentences a fold must not keep: facts since replaced, or forgotten."""
    return frozenset(_comparable(f.text) for f in ledger.facts if not f.active)


def _stated_before(ledger: Ledger, turn: int) -> list[Fact]:
    """The active facts with a name or number (what a fold is likeliest to get wrong)
    stated before `turn`, oldest first. The rest are found in the ledger by recall."""
    return [f for f in ledger.active() if f.turn < turn and names_and_numbers(f.text)]


def _cost(sentence: str) -> int:
    return int(word_count(sentence) * TOKENS_PER_WORD) + 1


def extractive_fold(
    summary: str,
    exchanges: list[Exchange],
    cap_tokens: int,
    cost: Callable[[str], int] = _cost,
    dropped: frozenset[str] = frozenset(),
) -> str:
    """A model-free fold: the key sentences of the old summary and the folded turns, each
    led by who said it (in prose, not the prompt's role labels); the assistant's count for
    less than the user's. Of sentences that say nearly the same, only the newest is a
    candidate, and sentences in `dropped` (facts the user corrected or asked to forget) are
    not."""
    summary = without_labels(summary)
    pool = [(s.text, 1.0) for s in split_sentences(summary) if _bare(s.text) not in dropped]
    for e in exchanges:
        for lead, text, weight in (
            (FOLDED_USER_LEAD, e.user, 1.0),
            (FOLDED_REPLY_LEAD, e.for_model, 0.5),
        ):
            for sentence in split_sentences(without_labels(text), lowercase_starts=True):
                if _comparable(sentence.text) not in dropped:
                    pool.append((f"{lead}{sentence.text}", weight))
    pool = _newest_of_alike(pool)
    if not pool:
        return ""
    texts = [text for text, _ in pool]
    plain = [_SPEAKER.sub("", text) for text in texts]
    scored = [Scored(s.index, s.score * pool[s.index][1], s.vector) for s in score_sentences(plain)]
    return " ".join(texts[i] for i in select(texts, cap_tokens, cost, scored))


def _newest_of_alike(pool: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """`pool` without sentences that a later one repeats nearly word for word."""
    bags = [set(terms(_SPEAKER.sub("", text))) for text, _ in pool]
    kept: list[int] = []
    for i in range(len(pool) - 1, -1, -1):
        if not bags[i]:
            continue
        if all(len(bags[i] & bags[j]) < ALIKE * len(bags[i] | bags[j]) for j in kept):
            kept.append(i)
    return [pool[i] for i in sorted(kept)]


_SPEAKER = re.compile(
    "^(?:"
    + "|".join(
        re.escape(lead.strip()) for lead in (FOLDED_USER_LEAD, FOLDED_REPLY_LEAD, QUOTE_LEAD)
    )
    + r")\s*"
)


def _comparable(text: str) -> str:
    return " ".join(text.lower().split())


def _bare(sentence: str) -> str:
    """A summary sentence without who said it and its quotes, normalised."""
    return _comparable(_SPEAKER.sub("", sentence).strip('"'))


def fact_sentence(fact: Fact) -> str:
    """A fact as the summary keeps it: the user's words, marked as theirs."""
    return f'{QUOTE_LEAD}"{fact.text}"'


def unquote(summary: str, fact: Fact) -> str:
    """`summary` without the sentence a fold kept `fact` in."""
    return " ".join(summary.replace(fact_sentence(fact), " ").split())


def keep_facts(
    summary: str, facts: list[Fact], cap_tokens: int, cost: Callable[[str], int] = _cost
) -> str:
    """`summary`, made to keep every one of `facts` (oldest first) it neither states nor
    names.

    The newest missing facts are added in the user's words, within KEPT_FACTS_SHARE of the
    cap (less what earlier folds quoted already); the rest are named by their subject on
    one line ("The user also told me about: cat, birthplace."), rebuilt at every fold,
    newest first within SUBJECTS_SHARE. The summary's own sentences give way, by the
    key-sentence ranking, to make room. Every fact stays in the ledger regardless.
    """
    sentences = [s.text for s in split_sentences(summary)]
    pool = [s for s in sentences if not s.startswith(SUBJECTS_LEAD)]
    quoted_before = sum(cost(s) for s in pool if s.startswith(QUOTE_LEAD))
    room = int(cap_tokens * KEPT_FACTS_SHARE) - quoted_before
    forced: set[int] = set()  # facts the body stated until trimming it dropped them
    result = summary
    for _ in range(3):
        body_text = " ".join(pool)
        missing = [
            f
            for f in facts
            if f.id in forced or (not holds(body_text, f) and not names(body_text, f))
        ]
        if not missing and len(pool) == len(sentences):
            return summary
        quoted: list[Fact] = []
        used = 0
        for fact in reversed(missing):
            used += cost(fact_sentence(fact))
            if used > room:
                break
            quoted.insert(0, fact)
        kept = [fact_sentence(f) for f in quoted]
        subjects: list[str] = []
        for fact in reversed(missing[: len(missing) - len(quoted)]):
            phrase = subject_phrase(fact)
            if phrase in subjects:
                continue
            if cost(_subjects_line([phrase, *subjects])) > int(cap_tokens * SUBJECTS_SHARE):
                break
            subjects.insert(0, phrase)
        if subjects:
            kept.append(_subjects_line(subjects))
        left = cap_tokens - sum(map(cost, kept))
        fits = sum(map(cost, pool)) <= left
        body = pool if fits else [pool[i] for i in select(pool, left, cost)]
        result = " ".join([*body, *kept])
        lost = [
            f for f in facts if f not in missing and not holds(result, f) and not names(result, f)
        ]
        if not lost:
            break
        forced.update(f.id for f in lost)
    return result


def _subjects_line(subjects: list[str]) -> str:
    return f"{SUBJECTS_LEAD} {', '.join(subjects)}."
