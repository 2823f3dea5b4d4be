"""Claims: is a sentence written from a few source passages supported by them?

The check (check.py) trusts names: a sentence with only known names passes, whatever it
says about them. A sentence written from a few source passages (extract, then abstract)
must also be supported by them: most of its content words occur there (prefix stems), a
negation is there when the sentence has one (and not dropped when the closest passage has
one), who did what to whom is not turned round, names stand together only where a passage
has them together, and a reason ("because ...") is one the passages give. Paraphrase is
allowed; what cannot be traced is refused. bench/summarize_quality.py and
tests/grounding/test_grounding.py measure what this catches on planted errors and what it
wrongly refuses.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass

from longcli.grounding.commentary import prompt_echo_phrase
from longcli.grounding.shortening import CLAUSE_MARK, cut_changes_meaning
from longcli.grounding.verdict import Problem
from longcli.text.names import NOT_NAMES as _NOT_NAMES
from longcli.text.names import mentions
from longcli.text.names import normal_token as _normal
from longcli.text.vocabulary import CLAIM_STOPWORDS, MENTION_TOKEN, prefix_stem, words

CONTENT_SUPPORT_SHARE = 0.6  # of a written sentence's content words found in its passages
REASON_SUPPORT_SHARE = 0.75  # of a reason clause's content words, in one passage
MIN_CLAIM_WORDS = 3  # fewer content words than this: nothing to check beyond names

_CLAIM_NEGATIONS = frozenset(
    """not no never nor neither none nothing nobody nowhere cannot without refuse refuses
    refused fail fails failed unable""".split()
)
_CLAUSE_SPLIT = re.compile(CLAUSE_MARK)  # where the deletion rule's clauses end, too
_NOT = re.compile(r"\wn['’]t\b", re.IGNORECASE)  # don't, isn’t, WON'T
_CAUSAL = re.compile(
    r"\b(?:because(?: of)?|so that|in order to|due to|as a result of|out of (?=fear|love|"
    r"anger|spite|jealousy|pity|revenge|curiosity|greed|shame)|for fear that|since he|since she"
    r"|since they|which is why|that is why)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[,;:.!?]")


def claim_stems(text: str) -> list[str]:
    """Content words of `text`, lower-cased, cut to STEM_PREFIX letters (a cheap stem)."""
    return [prefix_stem(w) for w in words(text) if w not in CLAIM_STOPWORDS and not w.isdigit()]


def negated(text: str) -> bool:
    """Whether a text says not, never, no one ... (English)."""
    # "don't" by its apostrophe: a lone "t" is an initial as often ("Conan T. Troy")
    return _NOT.search(text) is not None or any(w in _CLAIM_NEGATIONS for w in words(text))


def _names(sentence: str) -> list[str]:
    return [_normal(m) for m in mentions(sentence) if not m[0].isdigit()]


@dataclass(frozen=True)
class Passages:
    """The source passages a written sentence may draw on, indexed for claim checks."""

    sentences: Sequence[str]

    @property
    def stems(self) -> set[str]:
        return {s for sentence in self.sentences for s in claim_stems(sentence)}

    def closest(self, sentence: str) -> str | None:
        """The passage sentence sharing most content words with `sentence` (two or more)."""
        wanted = set(claim_stems(sentence))
        best, score = None, 1
        for candidate in self.sentences:
            shared = len(wanted & set(claim_stems(candidate)))
            if shared > score:
                best, score = candidate, shared
        return best


def _cut_problem(sentence: str, closest: str) -> list[Problem]:
    if cut_changes_meaning(sentence, closest):
        return [Problem("cut", 0, closest)]  # the whole passage: restored_sentences uses it
    return []


def claim_problems(sentence: str, passages: Passages) -> list[Problem]:
    """Why a written sentence is not supported by its passages ([] if it is). Problems
    carry sentence index 0: the caller places them."""
    problems: list[Problem] = []
    closest = passages.closest(sentence)
    if closest is not None and f" {' '.join(words(sentence))} " in f" {' '.join(words(closest))} ":
        return _cut_problem(sentence, closest)  # its words as a passage has them, in a row
    stems = claim_stems(sentence)
    known = passages.stems
    if len(stems) >= MIN_CLAIM_WORDS:
        missing = [s for s in stems if s not in known]
        if len(stems) - len(missing) < CONTENT_SUPPORT_SHARE * len(stems):
            problems.append(Problem("unsupported_claim", 0, " ".join(missing[:4])))
    if closest is not None and negated(sentence) != negated(closest):
        problems.append(Problem("negation", 0, closest[:40]))
    elif closest is None and negated(sentence):
        problems.append(Problem("negation", 0, "no passage says so"))
    swapped = (
        swapped_roles(sentence, passages)
        or _other_subject(sentence, passages)
        or turned_round(sentence, passages)
    )
    if swapped:
        problems.append(Problem("swapped", 0, swapped))
    apart = _names_apart(sentence, passages)
    if apart:
        problems.append(Problem("apart", 0, apart))
    reason = unsupported_reason(sentence, passages)
    if reason:
        problems.append(Problem("reason", 0, reason))
    if closest is not None:
        problems += _cut_problem(sentence, closest)
    echo = prompt_echo_phrase(sentence)
    if echo and not any(echo.lower() in p.lower() for p in passages.sentences):
        problems.append(Problem("meta", 0, echo))
    return problems


def _names_apart(sentence: str, passages: Passages) -> str | None:
    """Names a clause of the sentence puts together that no passage has together: a
    relation the passages never state ("When Kriere and Lethla were filled with Rice",
    written from "Kriere and Lethla should fill them" and a sentence about Rice)."""
    texts = [set(words(p)) for p in passages.sentences]
    for clause in _CLAUSE_SPLIT.split(sentence):
        names = set(_names(clause))
        if len(names) < 2:
            continue
        if not any(names <= seen for seen in texts):
            return " + ".join(sorted(names))
    return None


def swapped_roles(sentence: str, passages: Passages) -> str | None:
    """'A <verb> B' where the passages only say 'B <verb> A' (not in the passive)."""
    names = _names(sentence)
    if len(names) < 2:
        return None
    tokens = words(sentence)
    for a_i, a in enumerate(names):
        for b in names[a_i + 1 :]:
            if a == b or a not in tokens or b not in tokens:
                continue
            between = tokens[tokens.index(a) + 1 : tokens.index(b)]
            verbs = [prefix_stem(w) for w in between if w not in CLAIM_STOPWORDS]
            said_passive = "by" in between  # "A gratified B by admiring C": both have it
            if a in CALENDAR or b in CALENDAR or (between[:1] and between[0] in _BE):
                continue  # "in March" is no one; "A was elected ... B": A is not the doer
            if not verbs:
                continue
            forward = reverse = False
            for passage in passages.sentences:
                p = words(passage)
                if a not in p or b not in p:
                    continue
                i, j = p.index(a), p.index(b)
                span = p[min(i, j) + 1 : max(i, j)]
                if not any(prefix_stem(w) in verbs for w in span):
                    continue
                passive = "by" in span
                if (i < j) != (passive != said_passive):
                    forward = True
                else:
                    reverse = True
            if reverse and not forward:
                return f"{a} ... {b}"
    return None


SUBJECT_WINDOW = 4  # a name this close before a verb is taken as its subject


def _other_subject(sentence: str, passages: Passages) -> str | None:
    """'A <verb>s ...' where the passages have someone else named doing it ('B <verb>s')
    and never A: a swapped name. A verb the passages give no named subject passes."""
    tokens = words(sentence)
    named = subjects(sentence)
    for name in set(named):
        if name not in tokens:
            continue
        at = tokens.index(name)
        if tokens[at + 1 : at + 2] == ["s"]:
            continue  # "Hoshick's weight": a possessor, not a subject
        after = []
        for w in tokens[at + 1 : at + 1 + SUBJECT_WINDOW]:
            if w in named:
                break  # a name closer to the verb is its subject ("In March, Peter lost")
            if w not in CLAIM_STOPWORDS:
                after.append(w)
        if not after:
            continue
        verb = prefix_stem(after[0])
        others: set[str] = set()
        supported = False
        for passage in passages.sentences:
            p = words(passage)
            stems = [prefix_stem(w) for w in p]
            if verb not in stems:
                continue
            v = stems.index(verb)
            before = p[max(0, v - SUBJECT_WINDOW) : v]
            supported |= name in p[:v] or ("by" in p[v:] and name in p[v:])
            others.update(n for n in subjects(passage) if n in before)
        if not supported and others - {name}:
            return f"{name} {after[0]} (the passages: {sorted(others - {name})[0]})"
    return None


_PASSIVE = re.compile(r"\b(?:was|were|is|are|been|being|be)\s+(?:\w+ly\s+)?(\w+)\s+by\s+"
                      r"((?:\w+\s+){0,2}\w+)", re.IGNORECASE)  # fmt: skip
_BE = frozenset("was were is are been being be".split())
# Months and weekdays, capitalised like names (stdlib calendar, English as the rest here).
CALENDAR = frozenset(
    n.lower() for n in (*calendar.month_name, *calendar.day_name, *calendar.month_abbr) if n
)


def turned_round(sentence: str, passages: Passages) -> str | None:
    """'X <verb>ed Y' where the closest passage says 'X was <verb>ed by Y': the doer of
    the passage's passive must come before the verb when the sentence is active."""
    closest = passages.closest(sentence)
    tokens = words(sentence)
    stems = [prefix_stem(w) for w in tokens]
    for match in _PASSIVE.finditer(closest or ""):
        verb = prefix_stem(match.group(1).lower())
        if verb not in stems:
            continue
        v = stems.index(verb)
        if v > 0 and (tokens[v - 1] in _BE or "by" in tokens[v:]):
            continue  # the sentence is passive too
        doers = [w for w in words(match.group(2)) if w not in CLAIM_STOPWORDS]
        if doers and not any(d in tokens[:v] for d in doers):
            return f"{match.group(0)[:40]}"
    return None


