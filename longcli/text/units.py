"""Length in the reader's unit: characters for Chinese and Japanese (as their readers, and
LongBench, count), words everywhere else.

`--words N` asks for N of these units. Text in the unit's script is counted so; in mixed
text each Han or kana character is one unit and each run of other letters or digits
(an English term, a number) is one unit too, so a Chinese summary that names "Transformer"
or "2022年" is counted as a Chinese reader would.
"""

from __future__ import annotations

from dataclasses import dataclass

from longcli.text import language
from longcli.text.vocabulary import word_count


@dataclass(frozen=True)
class Unit:
    """What `--words` counts for one language."""

    characters: bool  # True: CJK characters; False: words

    @property
    def plural(self) -> str:
        return "characters" if self.characters else "words"

    def count(self, text: str) -> int:
        return word_count(text) if self.characters else len(text.split())


WORDS = Unit(characters=False)
CHARACTERS = Unit(characters=True)


def unit_for(code: str | None) -> Unit:
    """The unit readers of language `code` count in."""
    return CHARACTERS if language.counts_characters(code) else WORDS
