"""Names in the support check (support.py): where the source speaks of a name, and which
capitalised words of a sentence are parts of one name.

A summary names who acts where its source says "he" (the story names its hero once, then
says "he" for pages), writes a full name where the source says one part ("Harper Breen"
for "Harper", "Admiral Gorman" for "Gorman"), and puts two names side by side only when
they are one ("on Earth, Korvin" is two). Measured on bench/contradictions.py's tune
family (issue 32).
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Sequence

from longcli.grounding.align import NEIGHBOURS, Aligned
from longcli.grounding.claims import PRONOUNS, opening_name
from longcli.text.names import mentions, normal_token
from longcli.text.vocabulary import common_english, stopwords, words

MENTION_WORD = re.compile(r"[\w'’-]+")
# Sentences back from the evidence where the one a pronoun there stands for may be named.
PRONOUN_REACH = 12


# How a source's author speaks of themselves (English): "I recorded ...", "our visit"
FIRST_PERSON = frozenset("i me my we us our".split())


class Named(Aligned):
    """A source's sentences, with what the support check asks of the names in them."""

    def __init__(self, text: str, lang: str | None = None, authors: str = "") -> None:
        super().__init__(text, lang)
        # the author's names (its title block's byline: "by J. Walter Fewkes"), for whom
        # the source says "I" or "we": initials are no name
        self._authors = {w for w in words(normal_token(authors)) if len(w) > 1}
        self._beside: defaultdict[str, set[str]] | None = None  # words written together

    def _spoken_of(self, name: str, chosen: Sequence[int]) -> bool:
        """Whether the evidence speaks of `name` as "he", "she" or "they": it has one of those
        and, walking back from it (up to PRONOUN_REACH sentences), the first sentence that
        names anyone names `name` (a story names its hero once, then says "he" for pages;
        a name put in another's place is not the last one named there). Or `name` is the
        source's author and the evidence, or a sentence beside it, says "I" or "we"
        ("Fewkes recorded the songs on wax cylinders" where his report says "I recorded
        ..."; a story's narrator is no author, and a summary calls them "the narrator",
        not by the author's name)."""
        if not chosen:
            return False
        said = words(normal_token(name))[:1]
        first = min(chosen)
        near = range(max(0, first - NEIGHBOURS), min(len(self.sentences), first + NEIGHBOURS + 1))
        if said and said[0] in self._authors and any(self._words[i] & FIRST_PERSON for i in near):
            return True
        if not said or not any(self._words[i] & PRONOUNS for i in near):
            return False
        for i in range(first, max(-1, first - PRONOUN_REACH), -1):
            named = self._persons(i)
            if named:
                return said[0] in named
        return False

    def _persons(self, i: int) -> set[str]:
        """The names source sentence `i` writes (its opening word too when it is a name)."""
        text = self.sentences[i].text
        found = {w for m in mentions(text) for w in words(normal_token(m))}
        first = opening_name(text)
        if first is not None:
            found.add(first)
        return {w for w in found if w in self._mentioned and w not in self._common}

    def _unknown_full_name(self, sentence: str) -> str:
        """Two of the source's names written as one ("Ivy Strike", "Consul Retief") that
        the source never writes together (side by side, or one word apart): a first name,
        title or surname given to another person. '' when every such pair stands there.
        Only words side by side are one name: "on Earth, Korvin" and "the Dreamer, Unger"
        are two."""
        for a, b in _side_by_side(sentence):
            pair = (words(normal_token(a))[-1], words(normal_token(b))[0])
            if all(w in self._mentioned for w in pair) and not self._together(*pair):
                return f"{a} {b}"
        return ""

    def _together(self, a: str, b: str) -> bool:
        """Whether the source writes word `a` before `b`, side by side or one word apart,
        or writes an abbreviation of one there ("Mme. Sofronie" for "Madame Sofronie")."""
        if self._written_together(a, b):
            return True
        if self._beside is None:
            self._beside = defaultdict(set)
            for x, y in self._pairs or ():
                self._beside[y].add(x)
                self._beside[x].add(y)
        # a name's abbreviation, which the source writes as a name ("he" is no "Harper")
        return any(_abbreviates(x, a) and self._is_name(x) for x in self._beside.get(b, ())) or any(
            _abbreviates(y, b) and self._is_name(y) for y in self._beside.get(a, ())
        )

    def _written_together(self, a: str, b: str) -> bool:
        """Whether the source writes word `a` before `b`, side by side or one word apart."""
        if self._pairs is None:
            # a word before the next or the one after it: "Lieutenant Hendricks" for
            # "Lieutenant Ivy Hendricks"
            self._pairs = {
                (tokens[k], tokens[j])
                for s in self.sentences
                for tokens in [words(s.text)]
                for k in range(len(tokens))
                for j in range(k + 1, min(k + 3, len(tokens)))
            }
        return (a, b) in self._pairs

    def _may_be_name(self, word: str) -> bool:
        """Whether a capital that opens a clause may be a name: the source writes it as
        one (`_is_name`), or never in lower case and it is no stop word of the source's
        language ("Bob plans ..." where Bob only opens sentences; not "Well, I will ...",
        "Instead, ...", "Inside, someone ...": measured on bench/contradictions.py's tune
        family, 6 human summary sentences were refused for them and none is now)."""
        if self._is_name(word):
            return True
        common = common_english() if self.language == "en" else stopwords(self.language)
        return word not in self._lower and word not in common

    def _is_name(self, word: str) -> bool:
        """Whether the source writes `word` as a name (capitalised inside its sentences,
        more often than in lower case)."""
        return word in self._mentioned and word not in self._common

    def _other_part(self, sentence: str, name: str, near_words: set[str]) -> bool:
        """Whether `name` is part of a longer name in `sentence` ("Harper Breen", "Admiral
        Gorman") another part of which stands in `near_words`, the source writing the two
        together: the source says "Harper" or "Gorman" where it tells this."""
        token = words(normal_token(name))[:1]
        for a, b in _side_by_side(sentence):
            pair = (words(normal_token(a))[-1], words(normal_token(b))[0])
            if token and token[0] in pair and self._together(*pair):
                other = pair[1] if token[0] == pair[0] else pair[0]
                if other != token[0] and other in near_words and self._is_name(other):
                    return True
        return False


ABBREVIATION_LETTERS = 4  # "Mme", "Capt": an abbreviation is this short at most


def _abbreviates(short: str, long: str) -> bool:
    """Whether `short` may be an abbreviation of `long`: shorter, at most
    ABBREVIATION_LETTERS letters, its first letter the same and its letters in order in
    `long` ("mme" / "madame", "dr" / "doctor", "capt" / "captain")."""
    if not 1 < len(short) <= ABBREVIATION_LETTERS or len(short) >= len(long):
        return False
    if short[0] != long[0]:
        return False
    rest = iter(long[1:])
    return all(letter in rest for letter in short[1:])


def _side_by_side(sentence: str) -> list[tuple[str, str]]:
    """Capitalised words standing side by side in `sentence`, nothing but a space between
    them ("Harper Breen", "Inter-dimensional Monitor"): the parts of one name."""
    tokens = list(MENTION_WORD.finditer(sentence))
    return [
        (a.group(), b.group())
        for a, b in itertools.pairwise(tokens)
        if a.group()[:1].isupper()
        and b.group()[:1].isupper()
        and not sentence[a.end() : b.start()].strip()
        and words(a.group())
        and words(b.group())
    ]
