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
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import Enum
from functools import cache

from rapidfuzz import fuzz, process

from longcli.backends.embedding import Embedder, cosines
from longcli.chat.facts import Fact, stems
from longcli.chat.labels import LABEL, LABEL_START, false_claims, split_labels
from longcli.chat.meaning import values_in
from longcli.chat.prompt import HEADINGS, without_layout
from longcli.chat.questions import (
    answer_states,
    asks_about,
    asks_the_past,
    is_lookup,
    leans_back,
    questions_of,
)
from longcli.chat.statements import (
    Thing,
    another_thing,
    apart,
    content_words,
    is_question,
    parts,
    things,
)
from longcli.grounding.check import Vocabulary, mentions
from longcli.grounding.opposites import opposites, said_instead
from longcli.text import language as languages
from longcli.text.sentences import split_sentences
from longcli.text.terms import recall_terms, terms
from longcli.text.vocabulary import (
    CLAIM_STOPWORDS,
    common_english,
    prefix_stem,
    stem,
    stopwords,
    words,
)

# A sentence ends at an end mark and a space, a newline, or an ellipsis run straight into
# the next sentence ("climate change...I'm so glad").
_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*[ \t]+|\n+|(?:(?<=\.\.\.)|(?<=…))(?=[A-Z])")
# A list item's number or bullet with nothing after it yet ("3. ", "- "): held until its
# item comes, and dropped when none does ("1. 2. 3. 4. 5." is no reply).
LIST_MARKER = re.compile(r"\s*(?:\d{1,3}[.)]|[-*•])\s*")
LIST_ITEM = re.compile(r"\s*(?:\d{1,3}[.)]|[-*•])\s")
# What may close a finished sentence after its last word: an end mark, a closing quote or
# bracket, an emoji. A reply whose last sentence, after others, ends on a letter, digit,
# comma or dash was cut off ("... ever since I was").
_UNFINISHED_END = re.compile(r"[\w,;:\-–—]\s*[\"“(]?\s*$")


def _bare(text: str) -> str:
    return " ".join(words(text))


_TEMPLATE_LEFTOVERS = re.compile(r"<\|im_(?:start|end)\|>|<\|endoftext\|>|</s>|<s>")
# The last content word of each of the prompt's headings: a line of a reply that ends in a
# colon on one of them echoes a heading in its own words ("Your message:", "A little bit
# about yourself, in your own words:"), and the list under it echoes the prompt's lists.
_HEADING_ENDS = frozenset(terms(h)[-1] for h in HEADINGS if terms(h))
_HEADED = re.compile(r"\W*((?:[^\W\d_]+\s+){0,3}[^\W\d_]+)\s*:\s*(.+)", re.DOTALL)
# A reply sentence in the user's person ("my", "I"), not addressed to them ("you")
_AS_THE_USER = re.compile(r"\b(?:i|i'm|i’m|my|me|mine|we|our)\b", re.IGNORECASE)
_TO_THE_USER = re.compile(r"\b(?:you|your|yours|you're|you’re)\b", re.IGNORECASE)
MIN_REPEAT_WORDS = 3  # a sentence this long, said before word for word, is a repeat
# A run of this many words said in an earlier reply to another message is a phrase said
# again ("in the past few years because of climate change", in three replies); no answer
# about the user's facts is cut by it.
PHRASE_WORDS = 7
# a sentence in the user's person this close in meaning to the statement it replies to
# (all-MiniLM-L6-v2) says it back ("My birthday is March 3." / "My bday: March 3." 0.89;
# "I love teal too!" / "My favourite colour is teal." 0.76 is a reply of its own)
ECHO_MEANING = 0.85
ECHO_LETTERS = 3  # a statement said back with this many letters more or fewer at most
NEAR_OPENING = 90  # an opening this like an earlier one (rapidfuzz ratio) is said again
MIN_OVERLAP_WORDS = 4  # a sentence with this many content words ...
REPLY_WORDS = 5  # a reply with this many content words ...
REPLY_SHARE = 0.8  # ... this share of them in one earlier reply, is that reply again
REPEAT_SHARE = 0.75  # ... this share of them in one earlier sentence (3 of 4), is a repeat
SAID_SHARE = 0.8  # ... this share of them said earlier in the same reply, says nothing new


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
    return frozenset(recall_terms(message))


