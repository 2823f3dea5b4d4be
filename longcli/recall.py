"""Lexical recall: BM25 ranking of passages for a query. Pure, no model, no network."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves remind tell know said say please""".split()
)
K1 = 1.5
B = 0.75


def terms(text: str) -> list[str]:
    """Lower-cased content words, with a light plural/possessive fold ('dogs' -> 'dog')."""
    out = []
    for word in _WORD.findall(text.lower()):
        if word in STOPWORDS or len(word) < 2:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return out


class BM25:
    """Okapi BM25 with an inverted index; passages can be added later, cheaply."""

    def __init__(self, passages: Sequence[str] = ()) -> None:
        self._postings: dict[str, list[tuple[int, int]]] = {}
        self._lengths: list[int] = []
        self._total_length = 0
        for passage in passages:
            self.add(passage)

    def __len__(self) -> int:
        return len(self._lengths)

    def add(self, passage: str) -> int:
        """Index one more passage; returns its index."""
        index = len(self._lengths)
        counts = Counter(terms(passage))
        for term, tf in counts.items():
            self._postings.setdefault(term, []).append((index, tf))
        length = sum(counts.values())
        self._lengths.append(length)
        self._total_length += length
        return index

    def scores(self, query: str) -> dict[int, float]:
        """Score of every passage that shares a term with the query."""
        n = len(self._lengths)
        if not n:
            return {}
        avg = self._total_length / n or 1.0
        result: dict[int, float] = {}
        for term in set(terms(query)):
            postings = self._postings.get(term)
            if not postings:
                continue
            idf = math.log(1 + (n - len(postings) + 0.5) / (len(postings) + 0.5))
            for doc, tf in postings:
                norm = K1 * (1 - B + B * self._lengths[doc] / avg)
                result[doc] = result.get(doc, 0.0) + idf * tf * (K1 + 1) / (tf + norm)
        return result

    def top(self, query: str, k: int, min_score: float = 0.0) -> list[tuple[int, float]]:
        """Indices of the k best passages with a score above min_score, best first."""
        ranked = sorted(self.scores(query).items(), key=lambda p: (-p[1], p[0]))
        return [(i, s) for i, s in ranked[:k] if s > min_score]
