"""Slots: what a sentence says of its evidence, compared word by word; no model.

The support check (support.py) aligns a sentence to the source sentences that hold its
words; this module compares what it claims with them: its numbers (number words read as
numbers by text2num, in the languages it knows, so "802,701" is "Eight Hundred and Two
Thousand Seven Hundred and One"), which thing a number belongs to, its quantifiers
("both", "all", "only" ...), an identity ("the whale ... is Ahab"), and a word the
evidence has the opposite of (grounding/opposites.py).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Container, Sequence
from functools import lru_cache

from longcli.grounding.claims import CLAUSE
from longcli.text import language
from longcli.text.names import NOT_NAMES, normal_token
from longcli.text.terms import terms
from longcli.text.vocabulary import CLAIM_STOPWORDS, prefix_stem, words

NUMBER_SLOT = 3  # words before a number: who or what has it
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


def ungrouped(text: str) -> str:
    """`text` with the separators of its numbers written in groups of three taken out."""
    return _GROUPED.sub(lambda m: m.group(0).replace(m.group(1), ""), text)


# English words text2num reads as numbers that count nothing: "one" after "no", "the",
# "every" ... or before "another" (not after "that": "that one ship"), and the ordinal
# "first".
_NOT_COUNTS = re.compile(
    r"\b(?:(?P<by>no|the|every|any|each) one|one(?= another)|first)\b",
    re.IGNORECASE,
)
# Number words from this value up are read as numbers: "un", "ein", "uno" are articles too
# (English "one" is read: "only one" is a count more often than "a" is).
NUMBER_WORD_FROM = 2
_NUMBER_LANGUAGES = frozenset({"en", "fr", "es", "de", "it", "pt", "nl"})  # what text2num reads


@lru_cache(maxsize=1 << 14)
def as_digits(text: str, lang: str) -> str:
    """`text` with its number words written as digits ("two" -> "2"), in the languages
    text2num reads; as it is in others, or where the reader fails on it."""
    text = ungrouped(text)  # "30,000", "30.000", "20 000": one number
    if lang not in _NUMBER_LANGUAGES:
        return text
    from text_to_num import alpha2digit

    try:
        threshold = 0 if lang == "en" else NUMBER_WORD_FROM
        text = str(alpha2digit(text, lang, threshold=threshold))
    except (ValueError, RuntimeError):
        pass  # its digits still count
    return text


def numbers(text: str, lang: str) -> frozenset[str]:
    """The numbers a text states, as digits: "two" and "2" alike; not "one" as a pronoun
    ("no one", "the one her father designed") nor "first" (an order, "at first", "the
    first week", as often as a count)."""
    if lang in ("en", language.UNKNOWN):
        text = _NOT_COUNTS.sub(lambda m: m.group("by") or "", text)
    return frozenset(d.replace(",", ".") for d in _DIGITS.findall(as_digits(text, lang)))


def numbered_tokens(text: str, lang: str) -> list[str]:
    """The text's lower-cased word tokens, with number words as digits."""
    return words(as_digits(text, lang))


def identity(sentence: str, near: Sequence[str]) -> str:
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
        for text in near:
            theirs = words(text)
            at = [k for k, w in enumerate(theirs) if w == token]
            close |= any(
                prefix_stem(w) == stem
                for k in at
                for w in theirs[max(0, k - IDENTITY_WINDOW) : k + IDENTITY_WINDOW + 1]
            )
        if not close:
            return f"{noun} ... {name}"
    return ""


def number_moved(sentence: str, evidence: Sequence[str], said: frozenset[str], lang: str) -> str:
    """A number of the sentence that the evidence gives to something else: a word
    before it in the sentence (who or what has it; the counted thing after it may be
    left out in the source, "... two spout-holes, the Sperm Whale only one") stands, in
    the evidence, only in clauses stating other numbers ("the sperm whale has two
    spout-holes" against "the Right Whale has two spout-holes, ...")."""
    if not said or not evidence:
        return ""
    tokens = numbered_tokens(sentence, lang)
    clauses = [
        ({prefix_stem(w) for w in c_words}, numbers(" ".join(c_words), "und"))
        for text in evidence
        for c in CLAUSE.split(ungrouped(text))
        if (c_words := numbered_tokens(c, lang))
    ]
    stated = set().union(*(n for _, n in clauses)) if clauses else set()
    for at, token in enumerate(tokens):
        if token not in said or token not in stated:
            continue  # a number the evidence never states is not moved; `strict` asks
        beside = [w for w in tokens[max(0, at - NUMBER_SLOT) : at] if terms(w, lang)]
        for word in beside:  # by prefix stem: "members" is found in "membership"
            holding = [n for c, n in clauses if prefix_stem(word) in c]
            if holding and all(n and token not in n for n in holding):
                return f"{token} ({word}: {'/'.join(sorted(holding[0]))})"
    return ""


UNIT_WINDOW = 2  # words after a number where what it counts stands ("1600 *dollars*")


def number_replaced(
    sentence: str, evidence: Sequence[str], missing: Collection[str], lang: str
) -> str:
    """A number of the sentence the evidence does not state, where the evidence states
    another of the same thing in the same words: "earned six hundred dollars in five
    minutes for John Thornton" against "earned sixteen hundred dollars in five minutes for
    John Thornton" (found elsewhere, "six hundred" bet on another dog passed). The thing
    is the content word after the number; the evidence's clause must hold half the
    sentence clause's content words too."""
    if not missing or not evidence:
        return ""
    tokens = numbered_tokens(sentence, lang)
    wanted = {prefix_stem(w) for w in tokens if terms(w, lang) and not w[0].isdigit()}
    for at, token in enumerate(tokens):
        if token not in missing:
            continue
        unit = next((w for w in tokens[at + 1 : at + 1 + UNIT_WINDOW] if terms(w, lang)), None)
        if unit is None:
            continue
        for text in evidence:
            theirs = numbered_tokens(text, lang)
            have = {prefix_stem(w) for w in theirs}
            if 2 * len(wanted & have) < len(wanted):
                continue
            for k, other in enumerate(theirs):
                if (
                    other != token
                    and other[0].isdigit()
                    and any(
                        prefix_stem(w) == prefix_stem(unit)
                        for w in theirs[k + 1 : k + 1 + UNIT_WINDOW]
                    )
                ):
                    return f"{token} {unit} (the source: {other} {unit})"
    return ""


def quantifier(sentence: str, evidence: Sequence[str], lang: str) -> str:
    """A quantifier of the sentence the evidence does not say of the same thing: one of
    its equivalents must stand there beside a word that stands beside it in the
    sentence ("Alice and Tom both plan ..." is not "... because both ovens are old")."""
    if lang not in ("en", language.UNKNOWN):
        return ""
    said = words(sentence)
    theirs = [numbered_tokens(e, "en") for e in evidence]
    for word, equivalents in _QUANTIFIERS.items():
        if word not in said:
            continue
        wanted = _beside(said, {word})
        if not any(wanted & _beside(tokens, equivalents) for tokens in theirs):
            return word
    return ""


def _beside(tokens: Sequence[str], quantifiers: frozenset[str] | set[str]) -> set[str]:
    """The content words (prefix stems) within QUANTIFIER_SLOT words of a quantifier."""
    near: set[str] = set()
    for at, token in enumerate(tokens):
        if token in quantifiers:
            span = tokens[max(0, at - QUANTIFIER_SLOT) : at + QUANTIFIER_SLOT + 1]
            near.update(prefix_stem(w) for w in span if w not in CLAIM_STOPWORDS)
    return near - {prefix_stem(q) for q in _ALL_QUANTIFIERS}


# Who did it, said in the passive: "was poisoned by a train conductor", "had been taken
# by the Morlocks". The agent ends at a mark, a clause's word, or after AGENT_WORDS words.
AGENT_WORDS = 4
_BY_AGENT = re.compile(
    r"\b(?:was|were|is|are|been|being|be|got|gets|get)\s+(?:\w+ly\s+)?[a-z]+(?:ed|en|wn|t)"
    r"\s+by\s+(?P<agent>[^.,;:!?()\"“”]+)",
    re.IGNORECASE,
)
_AGENT_END = re.compile(
    r"\s(?:and|or|but|who|whom|which|that|when|while|after|before|because|as|in|at|on|"
    r"with|to|for|from|during|since|until|so|he|she|they|it|we|i|you)\b.*$",
    re.IGNORECASE,
)


def missing_agent(sentence: str, near_terms: set[str], known: Container[str], lang: str) -> str:
    """The doer a passive sentence names ("was poisoned by a train conductor") that the
    source never names, near the evidence (`near_terms`, its content terms) or anywhere
    (`known`): the agent's last word before "of" (its head: "the rest of their crew" ->
    "rest"). A sentence may say in its own words what was done, and who did it in another
    word the source uses elsewhere ("his boss" for "the chief"); a doer the whole source
    never names is made up: "conductor" is in no sentence of the book where the dog
    "escaped the fate of an ordinary dog -- been poisoned, or mangled, by a train".
    English only."""
    if lang != language.ENGLISH:
        return ""
    for match in _BY_AGENT.finditer(sentence):
        agent = _AGENT_END.sub("", match.group("agent"))
        doer = _DOER.match(agent)
        if doer is None:
            continue
        said = [t for t in terms(doer.group("words"), lang) if not t[0].isdigit()]
        head = said[-1] if said else ""
        if head and head not in near_terms and head not in known:
            return f"{agent.strip()} (the source never names {head!r})"
    return ""


# A doer introduced as one ("a train conductor", "the inquisitor"), up to AGENT_WORDS
# words, ending before "of" or a word in -ing; not a state's cause ("surprised by his
# proposal", "worried by Dorr's demeanor", "confused by what he saw"), which a
# paraphrase names in its own words.
_DOER = re.compile(
    rf"\s*(?:a|an|the)\s+(?P<words>(?:(?!of\b)(?![a-z]+ing\b)[a-z][\w'’-]*\s*){{1,{AGENT_WORDS}}})",
    re.IGNORECASE,
)


def possessor_only(sentence: str, names: Sequence[str], near: Sequence[str], lang: str) -> str:
    """A name the sentence has do something itself that the evidence's neighbourhood
    (`near`, its sentences) only writes as a possessor, in a sentence saying that same
    doing: "The Farmer cut off their tails" where the source has "the Farmer's Wife, / Who
    cut off their tails" (a walk's planted error, passed: every word is there). The name
    and what the source gives it, or ""."""
    for name in names:
        if re.search(rf"(?<!\w){re.escape(name)}['’]s\b", sentence):
            continue  # the sentence makes it a possessor too
        # what the name does: the word right after it, a content word in lower case
        doing = re.search(
            rf"(?:^|[,;]\s*|\b(?i:the|and)\s+){re.escape(name)}\s+([a-z]\w*)", sentence
        )
        if doing is None or doing.group(1) in CLAIM_STOPWORDS:
            continue
        verb = terms(doing.group(1), lang)[:1]
        owned = rf"(?<!\w){re.escape(name)}(?!\w)((?:['’]s\s+[\w-]+)?)"
        found = [(m, t) for t in near for m in re.findall(owned, t, re.IGNORECASE)]
        # "Fweep's my friend", "Kriere's not": an "is", the name itself
        found = [("" if _is_said(m) else m, t) for m, t in found]
        if (
            verb
            and found
            and all(m for m, _ in found)
            and any(verb[0] in terms(t, lang) for _, t in found)
        ):
            return f"{name} (the source: {name}{found[0][0]})"
    return ""


def _is_said(owned: str) -> bool:
    """Whether "'s" and the word after it (`owned`) are an "is" or "has" ("'s not")."""
    return bool(owned) and owned.split()[-1].lower() in CLAIM_STOPWORDS
