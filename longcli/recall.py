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
    """Okapi BM25 over a fixed list of passages."""

    def __init__(self, passages: Sequence[str]) -> None:
        self._docs = [Counter(terms(p)) for p in passages]
        self._lengths = [sum(d.values()) for d in self._docs]
        self._avg = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        df: Counter[str] = Counter()
        for doc in self._docs:
            df.update(doc.keys())
        n = len(self._docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: str) -> list[float]:
        wanted = set(terms(query))
        result = []
        for doc, length in zip(self._docs, self._lengths, strict=True):
            score = 0.0
            norm = K1 * (1 - B + B * length / self._avg) if self._avg else K1
            for term in wanted:
                tf = doc.get(term, 0)
                if tf:
                    score += self._idf[term] * tf * (K1 + 1) / (tf + norm)
            result.append(score)
        return result

    def top(self, query: str, k: int, min_score: float = 0.0) -> list[tuple[int, float]]:
        """Indices of the k best passages with a score above min_score, best first."""
        ranked = sorted(enumerate(self.scores(query)), key=lambda p: (-p[1], p[0]))
        return [(i, s) for i, s in ranked[:k] if s > min_score]
