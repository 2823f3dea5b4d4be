"""What a word is, said once for every package: the word patterns, the stop words, the
stemmers and the word counter.

Where two packages need a word to mean different things, each meaning has one name here
rather than a private copy there: a *token* (`\\w+`, as the grounding check and the chat
guard compare wording) is not a *word* (letters or digits, as content words are found);
the claims check's *prefix stem* (a word's first STEM_PREFIX letters, so "discovers" and
"discovered" meet) is not recall's suffix-stripping `stem`; and the claims check's stop
words (narration's filler: "later", "went") are English's function words less the
talk-to-an-assistant words recall leaves out ("remind", "please").

Stop words of other languages come from the `stop-words` package (BSD-3, 33 languages);
English keeps the list extraction was tuned with.
"""

from __future__ import annotations

import re
from functools import cache

# -- word patterns ---------------------------------------------------------------------------

# Han and kana: the CJK letters a reader counts one by one (a regex character-class body).
CJK_LETTERS = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD = re.compile(r"[^\W_]+", re.UNICODE)  # letters or digits: a content word
LETTERS = re.compile(r"[^\W\d_]+")  # letters only: a word as a language or a hyphen sees it
TOKEN = re.compile(r"\w+", re.UNICODE)  # word characters, "_" too: wording compared as written
# A word, a number, or a run of Chinese or Japanese characters, which never runs into the
# Latin word or number beside it ("于2022年" holds the number 2022; "Transformer架构" the
# name Transformer), so those are held to the source as in any other script.
_CJK = CJK_LETTERS
MENTION_TOKEN = re.compile(
    rf"[{_CJK}]+|[^\W\d_{_CJK}](?:(?:[^\W{_CJK}]|['’-])*[^\W{_CJK}])?"
    r"|\d+(?:[.,:]\d+)*(?:st|nd|rd|th)?",
    re.UNICODE,
)
_CJK_CHAR = re.compile(f"[{CJK_LETTERS}]")
_COUNTED_RUN = re.compile(rf"[^\W_{CJK_LETTERS}]+(?:[.,'’-][^\W_{CJK_LETTERS}]+)*")
# Unicode's format characters (category Cf: zero-width space and joiners, BOM, bidi marks
# and overrides, soft hyphen ...), a regex character-class body. A reader never sees them,
# so they never decide where a sentence starts or ends; `re` has no \p{Cf}, and building the
# class from unicodedata costs 0.1 s at every start (tests/text/test_sentences.py checks
# that it holds every one). 13439-1343F became Cf in Unicode 15.
FORMAT_CHARS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f"
)
_FORMAT_CHAR = re.compile(f"[{FORMAT_CHARS}]")


def words(text: str) -> list[str]:
    """Lower-cased tokens (TOKEN), for n-gram counting and comparing wording."""
    return TOKEN.findall(text.lower())


# -- counting --------------------------------------------------------------------------------


def invisible(ch: str) -> bool:
    """Whether a character shows nothing: white space or a format character."""
    return ch.isspace() or _FORMAT_CHAR.match(ch) is not None


def visible(text: str) -> str:
    """`text` without the white space and format characters at its edges (inside it,
    a joiner or a bidi mark may matter: they stay)."""
    start, end = 0, len(text)
    while start < end and invisible(text[start]):
        start += 1
    while end > start and invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def has_words(text: str) -> bool:
    """Whether `text` holds a letter or a digit, in any script: something a summary can
    quote (emoji, symbols and punctuation alone are not)."""
    return any(ch.isalnum() for ch in text)


def has_cjk(text: str) -> bool:
    """Whether `text` holds Chinese or Japanese characters."""
    return _CJK_CHAR.search(text) is not None


def word_count(text: str) -> int:
    """Length in the reader's unit whatever the script: Han and kana characters one each,
    every other run of letters or digits one; for text without CJK, its number of words."""
    cjk = len(_CJK_CHAR.findall(text))
    if not cjk:
        return len(text.split())
    return cjk + len(_COUNTED_RUN.findall(text))