def same_question(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two messages' content words mostly agree (asking again, in other words),
    about the same thing of the user's ("my sister's name" is not "my name": the 'my:'
    terms, which say whose, must meet when both have them)."""
    owned_a = {t for t in a if t.startswith(_OWNED)}
    owned_b = {t for t in b if t.startswith(_OWNED)}
    a, b = a - owned_a, b - owned_b
    if not a or not b:  # "and?", "tell me more": nothing says it is the same question
        return False
    if owned_a and owned_b and not owned_a & owned_b:
        return False
    return len(a & b) >= SAME_QUESTION_SHARE * len(a | b)


_OWNED = "my:"


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
    phrases: dict[tuple[str, ...], list[frozenset[str]]] = field(default_factory=dict)

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
            for phrase in _phrases(bare):
                self.phrases.setdefault(phrase, []).append(asked)
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
        users: frozenset[tuple[str, ...]] = frozenset(),
    ) -> bool:
        """Whether `sentence` says again what a reply to another message said: word for
        word, as the same opening, or most of its content words (`bag`, when the caller
        has them) in one earlier sentence."""

        def other(questions: list[frozenset[str]]) -> bool:
            return any(not same_question(asked, q) for q in questions)

        bare = _bare(sentence)
        if bare and first and other(self.openings.get(bare, [])):
            return True  # the same opening, however short ("Ladripe, abositas!" eight times)
        if first and len(bare.split()) >= MIN_REPEAT_WORDS:
            # ... or one nearly the same, another value in its frame ("The answer to your
            # question is Biscuit." after "... is teal.", Qwen replying to statements)
            near = process.extract(
                bare, list(self.openings), scorer=fuzz.ratio, score_cutoff=NEAR_OPENING, limit=None
            )
            if any(other(self.openings[found]) for found, _, _ in near):
                return True
        if len(bare.split()) >= MIN_REPEAT_WORDS and other(self.said.get(bare, [])):
            return True
        # a phrase of the user's own ("my name is Ada") is theirs to hear again
        if any(other(self.phrases.get(p, [])) for p in _phrases(bare) - users):
            return True
        bag = frozenset(terms(sentence)) if bag is None else bag
        if len(bag) >= MIN_MEANING_WORDS and any(
            b == bag and not same_question(asked, q) for _, b, q in self.texts
        ):  # a short one with the same words, in any order ("Zdrowie, zwolikowne." again)
            return True
        return len(bag) >= MIN_OVERLAP_WORDS and _within(bag, self.sentences, REPEAT_SHARE, asked)


def _phrases(bare: str) -> set[tuple[str, ...]]:
    """The runs of PHRASE_WORDS words of a bare sentence."""
    said = bare.split()
    return {tuple(said[i : i + PHRASE_WORDS]) for i in range(len(said) - PHRASE_WORDS + 1)}


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


# A reply to a message that only states something opens on a sentence at least this near
# it in meaning (all-MiniLM-L6-v2). On the generated bench's family A (bundled model,
# seed 30), every opening sentence of such a reply under 0.3 said nothing of the message
# (16 of 44: "My apologies again.", "That's a typo."); over it, "That's a beautiful color,
# isn't it?" (0.46), "Knitting is a wonderful skill to have" (0.69).
REPLY_MEANING = 0.3
ELSEWHERE_MARGIN = 0.1
ACK_WORDS = 2
ECHO_LIKENESS = 0.9  # a sentence this like the question (difflib's ratio) says it back


class Why(Enum):
    """Why a sentence of a reply was left out."""

    FORGED_QUOTE = "quotes words the user never said"
    ECHO = "says back the user's words"
    SAID_ALREADY = "repeats itself"
    REPEAT = "repeats an earlier reply to another message"
    MOSTLY_EARLIER = "makes the reply mostly an earlier one to another message"
    INVENTED = "names {}, which it was not given"
    LANGUAGE = "is not in the language of the message"
    STALE = "gives {}, which the user has since replaced"
    STALE_MEANING = "says what the user has since replaced"
    OTHER_VALUE = "gives {}, where the user said another"
    REVERSED = "says the reverse of what the user said ({})"
    NO_WORDS = "holds no words"
    UNFINISHED = "is cut off mid-sentence"
    LAYOUT = "echoes the prompt's layout"
    ASIDE = "is a remark in brackets, not an answer"
    OFF_POINT = "is far in meaning from the message it replies to"

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
    # the message looks up what the user told, with their statements shown (set below)
    looks_up: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self._asked = asked_terms(self.question)
        # a question about what was so before an update wants the values since replaced:
        # neither they nor a sentence saying a replaced statement is stale for it
        self._past = asks_the_past(self.question)
        self._expected = _message_language(self.question)
        self._vocabulary = Vocabulary(self.grounds) if self.grounds is not None else None
        self._seen: set[str] = set()
        self._told_parts: list[tuple[frozenset[Thing], list[str]]] | None = None
        self._bag: frozenset[str] = frozenset()  # the content words kept so far
        self._in_echo = False  # the line before echoed a heading: its list is the prompt's
        said_words = {w.lower() for m in self.said for w in words(m)}
        self._users = frozenset(said_words | {ch for w in said_words for ch in w})
        # a message that states and asks nothing
        self._states = not is_question(self.question) and not questions_of(self.question)
        self._near = False  # a sentence of this reply came near the message (_off_point)
        # ... or one that looks up what the user told (`looks_up`)
        # (a question naming nothing, after one that looks up: "and before that?")
        before = self.said[-2] if len(self.said) > 1 else ""
        follows = leans_back(self.question, pointing=True) and is_lookup(before)
        self.looks_up = bool(self.facts) and (is_lookup(self.question) or follows)
        self._follows = follows
        self._said_words = frozenset(said_words)  # every word the user typed, lower case
        self._user_phrases = frozenset(p for m in self.said for p in _phrases(_bare(m)))
        self._user_sentences = frozenset(  # each sentence of each message, as said
            _bare(s.text) for m in self.said for s in split_sentences(m)
        ) | {_bare(m) for m in self.said}

    def keep(self, sentence: str, first: bool, cut: bool = False) -> str:
        """`sentence` as it may be shown: without labels; "" when it must go. `cut`: it is
        the reply's last and does not end (the model stopped mid-sentence)."""
        sentence = without_layout(_TEMPLATE_LEFTOVERS.sub("", sentence))
        text, labels = split_labels(sentence, self.said)
        self.labels += [lab for lab in labels if lab not in self.labels]
        if not text.strip():
            return ""
        typed, text = text, undecorated(text)  # a smiley, ":D", holds a letter, no word
        if LIST_MARKER.fullmatch(text) or not _bare(text):
            return self._drop(typed, Why.NO_WORDS)
        if self._echoes_layout(text) or _LONGCLI_LINE.search(text):
            return self._drop(text, Why.LAYOUT)
        if false_claims(text, self.said):
            return self._drop(text, Why.FORGED_QUOTE)
        bare = _bare(text)
        if self._echoes_user(bare, text):
            return self._drop(text, Why.ECHO)
        bag = frozenset(terms(text))
        if (bare and bare in self._seen) or (
            len(bag) >= MIN_OVERLAP_WORDS and len(bag & self._bag) >= SAID_SHARE * len(bag)
        ):  # said in this reply already, word for word or all but a word or two
            return self._drop(text, Why.SAID_ALREADY)
        self._seen.add(bare)
        if _ASIDE.fullmatch(text.strip()):  # "(The message is in German)": no answer
            return self._drop(text, Why.ASIDE)
        if self._off_point(text):
            return self._drop(text, Why.OFF_POINT)
        if self._expected and _other_language(text, self._expected, self._users):
            return self._drop(text, Why.LANGUAGE)
        old = [] if self._past else sorted({m for m in mentions(text) if m.lower() in self.stale})
        if old:  # "Maria lives in Lisbon" after "Maria moved to Porto": another value
            return self._drop(text, Why.STALE, tuple(old))
        if self._says_replaced(text):  # "You have a cat." after "We swapped the cat for a dog"
            return self._drop(text, Why.STALE_MEANING)
        other = self._other_value(text)
        if other:  # "Your brother is called Agnieszka." after "my brother is Tomek"
            return self._drop(text, Why.OTHER_VALUE, tuple(other))
        flipped = _reverses(text, self.said[-1:]) if self._expected == languages.ENGLISH else ""
        if flipped:  # "... loves to lick the vacuum cleaner." to "... hates the vacuum."
            return self._drop(text, Why.REVERSED, (flipped,))
        answers = self._answers_from_facts(text)
        if cut and not answers:  # a value of the user's given in full stays, end mark or not
            return self._drop(text, Why.UNFINISHED)
        if not answers and (
            self.earlier.repeats(text, first, self._asked, bag, self._user_phrases)
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
            codes = [c for c in _CODES.findall(text) if any(ch.isdigit() for ch in c)]
            said = [*mentions(text), *codes]
            invented = [m for m in dict.fromkeys(said) if not self._vocabulary.supports(m)]
            if invented:
                return self._drop(text, Why.INVENTED, tuple(invented))
        return sentence if not labels and text == sentence else text + _trailing(sentence)

    def new_attempt(self) -> None:
        """Forget the sentences of the attempt before: asking again is a fresh reply."""
        self._seen = set()
        self._bag = frozenset()
        self._in_echo = False
        self._near = False

    def _off_point(self, text: str) -> bool:
        """Whether `text`, a sentence of a reply to a message that only states something,
        comes before any sentence of the reply near the message in meaning and is itself
        far from it (REPLY_MEANING). The bundled model answered "Lena just started a
        pottery class." with "I'm sorry for the confusion, but I can help you with that.",
        "My denitst is Dr Lindqvist." with "Please be assured of my code.", "our dogs
        birthday is in May" with "If I had to choose one, it would be Biscuit." Once one
        sentence is near, those after it stay ("My favorite animal, octopuses! I just love
        them."). English messages only: the embedding model is English (all-MiniLM-L6-v2).
        A sentence of a word or two ("OK.", "Got it!") says too little to be off the point.
        A reply to a question looking up what the user told: see `_off_question`."""
        if self._near or self.embedder is None or not (self._states or self.looks_up):
            return False
        if self._expected != languages.ENGLISH:
            return False
        if self.looks_up:  # (a word or two gives a value, or is no answer: "remind me")
            return self._off_question(text, self.embedder)
        if len(words(text)) <= ACK_WORDS:
            return False
        others = [f.text for f in self.facts if f.text != self.question]
        message, sentence, *told = self.embedder.embed([self.question, text, *others])
        near = cosines(sentence, [message])[0]
        # ... or nearer another statement the user made than this one: "It's a story about
        # Lena, who is your sister." to "My sister's birthday is on 14 March." (0.32; 0.76
        # from "My sister is called Lena."), "I'm a vegetarian." to "I gave that up and
        # went pescatarian."
        elsewhere = max(cosines(sentence, told), default=0.0)
        self._near = near >= REPLY_MEANING and elsewhere - near < ELSEWHERE_MARGIN
        return not self._near

    def _off_question(self, text: str, embedder: Embedder) -> bool:
        """`_off_point` for a reply to a question that looks up what the user told: its
        sentences before one that gives a value of theirs, or comes REPLY_MEANING near the
        question or a statement shown, are filler ("What's the code for my bike lock?" got
        "you have a knack for finding the answer.", "Where am I living these days?" got
        "Your response is incomplete.", above the right quote: a new user's walk)."""
        if self._answers_from_facts(text) or (self._follows and self._gives_a_value(text)):
            self._near = True  # (a question naming nothing asks no thing: any value of
            return False  # a statement shown may answer it, "Tromsø." to "and before that?")
        vectors = embedder.embed([text, self.question, *(f.text for f in self.facts)])
        self._near = max(cosines(vectors[0], vectors[1:])) >= REPLY_MEANING
        return not self._near

    def _gives_a_value(self, text: str) -> bool:
        """Whether `text` names a name or number a statement shown holds, or one of those
        they replaced."""
        told = [*self.facts, *(old for old, _ in self.replaced)]
        held = {v.lower() for f in told for v in values_in(f.text)}
        return any(v.lower() in held for v in values_in(text))

    def _echoes_user(self, bare: str, text: str) -> bool:
        """Whether `text` only says back a sentence of the user's: the question asked, a
        statement of this message (the reply to "My favourite colour is teal." is not
        "My favourite colour is teal.", which the answer to a later question about it
        would then repeat), or an earlier message when it answers nothing of what is
        asked now ("Remind me what my sister is called." for "What date is my
        birthday?")."""
        headed = _HEADED.match(text)  # "Your message: What can't I have ...?": the prompt's
        # heading in the model's words, then the message
        if headed and (terms(headed.group(1)) or [""])[-1] in _HEADING_ENDS:
            bare = _bare(headed.group(2))
        if bare == _bare(self.question) or (
            # ... or with a letter or two changed: "What is my lokcer code?" (the spelling of
            # the statement shown) to "What is my locker code?", "Remember that my favorite
            # film is Amarcord." to "... favourite ...", which answered the question about
            # it later word for word: a reply shown twice (Qwen, the generated bench); a
            # statement's only when its length is the same but for ECHO_LETTERS ("Noted: "
            # and the statement is a reply of its own)
            SequenceMatcher(None, bare, _bare(self.question)).ratio() >= ECHO_LIKENESS
            and (
                is_question(self.question)
                or abs(len(bare) - len(_bare(self.question))) <= ECHO_LETTERS
            )
        ):
            return is_question(self.question) or len(bare.split()) >= MIN_REPEAT_WORDS
        if len(bare.split()) < MIN_REPEAT_WORDS:
            return False
        if self._states and _AS_THE_USER.search(text) and not _TO_THE_USER.search(text):
            # a statement said back in the user's own words and person, not word for word
            # ("- fyi my favourite colour is crimson" to "Scratch that, my favourite colour
            # became crimson."): the right answer to the question about it later was then a
            # reply shown twice (the generated bench, bundled model). "Your locker code is
            # now 5814." confirms it, and stays.
            typed = {w.lower() for w in words(text)}
            if typed <= self._said_words and set(terms(text)) & set(terms(self.question)):
                return True
            # ... or in other words of the same meaning, with no value of its own ("My
            # birthday is March 3." to "My bday: March 3.", 0.89; Qwen then gave the same
            # words to "What date is my birthday?": a reply shown twice)
            if self._restates(text):
                return True
        if bare not in self._user_sentences:
            return False
        return not self._answers_from_facts(text)

    def _restates(self, text: str) -> bool:
        """Whether `text` says the message back in other words: ECHO_MEANING close to it
        (with the embedding model), naming no name or number it does not."""
        if self.embedder is None:
            return False
        held = {v.lower() for v in values_in(self.question)}
        if any(v.lower() not in held for v in values_in(text)):
            return False
        vectors = self.embedder.embed([text, self.question])
        return cosines(vectors[0], vectors[1:])[0] >= ECHO_MEANING

    def _echoes_layout(self, text: str) -> bool:
        """Whether `text` is a line echoing one of the prompt's headings in its own words
        (it ends in a colon on a heading's last content word: "in your own words:"), or an
        item of the list under such a line."""
        if self._in_echo and LIST_ITEM.match(text):
            return True
        said = terms(text)
        self._in_echo = text.rstrip().endswith(":") and bool(said) and said[-1] in _HEADING_ENDS
        return self._in_echo

    def _says_replaced(self, text: str) -> bool:
        """Whether `text` says what a replaced statement said rather than what replaced it:
        it gives a word of the older one that the question lacks, none that only the newer
        one says, and is STALE_MEANING close to the older one ("You have a cat." after "I
        have a cat called Miso." and "We swapped the cat for a dog."; "You have a dog." is
        kept)."""
        if self.embedder is None or not self.replaced or self._past:
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

    def _other_value(self, text: str) -> list[str]:
        """The names and numbers `text` gives a thing of the user's ("your brother") that
        what they told of that thing gives another value ("my brother is Tomek"), when it
        gives none of theirs; [] else (the issue's rule: a sentence giving another city,
        number or name for the same thing is not shown). What they told: the statements
        shown, and each clause of their earlier messages ("Your cat's name is Luna." to
        "anything I can't eat?", no statement shown, after "We have a grey tabby cat
        called Pumpernickel": a new user's walk)."""
        common = common_english()  # "Please", "Sure" are capitalised words, no values
        named = values_in(text)
        given = [v for v in named if v.lower() not in common]
        if not named:
            return []
        mine = things(_YOURS.sub(lambda m: _MINE[m.group().lower()], text))
        if not mine and _SOMEONE.search(text):
            # "he", "she" in a reply to a question about one of the user's: that one ("So
            # he ended up on a small island off the coast of Riga" to "What does my brother
            # do for a living, and where?", Riga being a friend's: a new user's walk)
            about = things(self.question)
            mine = about if len(about) == 1 else frozenset()
        if not mine:
            return []
        told = [(things(f.text), values_in(f.text)) for f in self.facts] + self._told()
        held = {v.lower() for theirs, values in told if not apart(mine, theirs) for v in values}
        if any(v.lower() in held for v in given):
            return []
        asked = {v.lower() for v in values_in(self.question)}
        if held:
            return [v for v in dict.fromkeys(given) if v.lower() not in asked]
        # ... or it gives this thing the value the user gave another thing of theirs ("My
        # allergy is O negative." to "What am I allergic to?" after "My allergy is
        # peanuts." and "My blood type is O negative.": a value never said of it)
        # (inside the sentence, a common word capitalised is a value: the "O" of "O
        # negative")
        given = [v for v in dict.fromkeys(mentions(text)) if v.lower() not in asked]
        elsewhere = {v.lower() for theirs, values in told if apart(mine, theirs) for v in values}
        return [v for v in given if v.lower() in elsewhere]

    def _told(self) -> list[tuple[frozenset[Thing], list[str]]]:
        """Each clause of the user's earlier messages that calls a thing theirs and gives
        a value: its things and its values (read once a reply, when first needed)."""
        if self._told_parts is None:
            self._told_parts = [
                (found, values)
                for message in self.said[:-1]
                for part in parts(message)
                if (found := things(part)) and (values := values_in(part))
            ]
        return self._told_parts

    def _answers_from_facts(self, text: str) -> bool:
        """Whether `text` answers the question with a name or number of a statement shown
        to the model: giving it again, to another question, is an answer, not a repeat."""
        if not self.facts or not is_question(self.question):
            return False
        # it gives what the statement says that the question does not: a sentence that only
        # names the question's own subject ("Pixel is a dog named Maria.") answers nothing;
        # nor does a statement about another thing of the user's ("From today my WiFi
        # password is larch-77." to "What is my locker code?", a code both, was shown as
        # an answer right after it answered the wifi question: Qwen, the generated bench)
        asked = things(self.question)
        return any(
            asks_about(self.question, fact)
            and not another_thing(asked, things(fact.text))
            and answer_states(text, fact, self.question)
            for fact in self.facts
        )

    def _drop(self, text: str, why: Why, invented: tuple[str, ...] = ()) -> str:
        self.dropped.append(Dropped(why, text, invented))
        return ""


def _one_form(word: str) -> str:
    """`word` as its forms share it: "loves", "loved" and "love" are "lov"."""
    return prefix_stem(stem(word))


@cache
def _opposites() -> dict[str, frozenset[str]]:
    return opposites(_one_form)


def _reverses(text: str, told: Sequence[str]) -> str:
    """A word of `text` whose opposite (the claims check's English pairs) one of `told`
    says instead, of the same other words (`said_instead`): "Marmalade is a cat who
    loves to lick the vacuum cleaner." to "Our cat is called Marmalade, she's a ginger
    tabby who absolutely hates the vacuum." (a new user's walk); '' when none. Whole
    messages, not clauses: a statement says who in one clause and what in the next."""

    def stems_of(said: str) -> set[str]:
        return {_one_form(w) for w in words(said) if w not in CLAIM_STOPWORDS}

    pairs = _opposites()
    mine = stems_of(text)
    for message in told:
        theirs = stems_of(message)
        for word in mine & pairs.keys():
            reverse = said_instead(word, mine - {word}, theirs, pairs)
            if reverse:
                return f"{word}…, where the user said {sorted(reverse)[0]}…"
    return ""


# A reply's "he" or "she", who the question asked about (English)
_SOMEONE = re.compile(r"\b(?:he|she|him|his|her|he's|she's)\b", re.IGNORECASE)
# A reply speaks of the user's things as "your": read as the user says them (`things`).
_MINE = {"your": "my", "you have": "I have", "you've": "I've", "you’ve": "I’ve"}
_YOURS = re.compile(r"\b(?:your|you have|you['’]ve)\b", re.IGNORECASE)


def _message_language(message: str) -> str:
    """The language of the user's message ("" when unsure): a short message that is mostly
    English stop words is English ("Hi! My name is Priya Raman." reads as Tagalog to the
    detector)."""
    said = words(message)
    # ... by the wider list of common English words: "hello, quick test" read as Latin
    # (at 0.18), and a Latin reply passed for the user's language
    english = stopwords(languages.ENGLISH) | _only_english()
    if said and sum(w in english for w in said) >= languages.ENGLISH_STOP_SHARE * len(said):
        return languages.ENGLISH
    found = languages.detect(message)
    return "" if found == languages.UNKNOWN else found


# A code in lower case with digits in it ("ember-804359", "b12"): a value, which `mentions`
# (capitalised words and numbers) leaves out; "ember-804359" was shown as the user's
# password, made up beside the "ember-12" they said.
_CODES = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?![\w-])")


