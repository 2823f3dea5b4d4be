"""Model-free extractive summarization: score sentences, keep the key ones in source order.

A sentence scores high when it shares weighted words with the rest of its text
(centrality over TF-IDF vectors, computed against their sum, so in linear time), names
people or places, and is narration rather than dialogue or a fragment. Selection is
greedy on that score with a penalty for repeating what is already kept (maximal marginal
relevance), within a budget, and the kept sentences are returned in source order.

No library is used: the ones that do this (sumy, pytextrank) need tokenizer data or
spaCy models downloaded at run time, and longcli must work offline.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from longcli.grounding.check import mentions
from longcli.text.terms import terms

NAME_BONUS = 0.15  # per distinct name, up to MAX_NAMES
MAX_NAMES = 3
DIALOGUE_PENALTY = 0.5  # a sentence entirely in quotes keeps this share of its score
SHORT_SENTENCE_WORDS = 6
SHORT_PENALTY = 0.5
REDUNDANCY = 0.3  # weight of the similarity to what is already kept (MMR)
FOCUS_WEIGHT = 1.0  # a sentence matching --instructions word for word scores up to double
MARKUP_PENALTY = 0.1  # code, tables and headings keep this share: prose says what happens
_MARKUP = re.compile(r"```|^\s*(?:#{1,6} |\|)|\|.*\||^\s*[$>] ", re.MULTILINE)

_QUOTED = re.compile(r"[\"“][^\"”]*[\"”]")


@dataclass(frozen=True)
class Scored:
    index: int
    score: float
    vector: dict[str, float]


def _vectors(sentences: Sequence[str]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors, IDF taken over these sentences."""
    bags = [Counter(terms(s)) for s in sentences]
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(sentences)
    vectors = []
    for bag in bags:
        weights = {
            t: (1 + math.log(tf)) * (math.log((n + 1) / (df[t] + 1)) + 1) for t, tf in bag.items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({t: w / norm for t, w in weights.items()})
    return vectors


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def _quoted_share(sentence: str) -> float:
    quoted = sum(len(m.group(0)) for m in _QUOTED.finditer(sentence))
    return quoted / max(len(sentence), 1)


def _is_markup(sentence: str) -> bool:
    """Code, a table row or a heading rather than prose (a Markdown file's ``` blocks,
    | cells |, # titles, $ commands), or mostly not words."""
    if _MARKUP.search(sentence):
        return True
    tokens = sentence.split()
    wordy = sum(1 for t in tokens if t.strip(".,;:!?\"'()").isalpha())
    return len(tokens) >= 4 and wordy < 0.5 * len(tokens)


def score_sentences(sentences: Sequence[str], focus: str | None = None) -> list[Scored]:
    """Each sentence's importance in its text (higher is more central), with its vector.

    `focus` (the user's --instructions) raises sentences that share its words.
    """
    vectors = _vectors([*sentences, focus] if focus else sentences)
    focus_vector = vectors.pop() if focus else {}
    total: dict[str, float] = {}
    for vector in vectors:
        for t, w in vector.items():
            total[t] = total.get(t, 0.0) + w
    others = max(len(sentences) - 1, 1)
    scored = []
    for i, (sentence, vector) in enumerate(zip(sentences, vectors, strict=True)):
        centrality = max(0.0, _dot(vector, total) - _dot(vector, vector)) / others
        names = len(set(m for m in mentions(sentence) if not m[0].isdigit()))
        score = centrality * (1 + NAME_BONUS * min(names, MAX_NAMES))
        score *= 1 - (1 - DIALOGUE_PENALTY) * _quoted_share(sentence)
        if len(sentence.split()) < SHORT_SENTENCE_WORDS:
            score *= SHORT_PENALTY
        if _is_markup(sentence):
            score *= MARKUP_PENALTY
        if focus_vector:
            score *= 1 + FOCUS_WEIGHT * _dot(vector, focus_vector)
        scored.append(Scored(i, score, vector))
    return scored


def select(
    sentences: Sequence[str],
    budget: int,
    cost: Callable[[str], int],
    scored: Sequence[Scored] | None = None,
) -> list[int]:
    """Indices of the key sentences whose total `cost` fits `budget`, in source order."""
    if not sentences or budget <= 0:
        return []
    scored = list(scored) if scored is not None else score_sentences(sentences)
    top = max((s.score for s in scored), default=0.0) or 1.0
    costs = [cost(s) for s in sentences]
    chosen: list[int] = []
    chosen_vectors: list[dict[str, float]] = []
    remaining = budget
    pool = {s.index: s for s in scored}
    while pool:
        best, best_value = None, -math.inf
        for index, candidate in pool.items():
            if costs[index] > remaining:
                continue
            similar = max((_dot(candidate.vector, v) for v in chosen_vectors), default=0.0)
            value = candidate.score / top - REDUNDANCY * similar
            if value > best_value:
                best, best_value = index, value
        if best is None:
            break
        chosen.append(best)
        chosen_vectors.append(pool.pop(best).vector)
        remaining -= costs[best]
    return sorted(chosen)


def word_count(text: str) -> int:
    return len(text.split())