# -- stop words ------------------------------------------------------------------------------

# English function words: the list both stop lists below start from.
_ENGLISH_FUNCTION_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each every few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your""".split()
)
# Extraction, recall and language voting: also a user's requests to an assistant.
STOPWORDS = _ENGLISH_FUNCTION_WORDS | frozenset(
    "yours yourself yourselves remind tell know said say please".split()
)
# The claims check: also narration's filler, which carries no claim of its own.
CLAIM_STOPWORDS = _ENGLISH_FUNCTION_WORDS | frozenset(
    """also later finally eventually soon then story tells meanwhile however while one ones
    way get gets got make makes made take takes took go goes went come comes came""".split()
)
ENGLISH = "en"
VOTE_MARGIN = 2  # another language's stop list must beat English's by this many hits
# The stop-words package's languages (by its names), with Chinese, Japanese, Korean.
_STOP_LANGUAGES = {
    "ar": "arabic", "bg": "bulgarian", "ca": "catalan", "cs": "czech", "da": "danish",
    "nl": "dutch", "fi": "finnish", "fr": "french", "de": "german", "el": "greek",
    "he": "hebrew", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "it": "italian",
    "ms": "malaysian", "no": "norwegian", "fa": "persian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sk": "slovak", "es": "spanish",
    "sv": "swedish", "tr": "turkish", "uk": "ukrainian", "vi": "vietnamese",
    "zh": "chinese", "ja": "japanese", "ko": "korean",
}  # fmt: skip
CJK_LANGUAGES = frozenset({"zh", "ja", "ko"})  # their stop words are not alphabetic
_VOTERS = tuple(c for c in _STOP_LANGUAGES if c not in CJK_LANGUAGES)


@cache
def stopwords(language: str) -> frozenset[str]:
    """The stop words of a language (ISO 639-1), lower-cased; empty when none are known."""
    code = language.lower().split("-")[0]
    if code == ENGLISH:
        return STOPWORDS
    name = _STOP_LANGUAGES.get(code)
    if name is None:
        return frozenset()
    try:
        from stop_words import get_stop_words
    except ImportError:  # an install without it: no stop words but English's
        return frozenset()
    return frozenset(w.lower() for w in get_stop_words(name))


@cache
def common_english() -> frozenset[str]:
    """The stop-words package's English list (1,333 words, "hello", "thanks", "ok" and
    "don't" among them): wider than STOPWORDS, for telling a short message's language;
    empty in an install without the package."""
    try:
        from stop_words import get_stop_words
    except ImportError:
        return frozenset()
    return frozenset(w.lower() for w in get_stop_words("english"))


def stop_language(tokens: list[str]) -> str:
    """The language whose stop list the (lower-cased) tokens hit most; English unless
    another beats it by VOTE_MARGIN (a short or mixed text stays English)."""
    english = sum(w in STOPWORDS for w in tokens)
    best, hits = ENGLISH, english + VOTE_MARGIN - 1
    for code in _VOTERS:
        listed = stopwords(code)
        if not listed:
            return ENGLISH
        count = sum(w in listed for w in tokens)
        if count > hits:
            best, hits = code, count
    return best


# -- stems -----------------------------------------------------------------------------------

_SUFFIXES = (
    "ational", "ation", "ically", "ical", "ness", "ment", "ities", "ity", "ists", "ist",
    "ies", "ied", "ing", "ic", "ed", "es", "ly", "s", "y", "e",
)  # fmt: skip
_KEEP_DOUBLE = frozenset("lsz")
MIN_STEM = 3
STEM_PREFIX = 5  # words sharing this many first letters count as one ("discovers")


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


def prefix_stem(word: str) -> str:
    """The claims check's cheap stem: the first STEM_PREFIX letters. Coarser than `stem`
    on purpose: a written sentence may use another form of a passage's verb."""
    return word[:STEM_PREFIX]
