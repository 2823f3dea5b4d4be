"""Support: does a source say what a sentence says? Alignment, then slots compared; no model.

For any sentence (a summary's, a person's, another tool's, a model's written sentence) and
a source, `SourceIndex.support` decides in two steps:

1. **Align.** The source sentences that hold most of the sentence's content words
   (text/terms.py, so every script; weighted by rarity in the source), greedily, up to
   EVIDENCE_SENTENCES, each adding words the others lack. *Coverage* is the weighted share
   of the sentence's content words found in them, wherever they stand (a summary's
   sentence joins what a story says in several places); below `min_coverage` the
   sentence says something the source does not. The *evidence* the slots are compared
   with comes from one place: within EVIDENCE_WINDOW sentences of its first sentence.
2. **Compare slots** against the evidence and its neighbourhood (NEIGHBOURS sentences either
   side, where a pronoun's name usually is):
   - every name and every number (number words read as numbers by text2num, in the
     languages it knows) stands in the neighbourhood, not only somewhere in the source;
   - a number belongs to the same things: the content words beside it in the sentence
     that the evidence has must stand in the evidence's clause that holds the number
     ("the sperm whale has two spout-holes" against "the Right Whale has two spout-holes,
     the Sperm Whale only one");
   - a quantifier ("both", "all", "only" ...) the sentence uses, the evidence uses of the
     same thing (a word beside it in the sentence stands beside it there too);
   - the claims rules of grounding/claims.py, the same ones a written sentence is held
     to: a negation the evidence lacks (or drops), who did what to whom turned round or
     given to another, names put together that the source keeps apart, a reason the
     source does not give.
   - source-wide, who does a verb to a thing ("led the opposition") and who reports a
     "that" clause: a name given what the source, wherever it says it, has only another
     do; a clause set off by commas after a name ("Varga, who led ...,") is that name's.

What it cannot see: a paraphrase that shares no words with its source ("rejected" for "did
not approve" is refused, not passed), a negation, quantifier or role in another language
than English (numbers and names are compared in every language; the negation, quantifier
and role rules are English words), meaning carried by word order alone beyond the roles
above, and a contradiction of what the source says far from the evidence.
bench/contradictions.py measures what it refuses of perturbed human summaries and what it
passes of the human summaries themselves.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rapidfuzz import fuzz, process

from longcli.grounding.claims import (
    CALENDAR,
    CLAUSE,
    FUZZY_MIN_LETTERS,
    FUZZY_RATIO,
    OBJECT_WINDOW,
    PRONOUNS,
    Passages,
    act_of,
    doer_before,
    names_apart,
    negation_problem,
    other_reporter,
    other_subject,
    same_name,
    subjects,
    swapped_roles,
    turned_round,
    unfolded,
    unsupported_reason,
)
from longcli.text import language
from longcli.text.names import NOT_NAMES, mentions, normal_token
from longcli.text.sentences import split_sentences
from longcli.text.terms import terms
from longcli.text.vocabulary import CLAIM_STOPWORDS, prefix_stem, words

MIN_COVERAGE = 0.6  # weighted share of a sentence's content words its evidence must hold
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
NAME_REALIGN_SHARE = 0.8  # evidence found again near the names must hold this much of it
NUMBER_SLOT = 3
IDENTITY_WINDOW = 5  # words between a name and what the source says it is
# "the whale that has been on the ship ... is Ahab", "Ahab is a grand old captain"
_IS_NAME = re.compile(
    r"^(?i:the|a|an)\s+(?P<noun>[a-z]+)\b[^.;:]*?\s(?:is|was)\s+(?P<name>[A-Z][\w'’-]+)\W*$"
)
_NAME_IS = re.compile(
    r"(?P<name>\b[A-Z][\w'’-]+)\s+(?:is|was)\s+(?:a|an|the)\s+(?:[a-z-]+\s+){0,2}"
    r"(?P<noun>[a-z]+)\b"
)
# A number standing as a word ("2", "40,000", "3rd" as text2num writes "third"), not the
# digits of a name or code ("person42", "B12").
# (Chinese and Japanese write numbers right against their words: "密码是4471".)
_GLUED = "0-9A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_DIGITS = re.compile(rf"(?<![{_GLUED}])(\d+(?:[.,]\d+)*)(?:st|nd|rd|th)?(?![{_GLUED}])")
# Quantifiers whose presence changes what a sentence claims. English only: the languages
# text2num reads have their own, not yet listed here.
_QUANTIFIERS = {
    "both": frozenset({"both", "either", "neither"}),
    "every": frozenset({"all", "every", "everyone", "everybody", "each", "always"}),
    "none": frozenset({"none", "no", "nobody", "nothing", "neither"}),
    "always": frozenset({"always", "every", "ever", "forever"}),
}
_ALL_QUANTIFIERS = frozenset().union(*_QUANTIFIERS.values(), _QUANTIFIERS)
QUANTIFIER_SLOT = 3  # words either side of a quantifier: the thing it quantifies
# A number written in groups of three ("30,000", "30.000", "20 000", "1,000,000"): one to
# three digits first, one separator throughout. "12345 678 90" is three numbers, not one.
_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}([,.\u00a0\u202f ])\d{3}(?:\1\d{3})*(?!\d)")


def _ungrouped(text: str) -> str:
    """`text` with the separators of its numbers written in groups of three taken out."""
    return _GROUPED.sub(lambda m: m.group(0).replace(m.group(1), ""), text)


# Number words from this value up are read as numbers: "un", "ein", "uno" are articles too
# (English "one" is read: "only one" is a count more often than "a" is).
NUMBER_WORD_FROM = 2
_NUMBER_LANGUAGES = frozenset({"en", "fr", "es", "de", "it", "pt", "nl"})  # what text2num reads


class Why(StrEnum):
    """Why a sentence is not supported; SUPPORTED when it is."""

    SUPPORTED = "supported"
    WORDS = "words"  # its content words are not in the source together
    NAME = "name"  # a name not in the source, or not where the evidence is
    NUMBER = "number"  # a number not there, or counting something else
    QUANTIFIER = "quantifier"  # "both", "all", "only" ... the evidence does not say
    NEGATION = "negation"  # says "not" where the source affirms, or the reverse
    ROLES = "roles"  # who did what to whom turned round, or names the source keeps apart
    REASON = "reason"  # a reason ("because ...") the source does not give
    NOTHING = "nothing"  # no words to check (an empty line, symbols only)


@dataclass(frozen=True)
class Evidence:
    """A source sentence behind a supported (or refused) sentence."""

    sentence: int  # index among the source's sentences
    start: int  # character offsets in the source text
    end: int
    text: str


@dataclass(frozen=True)
class Support:
    """The verdict on one sentence."""

    sentence: str
    why: Why
    coverage: float
    evidence: tuple[Evidence, ...]
    detail: str = ""  # the words, name, number ... that failed

    @property
    def supported(self) -> bool:
        return self.why is Why.SUPPORTED


@lru_cache(maxsize=1 << 14)
def _as_digits(text: str, lang: str) -> str:
    """`text` with its number words written as digits ("two" -> "2"), in the languages
    text2num reads; as it is in others, or where the reader fails on it."""
    text = _ungrouped(text)  # "30,000", "30.000", "20 000": one number
    if lang not in _NUMBER_LANGUAGES:
        return text
    from text_to_num import alpha2digit

    try:
        threshold = 0 if lang == "en" else NUMBER_WORD_FROM
        text = str(alpha2digit(text, lang, threshold=threshold))
    except (ValueError, RuntimeError):
        pass  # its digits still count
    return text


def _numbers(text: str, lang: str) -> frozenset[str]:
    """The numbers a text states, as digits: "two" and "2" alike."""
    return frozenset(d.replace(",", ".") for d in _DIGITS.findall(_as_digits(text, lang)))


def _numbered_tokens(text: str, lang: str) -> list[str]:
    """The text's lower-cased word tokens, with number words as digits."""
    return words(_as_digits(text, lang))