@cache
def _only_english() -> frozenset[str]:
    """The common English words (the stop-words package's list) that no other language's
    stop list holds: its "de", "es", "la", "je" and "io" made "hola, me llamo Ana y vivo
    en Madrid" English, and a Spanish reply was dropped."""
    others = frozenset().union(*(stopwords(c) for c in languages.NAMES if c != "en"))
    return common_english() - others


# longcli's own lines, which the model sees as its earlier turns and may copy ("No reply
# from the model; what you said is kept." was the model's answer to a question about a
# birthday): never the model's to say.
_LONGCLI_LINE = re.compile(
    r"\bno (?:new )?(?:reply|answer) from the model\b|\bwhat you said is kept\b|"
    r"\bthe model (?:only repeated|did not write)\b",
    re.IGNORECASE,
)

MIN_LANGUAGE_WORDS = 4  # a shorter sentence is too short for the stop-word share
_ASIDE = re.compile(r"\([^()]*\)[.!]?")
_LATIN_WORD = re.compile(r"\b[A-Za-z]{2,}\b")


def _other_language(text: str, expected: str, users: frozenset[str] = frozenset()) -> bool:
    """Whether `text` is surely not in `expected`: text/language.py says so, it holds
    MIN_LANGUAGE_WORDS words of Latin letters where `expected` is written in characters, or
    it is MIN_LANGUAGE_WORDS words long, few of them stop words of `expected`, and reads as
    another language ("Priya Raman ay mga kabataang nakatayada.") or has more stop words of
    that language than of `expected`; one of any length, for English, that writes a letter
    no English word nor message of the user's (`users`: their words and letters) does."""
    if languages.other_language(text, expected):
        return True
    if languages.counts_characters(expected) and len(_LATIN_WORD.findall(text)) >= (
        MIN_LANGUAGE_WORDS
    ):  # half Chinese, half English: "如果要使用中文字, you can use ... in Chinese characters"
        return True
    said = words(text)
    stops = stopwords(expected)
    if not stops:
        return False
    if expected == languages.ENGLISH and _foreign_letters(text, users):
        return True  # "Pamączem póżnie.": letters English does not write, nor the user
    if len(said) < MIN_LANGUAGE_WORDS:
        return False
    found = languages.detect(text)
    if found in (expected, languages.UNKNOWN):
        return False
    hits = sum(w in stops for w in said)
    if hits < sum(w in stopwords(found) for w in said):
        return True  # "Martha is das Leben des Weiberners.": more of its stop words than ours
    if hits <= max(1, languages.STOP_SHARE_AGREES * len(said)) and languages.surely(text) == found:
        return True  # "Nunquilum est in Latio quidamus.": one stop word, and surely Latin
    # prose of `expected` is a fifth to a half its stop words
    return hits < languages.STOP_SHARE_AGREES * len(said)


