"""Content words: lower-cased, without stop words, lightly folded. Shared by extraction,
recall and citations, so that all three agree on what a word is."""

from __future__ import annotations

import re

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


# -- recall terms ---------------------------------------------------------------------------
# Recall (chat memory, document passages, the fact ledger) matches a question against what
# was said in other words: "In which town was I born?" must find "my hometown is ...". So
# its terms are stems, plus a concept for words that mean the same in talk about oneself,
# plus "my:X" for what belongs to the speaker ("my cat" is not "my friend's cat").

_SUFFIXES = (
    "ational", "ation", "ically", "ical", "ness", "ment", "ities", "ity", "ists", "ist",
    "ies", "ied", "ing", "ic", "ed", "es", "ly", "s", "y", "e",
)  # fmt: skip
_KEEP_DOUBLE = frozenset("lsz")
MIN_STEM = 3

_CONCEPT_WORDS = {
    "birthplace": "born birthplace hometown originally native raised grew grow childhood",
    "job": "job work works working profession living career occupation employed",
    "allergy": "allergy allergic allergies intolerant intolerance",
    "name": "name named called call nickname",
    "code": "code password pin combination passcode passphrase",
    "like": "like likes love loves prefer prefers enjoy enjoys favorite favourite fond",
    "drink": "drink drinks coffee tea beverage",
    "appointment": "appointment appointments visit visits",
    "decide": "decide decided decision chose choose chosen pick picked agree agreed settled plan",
    "dislike": "dislike dislikes hate hates detest loathe",
    "film": "film films movie movies cinema",
    "home": "live lives living reside address home",
}


def stem(word: str) -> str:
    """A light suffix stripper: 'allergies', 'allergic', 'allergy' -> 'allerg'."""
    if len(word) <= MIN_STEM or word.endswith("ss"):
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
            if len(word) > MIN_STEM and word[-1] == word[-2] and word[-1] not in _KEEP_DOUBLE:
                word = word[:-1]  # running -> run
            return word
    return word


_CONCEPTS: dict[str, str] = {}
for _concept, _words in _CONCEPT_WORDS.items():
    for _word in _words.split():
        _CONCEPTS.setdefault(stem(_word), f"~{_concept}")
_OWNER = frozenset({"my", "our", "mine", "i", "we"})


def recall_terms(text: str) -> list[str]:
    """Stems of the content words, a '~concept' for each word with one, and 'my:' forms
    of the first content word after 'my', 'our' or 'I'."""
    out: list[str] = []
    owner = False
    for word in _WORD.findall(text.lower()):
        if word in _OWNER:
            owner = True
            continue
        if word in STOPWORDS or len(word) < 2:
            continue
        root = stem(word)
        out.append(root)
        concept = _CONCEPTS.get(root)
        if concept:
            out.append(concept)
        if owner:
            out.append(f"my:{root}")
            if concept:
                out.append(f"my:{concept}")
            owner = False
    return out