class SourceIndex:
    """A source's sentences, indexed for aligning sentences to them."""

    def __init__(self, text: str, lang: str | None = None) -> None:
        self.text = text
        self.language = lang or language.detect(text[:20_000])
        self.sentences = split_sentences(text)
        # number words as digits on both sides: "zwölf" is found for "12"
        self._terms = [set(terms(_as_digits(s.text, self.language), self.language))
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
        self._absent = math.log((n + 1) / 0.5)
        self._vocabulary: list[str] | None = (
            None  # for misspelt words, made when needed  # a word the source never uses weighs most
        )
        self._all_words: set[str] = set().union(*self._words) if self._words else set()
        self._holding_word: dict[str, list[int]] | None = None  # word -> sentences, when needed
        # names the source writes capitalised inside a sentence: a name for sure
        self._mentioned = {
            normal_token(m) for s in self.sentences for m in mentions(s.text) if m[:1].isalpha()
        }

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
        wanted = {
            self._spelled(t) for t in terms(_as_digits(sentence, self.language), self.language)
        }
        # Sums of weights with fsum, ties by position: a verdict never depends on the
        # order a set is walked in (Python's string hashing differs from run to run).
        total = math.fsum(self.weight(t) for t in wanted)
        if not wanted or total == 0:
            return [(0.0, []) for _ in windows]
        rough: Counter[int] = Counter()
        for term in sorted(wanted):
            for i in self._where.get(term, ()):
                if within is None or i in within:
                    rough[i] += self.weight(term)  # type: ignore[assignment]
        best_first = heapq.nsmallest(CANDIDATES, rough.items(), key=lambda kv: (-kv[1], kv[0]))
        candidates = [i for i, _ in best_first]
        return [self._best(wanted, total, candidates, window, within) for window in windows]

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

    def support(
        self,
        sentence: str,
        min_coverage: float = MIN_COVERAGE,
        doer: str | None = None,
        *,
        strict: bool = True,
    ) -> Support:
        """Whether the source says what `sentence` says, with the evidence either way.
        `doer`: who a sentence that opens with "he", "she" or "they" is about (the name
        its summary spoke of last), held to the source like a name. Not `strict` (a model's
        own summary, whose claims grounding/claims.py checks): only a number given to
        another thing, a quantifier, an identity and a doer; names and numbers need only
        be in the source somewhere (a summary of a chunk joins what it says far apart)."""
        if not any(ch.isalnum() for ch in sentence):
            return Support(sentence, Why.NOTHING, 0.0, ())
        # Its words may stand anywhere in the source (a summary joins what a story says in
        # several places), but what it claims is compared with one place: slots checked
        # against evidence stitched from a preface and a chapter pass contradictions.
        (coverage, _), (near_coverage, chosen) = self.alignments(
            sentence, None, (None, EVIDENCE_WINDOW)
        )
        why, detail, chosen = self._slots(sentence, chosen, near_coverage, doer, strict)
        if why is Why.SUPPORTED and coverage < min_coverage:
            why, detail = Why.WORDS, self._missing(sentence, chosen)
        evidence = tuple(
            Evidence(i, self.sentences[i].start, self.sentences[i].end, self.sentences[i].text)
            for i in chosen
        )
        return Support(sentence, why, coverage, evidence, detail)

    def _missing(self, sentence: str, chosen: Sequence[int]) -> str:
        have = set().union(*(self._terms[i] for i in chosen)) if chosen else set()
        said = terms(_as_digits(sentence, self.language), self.language)
        missing = [t for t in dict.fromkeys(said) if t not in have]
        return " ".join(missing[:5])

    def _tokens(self, i: int) -> list[str]:
        return words(self.sentences[i].text)

    def _near_words(self, chosen: Sequence[int]) -> set[str]:
        near = self._neighbourhood(chosen)
        return set().union(*(self._words[i] for i in near)) if near else set()

    def _name_missing(self, name: str, near_words: set[str]) -> bool:
        """Whether a name (one or more words) is not among `near_words`; a name spelled
        one letter off counts as found (people misspell names they read)."""
        for word in words(normal_token(name)):
            if word in near_words:
                continue
            if len(word) < FUZZY_MIN_LETTERS or not any(
                abs(len(w) - len(word)) <= 2 and fuzz.ratio(word, w) >= FUZZY_RATIO
                for w in near_words
            ):
                return True
        return False

    def _names(self, sentence: str, chosen: list[int], coverage: float) -> tuple[str, list[int]]:
        """The first name of the sentence that is not beside its evidence (''), and the
        evidence: where the words are found near the names, that evidence instead."""
        names = [m for m in mentions(sentence) if not m[0].isdigit()]
        near_words = self._near_words(chosen)
        absent = [n for n in names if self._name_missing(n, near_words)]
        if not absent:
            return "", chosen
        for name in absent:
            if self._name_missing(name, self._all_words):
                return f"{name} (not in the source)", chosen
        # Aligned again among the sentences near the names: a summary's sentence names
        # who acts where its source says "he".
        around = {
            j
            for name in names
            for i in self._mentioning(name)
            for j in range(max(0, i - NEIGHBOURS), min(len(self.sentences), i + NEIGHBOURS + 1))
        }
        again_coverage, again = self.align(sentence, within=around, window=EVIDENCE_WINDOW)
        near_again = self._near_words(again)
        if (
            again
            and again_coverage >= NAME_REALIGN_SHARE * coverage
            and not any(self._name_missing(n, near_again) for n in names)
        ):
            return "", again
        return f"{absent[0]} (not where the source says this)", chosen

    def _mentioning(self, name: str) -> list[int]:
        token = words(normal_token(name))
        if not token:
            return []
        return [i for i, bag in enumerate(self._words) if token[0] in bag]

    def _slots(
        self,
        sentence: str,
        chosen: list[int],
        coverage: float,
        doer: str | None = None,
        strict: bool = True,
    ) -> tuple[Why, str, list[int]]:
        said = f" {' '.join(words(sentence))} "
        pronoun = doer is not None and words(sentence)[:1] in ([p] for p in PRONOUNS)
        if not pronoun and any(said in f" {' '.join(self._tokens(i))} " for i in chosen):
            return Why.SUPPORTED, "", chosen  # its words in a row, as the source has them
        if strict:
            name, chosen = self._names(sentence, chosen, coverage)
            if name:
                return Why.NAME, name, chosen
        evidence = [self.sentences[i].text for i in chosen]
        near_text = " ".join(self.sentences[i].text for i in self._neighbourhood(chosen))
        numbers = _numbers(sentence, self.language)
        missing = numbers - _numbers(near_text, self.language)
        if missing and strict:
            return Why.NUMBER, sorted(missing)[0], chosen
        moved = self._number_moved(sentence, evidence, numbers)
        if moved:
            return Why.NUMBER, moved, chosen
        quantifier = self._quantifier(sentence, evidence)
        if quantifier:
            return Why.QUANTIFIER, quantifier, chosen
        negation = negation_problem(sentence, evidence, self.language) if strict else ""
        if negation:
            return Why.NEGATION, negation, chosen
        identity = self._identity(sentence, self._neighbourhood(chosen))
        if identity:
            return Why.ROLES, identity, chosen
        near = self._neighbourhood(chosen)  # the evidence may leave out one that says it
        subject = other_subject(
            sentence,
            [self.sentences[i].text for i in near],
            doer,
            None if strict else self._mentioned,
        )
        if subject:
            return Why.ROLES, subject, chosen
        if not strict:
            return Why.SUPPORTED, "", chosen  # the rest is the claims check's (claims.py)
        apart = names_apart(sentence, [near_text])  # together: in one stretch of the source
        if apart:
            return Why.ROLES, apart, chosen
        passages = Passages(evidence)
        turned = (
            swapped_roles(sentence, passages)
            or turned_round(sentence, passages)
            or self._done_by_another(sentence)
        )
        if turned:
            return Why.ROLES, turned, chosen
        reason = unsupported_reason(sentence, passages)
        if reason:
            return Why.REASON, reason, chosen
        return Why.SUPPORTED, "", chosen

    def _done_by_another(self, sentence: str) -> str:
        """A name made to do what the source, wherever it says it, has only others do: the
        same verb on the same thing ("Lind led the opposition" where the source has
        "Varga, who led the opposition, said ..."). Clauses set off after a name are read
        with that name as their doer, in the sentence and the source alike. A passive, a
        pronoun or no name before the verb in the source leaves its doer open: no verdict."""
        tokens = words(sentence)
        if "that" in tokens[:-1]:  # who reports a clause, wherever the source reports it
            opening = tokens[tokens.index("that") + 1]
            held = self._sentences_holding(opening)
            reporter = other_reporter(sentence, [self.sentences[i].text for i in held])
            if reporter:
                return reporter
        for clause in unfolded(sentence):
            tokens = words(clause)
            named = set(subjects(clause)) - CALENDAR
            for at, token in enumerate(tokens):
                act = act_of(tokens, at, named)
                if act is None:
                    continue
                doers = self._doers_of(*act)
                if doers and not any(same_name(token, d) for d in doers):
                    return f"{token} {act[0]} {act[1]} (the source: {sorted(doers)[0]})"
        return ""

    def _sentences_holding(self, word: str) -> list[int]:
        if self._holding_word is None:
            self._holding_word = defaultdict(list)
            for i, bag in enumerate(self._words):
                for w in bag:
                    self._holding_word[w].append(i)
        return self._holding_word.get(word, [])

    def _doers_of(self, verb: str, thing: str) -> set[str]:
        """Who the source has doing `verb` (a prefix stem) to `thing`, by name; empty when
        it never says so, or once leaves the doer open (passive, pronoun, no name)."""
        doers: set[str] = set()
        for i in self._sentences_holding(thing):
            for clause in unfolded(self.sentences[i].text):
                tokens = words(clause)
                for v, token in enumerate(tokens):
                    if (
                        prefix_stem(token) != verb
                        or thing not in tokens[v + 1 : v + 1 + OBJECT_WINDOW]
                    ):
                        continue
                    doer = doer_before(tokens, v, set(subjects(clause)) - CALENDAR)
                    if doer is None:
                        return set()
                    doers.add(doer)
        return doers

    def _identity(self, sentence: str, near: Sequence[int]) -> str:
        """An identity ("X is Ahab", "Ahab is a whaler"): the source must put the name and the noun
        close together (as "Ahab, the captain," or "Captain Ahab" does), not only both in
        one passage."""
        pairs: list[tuple[str, str]] = []
        for match in _IS_NAME.finditer(sentence):
            pairs.append((match.group("name"), match.group("noun")))
        for match in _NAME_IS.finditer(sentence):
            pairs.append((match.group("name"), match.group("noun")))
        for name, noun in pairs:
            token, stem = normal_token(name), prefix_stem(noun.lower())
            if noun.lower() in CLAIM_STOPWORDS or token in NOT_NAMES:
                continue
            close = False
            for i in near:
                theirs = words(self.sentences[i].text)
                at = [k for k, w in enumerate(theirs) if w == token]
                close |= any(
                    prefix_stem(w) == stem
                    for k in at
                    for w in theirs[max(0, k - IDENTITY_WINDOW) : k + IDENTITY_WINDOW + 1]
                )
            if not close:
                return f"{noun} ... {name}"
        return ""

    def _number_moved(self, sentence: str, evidence: Sequence[str], numbers: frozenset[str]) -> str:
        """A number of the sentence that the evidence gives to something else: a word
        before it in the sentence (who or what has it; the counted thing after it may be
        left out in the source, "... two spout-holes, the Sperm Whale only one") stands, in
        the evidence, only in clauses stating other numbers ("the sperm whale has two
        spout-holes" against "the Right Whale has two spout-holes, ...")."""
        if not numbers or not evidence:
            return ""
        tokens = _numbered_tokens(sentence, self.language)
        clauses = [
            ({prefix_stem(w) for w in c_words}, _numbers(" ".join(c_words), "und"))
            for text in evidence
            for c in CLAUSE.split(_ungrouped(text))
            if (c_words := _numbered_tokens(c, self.language))
        ]
        stated = set().union(*(n for _, n in clauses)) if clauses else set()
        for at, token in enumerate(tokens):
            if token not in numbers or token not in stated:
                continue  # a number the evidence never states is not moved; `strict` asks
            beside = [w for w in tokens[max(0, at - NUMBER_SLOT) : at] if terms(w, self.language)]
            for word in beside:  # by prefix stem: "members" is found in "membership"
                holding = [n for c, n in clauses if prefix_stem(word) in c]
                if holding and all(n and token not in n for n in holding):
                    return f"{token} ({word}: {'/'.join(sorted(holding[0]))})"
        return ""

    def _quantifier(self, sentence: str, evidence: Sequence[str]) -> str:
        """A quantifier of the sentence the evidence does not say of the same thing: one of
        its equivalents must stand there beside a word that stands beside it in the
        sentence ("Alice and Tom both plan ..." is not "... because both ovens are old")."""
        if self.language not in ("en", language.UNKNOWN):
            return ""
        said = words(sentence)
        theirs = [_numbered_tokens(e, "en") for e in evidence]
        for quantifier, equivalents in _QUANTIFIERS.items():
            if quantifier not in said:
                continue
            wanted = _beside(said, {quantifier})
            if not any(wanted & _beside(tokens, equivalents) for tokens in theirs):
                return quantifier
        return ""


def _beside(tokens: Sequence[str], quantifiers: frozenset[str] | set[str]) -> set[str]:
    """The content words (prefix stems) within QUANTIFIER_SLOT words of a quantifier."""
    near: set[str] = set()
    for at, token in enumerate(tokens):
        if token in quantifiers:
            span = tokens[max(0, at - QUANTIFIER_SLOT) : at + QUANTIFIER_SLOT + 1]
            near.update(prefix_stem(w) for w in span if w not in CLAIM_STOPWORDS)
    return near - {prefix_stem(q) for q in _ALL_QUANTIFIERS}


# What a written sentence is refused for beside its claims (grounding/claims.py): the
# slots that check cannot see. Kinds as the Verdict names them.
_WRITTEN_KINDS = {Why.NUMBER: "number", Why.QUANTIFIER: "quantifier", Why.ROLES: "swapped"}


def slot_problems(sentence: str, source: SourceIndex) -> list[tuple[str, str]]:
    """(kind, detail) for a written sentence whose numbers, quantifiers or who-is-what
    disagree with its passages; [] otherwise. Coverage is the claims check's business."""
    verdict = source.support(sentence, min_coverage=0.0, strict=False)
    kind = _WRITTEN_KINDS.get(verdict.why)
    return [(kind, verdict.detail)] if kind else []