# Letters English borrows with its loanwords (café, naïve, façade, jalapeño, über): a reply
# using them may still be English; any other letter outside A-Z is another orthography's.
_ENGLISH_LOAN_LETTERS = frozenset("éèêëïîôöüûàâçñ")
_LETTERS = re.compile(r"[^\W\d_]")


def _foreign_letters(text: str, users: frozenset[str]) -> bool:
    """Whether `text` writes a letter outside the English alphabet (and its loanwords'
    accents) that no message of the user's writes (their "Łódź" is theirs to hear)."""
    return any(
        not ch.isascii() and ch not in _ENGLISH_LOAN_LETTERS and ch not in users
        for ch in _LETTERS.findall(text.lower())
    )


# A smiley typed in ASCII at a sentence's end or start: ":)", ";-)", ":D", "<3", "xD"
_EMOTICON = re.compile(r"(?:[:;=][-'^]?[()DPpOo3/\\|*\]\[]|<3|\b[xX]D)")
# Symbols (emoji, dingbats), their joiners and variation selectors, marks that lean on them
_DECORATION = frozenset({"So", "Sk", "Cf", "Mn", "Me"})


def undecorated(text: str) -> str:
    """`text` without the emoji, symbols and ASCII smileys at its start and end (its
    trailing white space kept): decoration, no words. A small model copies a reply's
    closing emoji into every later reply (a new user's REPL session: "... sci-fi episode
    series. 🌟", then "🌟" alone to each of the next 25 messages)."""
    body = text.rstrip()
    tail = text[len(body) :]
    start, end = 0, len(body)
    while True:
        before = (start, end)
        while start < end and (body[start].isspace() or _decoration(body[start])):
            start += 1
        while end > start and (body[end - 1].isspace() or _decoration(body[end - 1])):
            end -= 1
        if opening := _EMOTICON.match(body, start, end):
            start = opening.end()
        if (closing := _last_emoticon(body, start, end)) is not None:
            end = closing
        if (start, end) == before:
            break
    return body[start:end] + tail if (start, end) != (0, len(body)) else text


