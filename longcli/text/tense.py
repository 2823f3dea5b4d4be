"""Whether an English statement of the speaker's tells what goes on (the simple present: "I
wash the car every sunday", "i love my job most days") rather than what happened ("I sold
the car", "we had to rehome pierogi"): the chat ledger reads the first as no change of
what the user told before, whatever it is close to in meaning.

The verb's forms come from LemmInflect (MIT; a lexicon of English lemmas and inflections,
numpy only), not from a list of verbs kept here: a form that may be a past one ("quit",
"read") or a word it does not know ("rehomed") is no simple present.
"""

from __future__ import annotations

import re
from functools import cache

_SPEAKER = frozenset({"i", "we"})
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
MAX_BETWEEN = 2  # adverbs between the subject and its verb ("I still just drive")


@cache
def _forms(word: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(the parts of speech `word` may be, the verb tags it may be) by LemmInflect; None
    without the package or for a word it does not know."""
    try:
        import lemminflect
    except ImportError:  # an install without it: every statement as before
        return None
    parts = lemminflect.getAllLemmas(word)
    if not parts:
        return None
    tags: set[str] = set()
    for lemma in parts.get("VERB", ()):
        for tag, forms in lemminflect.getAllInflections(lemma, upos="VERB").items():
            if word in forms:
                tags.add(tag)
    return frozenset(parts), frozenset(tags)


def simple_present(sentence: str) -> bool:
    """Whether the verb after the speaker ("I", "we"; a few adverbs may come between) is
    surely in the simple present: a present form that is no past form too."""
    tokens = [t.lower().replace("’", "'") for t in _WORD.findall(sentence)]
    at = next((k for k, t in enumerate(tokens) if t in _SPEAKER), None)
    if at is None:
        return False
    for token in tokens[at + 1 : at + 2 + MAX_BETWEEN]:
        found = _forms(token)
        if found is None:
            return False
        parts, tags = found
        if not tags and "ADV" in parts:
            continue  # "I still drive ...", "we usually walk ..."
        return bool(tags & {"VBP", "VB"}) and not tags & {"VBD", "VBN"}
    return False
