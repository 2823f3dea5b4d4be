"""Lexical recall: BM25 ranking of passages for a query. Pure, no model, no network."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

from longcli.text.terms import recall_terms

K1 = 1.5
B = 0.75


class BM25:
    """Okapi BM25 with an inverted index; passages can be added later, cheaply."""

    def __init__(
        self, passages: Sequence[str] = (), tokenize: Callable[[str], list[str]] = recall_terms
    ) -> None:
        self._tokenize = tokenize
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
        counts = Counter(self._tokenize(passage))
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
        for term in set(self._tokenize(query)):
            postings = self._postings.get(term)
            if not postings:
                continue
            idf = math.log(1 + (n - len(postings) + 0.5) / (len(postings) + 0.5))
            for doc, tf in postings:
                norm = K1 * (1 - B + B * self._lengths[doc] / avg)
                result[doc] = result.get(doc, 0.0) + idf * tf * (K1 + 1) / (tf + norm)
        return result

    def top(self, query: str, k: int, min_score: float = 0.0) -> list[tuple[int, float]]:
        """Indices of the k best passages with a score above min_score, best first.

        A recency boost was measured (bench/chat_memory.py recall) and did not help: a
        corrected fact is demoted by the fact ledger instead (Chat.SUPERSEDED_WEIGHT).
        """
        scores = self.scores(query)
        ranked = sorted(scores.items(), key=lambda p: (-p[1], p[0]))
        return [(i, s) for i, s in ranked[:k] if s > min_score]
