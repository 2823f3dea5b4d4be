"""Align: the source sentences that hold a sentence's words, found once per source.

The support check's first step (support.py has the second, the slots compared). A
source's sentences are indexed by their content words (text/terms.py, so every script;
weighted by rarity in the source, number words read as digits); a sentence is aligned to
the source sentences that hold most of its weight, greedily, up to EVIDENCE_SENTENCES,
each adding words the others lack, all within EVIDENCE_WINDOW sentences of the first
when a window is asked for (one place of the source). Names are looked for in the
neighbourhood of what is found (NEIGHBOURS sentences either side).
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from longcli.grounding.claims import FUZZY_MIN_LETTERS, FUZZY_RATIO
from longcli.grounding.slots import as_digits
from longcli.text import language
from longcli.text.names import mentions, normal_token
from longcli.text.sentences import split_sentences
from longcli.text.terms import terms
from longcli.text.vocabulary import words

# A word written in lower case (its first letter), for telling a title from a name
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z\u00df-\u00ff][\w'’-]*")
EVIDENCE_SENTENCES = 3  # source sentences one written sentence may draw on
MIN_GAIN = 0.1  # share of the sentence's weight a further evidence sentence must add
NEIGHBOURS = 2  # sentences either side of the evidence where its names may stand
# Sentences either side of the first evidence sentence the rest of it may stand: measured
# on bench/contradictions.py (tune half, setting 0.6), evidence from one place refuses 74.8%
# of the perturbations of supported sentences against 67.2% stitched from anywhere, at 1.1
# points of the references' support (16.7% against 17.8%).
EVIDENCE_WINDOW = 3
WINDOW_STARTS = 10  # best-scoring sentences tried as where the evidence stands
CANDIDATES = 200  # source sentences scored in full for one sentence (by a first rough pass)


class Aligned:
    """A source's sentences, indexed for aligning sentences to them."""

    def __init__(self, text: str, lang: str | None = None) -> None:
        self.text = text
        self.language = lang or language.detect(text[:20_000])
        self.sentences = split_sentences(text)
        # number words as digits on both sides: "zwölf" is found for "12"
        self._terms = [set(terms(as_digits(s.text, self.language), self.language))
                       for s in self.sentences]  # fmt: skip
        self._words = [set(words(s.text)) for s in self.sentences]
        self._where: dict[str, list[int]] = defaultdict(list)
        df: Counter[str] = Counter()
        for i, bag in enumerate(self._terms):
            df.update(bag)
            for term in bag:
                self._where[term].append(i)
        n = len(self.sentences)
        self._weight = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        self._absent = math.log((n + 1) / 0.5)  # a word the source never uses weighs most
        self._vocabulary: list[str] | None = None  # for misspelt words, made when needed
        self._all_words: set[str] = set().union(*self._words) if self._words else set()
        self._pairs: set[tuple[str, str]] | None = None  # words side by side, when needed
        self._holding_word: dict[str, list[int]] | None = None  # word -> sentences, when needed
        # names the source writes capitalised inside a sentence: a name for sure
        capitalised = Counter(
            normal_token(m) for s in self.sentences for m in mentions(s.text) if m[:1].isalpha()
        )
        self._mentioned = set(capitalised)
        # A word the source writes in lower case more often than capitalised inside a
        # sentence is a common word that takes a capital before a name or as a place
        # ("Admiral Gorman", "Lieutenant Ivy", "back to Earth" where the story says "the
        # earth"): not a name of its own to look for beside the evidence.
        lower = Counter(w for w in _LOWER_WORD.findall(text))
        self._common = {w for w, n in capitalised.items() if lower[w] >= n}
        self._lower = set(lower)

    def weight(self, term: str) -> float:
        return self._weight.get(term, self._absent)

    def _spelled(self, term: str) -> str:
        """A word the source lacks, as the source spells it when one of its words is one
        or two letters off (a summary misspelling a name); else itself."""
        if term in self._weight or len(term) < FUZZY_MIN_LETTERS:
            return term
        if self._vocabulary is None:
            self._vocabulary = [t for t in self._weight if len(t) >= FUZZY_MIN_LETTERS]
        found = process.extractOne(
            term, self._vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_RATIO
        )
        return term if found is None else str(found[0])

    def align(
        self, sentence: str, within: set[int] | None = None, window: int | None = None
    ) -> tuple[float, list[int]]:
        """The evidence sentences for `sentence` (indices, best first; only among `within`
        when given, and within `window` sentences of the first when given) and the
        weighted share of its content words they hold."""
        return self.alignments(sentence, within, (window,))[0]

    def alignments(
        self, sentence: str, within: set[int] | None, windows: Sequence[int | None]
    ) -> list[tuple[float, list[int]]]:
        """`align` for each of `windows`, the sentence's words and the source sentences
        holding them found once for all."""
        wanted = self._wanted(sentence)
        # Sums of weights with fsum, ties by position: a verdict never depends on the
        # order a set is walked in (Python's string hashing differs from run to run).
        total = math.fsum(self.weight(t) for t in wanted)
        if not wanted or total == 0:
            return [(0.0, []) for _ in windows]
        candidates = self._rough(wanted, within, CANDIDATES)
        return [self._best(wanted, total, candidates, window, within) for window in windows]

    def places(self, text: str, count: int) -> list[int]:
        """The `count` source sentences holding the most weight of `text`'s words, best
        first (a first rough pass: where the text may be said)."""
        return self._rough(self._wanted(text), None, count)

    def _wanted(self, sentence: str) -> set[str]:
        return {self._spelled(t) for t in terms(as_digits(sentence, self.language), self.language)}

    def _rough(self, wanted: set[str], within: set[int] | None, count: int) -> list[int]:
        """The `count` sentences (among `within`) holding most weight of `wanted`."""
        rough: Counter[int] = Counter()
        for term in sorted(wanted):
            for i in self._where.get(term, ()):
                if within is None or i in within:
                    rough[i] += self.weight(term)  # type: ignore[assignment]
        best_first = heapq.nsmallest(count, rough.items(), key=lambda kv: (-kv[1], kv[0]))
        return [i for i, _ in best_first]

    def _best(
        self,
        wanted: set[str],
        total: float,
        candidates: list[int],
        window: int | None,
        within: set[int] | None,
    ) -> tuple[float, list[int]]:
        """The evidence covering most of `wanted`, grown from each of the best candidates."""
        best: tuple[float, list[int]] = (0.0, [])
        # With a window, evidence comes from one place: each of the best-scoring sentences
        # opens one, the rest of the evidence is drawn from within it, the one covering most
        # wins.
        for first in candidates[:WINDOW_STARTS]:
            # Within a window every sentence holding one of its words may join, not only
            # the CANDIDATES best overall: a "Frank asked" beside the line is found.
            near = candidates if window is None else self._holding(wanted, first, window, within)
            found = self._greedy(wanted, total, [first], near)
            if found[0] > best[0]:
                best = found
        return best

    def _holding(
        self, wanted: set[str], first: int, window: int, within: set[int] | None
    ) -> list[int]:
        """The sentences within `window` of `first` holding one of the `wanted` words
        (and among `within` when given)."""
        span = range(max(0, first - window), min(len(self.sentences), first + window + 1))
        return [i for i in span if self._terms[i] & wanted and (within is None or i in within)]

    def _greedy(
        self, wanted: set[str], total: float, chosen: list[int], candidates: list[int]
    ) -> tuple[float, list[int]]:
        """`chosen` grown greedily from `candidates`, each adding the most weight of the
        sentence's words the others lack; its coverage and the evidence, best first."""
        covered = wanted & set().union(*(self._terms[i] for i in chosen))
        while len(chosen) < EVIDENCE_SENTENCES:
            best, gain = -1, 0.0
            fewest = 0
            for i in candidates:
                if i in chosen:
                    continue
                g = math.fsum(self.weight(t) for t in (wanted & self._terms[i]) - covered)
                extra = len(self._terms[i] - wanted)  # of two equal, the one saying less else
                if g > gain or (g == gain and g > 0 and extra < fewest):
                    best, gain, fewest = i, g, extra
            if best < 0 or gain < MIN_GAIN * total:
                break
            chosen.append(best)
            covered |= wanted & self._terms[best]
        return math.fsum(self.weight(t) for t in covered) / total, chosen

    def _neighbourhood(self, chosen: Sequence[int]) -> list[int]:
        near: set[int] = set()
        for i in chosen:
            near.update(range(max(0, i - NEIGHBOURS), min(len(self.sentences), i + NEIGHBOURS + 1)))
        return sorted(near)

    def _tokens(self, i: int) -> list[str]:
        return words(self.sentences[i].text)

    def _near_words(self, chosen: Sequence[int]) -> set[str]:
        near = self._neighbourhood(chosen)
        return set().union(*(self._words[i] for i in near)) if near else set()

    def _name_missing(self, name: str, near_words: set[str]) -> bool:
        """Whether a name (one or more words) is not among `near_words`; a name spelled
        one letter off counts as found (people misspell names they read)."""
        for word in words(normal_token(name)):
            # a people named in the plural ("the Jaqs", "the Aga Kagans") the source may
            # name in the singular ("a Jaq")
            if word in near_words or (word.endswith("s") and word[:-1] in near_words):
                continue
            if len(word) < FUZZY_MIN_LETTERS or not any(
                abs(len(w) - len(word)) <= 2 and fuzz.ratio(word, w) >= FUZZY_RATIO
                for w in near_words
            ):
                return True
        return False

    def _mentioning(self, name: str) -> list[int]:
        token = words(normal_token(name))
        if not token:
            return []
        return [i for i, bag in enumerate(self._words) if token[0] in bag]

    def _sentences_holding(self, word: str) -> list[int]:
        if self._holding_word is None:
            self._holding_word = defaultdict(list)
            for i, bag in enumerate(self._words):
                for w in bag:
                    self._holding_word[w].append(i)
        return self._holding_word.get(word, [])
