"""Length in the reader's unit: characters for Chinese and Japanese (as their readers, and
LongBench, count), words everywhere else.

`--words N` asks for N of these units. Text in the unit's script is counted so; in mixed
text each Han or kana character is one unit and each run of other letters or digits
(an English term, a number) is one unit too, so a Chinese summary that names "Transformer"
or "2022年" is counted as a Chinese reader would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from longcli.text import language

# Han and kana: the CJK letters a reader counts one by one (a regex character-class body).
CJK_LETTERS = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK_LETTERS}]")
_RUN = re.compile(rf"[^\W_{CJK_LETTERS}]+(?:[.,'’-][^\W_{CJK_LETTERS}]+)*")


@dataclass(frozen=True)
class Unit:
    """What `--words` counts for one language."""

    characters: bool  # True: CJK characters; False: words

    @property
    def singular(self) -> str:
        return "character" if self.characters else "word"

    @property
    def plural(self) -> str:
        return "characters" if self.characters else "words"

    def count(self, text: str) -> int:
        return count(text) if self.characters else len(text.split())


WORDS = Unit(characters=False)
CHARACTERS = Unit(characters=True)


def unit_for(code: str | None) -> Unit:
    """The unit readers of language `code` count in."""
    return CHARACTERS if language.counts_characters(code) else WORDS


def has_cjk(text: str) -> bool:
    """Whether `text` holds Chinese or Japanese characters."""
    return _CJK_CHAR.search(text) is not None


def count(text: str) -> int:
    """Units in `text` whatever its script: Han and kana characters one each, every other
    run of letters or digits one; for text without CJK this is its number of words."""
    cjk = len(_CJK_CHAR.findall(text))
    if not cjk:
        return len(text.split())
    return cjk + len(_RUN.findall(text))