def subjects(passage: str) -> list[str]:
    """Names in a passage, with a capitalised first word that may be one ("Mara found"),
    which `mentions` leaves out (any sentence starts with a capital)."""
    found = _names(passage)
    first = opening_name(passage)
    if first is not None:
        found.append(first)
    return found


def opening_name(passage: str) -> str | None:
    """A passage's capitalised first word when it may be a name ("Mara found"; not "The",
    "Later", "Finally"), as compared (lower case, no possessive); else None."""
    first = MENTION_TOKEN.match(passage.lstrip("\"“'‘( "))
    if first is None or not first.group()[0].isupper():
        return None
    word = _normal(first.group())
    if word in _NOT_NAMES or word in CLAIM_STOPWORDS or word.endswith("ly"):
        return None
    return word


def unsupported_reason(sentence: str, passages: Passages) -> str | None:
    """A reason clause ("because ...") whose words no single passage sentence holds."""
    match = _CAUSAL.search(sentence)
    if not match:
        return None
    rest = sentence[match.end() :]
    end = _CLAUSE_END.search(rest)
    reason = claim_stems(rest[: end.start()] if end else rest)
    if not reason:
        return None
    for passage in passages.sentences:
        have = set(claim_stems(passage))
        if sum(s in have for s in reason) >= REASON_SUPPORT_SHARE * len(reason):
            return None
    return match.group(0) + " " + " ".join(reason[:3])
