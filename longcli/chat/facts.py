"""The fact ledger: every statement the user made, kept word for word, and which is current.

A small model cannot be trusted to carry "my locker code is 4471" through a dozen summary
folds; longcli does not ask it to. No list of sentence patterns decides what a fact is
(such a list only knows the phrasings its author thought of, in one language): every
sentence of a user message that is not a question and has a content word is kept, with
its turn. What bears on a new message is found by recall (BM25 over the content words of
text/terms.py, tolerant of typos), so "Priya takes her coffee black", "note this down: the
wifi password is larch-77" and "the boiler was serviced by Hendrik" are all kept and found.

What the ledger decides is which statement is *current*: a later statement on the same
matter replaces the earlier one (which stays in the journal and in `memory facts`, marked
replaced). Two statements are on the same matter when they share content words (at least
two, and half of the shorter one's), and do not belong to different owners ("my cat" is
not "my friend's cat"). Words that announce a change ("actually", "moved", "no longer")
are a hint that lets one shared word do, never the mechanism.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz import fuzz

from longcli.chat.recall import BM25, MIN_NEAR_LETTERS, NEAR_CUTOFF
from longcli.text.names import WORD, mentions, normal_token
from longcli.text.sentences import split_sentences
from longcli.text.terms import recall_terms, stem, terms

LEDGER_SCHEME = 2  # 1: facts read by first-person patterns; 2: every statement
MAX_FACT_CHARS = 300
SAME_MATTER_WORDS = 2  # shared content words that make two statements one matter
SAME_MATTER_SHARE = 0.5  # ... and at least this share of the shorter one's words
CONCEPT_WEIGHT = 0.5  # a word that shares only a concept with the other statement

# A hint that a statement changes an earlier one: with one of these, one shared word is
# enough. The matching itself is by content words, in any language.
_CHANGE_HINT = re.compile(
    r"\b(?:actually|correction|now|moved|changed?|no longer|instead|anymore|these days|"
    r"not any more|update|rescheduled|switched|new)\b",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^\s*(?:what|who|whom|whose|where|when|why|how|which|do|does|did|can|could|would|will|"
    r"should|is|are|am|was|were|have|has|tell me|remind me)\b",
    re.IGNORECASE,
)


@dataclass
class Fact:
    """One thing the user told us, in their words."""

    id: int  # shown to the user; stable
    turn: int  # the journal index of the message it came from
    subject: str  # what it is about, for people to read: "locker" (my locker code is ...)
    text: str  # the sentence, as the user wrote it
    kind: str  # statement | update (it replaced an earlier statement)
    replaced_by: int | None = None  # a later statement on the same matter
    forgotten: bool = False  # removed by the user (/forget-fact, memory facts --forget)

    @property
    def active(self) -> bool:
        return self.replaced_by is None and not self.forgotten


def is_question(sentence: str) -> bool:
    # "?", the full-width "？" of Chinese and Japanese, the Arabic "؟"
    return (
        sentence.rstrip().endswith(("?", "？", "؟")) or _QUESTION_START.match(sentence) is not None
    )


def statements(message: str) -> list[str]:
    """The sentences of a user message that state something: not questions, with at least
    one content word."""
    found = []
    for sentence in split_sentences(message, lowercase_starts=True):
        text = sentence.text.strip()
        if not text or len(text) > MAX_FACT_CHARS or is_question(text):
            continue
        if _words(text):
            found.append(text)
    return found


_OWNER_WORDS = frozenset({"my", "our", "i", "we", "mine"})


def subject(text: str) -> str:
    """What a statement is about, for people to read: the first content word after "my",
    "our" or "I" ("My cat is called Tom" -> "cat"), else its first content word."""
    words = re.findall(r"[^\W_]+", text.lower())
    owner = next((i for i, w in enumerate(words) if w in _OWNER_WORDS), None)
    for start in (owner + 1, 0) if owner is not None else (0,):
        found = terms(" ".join(words[start:]))
        if found:
            return found[0]
    return ""


@dataclass(frozen=True)
class _Word:
    stem: str
    concept: str  # "~job" for a word with a concept, else ""


def _words(text: str) -> list[_Word]:
    """The content words of `text`, each with its concept; "my:" owner marks left out."""
    out: list[_Word] = []
    for term in recall_terms(text):
        if term.startswith("my:"):
            continue
        if term.startswith("~"):
            if out:
                out[-1] = _Word(out[-1].stem, term)
            continue
        out.append(_Word(term, ""))
    return out


def _owners(text: str) -> set[str]:
    """What the speaker owns in `text`: "my cat" -> {"cat"}, with its concept."""
    return {t[3:] for t in recall_terms(text) if t.startswith("my:")}


def near(a: str, b: str) -> bool:
    """The same word, or one misspelt ("anniversery" / "anniversary")."""
    if a == b:
        return True
    if min(len(a), len(b)) < MIN_NEAR_LETTERS or a[0] != b[0]:
        return False
    return fuzz.ratio(a, b) >= NEAR_CUTOFF * 100  # recall's bar for a typo, too


def _shared_words(newer: list[_Word], older: list[_Word]) -> float:
    """The words of `newer` found in `older`; one that only shares a concept ("tea" and
    "coffee" are both drinks) counts half."""
    stems = [w.stem for w in older]
    concepts = {w.concept for w in older if w.concept}
    shared = 0.0
    for w in {w.stem: w for w in newer}.values():
        if any(near(w.stem, s) for s in stems):
            shared += 1
        elif w.concept and w.concept in concepts:
            shared += CONCEPT_WEIGHT
    return shared


def same_matter(newer: str, older: str) -> float:
    """How strongly `newer` restates the matter of `older`: the content words they share,
    or 0 when they are not one matter."""
    hinted = _CHANGE_HINT.search(newer) is not None
    a, b = _words(_CHANGE_HINT.sub(" ", newer)), _words(older)  # the hint is no shared word
    if not a or not b:
        return 0
    mine_a, mine_b = _owners(newer), _owners(older)
    renamed = hinted and _names_owned(newer, mine_a, b, mine_b)  # "we have a new landlord"
    if mine_a and mine_b and not mine_a & mine_b and not renamed:
        return 0  # "my sister's job" is not "my brother's job"
    shared = _shared_words(a, b)
    # A hint lets one word do, unless one speaks of the user's own and the other not
    # ("Priya takes her coffee black" / "these days I take my tea with milk"), or the word
    # names only a kind of value many things have ("the office door code changed" is not
    # "the gate code for the allotment is 3391").
    things = [w for w in a if w.stem not in _NAME_KIND | _NUMBER_KIND]
    if hinted and _shared_words(things, b) >= 1 and bool(mine_a) == bool(mine_b):
        return shared
    smaller = min(len({w.stem for w in a}), len({w.stem for w in b}))
    if shared >= SAME_MATTER_WORDS and shared >= SAME_MATTER_SHARE * smaller:
        return shared
    return 0


def _names_owned(newer: str, mine_new: set[str], older: list[_Word], mine_old: set[str]) -> bool:
    """Whether `newer`, an announced change that calls another word the user's ("we have a
    *new* landlord now"), speaks of the thing the older statement calls theirs ("my
    landlord"): it names that thing, and its own is no possessor ("my *friend's* cat")."""
    if any(re.search(rf"\b{re.escape(w)}\w*['’]s\b", newer, re.IGNORECASE) for w in mine_new):
        return False
    said = {w.stem for w in _words(newer)}
    return bool(mine_old & said) and not mine_new & {w.stem for w in older}


