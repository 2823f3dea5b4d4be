"""Names and numbers a text mentions: what the grounding check holds an answer to and what
key-sentence selection rewards. Here in text/ so both grounding/ and text/ can use it.
"""

from __future__ import annotations

import re

from longcli.text.sentences import split_sentences
from longcli.text.vocabulary import MENTION_TOKEN

_POSSESSIVE = re.compile(r"(?:['’]s|['’])$", re.IGNORECASE)
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)$", re.IGNORECASE)
_APOSTROPHE = re.compile(r"['’]")

# Capitalised function words are not names (after a colon, in titles).
NOT_NAMES = frozenset(
    """a an and as at but by for from he her his i i'm i've i'd i'll if in into is it its
    me my no nor not of on or our she so that the their them then there these they this
    those to up us we what when where which while who why will with you your after before
    all also although because during however meanwhile once since still though until
    yet ok""".split()
)


def normal_token(token: str) -> str:
    """A word or number as compared: lower case, without a possessive 's, an ordinal's
    suffix or a thousands comma."""
    token = _POSSESSIVE.sub("", token.replace("’", "'"))
    if token[:1].isdigit():
        token = _ORDINAL.sub("", token).replace(",", "")
    return token.lower()


def mentions(text: str) -> list[str]:
    """Names and numbers in `text`: capitalised words that do not start a sentence (and
    are not function words), and numbers. A possessive 's is dropped."""
    found: list[str] = []
    for sentence in split_sentences(text):
        tokens = MENTION_TOKEN.findall(sentence.text)
        found.extend(_POSSESSIVE.sub("", t) for i, t in enumerate(tokens) if _is_mention(t, i))
    return found


def _is_mention(token: str, position: int) -> bool:
    if token[0].isdigit():
        return True
    if position == 0 or not token[0].isupper() or normal_token(token) in NOT_NAMES:
        return False
    # A pronoun's contraction ("You'd", "We're", "It'll") after an abbreviation such as
    # "JR." is no name, though it does not start a sentence.
    return _APOSTROPHE.split(token, maxsplit=1)[0].lower() not in NOT_NAMES
