"""What a sentence only wishes, hopes for or plans, rather than says is done or the case
(English): the grounding check's "the source only wishes" and the chat ledger's "a plan
updates nothing" read it here, one pattern for both.

A closed class of words, like negation's: the verbs and phrases of wanting and intending.
Plain future ("I fly out on Monday", "I'll be in Oslo") is not among them: a flight or an
appointment is said that way and is a fact to keep.
"""

from __future__ import annotations

import re

# Wishing and hoping: "I wish John would take me away", "she longs for the sea"
WISHED = re.compile(
    r"\b(?:wish(?:es|ed)?|hop(?:e|es|ed|ing)|if only|long(?:s|ed)? (?:to|for)|"
    r"want(?:s|ed)? (?:to|him|her|them|me|us|you))\b",
    re.IGNORECASE,
)

# ... and planning, considering, maybe: "In April I'm planning a trip to Sicily" took the
# place of "I live in Ljubljana" (0.63 with both places left out, as close as a move)
_INTENDED = re.compile(
    r"\b(?:plan(?:s|ned|ning)? (?:to|a|an|on)|(?:would|'d|’d) (?:like|love) to|"
    r"thinking (?:of|about)|consider(?:s|ing)?|dream(?:s|ing)? (?:of|about)|"
    r"might|maybe|perhaps)\b",
    re.IGNORECASE,
)


def only_intended(sentence: str) -> bool:
    """Whether `sentence` wishes, hopes, plans or considers rather than states."""
    return WISHED.search(sentence) is not None or _INTENDED.search(sentence) is not None
