"""What a chat reply may not do, checked sentence by sentence as it streams.

A sentence is held back until it is complete, then shown only if it passes: it forges no
quote of the user (chat/labels.py), does not repeat a sentence of an earlier reply to
another message (the same opening every turn, or most of a previous answer: a small model
that sees its own replies copies them; answering the same question again the same way is
no repeat), and, where the reply answers from a document or the user's facts, names no
name or number that the prompt did not hold (as a summary's invented name is caught). A
reply left empty by this is asked for again, once, hotter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from longcli.chat.facts import Fact, asks_about, is_question
from longcli.chat.labels import LABEL, LABEL_START, false_claims, split_labels
from longcli.chat.memory import FACTS_HEADING, MESSAGE_HEADING, RECALL_HEADING, SUMMARY_HEADING
from longcli.grounding.check import Vocabulary, mentions
from longcli.text.terms import recall_terms, terms

_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*[ \t]+|\n+")


def _bare(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


_TEMPLATE_LEFTOVERS = re.compile(r"<\|im_(?:start|end)\|>|<\|endoftext\|>|</s>|<s>")
# The prompt's own headings, and the model's echo of them, are no answer: taken out.
_HEADINGS = re.compile(
    "|".join(
        re.escape(h)
        for h in (SUMMARY_HEADING, RECALL_HEADING, FACTS_HEADING, MESSAGE_HEADING, "Your message:")
    ),
    re.IGNORECASE,
)
MIN_REPEAT_WORDS = 3  # a sentence this long, said before word for word, is a repeat
MIN_OVERLAP_WORDS = 4  # a sentence with this many content words ...
REPLY_WORDS = 5  # a reply with this many content words ...
REPLY_SHARE = 0.8  # ... this share of them in one earlier reply, is that reply again
REPEAT_SHARE = 0.75  # ... this share of them in one earlier sentence (3 of 4), is a repeat


SAME_QUESTION_SHARE = 0.5  # messages sharing this share of their content words ask the same


def asked_terms(message: str) -> frozenset[str]:
    """What a user message asks, to tell whether two messages ask the same thing: a
    question's content words (stems and their concepts: "job" and "work" share "~job");
    a statement is the same only as itself, word for word ("Our neighbour gave us 40
    seedlings." is not "... 3 seedlings.")."""
    if not is_question(message):
        return frozenset({"=" + _bare(message)})
    return frozenset(t for t in recall_terms(message) if not t.startswith("my:"))


def same_question(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two messages' content words mostly agree (asking again, in other words)."""
    if not a or not b:  # "and?", "tell me more": nothing says it is the same question
        return False
    return len(a & b) >= SAME_QUESTION_SHARE * len(a | b)


@dataclass
class Earlier:
    """The sentences of the replies so far, each with the message it answered, for
    spotting a reply that repeats them (answering the same question the same way is no
    repeat)."""

    openings: dict[str, list[frozenset[str]]] = field(default_factory=dict)
    said: dict[str, list[frozenset[str]]] = field(default_factory=dict)  # word for word
    sentences: list[tuple[frozenset[str], frozenset[str]]] = field(default_factory=list)
    replies: list[tuple[frozenset[str], frozenset[str]]] = field(default_factory=list)

    def add(self, reply: str, message: str = "") -> None:
        text = LABEL.sub("", reply)
        parts = [s for s in sentences_of(text) if s.strip()]
        if not parts:
            return
        asked = asked_terms(message)
        self.replies.append((frozenset(terms(text)), asked))
        self.openings.setdefault(_bare(parts[0]), []).append(asked)
        for sentence in parts:
            bare = _bare(sentence)
            if len(bare.split()) >= MIN_REPEAT_WORDS:
                self.said.setdefault(bare, []).append(asked)
            bag = frozenset(terms(sentence))
            if len(bag) >= MIN_OVERLAP_WORDS:
                self.sentences.append((bag, asked))

    def mostly(self, bag: frozenset[str], asked: frozenset[str]) -> bool:
        """Whether a reply's content words so far (REPLY_WORDS or more) are mostly those of
        one earlier reply to another message."""
        return len(bag) >= REPLY_WORDS and _within(bag, self.replies, REPLY_SHARE, asked)

    def repeats(
        self,
        sentence: str,
        first: bool,
        asked: frozenset[str] = frozenset(),
        bag: frozenset[str] | None = None,
    ) -> bool:
        """Whether `sentence` says again what a reply to another message said: word for
        word, as the same opening, or most of its content words (`bag`, when the caller
        has them) in one earlier sentence."""

        def other(questions: list[frozenset[str]]) -> bool:
            return any(not same_question(asked, q) for q in questions)

        bare = _bare(sentence)
        if len(bare.split()) >= MIN_REPEAT_WORDS and (
            other(self.said.get(bare, [])) or (first and other(self.openings.get(bare, [])))
        ):
            return True
        bag = frozenset(terms(sentence)) if bag is None else bag
        return len(bag) >= MIN_OVERLAP_WORDS and _within(bag, self.sentences, REPEAT_SHARE, asked)


def _within(
    bag: frozenset[str],
    earlier: list[tuple[frozenset[str], frozenset[str]]],
    share: float,
    asked: frozenset[str],
) -> bool:
    """Whether `share` of `bag` is in one of the `earlier` bags given to another message
    than `asked`."""
    return any(
        len(bag & old) >= share * len(bag) and not same_question(asked, q) for old, q in earlier
    )


def sentences_of(text: str) -> list[str]:
    """`text` cut after each sentence end and newline, separators kept on the left part."""
    parts, start = [], 0
    for match in _END.finditer(text):
        parts.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        parts.append(text[start:])
    return parts


@dataclass
class Checks:
    """What one reply is checked against."""

    said: list[str]  # every user message, by journal index, the current one last
    earlier: Earlier
    question: str
    grounds: list[str] | None = None  # when set: names and numbers must come from these
    facts: list[Fact] = field(default_factory=list)  # the user's statements shown with it
    dropped: list[str] = field(default_factory=list)  # sentences left out, and why
    labels: list[str] = field(default_factory=list)  # real labels moved to the note

    def __post_init__(self) -> None:
        self._asked = asked_terms(self.question)
        self._vocabulary = Vocabulary(self.grounds) if self.grounds is not None else None
        self._seen: set[str] = set()
        self._bag: frozenset[str] = frozenset()  # the content words kept so far

    def keep(self, sentence: str, first: bool) -> str:
        """`sentence` as it may be shown: without labels; "" when it must go."""
        sentence = _HEADINGS.sub("", _TEMPLATE_LEFTOVERS.sub("", sentence))
        text, labels = split_labels(sentence, self.said)
        self.labels += [lab for lab in labels if lab not in self.labels]
        if not text.strip():
            return ""
        if false_claims(text, self.said):
            return self._drop(text, "quotes words the user never said")
        bare = _bare(text)
        if bare == _bare(self.question) and is_question(self.question):
            return self._drop(text, "echoes the question")
        if bare and bare in self._seen:
            return self._drop(text, "repeats itself")
        self._seen.add(bare)
        answers = self._answers_from_facts(text)
        bag = frozenset(terms(text))
        if self.earlier.repeats(text, first, self._asked, bag) and not answers:
            return self._drop(text, "repeats an earlier reply to another message")
        grown = self._bag | bag
        if self.earlier.mostly(grown, self._asked) and not answers:
            return self._drop(text, "makes the reply mostly an earlier one to another message")
        self._bag = grown
        if self._vocabulary is not None:
            invented = [m for m in mentions(text) if not self._vocabulary.supports(m)]
            if invented:
                return self._drop(text, f"names {', '.join(invented)}, which it was not given")
        return sentence if not labels and text == sentence else text + _trailing(sentence)

    def new_attempt(self) -> None:
        """Forget the sentences of the attempt before: asking again is a fresh reply."""
        self._seen = set()
        self._bag = frozenset()

    def _answers_from_facts(self, text: str) -> bool:
        """Whether `text` answers the question with a name or number of a statement shown
        to the model: giving it again, to another question, is an answer, not a repeat."""
        if not self.facts or not is_question(self.question):
            return False
        found = {m.lower() for m in mentions(text)}
        return any(
            asks_about(self.question, fact) and any(m in fact.text.lower() for m in found)
            for fact in self.facts
        )

    def _drop(self, text: str, why: str) -> str:
        self.dropped.append(f"{why}: {text.strip()}")
        return ""


def _trailing(sentence: str) -> str:
    stripped = sentence.rstrip()
    return sentence[len(stripped) :]


class Gate:
    """Passes a streamed reply on sentence by sentence, each once it is complete and
    checked; a label is held until it closes."""

    def __init__(self, keep: Callable[[str, bool], str], emit: Callable[[str], None] | None):
        self._keep = keep
        self._emit = emit
        self._buffer = ""
        self._kept: list[str] = []
        self._first = True

    def feed(self, pieces: Iterable[str]) -> None:
        for piece in pieces:
            self._buffer += piece
            self._release(final=False)

    def close(self) -> str:
        self._release(final=True)
        return "".join(self._kept).strip()

    def _release(self, final: bool) -> None:
        text = self._buffer
        if not final:  # only whole sentences, and nothing from an unclosed label on
            opened = LABEL_START.search(text)
            if opened and LABEL.search(text, opened.start()) is None:
                text = text[: opened.start()]
            ends = list(_END.finditer(text))
            text = text[: ends[-1].end()] if ends else ""
        for part in sentences_of(text):
            if not part.strip():
                if self._kept:
                    self._out(part)
                continue
            kept = self._keep(part, self._first)
            if kept:  # a dropped sentence leaves the next one to open the reply
                self._first = False
                self._out(kept)
        self._buffer = self._buffer[len(text) :]

    def _out(self, text: str) -> None:
        self._kept.append(text)
        if self._emit is not None:
            self._emit(text)
