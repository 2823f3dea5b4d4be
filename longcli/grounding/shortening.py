"""Whether a sentence is another with parts left out, and whether what was left out may
change what it says: a shortening may lose an aside, never a negation, a number or a name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from longcli.grounding.grounds import NUMBER_WORDS
from longcli.text.names import NOT_NAMES as _NOT_NAMES
from longcli.text.names import normal_token as _normal
from longcli.text.vocabulary import TOKEN, words

_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
COPY_SHARE = 0.8  # a sentence with this share of its words in order in a passage: a copy


def is_shortening(short: str, original: str, min_share: float = 0.4) -> bool:
    """Whether `short` is `original` with whole asides deleted and nothing else changed.

    Every word of `short` occurs in `original`, in the same order; it keeps the first
    word (so the subject stays the subject), at least `min_share` of the words, and the
    closing punctuation; its quotation marks are balanced. And what was deleted cannot
    change what the sentence says (`_deletions_keep_meaning`): only whole clauses set off
    by punctuation, never a negation, a number or a name. So a shortening can lose an
    aside but not invent, swap who did what, flip a claim or move a date.
    """
    kept, whole = words(short), words(original)
    if not kept or len(kept) >= len(whole) or len(kept) < max(5, min_share * len(whole)):
        return False
    if kept[0] != whole[0] or _END.search(original) and not _END.search(short):
        return False
    remaining = iter(whole)
    if not all(word in remaining for word in kept):
        return False
    if short.count('"') % 2 or short.count("“") != short.count("”"):
        return False
    return _deletions_keep_meaning(kept, original)


# Tokens of a sentence for the deletion rule: words, and the punctuation that sets off a
# clause or an aside (a spaced hyphen counts as a dash).
CLAUSE_MARK = r"[,;:()\[\]—–]|(?<=\s)-(?=\s)|--"
_CLAUSE_TOKEN = re.compile(rf"{TOKEN.pattern}|{CLAUSE_MARK}", re.UNICODE)
_DELIMITERS = frozenset(",;:()[]—–-")
_NEGATIONS = frozenset(
    """not no never nor neither none nothing nobody nowhere without cannot t""".split()
)  # "t" is what is left of n't


def _deletions_keep_meaning(kept: list[str], original: str) -> bool:
    """Whether `kept` (lower-cased words) is `original` less whole, harmless clauses.

    Each deleted run of words must start after clause punctuation (or a bracket) and end
    before it or at the sentence's end, and hold no negation, number or name. Words repeat
    ("the"), so the deleted runs are tried aligned from the left and from the right."""
    tokens = _CLAUSE_TOKEN.findall(original)
    spans = [(m.start(), m.group()) for m in _CLAUSE_TOKEN.finditer(original)]
    is_word = [t not in _DELIMITERS for t in tokens]
    positions = [i for i, w in enumerate(is_word) if w]
    lowered = [tokens[i].lower() for i in positions]
    for matched in (_align(kept, lowered), _align_right(kept, lowered)):
        if matched is not None and all(
            _harmless(run, tokens, positions, spans) for run in _runs(matched, len(lowered))
        ):
            return True
    return False


def _align(kept: list[str], words_: list[str]) -> list[int] | None:
    found, j = [], 0
    for word in kept:
        while j < len(words_) and words_[j] != word:
            j += 1
        if j == len(words_):
            return None
        found.append(j)
        j += 1
    return found


def _align_right(kept: list[str], words_: list[str]) -> list[int] | None:
    found = _align(kept[::-1], words_[::-1])
    return None if found is None else [len(words_) - 1 - j for j in reversed(found)]


def _runs(matched: list[int], count: int) -> list[tuple[int, int]]:
    """Runs of word indices (start, end exclusive) that the alignment left out."""
    runs, previous = [], -1
    for j in [*matched, count]:
        if j > previous + 1:
            runs.append((previous + 1, j))
        previous = j
    return runs


def _harmless(
    run: tuple[int, int], tokens: list[str], positions: list[int], spans: list[tuple[int, str]]
) -> bool:
    first, last = positions[run[0]], positions[run[1] - 1]
    before = tokens[first - 1] if first > 0 else ""
    after = tokens[last + 1] if last + 1 < len(tokens) else ""
    if before not in _DELIMITERS or (after and after not in _DELIMITERS):
        return False
    for k in range(first, last + 1):
        token = tokens[k]
        if token in _DELIMITERS:
            continue
        if token.lower() in _NEGATIONS or token[0].isdigit() or token.lower() in NUMBER_WORDS:
            return False
        if token[0].isupper() and _normal(token) not in _NOT_NAMES:
            return False
    return True


def _lcs(a: Sequence[str], b: Sequence[str]) -> list[int]:
    """Indices into `b` of a longest common subsequence of `a` and `b`."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
            )
    found, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            found.append(j)
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return found


def cut_changes_meaning(sentence: str, passage: str) -> bool:
    """Whether `sentence` is `passage` copied with cuts (COPY_SHARE of its words, in
    order) that may change what it says: the no-meaning-change rule of is_shortening,
    applied to every word of the passage the copy left out."""
    kept, whole = words(sentence), words(passage)
    if len(kept) < 3:
        return False
    matched = _lcs(kept, whole)
    if len(matched) < COPY_SHARE * len(kept) or len(matched) == len(whole):
        return False  # a paraphrase, or nothing left out
    return not _deletions_keep_meaning([whole[j] for j in matched], passage)
