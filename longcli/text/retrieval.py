"""The passages of a text that answer a question or treat a topic: BM25 over sentences.

`-i/--instructions` may be a question ("what happens to Ahab at the end?"), a topic ("the
budget") or a directive ("use a formal tone"). Its content words, less the words that only
ask ("describe", "happens", "story"), are the query; each sentence of a text is scored by
BM25 (the `bm25s` library) over the same stemmed content words (text/terms.py, stemmed by
text/vocabulary.py), and a sentence beside a match shares some of its score, because the
answer is often the sentence after the one that names the question's subject.

Lexical only: a question in other words than its answer ("who won?" against "Ahab was
defeated") finds nothing here; that is what an embedding model would add.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from longcli.text.terms import terms
from longcli.text.vocabulary import stem

NEIGHBOUR_SHARE = 0.5  # a sentence next to a match gets this share of its relevance
K1 = 1.2  # BM25's term-frequency saturation: a sentence is short, so a word said twice
B = 0.75  # ... counts little more than once; length normalisation as usual
# Relevance is (score / best score) to this power: the sentence that holds the question's
# rare words (the Pequod) well above the many that hold its common ones (Captain Ahab)
RELEVANCE_POWER = 2.0
# Words that ask rather than name what is asked about: matching them finds sentences that
# say "happened" or "story", not the answer. Stems, as queries are stemmed.
_ASKING = frozenset(
    stem(w)
    for w in """describe description explain explanation tell happen happens happened
    happening story text book document article passage chapter summary summarize summarise
    focus mention mentions list throughout whole overall main mainly detail details
    briefly please answer question questions role kind sort type way ways""".split()
)
# How a question starts in English; any language's question ends with a question mark.
_QUESTION_START = re.compile(
    r"^\s*(?:who|whom|whose|what|when|where|why|how|which|is|are|was|were|do|does|did|"
    r"can|could|should|would|will|has|have|had|describe|explain|tell me|list)\b",
    re.IGNORECASE,
)
_QUESTION_ENDS = ("?", "？")
_QUESTION_OPENS = ("¿",)  # Spanish opens a question too


@dataclass(frozen=True)
class Query:
    """What -i asks for: its text, the stemmed words a passage must have, and whether it
    is a question (which must be answered, or said to be unanswerable)."""

    text: str
    terms: tuple[str, ...]
    question: bool


def query(instructions: str) -> Query:
    """The query of --instructions."""
    text = instructions.strip()
    words = tuple(dict.fromkeys(w for w in _stems(text) if w not in _ASKING))
    question = text.endswith(_QUESTION_ENDS) or text.startswith(_QUESTION_OPENS)
    question = question or _QUESTION_START.match(text) is not None
    return Query(text, words, question)


def _stems(text: str) -> list[str]:
    """The stemmed content words of a text (CJK character pairs as they are)."""
    return [stem(t) for t in terms(text)]


def scores(q: Query, sentences: Sequence[str]) -> list[float]:
    """Each sentence's BM25 score for the query (0: no word of it)."""
    if not q.terms or not sentences:
        return [0.0] * len(sentences)
    import bm25s  # 0.15 s: only when a run has -i

    tokens = [_stems(s) for s in sentences]
    if not any(tokens):
        return [0.0] * len(sentences)
    index = bm25s.BM25(k1=K1, b=B)
    index.index(tokens, show_progress=False)
    return [float(x) for x in index.get_scores(list(q.terms))]


def relevance(q: Query, sentences: Sequence[str]) -> list[float]:
    """Each sentence's relevance to the query, 0 to 1 (see `spread_relevance`)."""
    return spread_relevance(scores(q, sentences))


def spread_relevance(raw: Sequence[float]) -> list[float]:
    """Relevance from BM25 `scores`: each sentence's own score's share of the best (to
    RELEVANCE_POWER), or NEIGHBOUR_SHARE of a neighbour's when that is higher."""
    top = max(raw, default=0.0)
    if top <= 0:
        return [0.0] * len(raw)
    own = [(x / top) ** RELEVANCE_POWER for x in raw]
    spread = list(own)
    for i, x in enumerate(own):
        for j in (i - 1, i + 1):
            if 0 <= j < len(own):
                spread[j] = max(spread[j], NEIGHBOUR_SHARE * x)
    return spread


@dataclass(frozen=True)
class Hit:
    """A sentence that matches a query, by index, with its BM25 score."""

    index: int
    score: float


def ranked(q: Query, sentences: Sequence[str], limit: int | None = None) -> list[Hit]:
    """The sentences that share a word with the query, best first (ties in text order)."""
    return hits(scores(q, sentences), limit)


def hits(raw: Sequence[float], limit: int | None = None) -> list[Hit]:
    """The sentences with a BM25 score (`scores`) above 0, best first (ties in order)."""
    found = [Hit(i, s) for i, s in enumerate(raw) if s > 0]
    found.sort(key=lambda h: (-h.score, h.index))
    return found[:limit] if limit is not None else found


def answers(q: Query, sentences: Sequence[str]) -> bool:
    """Whether any sentence holds a word of the query: a question none matches has no
    answer a lexical search can find in this text."""
    wanted = set(q.terms)
    return bool(wanted) and any(wanted.intersection(_stems(s)) for s in sentences)
