"""Content words: lower-cased, without stop words, lightly folded. Shared by extraction,
recall, citations and the grounding check, so that all agree on what a word is.

Every script: words between spaces for alphabetic scripts; overlapping character pairs
(bigrams) for Chinese and Japanese, which write no spaces, as Lucene's CJK analyzer does
(a word is usually two characters, so a shared word is a shared pair, with no dictionary
to ship); Korean words, which carry their particles ("한글은", "한글을"), also as syllable
pairs. Japanese hiragana (particles and endings) is left out. Stop words and the stemmer
are text/vocabulary.py's. A text's language is given, or guessed from which stop list it
hits most.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from rapidfuzz.distance import OSA

from longcli.text.vocabulary import (
    CJK_LANGUAGES,
    STOPWORDS,
    WORD,
    common_english,
    stem,
    stop_language,
    stopwords,
)

# Han and katakana (content); hiragana runs are grammar and split them.
_CJK_RUN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]+"
)
_HIRAGANA = re.compile(r"[\u3040-\u309f]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_SCRIPT_SPLIT = re.compile(
    r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+"
    r"|[^\W_\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+"
)


@cache
def _cjk_stops() -> frozenset[str]:
    """Chinese and Japanese stop words: 的, 了, 是, 我们..."""
    return stopwords("zh") | stopwords("ja")


def _pairs(run: str, stops: frozenset[str]) -> list[str]:
    """A CJK run as overlapping character pairs, less those that are stop words or made
    of two stop characters (是的, 我们); a lone character is kept as itself."""
    if len(run) == 1:
        return [] if run in stops else [run]
    pairs = (run[i : i + 2] for i in range(len(run) - 1))
    return [p for p in pairs if p not in stops and not (p[0] in stops and p[1] in stops)]


def _units(text: str) -> list[str]:
    """Lower-cased word tokens in text order, a CJK run kept whole (hiragana splitting
    runs), a Korean word whole."""
    out: list[str] = []
    for piece in _SCRIPT_SPLIT.findall(text.casefold()):  # "heißt" is "heisst"
        if _HIRAGANA.search(piece) or _CJK_RUN.match(piece):
            out.extend(_CJK_RUN.findall(piece))
        else:
            out.extend(WORD.findall(piece))
    return out


def _alphabetic_stops(words: list[str], language: str | None) -> frozenset[str]:
    """The stop list for the words in alphabetic scripts: `language`'s, or for Chinese,
    Japanese, Korean or none, the list those words hit most (English in a Chinese text)."""
    if language and language.lower().split("-")[0] not in CJK_LANGUAGES:
        return stopwords(language)
    alphabetic = [w for w in words if not _CJK_RUN.match(w) and not _HANGUL.match(w)]
    return stopwords(stop_language(alphabetic))


def _content(words: list[str], language: str | None) -> list[str]:
    """Content terms of the tokens: stop words dropped, CJK and Korean as pairs."""
    stops = _alphabetic_stops(words, language)
    korean = stopwords("ko")
    cjk_stops = _cjk_stops()
    out: list[str] = []
    for word in words:
        if _CJK_RUN.match(word):
            out.extend(_pairs(word, cjk_stops))
        elif _HANGUL.match(word):
            if word not in korean:
                out.extend([word] if len(word) <= 2 else _pairs(word, frozenset()))
        elif word not in stops and len(word) >= 2:
            out.append(word)
    return out


def terms(text: str, language: str | None = None) -> list[str]:
    """Content words, lower-cased, with a light plural/possessive fold ('dogs' -> 'dog');
    Chinese and Japanese as character pairs. `language` picks the stop list (guessed
    when not given)."""
    out = []
    for word in _content(_units(text), language):
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return out


# -- recall terms ---------------------------------------------------------------------------
# Recall (chat memory, document passages, the fact ledger) matches a question against what
# was said in other words: "In which town was I born?" must find "my hometown is ...". So
# its terms are stems, plus a concept for words that mean the same in talk about oneself,
# plus "my:X" for what belongs to the speaker ("my cat" is not "my friend's cat").

_CONCEPT_WORDS = {
    "birthplace": "born birthplace hometown originally native raised grew grow childhood",
    "job": "job work works working profession career occupation employed",
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
    "age": "age old aged born birthday bday",
}


_CONCEPTS: dict[str, str] = {}
_ALL_CONCEPTS: dict[str, set[str]] = {}  # every concept a stem has ("born": birthplace, age)
for _concept, _words in _CONCEPT_WORDS.items():
    for _word in _words.split():
        _CONCEPTS.setdefault(stem(_word), f"~{_concept}")
        _ALL_CONCEPTS.setdefault(stem(_word), set()).add(f"~{_concept}")


def concepts_of(word_stem: str) -> frozenset[str]:
    """Every concept a stem belongs to (a recall term carries only its first)."""
    return frozenset(_ALL_CONCEPTS.get(word_stem, ()))


_OWNER = frozenset({"my", "our", "mine", "i", "we"})
RECALL_CACHE = 1 << 15  # texts whose recall terms are kept (a long chat's statements)
MIN_SWAPPED_LETTERS = 6  # a stop word this long with two letters swapped is still it


@cache
def _typed_stops() -> frozenset[str]:
    """English stop words as people type them in a chat without the apostrophe ("dont",
    "im", "whats", "youre"): the stop-words package's forms ending in 't, 's, 'm, 're or
    've (not 'll or 'd, whose bare forms are words: "well", "ill", "wed")."""
    return frozenset(
        w.replace("'", "")
        for w in common_english()
        if re.search(r"'(?:t|s|m|re|ve)$", w) and w.index("'") > 0
    )


@lru_cache(maxsize=RECALL_CACHE)
def typed_stop(word: str) -> bool:
    """Whether `word` (lower case) is an English stop word as typed in a hurry: without
    its apostrophe ("whats"), or, of MIN_SWAPPED_LETTERS letters or more, with two
    neighbouring letters swapped ("becuase"). Such a word taken for a content word made
    "what cant i have becuase of allergies?" ask about the user's "becuase"."""
    if word in _typed_stops():
        return True
    if len(word) < MIN_SWAPPED_LETTERS:
        return False
    letters = sorted(word)
    return any(
        len(s) == len(word) and sorted(s) == letters and OSA.distance(word, s) == 1
        for s in _LONG_STOPS
    )


_LONG_STOPS = tuple(w for w in STOPWORDS if len(w) >= MIN_SWAPPED_LETTERS)


def recall_terms(text: str, language: str | None = None) -> list[str]:
    """Stems of the content words, a '~concept' for each word with one, and 'my:' forms
    of the first content word after 'my', 'our' or 'I'; CJK as character pairs."""
    return list(_recall_terms(text, language))


@lru_cache(maxsize=RECALL_CACHE)
def _recall_terms(text: str, language: str | None) -> tuple[str, ...]:
    # Memoised: a chat reads each statement it keeps again on every later turn (the fact
    # ledger's matching, its index), which made a turn cost grow with the session's length.
    out: list[str] = []
    owner = False
    words = _units(text)
    stops = _alphabetic_stops(words, language)
    for word in words:
        if word in _OWNER:
            owner = True
            continue
        if _CJK_RUN.match(word) or _HANGUL.match(word):
            out.extend(_content([word], language))
            continue
        if word in stops or word in STOPWORDS or len(word) < 2:
            continue
        if stops is STOPWORDS and typed_stop(word):
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
    return tuple(out)
