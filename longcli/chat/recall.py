"""Lexical recall: BM25 ranking of passages for a query. Pure, no model, no network."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

from rapidfuzz import fuzz, process

from longcli.text.terms import recall_terms

K1 = 1.5
B = 0.75
NEAR_CUTOFF = 0.8  # a query word this close to an indexed one (a typo) matches it
NEAR_WEIGHT = 0.8  # ... at this share of its score
MIN_NEAR_LETTERS = 5


class BM25:
    """Okapi BM25 with an inverted index; passages can be added later, cheaply."""

    def __init__(
        self, passages: Sequence[str] = (), tokenize: Callable[[str], list[str]] = recall_terms
    ) -> None:
        self._tokenize = tokenize
        self._postings: dict[str, list[tuple[int, int]]] = {}
        # the spelled words ("~concept" ones are not) by owner ("" or "my"): where a typo
        # is looked for, kept as terms arrive instead of rebuilt for every query
        self._spelled: dict[str, list[str]] = {}
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
            if term not in self._postings:
                self._postings[term] = []
                owner, _, word = term.rpartition(":")
                if not word.startswith("~"):
                    self._spelled.setdefault(owner, []).append(term)
            self._postings[term].append((index, tf))
        length = sum(counts.values())
        self._lengths.append(length)
        self._total_length += length
        return index

    def scores(self, query: str, fuzzy: bool = False) -> dict[int, float]:
        """Score of every passage that shares a term with the query; with `fuzzy`, a query
        word found nowhere matches the indexed word nearest in spelling (a typo on either
        side), at NEAR_WEIGHT of the score."""
        n = len(self._lengths)
        if not n:
            return {}
        avg = self._total_length / n or 1.0
        result: dict[int, float] = {}
        for term, weight in self._matched_terms(set(self._tokenize(query)), fuzzy):
            postings = self._postings[term]
            idf = math.log(1 + (n - len(postings) + 0.5) / (len(postings) + 0.5))
            for doc, tf in postings:
                norm = K1 * (1 - B + B * self._lengths[doc] / avg)
                score = weight * idf * tf * (K1 + 1) / (tf + norm)
                result[doc] = result.get(doc, 0.0) + score
        return result

    def _matched_terms(self, query: set[str], fuzzy: bool) -> list[tuple[str, float]]:
        matched = [(t, 1.0) for t in query if t in self._postings]
        if not fuzzy:
            return matched
        for term in query:
            owner, _, word = term.rpartition(":")
            if term in self._postings or word.startswith("~") or len(word) < MIN_NEAR_LETTERS:
                continue
            # rapidfuzz's ratio is difflib's (2 * matching letters / both lengths), in C++:
            # a pure-Python scan of every indexed word cost seconds a turn in a long chat
            best = process.extractOne(
                term,
                self._spelled.get(owner, ()),
                scorer=fuzz.ratio,
                score_cutoff=NEAR_CUTOFF * 100,
            )
            if best is not None and best[0] not in query:
                matched.append((best[0], NEAR_WEIGHT))
        return matched

    def top(
        self, query: str, k: int, min_score: float = 0.0, fuzzy: bool = False
    ) -> list[tuple[int, float]]:
        """Indices of the k best passages with a score above min_score, best first.

        A recency boost was measured (bench/chat_memory.py recall) and did not help: a
        corrected fact is left out by the fact ledger instead (Ledger.superseded_turns).
        """
        scores = self.scores(query, fuzzy)
        ranked = sorted(scores.items(), key=lambda p: (-p[1], p[0]))
        return [(i, s) for i, s in ranked[:k] if s > min_score]
