"""The fact ledger: what the user said about themselves and their world, kept word for word.

A small model cannot be trusted to carry "my locker code is 4471" through a dozen summary
folds; longcli does not ask it to. Each user message is read, without a model, for
statements of fact (first-person statements, names, numbers, dates, preferences,
decisions) and each is kept verbatim with its turn number, under a *subject* ("cat",
"locker code", "birthplace", "likes: green tea"). A newer fact on the same subject
replaces the older one (the older stays in the journal); a correction ("actually, it's
5814") replaces the fact it corrects. The ledger has its own share of every prompt, so a
fact never depends on a fold remembering it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from longcli.chat.recall import BM25
from longcli.text.sentences import split_sentences
from longcli.text.terms import STOPWORDS, recall_terms, terms

# "I ..." statements with one value at a time: (pattern, subject).
_SINGLE_VALUED = [
    (r"\bI (?:was|am|'m) (?:born|raised)\b", "birthplace"),
    (r"\bI (?:grew up|come from|am from|'m from)\b", "birthplace"),
    (r"\bI (?:live|stay|reside)s? (?:in|at|on)\b", "home"),
    (r"\bI(?: have)? moved to\b", "home"),
    (r"\bI (?:work|am working) (?:as|at|for|in)\b", "job"),
    (r"\bI(?: am|'m) an? (?=\w+(?:ist|er|or|ian|ant|ent|eer)\b)", "job"),
    (r"\bI(?: am|'m) an? \w+(?: \w+)? (?:at|in|for|with) (?:the|a|an)\b", "job"),
    (r"\bI(?: am|'m) (?:allergic|intolerant) to\b", "allergy"),
    (r"\bI(?: am|'m) (?:\d+|\w+-?\w*) years? old\b", "age"),
    (r"\b(?:call me|my name is|I(?: am|'m) called)\b", "name"),
    (r"\bI (?:study|am studying|'m studying)\b", "studies"),
    (r"\bI drive\b", "car"),
]
_MULTI_VALUED = [
    (r"\bI (?:really )?(?:like|love|enjoy|adore|prefer)s?\b", "likes"),
    (r"\bI (?:really )?(?:hate|dislike|can't stand|cannot stand)\b", "dislikes"),
    (r"\bI (?:have|own|got)\b", "has"),
    (r"\b(?:we|I) (?:decided|agreed|chose|picked|settled on|will|are going to|'ll)\b", "plan"),
    (r"\blet's\b", "plan"),
]
_MY_SUBJECT = re.compile(
    r"\b(?:my|our) (?P<subject>(?:[a-z]+[ -]){0,3}?[a-z]+?)(?:'s (?:name|called))?\s+"
    r"(?:is|are|was|were|'s|=|:|works?|lives?|likes?|is called|is named|goes|studies|"
    r"starts?|ends?|opens?|costs?|has|will be)\b",
    re.IGNORECASE,
)
_CORRECTION = re.compile(
    r"^\s*(?:actually|no|nope|sorry|correction|wait|oops|i meant|i mean|scratch that)\b[,.!:]?",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^\s*(?:what|who|whom|whose|where|when|why|how|which|do|does|did|can|could|would|will|"
    r"should|is|are|am|was|were|have|has|tell me|remind me)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|me|my|mine|we|we're|our|let's)\b", re.I)
_NUMBER = re.compile(r"\d")
_MONTH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d|\b\d{1,2}(?:st|nd|rd|th)? "
    r"(?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")
_SUBJECT_STOP = {"favourite": "favorite", "favorite": "favorite"}
_SINGLE_SUBJECTS = {s for _, s in _SINGLE_VALUED}
MAX_FACT_CHARS = 300


@dataclass
class Fact:
    """One thing the user told us, in their words."""

    id: int  # shown to the user; stable
    turn: int  # the journal index of the message it came from
    subject: str  # "cat", "locker code", "birthplace", "likes: green tea"
    text: str  # the sentence, as the user wrote it
    kind: str  # statement | preference | plan | correction | note
    replaced_by: int | None = None  # a newer fact on the same subject
    forgotten: bool = False  # removed by the user (/forget-fact, memory facts --forget)

    @property
    def active(self) -> bool:
        return self.replaced_by is None and not self.forgotten


def is_question(sentence: str) -> bool:
    return sentence.rstrip().endswith("?") or _QUESTION_START.match(sentence) is not None


def _object_words(sentence: str, after: int, count: int = 2) -> str:
    return " ".join(terms(sentence[after:])[:count])


def _subject(sentence: str) -> tuple[str, str] | None:
    """(subject, kind) of a statement of fact, or None if the sentence states none."""
    for pattern, subject in _SINGLE_VALUED:
        if re.search(pattern, sentence, re.IGNORECASE):
            return subject, "statement"
    mine = _MY_SUBJECT.search(sentence)
    if mine:
        words = [_SUBJECT_STOP.get(w, w) for w in mine.group("subject").lower().split()]
        if not STOPWORDS.intersection(words):  # not "my way to (work)"
            return " ".join(words), "statement"
    for pattern, subject in _MULTI_VALUED:
        match = re.search(pattern, sentence, re.IGNORECASE)
        if match:
            what = _object_words(sentence, match.end())
            kind = "plan" if subject == "plan" else "preference"
            return (f"{subject}: {what}" if what else subject), kind
    return None


def extract(message: str, turn: int) -> list[tuple[str, str, str]]:
    """The statements of fact in a user message: (subject, kind, sentence) each."""
    found: list[tuple[str, str, str]] = []
    for sentence in split_sentences(message, lowercase_starts=True):
        text = sentence.text
        if len(text) > MAX_FACT_CHARS or is_question(text):
            continue
        correction = _CORRECTION.match(text) is not None
        subject = _subject(text)
        if subject is None and correction:
            found.append(("", "correction", text))  # its subject is the fact it corrects
            continue
        if subject is None:
            specific = _NUMBER.search(text) or _MONTH.search(text) or _NAME.search(text)
            if _FIRST_PERSON.search(text) and specific:
                found.append((f"note: {' '.join(terms(text)[:3])}", "note", text))
            continue
        found.append((subject[0], "correction" if correction else subject[1], text))
    return found


@dataclass
class Ledger:
    """Every fact, in order; the active ones are what the model is shown."""

    facts: list[Fact] = field(default_factory=list)
    through_turn: int = -1  # the last journal turn read into the ledger

    def active(self) -> list[Fact]:
        return [f for f in self.facts if f.active]

    def add_message(self, message: str, turn: int) -> list[Fact]:
        """Read one user message; returns the facts it added."""
        added: list[Fact] = []
        for subject, kind, text in extract(message, turn):
            if kind == "correction" and not subject:
                corrected = self._corrected_subject(text)
                if corrected is None:
                    continue
                subject = corrected
            fact = Fact(len(self.facts) + 1, turn, subject, text, kind)
            single = self._single(subject) or kind == "correction"
            said = _normal(text)
            for older in self.facts:
                if older.active and (
                    (single and older.subject == subject) or _normal(older.text) == said
                ):
                    older.replaced_by = fact.id
            self.facts.append(fact)
            added.append(fact)
        self.through_turn = max(self.through_turn, turn)
        return added

    def _single(self, subject: str) -> bool:
        """Subjects that hold one value at a time: "my X is ..." and the "I ..." ones."""
        return ":" not in subject or subject in _SINGLE_SUBJECTS

    def _corrected_subject(self, text: str) -> str | None:
        """What "actually, it's 5814" corrects: the latest fact with a number when the
        correction gives one, else the latest fact."""
        candidates = [f for f in self.facts if f.active and f.kind != "note"] or [
            f for f in self.facts if f.active
        ]
        if _NUMBER.search(text):
            numeric = [f for f in candidates if _NUMBER.search(f.text)]
            candidates = numeric or candidates
        return candidates[-1].subject if candidates else None

    def catch_up(self, messages: Iterable[tuple[int, str]]) -> bool:
        """Read the (turn, user message) pairs after `through_turn`; True if any were."""
        read = False
        for turn, message in messages:
            if turn > self.through_turn:
                self.add_message(message, turn)
                read = True
        return read

    def superseded_turns(self) -> set[int]:
        """Turns whose every fact was later replaced by a newer one."""
        live: dict[int, bool] = {}
        for fact in self.facts:
            if not fact.forgotten:
                live[fact.turn] = live.get(fact.turn, False) or fact.replaced_by is None
        return {turn for turn, alive in live.items() if not alive}

    def forgotten_turns(self) -> set[int]:
        """Turns whose every fact the user asked to forget."""
        kept = {f.turn for f in self.facts if not f.forgotten}
        return {f.turn for f in self.facts if f.forgotten} - kept

    def forget(self, fact_id: int) -> Fact | None:
        for fact in self.facts:
            if fact.id == fact_id and not fact.forgotten:
                fact.forgotten = True
                return fact
        return None

    def to_json(self) -> dict[str, Any]:
        return {"through_turn": self.through_turn, "facts": [asdict(f) for f in self.facts]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ledger:
        """Raises KeyError, TypeError or ValueError for data that is not a ledger."""
        facts = [
            Fact(
                id=int(f["id"]),
                turn=int(f["turn"]),
                subject=str(f["subject"]),
                text=str(f["text"]),
                kind=str(f["kind"]),
                replaced_by=None if f.get("replaced_by") is None else int(f["replaced_by"]),
                forgotten=bool(f.get("forgotten", False)),
            )
            for f in data["facts"]
        ]
        return cls(facts, int(data["through_turn"]))


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def index_text(fact: Fact) -> str:
    """What recall matches a fact by: its words, and its subject as the user's own
    ("my birthplace"), so that "Where am I from?" finds "I was born in ..."."""
    if fact.kind == "note":
        return fact.text
    return f"my {fact.subject.replace(':', '')} {fact.text}"


def ranked(facts: list[Fact], query: str) -> list[tuple[Fact, float]]:
    """The facts that share a term with `query`, best first."""
    index = BM25([index_text(f) for f in facts])
    return [(facts[i], score) for i, score in index.top(query, len(facts))]


_ABOUT_ME = re.compile(  # "tell me about X" is not about me; "remind me of X" asks our memory
    r"\b(?:I|my|mine|we|our|ours|us)\b|(?<!tell )(?<!show )(?<!give )\bme\b", re.IGNORECASE
)


def asks_about(question: str, fact: Fact) -> bool:
    """Whether `question` asks about what `fact` says: the same thing of the user's ("my
    locker" / "my locker code"), two content words in common, or, in a question about
    the user or us, one shared word or concept ("Do I have any food allergies?" / "I am
    allergic to hazelnuts")."""
    shared = set(recall_terms(question)) & set(recall_terms(index_text(fact)))
    if any(t.startswith("my:") for t in shared):
        return True
    shared = {t for t in shared if not t.startswith("my:")}
    if len({t for t in shared if not t.startswith("~")}) >= 2:
        return True  # "What is the new project named?" / "We decided to name the new project …"
    return bool(shared) and _ABOUT_ME.search(question) is not None
