"""longcli's quote label, and the check of every reply that claims to quote the user.

The label `(You told me at turn 3: "...")` is longcli's word that the user said exactly
this at that turn. It can only mean that if nothing else can produce it: longcli adds it
in a reply's note, which the model never sees (so it has no pattern to copy), and every
label or quotation of the user found in the model's own words is checked against the
journal. A label whose words were said is moved out of the model's words into the note
(at the turn they were said); one whose words were not said is removed, and so is a
sentence that quotes the user ("you told me "...", you said "...") with words they never
wrote.
"""

from __future__ import annotations

import re

from longcli.text.vocabulary import words

LABEL = re.compile(
    r"""\(?[ \t]*You told me at turn[ \t]*(\d+)[ \t]*:[ \t]*["“]([^"”\n]*)["”][ \t]*\)?""",
    re.IGNORECASE,
)
LABEL_START = re.compile(r"\(?\s*you told me at turn", re.IGNORECASE)
CLAIM = re.compile(
    r"\byou(?:'ve| have)? (?:told me|said|mentioned|wrote|stated|shared)\b[^\"“”\n]{0,40}"
    r"[\"“]([^\"“”\n]{3,})[\"”]",
    re.IGNORECASE,
)


def label(turn: int, text: str) -> str:
    """The label for words the user said at journal index `turn`."""
    return f'(You told me at turn {turn + 1}: "{text}")'


def _bare(text: str) -> str:
    return " ".join(words(text))


def said_at(words: str, said: list[str]) -> int | None:
    """The journal index of the latest user message holding `words`, or None."""
    wanted = _bare(words)
    if not wanted:
        return None
    for turn in range(len(said) - 1, -1, -1):
        if f" {wanted} " in f" {_bare(said[turn])} ":
            return turn
    return None


def split_labels(reply: str, said: list[str]) -> tuple[str, list[str]]:
    """`reply` without any quote label, and the labels whose words the user said (with the
    turn they said them at), for the note. `said` is every user message, by journal index."""
    labels: list[str] = []
    if not LABEL_START.search(reply):
        return reply, labels

    def take(match: re.Match[str]) -> str:
        words = match.group(2).strip()
        turn = int(match.group(1)) - 1
        if not (0 <= turn < len(said) and said_at(words, [said[turn]]) is not None):
            found = said_at(words, said)
            if found is None:
                return ""  # forged: the user never said it
            turn = found
        real = label(turn, words)
        if real not in labels:
            labels.append(real)
        return ""

    text = LABEL.sub(take, reply)
    text = LABEL_START.split(text)[0]  # a label cut off by the reply's end
    return _tidy(text), labels


def false_claims(sentence: str, said: list[str]) -> list[str]:
    """The words `sentence` claims the user said ("you told me "X"") that they did not."""
    return [m.group(1) for m in CLAIM.finditer(sentence) if said_at(m.group(1), said) is None]


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.strip().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