def _comparable(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


@dataclass
class Ledger:
    """Every statement, in order; the active ones are what the model is shown."""

    facts: list[Fact] = field(default_factory=list)
    through_turn: int = -1  # the last journal turn read into the ledger
    scheme: int = LEDGER_SCHEME
    _index: tuple[tuple[int, ...], list[Fact], BM25] | None = field(
        default=None, repr=False, compare=False
    )

    def active(self) -> list[Fact]:
        return [f for f in self.facts if f.active]

    def add_message(self, message: str, turn: int) -> list[Fact]:
        """Read one user message; returns the facts it added."""
        added: list[Fact] = []
        for text in statements(message):
            said = _comparable(text)
            fact = Fact(len(self.facts) + 1, turn, subject(text), text, "")
            replaced = self._replaced_by(text, said, turn)
            for older in replaced:
                older.replaced_by = fact.id
            fact.kind = (
                "update" if any(_comparable(o.text) != said for o in replaced) else "statement"
            )
            self.facts.append(fact)
            added.append(fact)
        self.through_turn = max(self.through_turn, turn)
        return added

    def _replaced_by(self, text: str, said: str, turn: int) -> list[Fact]:
        """The active statements of earlier messages that `text` restates or updates: every
        one said in the same words, and the one on the same matter that shares most."""
        earlier = [f for f in self.facts if f.active and f.turn < turn]
        replaced = [f for f in earlier if _comparable(f.text) == said]
        scored = [(same_matter(text, f.text), f) for f in earlier if f not in replaced]
        scored = [(s, f) for s, f in scored if s > 0]
        if scored:
            best = max(s for s, _ in scored)
            replaced += [f for s, f in scored if s == best][-1:]  # the newest of the best
        return replaced

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

    def unsaid(self, turn: int) -> list[Fact]:
        """The facts of `turn` that are no longer current (replaced or forgotten)."""
        return [f for f in self.facts if f.turn == turn and not f.active]

    def forget(self, fact_id: int) -> Fact | None:
        for fact in self.facts:
            if fact.id == fact_id and not fact.forgotten:
                fact.forgotten = True
                return fact
        return None

    def ranked(self, query: str) -> list[tuple[Fact, float]]:
        """The active facts that share a term with `query`, best first."""
        active = self.active()
        key = (len(self.facts), *(f.id for f in active))
        if self._index is None or self._index[0] != key:
            self._index = (key, active, BM25([f.text for f in active]))
        active, index = self._index[1], self._index[2]
        return [(active[i], score) for i, score in index.top(query, len(active), fuzzy=True)]

    def answering(self, wanted: list[str]) -> list[Fact]:
        """The statements the user made (current or not, not forgotten) that hold what a
        question looks up of theirs (`wanted`, see `looked_up` and `covers`), oldest first."""
        return [f for f in self.facts if not f.forgotten and covers(f.text, wanted)]

    def to_json(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "through_turn": self.through_turn,
            "facts": [asdict(f) for f in self.facts],
        }

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
        return cls(facts, int(data["through_turn"]), int(data.get("scheme", 1)))

    def rebuilt(self, messages: Iterable[tuple[int, str]]) -> Ledger:
        """A ledger of the current scheme read from the journal's (turn, message) pairs,
        with what the user forgot in this one forgotten there too."""
        fresh = Ledger()
        fresh.catch_up(messages)
        forgotten = {_comparable(f.text) for f in self.facts if f.forgotten}
        for fact in fresh.facts:
            if any(
                _comparable(fact.text) in said or said in _comparable(fact.text)
                for said in forgotten
            ):
                fact.forgotten = True
        return fresh


_ABOUT_ME = re.compile(  # "tell me about X" is not about me; "remind me of X" asks our memory
    r"\b(?:I|my|mine|we|our|ours|us)\b|(?<!tell )(?<!show )(?<!give )\bme\b", re.IGNORECASE
)


def asks_about(question: str, fact: Fact) -> bool:
    """Whether `question` asks about what `fact` says: the same thing of the user's ("my
    locker" / "my locker code"), two content words in common, or, in a question about
    the user or us, one shared word or concept."""
    told = set(recall_terms(fact.text))
    shared = {t for t in recall_terms(question) if any(near(t, s) for s in told)}
    if any(t.startswith("my:") for t in shared):
        return True
    shared = {t for t in shared if not t.startswith("my:")}
    if len({t for t in shared if not t.startswith("~")}) >= 2:
        return True
    return bool(shared) and _ABOUT_ME.search(question) is not None


# A question that looks something up ("what is my ...", "when is ...", "how old am I"), not
# one that asks for advice ("what should I cook", "how can I sleep better"): only such a
# question may be answered "you haven't told me". An English hint; other languages get
# the model's own answer.
_LOOKUP = re.compile(
    r"^\s*(?:what|what's|whats|who|who's|whom|whose|where|where's|when|when's|which|"
    r"how (?:old|tall|many|much|long|far|big)|do i|did i|am i|have i|is my|are my|was my|"
    r"were my|remind me|do you (?:know|remember))\b",
    re.IGNORECASE,
)
_ADVICE = re.compile(
    r"\b(?:should|could|can|would|recommend|suggest|ideas?|tips?|advice|good|best|better)\b",
    re.IGNORECASE,
)


def is_lookup(question: str) -> bool:
    """Whether `question` asks for something the user told (see _LOOKUP)."""
    return _LOOKUP.match(question) is not None and _ADVICE.search(question) is None


_ABOUT_THE_USER = re.compile(r"\b(?:I|my|mine|we|our|ours)\b", re.IGNORECASE)
# Words of a question that name the kind of value asked for rather than the thing it
# belongs to ("my brother's *name*", "my flight *number*"): a statement about the thing
# holds them when it holds a value of that shape (a name, a number). English hints, like
# _LOOKUP: other languages need every word said.
_NAME_KIND = frozenset(stem(w) for w in "name named called city town country place".split())
_NUMBER_KIND = frozenset(
    stem(w) for w in "number code pin age old tall height phone year many much".split()
)
_NUMBER = re.compile(r"\d")
ONE_MISSING_FROM = 3  # a question with this many content words may miss one in the answer
_SAYS_OWN_NUMBER = re.compile(r"\bI(?:['’]m| am| was)\b[^.!?]*?\d")  # "I am 34.", "I'm 1.80 m"


def looked_up(question: str) -> list[str]:
    """What a look-up question about the user asks for ("What is my brother's name?" ->
    brother, name; "How tall am I?" -> tall): its content words (stems); empty for a
    question that is not a look-up or not about the user."""
    if not is_lookup(question) or _ABOUT_THE_USER.search(question) is None:
        return []
    owned = _owners(question)
    return [f"my:{w.stem}" if w.stem in owned else w.stem for w in _words(question)]


def covers(statement: str, wanted: list[str]) -> bool:
    """Whether `statement` holds what a look-up question asks (`wanted`, looked_up's words).

    Each word is held when the statement has it (or it misspelt, or a word of the same
    concept: "allergic" / "allergy"); a word naming a kind of value (a name, a number) is
    held by a value of that shape beside another word held, or, alone in the question
    ("How old am I?"), by a number the user says of themselves ("I am 34."). One other
    word may be missing when the rest is held by its own word, not only by a concept ("my
    brother's job" after "My brother Tom is a dentist"; not "my favourite colour" after
    "I loved the trams", nor the thing of the user's itself, which the statement must call
    theirs too: not "my brother's name" after "My name is Priya", not "Which car do I
    drive?" after "My brother works as a train driver"), or when the question has
    ONE_MISSING_FROM words or more.
    `wanted` marks the user's things "my:" (see looked_up)."""
    if not wanted:
        return False
    owned = _owned(wanted)  # the thing of the user's
    wanted = [w.removeprefix("my:") for w in wanted]
    said = _words(statement)
    stems = [w.stem for w in said]
    concepts = {w.concept for w in said if w.concept}
    by_concept = {w.stem: w.concept for w in _words(" ".join(wanted))}

    def literal(word: str) -> bool:
        return any(_alike(word, s) for s in stems)

    def holds(word: str) -> bool:
        return literal(word) or by_concept.get(word, "") in concepts - {""}

    def shaped(word: str) -> bool:
        return (word in _NAME_KIND and bool(_names(statement))) or (
            word in _NUMBER_KIND and _NUMBER.search(statement) is not None
        )

    held = [w for w in wanted if holds(w)]
    missing = [w for w in wanted if w not in held]
    if not held:
        return (
            len(wanted) == 1
            and wanted[0] in _NUMBER_KIND
            and bool(_SAYS_OWN_NUMBER.search(statement))
        )
    missing = [w for w in missing if not shaped(w)]
    kinds = [w for w in missing if w in _NAME_KIND or w in _NUMBER_KIND]
    if len(wanted) >= ONE_MISSING_FROM:
        return len(missing) <= 1
    theirs = {o for o in _owners(statement) if not o.startswith("~")}
    return not missing or (
        len(missing) == 1
        and not kinds
        and bool(owned)
        and not owned & set(missing)
        and all(any(_alike(o, t) for t in theirs) for o in owned)
        and all(map(literal, held))
    )


MIN_PREFIX_STEM = 4


def _alike(a: str, b: str) -> bool:
    """The same stem, one misspelt (see `near`), or one of 4+ letters beginning the other
    (a stem cut short by a typo: "dentist" / "dentst")."""
    if near(a, b):
        return True
    return min(len(a), len(b)) >= MIN_PREFIX_STEM and (a.startswith(b) or b.startswith(a))


def _owned(wanted: list[str]) -> set[str]:
    """What `looked_up`'s words mark as the user's own ("my:locker" -> "locker")."""
    return {w[3:] for w in wanted if w.startswith("my:")}


def calls_theirs(statement: str, wanted: list[str]) -> bool:
    """Whether `statement` calls the user's own what the question does ("my locker":
    "my locker code is 5814", not "the gym locker I borrowed had the code 9930")."""
    owned = _owned(wanted)
    return bool(owned) and owned <= _owners(statement)


_ASKS_WHEN = re.compile(r"^\s*(?:until |since |by )?(?:when|what time)\b", re.IGNORECASE)


def asks_a_number(question: str) -> bool:
    """Whether `question` asks for a number ("how many", "what is my locker code", "until
    when": a time or date, when the statement holds one)."""
    if _ASKS_WHEN.match(question):
        return True
    return any(w.stem in _NUMBER_KIND for w in _words(question))


def _names(text: str) -> set[str]:
    """The names `text` holds ("Juniper", "KL1234", "Toronto"), lower case: the mentions
    the grounding check holds answers to, less the numbers."""
    return {m.lower() for m in mentions(text) if not m[0].isdigit()}


def shares_a_name(question: str, statement: str) -> bool:
    """Whether `question` names someone or something ("How old will Ewald be?") that
    `statement` holds too."""
    said = {normal_token(w) for w in WORD.findall(statement)}
    return bool(_names(question) & said)
