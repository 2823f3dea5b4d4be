"""Opposites: a sentence that says the reverse of its evidence with another word.

A negation flips what a clause says with "not"; "approved" for "rejected", "won" for
"lost", "daylight" for "the dark" flip it with a word of their own, and share every other
word with the source. This check is a small measured list (English; WordNet's antonyms
need a data download the bundled install cannot make, and a sentence embedding places
"approved" and "rejected" close together): a clause of the sentence holding one word of
a pair where the evidence clause it matches (OPPOSITE_CONTEXT content words in common)
holds the other word and not the sentence's, nor does the evidence sentence the clause
aligns to (a sentence may join two places of the source). On bench/contradictions.py
(tune) it refuses no more human reference sentences than it catches walk cases: see its
docstring.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from longcli.grounding.claims import CLAUSE
from longcli.text import language
from longcli.text.vocabulary import CLAIM_STOPWORDS, prefix_stem, words

OPPOSITE_CONTEXT = 2  # other content words a sentence clause shares with the evidence clause
# Pairs whose words (cut to prefix_stem's five letters) are never the same word's forms.
_PAIRS = (
    ("approve", "reject"), ("accept", "refuse"), ("accept", "decline"), ("win", "lose"),
    ("won", "lost"), ("victory", "defeat"), ("succeed", "fail"), ("success", "failure"),
    ("arrive", "depart"), ("alive", "dead"), ("light", "dark"), ("daylight", "dark"),
    ("day", "night"), ("above", "below"), ("surface", "underground"), ("upper", "lower"),
    ("increase", "decrease"), ("rise", "fall"), ("raise", "lower"), ("love", "hate"),
    ("friend", "enemy"), ("before", "after"), ("first", "last"), ("young", "old"),
    ("rich", "poor"), ("strong", "weak"), ("large", "small"), ("true", "false"),
    ("guilty", "innocent"), ("agree", "disagree"), ("allow", "forbid"), ("remember", "forget"),
    ("open", "shut"), ("inside", "outside"), ("support", "oppose"), ("praise", "criticise"),
    ("praise", "criticize"), ("save", "kill"), ("hot", "cold"), ("happy", "sad"),
)  # fmt: skip


def opposites(normal: Callable[[str], str] = prefix_stem) -> dict[str, frozenset[str]]:
    """Each word of the pairs, as `normal` writes it, and its opposites written so."""
    table: dict[str, set[str]] = {}
    for a, b in _PAIRS:
        table.setdefault(normal(a), set()).add(normal(b))
        table.setdefault(normal(b), set()).add(normal(a))
    return {k: frozenset(v) for k, v in table.items()}


OPPOSITES = opposites()


def _clause_stems(text: str) -> list[set[str]]:
    return [
        {prefix_stem(w) for w in words(c) if w not in CLAIM_STOPWORDS} for c in CLAUSE.split(text)
    ]


def opposite_word(sentence: str, evidence: Sequence[str], lang: str) -> str:
    """A word of the sentence whose opposite the evidence says of the same things: the
    clause of the evidence holding the opposite shares OPPOSITE_CONTEXT other content words
    with the sentence's clause and lacks the sentence's word ("The council approved the
    budget" against "The council rejected the budget"), and the evidence sentence the
    clause aligns to (most of its other words) lacks it too; '' when none."""
    if lang not in ("en", language.UNKNOWN):
        return ""
    theirs = [c for text in evidence for c in _clause_stems(text)]
    places = [set().union(*_clause_stems(text)) for text in evidence]
    for mine in _clause_stems(sentence):
        for word in mine & OPPOSITES.keys():
            others = mine - {word} - OPPOSITES[word]
            # A sentence joining two places ("rejected the budget on the first day but
            # approved it on the last") says each clause of the evidence sentence it
            # aligns to: its word there is no opposite of another sentence's.
            if _said_where_aligned(word, others, places):
                continue
            for clause in theirs:
                flipped = said_instead(word, others, clause, OPPOSITES)
                if flipped:
                    return f"{word}… (the source: {sorted(flipped)[0]}…)"
    return ""


def said_instead(
    word: str, others: set[str], place: set[str], table: dict[str, frozenset[str]]
) -> set[str]:
    """The opposites of `word` (by `table`) that `place` (a clause's or a text's words)
    holds instead of it, when it shares OPPOSITE_CONTEXT of `others` (the words beside
    `word`): it says the reverse of the same things. Empty else."""
    if word in place or len(others & place) < OPPOSITE_CONTEXT:
        return set()
    return place & table[word]


def _said_where_aligned(word: str, others: set[str], places: Sequence[set[str]]) -> bool:
    """Whether an evidence sentence sharing the most of a clause's `others` (of equals,
    any) holds the clause's `word`."""
    shared = [len(others & place) for place in places]
    if not shared or max(shared) < OPPOSITE_CONTEXT:
        return False
    return any(word in place for place, n in zip(places, shared, strict=True) if n == max(shared))
