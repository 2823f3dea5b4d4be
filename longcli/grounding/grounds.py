"""What an answer may draw on: the inputs of its call (their words and numbers, for
membership tests) and the preceding context it must not echo."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from longcli.text.names import normal_token as _normal
from longcli.text.vocabulary import MENTION_TOKEN, words

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 1_000_000, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "once": 1, "twice": 2,
    "dozen": 12, "half": 2, "pair": 2, "single": 1, "both": 2, "double": 2, "triple": 3,
}  # fmt: skip

# Sentences about the text or the task rather than its content. Checked against the 100
# human reference summaries of the SQuALITY dev set: none of them match (a narrative time
# phrase such as "as the passage ends" is let through). A phrase that also occurs in the source (a


class Vocabulary:
    """The words and numbers that occur in some inputs, for membership tests."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.words: set[str] = set()
        self.numbers: set[str] = set()
        self._lower_parts: list[str] = []
        self._word_runs: list[str] = []  # built on first use
        for text in texts:
            if not text:
                continue
            self._lower_parts.append(text.lower())
            for token in MENTION_TOKEN.findall(text):
                normal = _normal(token)
                if token[0].isdigit():
                    self.numbers.add(normal)
                else:
                    self.words.add(normal)
                    self.words.update(part for part in normal.split("-") if part)
        self.number_values = {_value(n) for n in self.numbers} | {
            v for w, v in NUMBER_WORDS.items() if w in self.words
        }

    def supports(self, mention: str) -> bool:
        normal = _normal(mention)
        if mention[0].isdigit():
            if normal in self.numbers:
                return True
            return _value(normal) in self.number_values
        if normal in self.words:
            return True
        parts = [p for p in normal.split("-") if p]
        return len(parts) > 1 and all(p in self.words for p in parts)

    def contains_phrase(self, phrase: str) -> bool:
        phrase = phrase.lower()
        return any(phrase in part for part in self._lower_parts)

    def contains_words(self, text: str) -> bool:
        """Whether the words of `text` occur in this order, adjacent, in some input."""
        wanted = " ".join(words(text))
        if not self._word_runs:
            self._word_runs = [" ".join(words(part)) for part in self._lower_parts]
        return any(f" {wanted} " in f" {run} " for run in self._word_runs)


def _value(number: str) -> float | None:
    try:
        return float(number.replace(",", ""))
    except ValueError:
        return None


@dataclass(frozen=True)
class Grounds:
    """What an answer may draw on: the call's inputs, and preceding context it must not echo."""

    inputs: Sequence[str]
    context: str | None = None  # the summary of what came before, allowed but not to repeat
    compress_from: str | None = None  # the text the answer must be shorter than
    summary: bool = False  # a summary of a text: a licence or transcriber's note is refused
    language: str = ""  # the language the answer must be in ("" or "und": any)

    def vocabulary(self) -> Vocabulary:
        return Vocabulary([*self.inputs, self.context or ""])