def _decoration(char: str) -> bool:
    return unicodedata.category(char) in _DECORATION


def _last_emoticon(body: str, start: int, end: int) -> int | None:
    """Where a smiley ending `body[start:end]` and set off by a space begins."""
    for found in _EMOTICON.finditer(body, start, end):
        if found.end() == end and (found.start() == start or body[found.start() - 1].isspace()):
            return found.start()
    return None


def _trailing(sentence: str) -> str:
    stripped = sentence.rstrip()
    return sentence[len(stripped) :]


_ANNOUNCES = (":", "：")  # a sentence ending so announces what follows it


class Gate:
    """Passes a streamed reply on sentence by sentence, each once it is complete and
    checked; a label is held until it closes, and a sentence that announces what follows
    ("So here is what you told me:") until something follows it (a new user saw replies
    end on "So in a nutshell:", what followed dropped by the checks)."""

    def __init__(
        self, keep: Callable[[str, bool, bool], str], emit: Callable[[str], None] | None
    ) -> None:
        self._keep = keep
        self._emit = emit
        self._buffer = ""
        self._kept: list[str] = []
        self._first = True
        self._marker = ""  # a list item's number, held until its item comes
        self._held = ""  # a kept sentence ending in a colon, held until what it announces

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
        parts = sentences_of(text)
        for i, part in enumerate(parts):
            if not part.strip():
                if self._held:
                    self._held += part
                elif self._kept and not self._marker:
                    self._out(part)
                continue
            if LIST_MARKER.fullmatch(part):  # an earlier number held had no item: it goes
                self._marker = part
                continue
            # The tail after whole sentences only: a reply that is one sentence without an
            # end mark ("Have a lovely day", a small model's "Tom") may be all it says.
            cut = (
                final
                and i == len(parts) - 1
                and bool(self._kept)
                and _UNFINISHED_END.search(part) is not None
            )
            kept = self._keep(self._marker + part, self._first, cut)
            self._marker = ""
            if kept:  # a dropped sentence leaves the next one to open the reply
                self._first = False
                if kept.rstrip().endswith(_ANNOUNCES):
                    self._held += kept
                    continue
                if self._held:
                    self._out(self._held)
                    self._held = ""
                self._out(kept)
        if final and self._marker:  # a number with no item after it: checked, dropped
            self._keep(self._marker, self._first, False)
            self._marker = ""
        if final:  # what it announced never came: not shown
            self._held = ""
        self._buffer = self._buffer[len(text) :]

    def _out(self, text: str) -> None:
        self._kept.append(text)
        if self._emit is not None:
            self._emit(text)
