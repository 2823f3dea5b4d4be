"""The passages of a text that answer a question or treat a topic: BM25 over sentences.

`-i/--instructions` may be a question ("what happens to Ahab at the end?"), a topic ("the
budget") or a directive ("use a formal tone"). Its content words, less the words that only
ask ("describe", "happens", "story"), are the query; each sentence of a text is scored by
BM25 (the `bm25s` library) over the same stemmed content words (text/terms.py, stemmed by
text/vocabulary.py), and a sentence beside a match shares some of its score, because the
answer is often the sentence after the one that names the question's subject.

Lexical only: a question in other words than its answer ("who won?" against "Ahab was
defeated") finds nothing here; summarize/pool.py adds an embedding model's cosine where one
is installed. What a query says besides its words is read here too: the names it asks
about, and whether it asks about the ending (the last part of the text answers it, not
the sentences that say "end").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from longcli.text.terms import terms
from longcli.text.vocabulary import stem

NEIGHBOUR_SHARE = 0.5  # a sentence next to a match gets this share of its relevance
K1 = 1.2  # BM25's term-frequency saturation: a sentence is short, so a word said twice
B = 0.75  # ... counts little more than once; length normalisation as usual
# Relevance is (score / best score) to this power: the sentence that holds the question's
# rare words (the Pequod) well above the many that hold its common ones (Captain Ahab)
RELEVANCE_POWER = 2.0
# A question about the ending: a sentence's score is weighed by FLOOR + (1 - FLOOR) x its
# place (0 to 1) to this power, so the last part of the text answers it
ENDING_POWER = 2.0
ENDING_FLOOR = 0.1
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
# Words that ask when (at the end) rather than what: matching "end" finds "at an end" and
# "the end of a fortnight" all through a novel, while the answer stands in its last part.
# Stems, as queries are stemmed; a few languages', since no structure of a question says it.
_ENDING = frozenset(
    stem(w)
    for w in """end ends ending ended finally final eventually ultimately outcome fate
    conclusion conclude concludes fin finalement enfin ende schließlich schluss endlich
    finalmente конец конце концов итоге 最后 最終 最终 結局 结局 最後""".split()
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
    names: frozenset[str] = field(default=frozenset())  # terms the question writes as names
    ending: bool = False  # it asks about the end of the text (how things end up)


def query(instructions: str) -> Query:
    """The query of --instructions."""
    text = instructions.strip()
    stems = _stems(text)
    ending = any(w in _ENDING for w in stems)
    words = tuple(dict.fromkeys(w for w in stems if w not in _ASKING and w not in _ENDING))
    question = text.endswith(_QUESTION_ENDS) or text.startswith(_QUESTION_OPENS)
    question = question or _QUESTION_START.match(text) is not None
    return Query(text, words, question, _names(text) & set(words), ending)


def _names(text: str) -> frozenset[str]:
    """The stems of the words a question capitalises past its first word ("Who is Ivy",
    "How do Elizabeth and Darcy end up?"): names. A question about someone is answered
    where the text names them, which words find; one that names no one ("describe the
    setting") is answered in other words than its own, which meaning finds (pool.py)."""
    found = set[str]()
    for sentence in re.split(r"[.?!;:]\s+", text):
        words = re.findall(r"[^\W\d_][\w'’-]*", sentence)
        found.update(stem(t) for w in words[1:] if w[0].isupper() for t in terms(w))
    return frozenset(found)


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


def toward_end(raw: Sequence[float], positions: Sequence[float]) -> list[float]:
    """A question about the ending: each sentence's score weighed by how late it stands
    (`positions`, 0 to 1); with no word to search for, by its place alone."""
    if not any(raw):
        raw = [1.0] * len(raw)
    weights = [ENDING_FLOOR + (1 - ENDING_FLOOR) * p**ENDING_POWER for p in positions]
    return [x * w for x, w in zip(raw, weights, strict=True)]
