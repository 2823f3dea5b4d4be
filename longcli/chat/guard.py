"""What a chat reply may not do, checked sentence by sentence as it streams.

A sentence is held back until it is complete, then shown only if it passes: it forges no
quote of the user (chat/labels.py), does not repeat a sentence of an earlier reply to
another message (the same opening every turn, or most of a previous answer: a small model
that sees its own replies copies them; answering the same question again the same way is
no repeat), and, where the reply answers from a document or the user's facts, names no
name or number that the prompt did not hold (as a summary's invented name is caught). A
reply left empty by this is asked for again, once, hotter. With an embedding model, a
sentence that says an earlier reply's sentence again in other words is a repeat too, and
one that says what a replaced statement said ("You have a cat." after "We swapped the cat
for a dog") is stale.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum

from longcli.backends.embedding import Embedder, cosines
from longcli.chat.facts import Fact, content_words, is_question, stems
from longcli.chat.labels import LABEL, LABEL_START, false_claims, split_labels
from longcli.chat.prompt import FACTS_HEADING, MESSAGE_HEADING, RECALL_HEADING, SUMMARY_HEADING
from longcli.chat.questions import answer_states, asks_about
from longcli.grounding.check import Vocabulary, mentions
from longcli.text import language as languages
from longcli.text.terms import recall_terms, terms
from longcli.text.vocabulary import stopwords, words

_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*[ \t]+|\n+")


def _bare(text: str) -> str:
    return " ".join(words(text))


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
# With an embedding model: a reply's opening sentence this close in meaning to a sentence
# of an earlier reply to another message says it again in other words (all-MiniLM-L6-v2:
# "That sounds lovely." / "How lovely that sounds!" 0.80, two paraphrases of a fact about
# autumn 0.90; two answers about two things of the user's 0.44, two fun facts about two
# animals 0.46).
REPEAT_MEANING = 0.8
REPEAT_MEANING_SENTENCES = 64  # the newest sentences compared so: a bound on the cost
MIN_MEANING_WORDS = 2  # a sentence of one word ("Sure.") is left to the word rules
MEANING_SHARED_WORDS = 2  # ... and one shares this many content words with those compared
# A reply sentence this close to a replaced statement, giving a word of it and none only
# the statement that replaced it says, gives the old value ("You have a cat." / "I have a
# cat called Miso." 0.57, after "We swapped the cat for a dog").
STALE_MEANING = 0.5


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
    # (sentence, its content words, the message) for the comparison by meaning
    texts: list[tuple[str, frozenset[str], frozenset[str]]] = field(default_factory=list)

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
            if len(bare.split()) >= MIN_MEANING_WORDS:
                self.texts.append((sentence.strip(), bag, asked))
        del self.texts[:-REPEAT_MEANING_SENTENCES]

    def means_again(self, embedder: Embedder, sentence: str, asked: frozenset[str]) -> bool:
        """Whether `sentence` says in other words what a sentence of an earlier reply to
        another message said (REPEAT_MEANING). Only sentences sharing a content word are
        compared (two that say the same share two, or all of a shorter one's: "That sounds
        lovely." / "How lovely that sounds!"), so most replies cost no embedding."""
        if len(_bare(sentence).split()) < MIN_MEANING_WORDS:
            return False
        bag = frozenset(terms(sentence))
        shared = min(MEANING_SHARED_WORDS, len(bag))
        others = [
            text
            for text, b, q in self.texts
            if shared and len(b & bag) >= shared and not same_question(asked, q)
        ]
        if not others:
            return False
        vectors = embedder.embed([sentence.strip(), *others])
        return max(cosines(vectors[0], vectors[1:])) >= REPEAT_MEANING

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
        if bare and first and other(self.openings.get(bare, [])):
            return True  # the same opening, however short ("Ladripe, abositas!" eight times)
        if len(bare.split()) >= MIN_REPEAT_WORDS and other(self.said.get(bare, [])):
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


class Why(Enum):
    """Why a sentence of a reply was left out."""

    FORGED_QUOTE = "quotes words the user never said"
    ECHO = "echoes the question"
    SAID_ALREADY = "repeats itself"
    REPEAT = "repeats an earlier reply to another message"
    MOSTLY_EARLIER = "makes the reply mostly an earlier one to another message"
    INVENTED = "names {}, which it was not given"
    LANGUAGE = "is not in the language of the message"
    STALE = "gives {}, which the user has since replaced"
    STALE_MEANING = "says what the user has since replaced"

    @property
    def repeats(self) -> bool:
        """Whether the sentence only said again what was said (so a reply left empty by
        such drops has no new answer)."""
        return self in (Why.SAID_ALREADY, Why.REPEAT)


@dataclass(frozen=True)
class Dropped:
    """A sentence the checks left out, and why."""

    why: Why
    sentence: str
    invented: tuple[str, ...] = ()  # the names and numbers it was not given (Why.INVENTED)

    def __str__(self) -> str:
        return f"{self.why.value.format(', '.join(self.invented))}: {self.sentence.strip()}"


@dataclass
class Checks:
    """What one reply is checked against."""

    said: list[str]  # every user message, by journal index, the current one last
    earlier: Earlier
    question: str
    grounds: list[str] | None = None  # when set: names and numbers must come from these
    facts: list[Fact] = field(default_factory=list)  # the user's statements shown with it
    stale: frozenset[str] = frozenset()  # values of replaced statements no current one holds
    # (replaced statement, the one that replaced it) for the statements shown, and the
    # embedding model that tells a sentence saying the old one (None: by words alone)
    replaced: list[tuple[Fact, Fact]] = field(default_factory=list)
    embedder: Embedder | None = None
    dropped: list[Dropped] = field(default_factory=list)  # sentences left out
    labels: list[str] = field(default_factory=list)  # real labels moved to the note

    def __post_init__(self) -> None:
        self._asked = asked_terms(self.question)
        self._expected = _message_language(self.question)
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
            return self._drop(text, Why.FORGED_QUOTE)
        bare = _bare(text)
        if bare == _bare(self.question) and is_question(self.question):
            return self._drop(text, Why.ECHO)
        if bare and bare in self._seen:
            return self._drop(text, Why.SAID_ALREADY)
        self._seen.add(bare)
        if self._expected and _other_language(text, self._expected):
            return self._drop(text, Why.LANGUAGE)
        old = sorted({m for m in mentions(text) if m.lower() in self.stale})
        if old:  # "Maria lives in Lisbon" after "Maria moved to Porto": another value
            return self._drop(text, Why.STALE, tuple(old))
        if self._says_replaced(text):  # "You have a cat." after "We swapped the cat for a dog"
            return self._drop(text, Why.STALE_MEANING)
        answers = self._answers_from_facts(text)
        bag = frozenset(terms(text))
        if not answers and (
            self.earlier.repeats(text, first, self._asked, bag)
            or (  # by meaning, the opening only: one sentence embedded per reply, not each
                first
                and self.embedder is not None
                and self.earlier.means_again(self.embedder, text, self._asked)
            )
        ):
            return self._drop(text, Why.REPEAT)
        grown = self._bag | bag
        if self.earlier.mostly(grown, self._asked) and not answers:
            return self._drop(text, Why.MOSTLY_EARLIER)
        self._bag = grown
        if self._vocabulary is not None:
            invented = [m for m in mentions(text) if not self._vocabulary.supports(m)]
            if invented:
                return self._drop(text, Why.INVENTED, tuple(invented))
        return sentence if not labels and text == sentence else text + _trailing(sentence)

    def new_attempt(self) -> None:
        """Forget the sentences of the attempt before: asking again is a fresh reply."""
        self._seen = set()
        self._bag = frozenset()

    def _says_replaced(self, text: str) -> bool:
        """Whether `text` says what a replaced statement said rather than what replaced it:
        it gives a word of the older one that the question lacks, none that only the newer
        one says, and is STALE_MEANING close to the older one ("You have a cat." after "I
        have a cat called Miso." and "We swapped the cat for a dog."; "You have a dog." is
        kept)."""
        if self.embedder is None or not self.replaced:
            return False
        said = stems(text)

        def words_of(fact: Fact) -> set[str]:
            return {w.stem for w in content_words(fact.text)}

        asked = {w.stem for w in content_words(self.question)}
        olds = [
            old.text
            for old, new in self.replaced
            if (words_of(old) - asked) & said and not (words_of(new) - words_of(old)) & said
        ]
        if not olds:  # most sentences: no embedding
            return False
        vectors = self.embedder.embed([text, *olds])
        return max(cosines(vectors[0], vectors[1:])) >= STALE_MEANING

    def _answers_from_facts(self, text: str) -> bool:
        """Whether `text` answers the question with a name or number of a statement shown
        to the model: giving it again, to another question, is an answer, not a repeat."""
        if not self.facts or not is_question(self.question):
            return False
        # it gives what the statement says that the question does not: a sentence that only
        # names the question's own subject ("Pixel is a dog named Maria.") answers nothing
        return any(
            asks_about(self.question, fact) and answer_states(text, fact, self.question)
            for fact in self.facts
        )

    def _drop(self, text: str, why: Why, invented: tuple[str, ...] = ()) -> str:
        self.dropped.append(Dropped(why, text, invented))
        return ""


def _message_language(message: str) -> str:
    """The language of the user's message ("" when unsure): a short message that is mostly
    English stop words is English ("Hi! My name is Priya Raman." reads as Tagalog to the
    detector)."""
    said = words(message)
    english = stopwords(languages.ENGLISH)
    if said and sum(w in english for w in said) >= languages.ENGLISH_STOP_SHARE * len(said):
        return languages.ENGLISH
    found = languages.detect(message)
    return "" if found == languages.UNKNOWN else found


MIN_LANGUAGE_WORDS = 4  # a shorter sentence is too short to tell its language by


def _other_language(text: str, expected: str) -> bool:
    """Whether `text` is surely not in `expected`: text/language.py says so, or it is
    MIN_LANGUAGE_WORDS words long, few of them stop words of `expected`, and reads as
    another language ("Priya Raman ay mga kabataang nakatayada.")."""
    if languages.other_language(text, expected):
        return True
    said = words(text)
    stops = stopwords(expected)
    if not stops or len(said) < MIN_LANGUAGE_WORDS:
        return False
    if sum(w in stops for w in said) >= languages.STOP_SHARE_AGREES * len(said):
        return False  # prose of `expected` is a fifth to a half its stop words
    return languages.detect(text) not in (expected, languages.UNKNOWN)


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
