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

With a sentence-embedding model (backends/embedding.py, optional) both are also decided by
meaning: what bears on a message is the statements closest to it (`by_meaning`), and a
statement that shares no word with an older one still replaces it when the two are close
in meaning and not about two different things of the user's (`same_meaning`): as said,
with the names and numbers of both left out ("We're now settled in X" / "I live in X":
one attribute, two values), or, for a statement that names no value ("I sold the car."),
a little less close. A contraction's tail ("re" of "we're") is never a word of either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from longcli.backends.embedding import Embedder, cosines
from longcli.chat.recall import BM25, MIN_NEAR_LETTERS, NEAR_CUTOFF
from longcli.text.names import mentions
from longcli.text.sentences import split_sentences
from longcli.text.terms import recall_terms, terms
from longcli.text.vocabulary import STOPWORDS, WORD, stem, word_count, words

LEDGER_SCHEME = 2  # 1: facts read by first-person patterns; 2: every statement
MAX_FACT_CHARS = 300
SAME_MATTER_WORDS = 2  # shared content words that make two statements one matter
SAME_MATTER_SHARE = 0.5  # ... and at least this share of the shorter one's words
CONCEPT_WEIGHT = 0.5  # a word that shares only a concept with the other statement
# With an embedding model (backends/embedding.py): a statement at least this close in
# meaning to a question may bear on it (all-MiniLM-L6-v2: "What do I do for a living?" /
# "I work as a nurse" 0.36, an unrelated filler sentence under 0.15).
MIN_MEANING = 0.25
NEWER_SHARE = 0.8  # a newer statement this close to a question, relative to the best, comes first
UPDATE_MEANING = 0.45  # a statement this close to an older one, in other words, updates it
# ... or this close with the names and numbers of both put as one placeholder (`unvalued`):
# one attribute with two values ("We're now settled in X" / "I live in X": 0.66; raw 0.44;
# "I relocated to X" 0.73; raw 0.28); unrelated statements of family A stay under 0.45.
UNVALUED_UPDATE_MEANING = 0.5
# ... or this close when the newer statement names no value at all: it takes the older
# one's away ("I sold the car." / "I drive a blue Honda Civic.": 0.39; fillers under 0.25).
VALUELESS_UPDATE_MEANING = 0.35
# The first and third only between statements about one thing (`_same_thing`): a word of
# the newer one this close to the older one ("car" / "I drive a blue Honda Civic" 0.47, "cat" /
# "I have a cat named Tom" 0.53; "kettle" / "I keep forgetting to water the plants" 0.23,
# "peanuts" / "I'm vegan." 0.36), or the two this close as said (CLOSE_MEANING).
THING_MEANING = 0.4
CLOSE_MEANING = 0.55

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


# Where one sentence holds two statements: a comma or "and"/"but" before a new clause's
# subject ("My sister Maria lives in Lisbon and I have a dog named Pixel"). Both parts stay
# substrings of the message, so the journal's words can still be found and taken out.
# A word before "my" ("... and fyi my ...", not "and now I'm ..."), or a few ending in ":"
# or ",", may come between ("and note this down: my wifi ...", "and just so you know, my").
_NEW_CLAUSE = re.compile(
    r"(?:,\s*(?:and|but)?|\s+(?:and|but))\s+"
    r"(?=(?:[^\W\d]+\s+(?:that\s+)?(?:my|our)\b)|(?:(?:[^\W\d]+\s+){0,3}[^\W\d]+[,:]\s+)?"
    r"(?:I|I'm|I’m|my|we|our|he|she|they|his|her)\b)",
    re.IGNORECASE,  # "... and Our dog Pixel is three", "and i live in ..."
)


def clauses(sentence: str) -> list[str]:
    """The statements of one sentence: each part that states something on its own. A part
    too small to (a greeting: "Hi, my name is Tomasz and I live in Gdansk.") stays with
    the part after it, as its text runs in the message."""
    cuts = [(m.start(), m.end()) for m in _NEW_CLAUSE.finditer(sentence)]
    bounds = [0, *(c for cut in cuts for c in cut), len(sentence)]
    spans = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
    whole: list[tuple[int, int]] = []
    start: int | None = None
    for begin, end in spans:
        start = begin if start is None else start
        if _whole(sentence[start:end]):
            whole.append((start, end))
            start = None
    if start is not None and whole:  # a small last part joins the one before
        whole[-1] = (whole[-1][0], len(sentence))
    if len(whole) > 1:
        return [sentence[b:e].strip() for b, e in whole]
    return [sentence]


def _whole(part: str) -> bool:
    """Whether a part of a sentence states something on its own: two content words, or one
    beside a name or number ("I'm Marek and I work as a pharmacist": a later job change
    must not take the name away with the job)."""
    said = content_words(part)
    return len(said) >= 2 or (bool(said) and bool(mentions(part)))


def statements(message: str) -> list[str]:
    """The statements of a user message: its sentences (and the clauses of one that says
    two things) that are not questions, with at least one content word."""
    return [part for part, _ in statements_in(message)]


def statements_in(message: str) -> list[tuple[str, str]]:
    """(statement, the sentence it is part of) for each statement of `message`."""
    found = []
    for sentence in split_sentences(message, lowercase_starts=True):
        text = sentence.text.strip()
        if not text or len(text) > MAX_FACT_CHARS or is_question(text):
            continue
        found += [(part, text) for part in clauses(text) if content_words(part) and _says(part)]
    return found


SMALL_TALK_WORDS = 3  # a clause this short with no value and no concept is small talk


def _says(part: str) -> bool:
    """Whether a clause can state something: more than one word ("Hi!", "Thanks!" and
    "Sure." alone were kept as facts, found by a new user in `memory facts`), and, when it
    is as short as a greeting, a value or a word about the user's life: "Hi there.",
    "Funny thing", "Ugh, long day." are small talk (and "Funny thing" took the place of
    the user's tea by meaning); "I'm vegan." and "Allergic to nuts." are not."""
    if word_count(part) <= 1:  # Chinese and Japanese by characters: "我的密码是4471" says
        return False
    if word_count(part) > SMALL_TALK_WORDS or mentions(part) or _OF_THE_SPEAKER.search(part):
        return True  # "I'm vegan."
    return any(w.concept for w in content_words(part))


_OF_THE_SPEAKER = re.compile(r"\b(?:I|my|we|our|me|us)\b", re.IGNORECASE)


_OWNER_WORDS = frozenset({"my", "our", "i", "we", "mine"})
# The tail of a contraction or elision ("we're", "it's", "don't", "I'll"): one or two
# letters after an apostrophe are a piece of the word before, never a word of their own
# (the word rule took "re" of "We're now settled in Bristol." for its subject).
_CONTRACTION_TAIL = re.compile(r"(?<=\w)['’]\w{1,2}\b")


def uncontracted(text: str) -> str:
    """`text` without the tails of its contractions ("We're settled" -> "We settled")."""
    return _CONTRACTION_TAIL.sub("", text)


def subject(text: str) -> str:
    """What a statement is about, for people to read: the first content word after "my",
    "our" or "I" ("My cat is called Tom" -> "cat"), else its first content word."""
    words = WORD.findall(uncontracted(text).lower())
    owner = next((i for i, w in enumerate(words) if w in _OWNER_WORDS), None)
    for start in (owner + 1, 0) if owner is not None else (0,):
        found = terms(" ".join(words[start:]))
        if found:
            return found[0]
    return ""


@dataclass(frozen=True)
class Word:
    stem: str
    concept: str  # "~job" for a word with a concept, else ""


def content_words(text: str) -> list[Word]:
    """The content words of `text`, each with its concept; "my:" owner marks left out."""
    out: list[Word] = []
    for term in recall_terms(uncontracted(text)):
        if term.startswith("my:"):
            continue
        if term.startswith("~"):
            if out:
                out[-1] = Word(out[-1].stem, term)
            continue
        out.append(Word(term, ""))
    return out


def owners(text: str) -> set[str]:
    """What the speaker owns in `text`: "my cat" -> {"cat"}, with its concept."""
    return {t[3:] for t in recall_terms(uncontracted(text)) if t.startswith("my:")}


# Words of a question that name the kind of value asked for rather than the thing it
# belongs to ("my brother's *name*", "my flight *number*"): a statement about the thing
# holds them when it holds a value of that shape (a name, a number). English hints, like
# questions.py's look-ups: other languages need every word said.
NAME_KIND = frozenset(stem(w) for w in "name named called city town country place".split())
NUMBER_KIND = frozenset(
    stem(w) for w in "number code pin age old tall height phone year many much".split()
)


def near(a: str, b: str) -> bool:
    """The same word, or one misspelt ("anniversery" / "anniversary")."""
    if a == b:
        return True
    if min(len(a), len(b)) < MIN_NEAR_LETTERS or a[0] != b[0]:
        return False
    return fuzz.ratio(a, b) >= NEAR_CUTOFF * 100  # recall's bar for a typo, too


def _shared_words(newer: list[Word], older: list[Word]) -> float:
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
    # the hint is no shared word
    a, b = content_words(_CHANGE_HINT.sub(" ", newer)), content_words(older)
    if not a or not b:
        return 0
    mine_a, mine_b = owners(newer), owners(older)
    if hinted and _shared_names(newer, older):  # "Actually, Maria moved to Porto" after
        return _shared_words(a, b)  # "My sister Maria lives in Lisbon": the same person
    renamed = hinted and _names_owned(newer, mine_a, b, mine_b)  # "we have a new landlord"
    if mine_a and mine_b and not mine_a & mine_b and not renamed:
        return 0  # "my sister's job" is not "my brother's job"
    shared = _shared_words(a, b)
    # A hint lets one word do, unless one speaks of the user's own and the other not
    # ("Priya takes her coffee black" / "these days I take my tea with milk"), or the word
    # names only a kind of value many things have ("the office door code changed" is not
    # "the gate code for the allotment is 3391").
    things = [w for w in a if w.stem not in NAME_KIND | NUMBER_KIND]
    if hinted and _shared_words(things, b) >= 1 and bool(mine_a) == bool(mine_b):
        return shared
    smaller = min(len({w.stem for w in a}), len({w.stem for w in b}))
    if shared >= SAME_MATTER_WORDS and shared >= SAME_MATTER_SHARE * smaller:
        return shared
    return 0


def _shared_names(newer: str, older: str) -> bool:
    """Whether both statements name the same someone or something (a capitalised word not
    opening the sentence: "Maria")."""

    def named(text: str) -> set[str]:
        tokens = WORD.findall(text)
        return {w.lower() for w in tokens[1:] if w[0].isupper() and w.lower() not in STOPWORDS}

    return bool(named(newer) & named(older))


def _names_owned(newer: str, mine_new: set[str], older: list[Word], mine_old: set[str]) -> bool:
    """Whether `newer`, an announced change that calls another word the user's ("we have a
    *new* landlord now"), speaks of the thing the older statement calls theirs ("my
    landlord"): it names that thing, and its own is no possessor ("my *friend's* cat")."""
    if any(re.search(rf"\b{re.escape(w)}\w*['’]s\b", newer, re.IGNORECASE) for w in mine_new):
        return False
    said = {w.stem for w in content_words(newer)}
    return bool(mine_old & said) and not mine_new & {w.stem for w in older}


def by_meaning(
    embedder: Embedder, query: str, facts: list[Fact], floor: float = MIN_MEANING
) -> list[tuple[Fact, float]]:
    """`facts` at least `floor` close to `query` in meaning (cosine), closest first (the
    older first on a tie). A statement is as close as it is, or as it is with its names
    and numbers put as one placeholder (`unvalued`), whichever is closer: a question does
    not hold the value it asks for ("Do I have any siblings?" / "My older brother Tom is a
    nurse." 0.30, with "X" for "Tom" 0.37)."""
    if not facts:
        return []
    texts = [f.text for f in facts]
    vectors = embedder.embed([query, *texts, *map(unvalued, texts)])
    close = cosines(vectors[0], vectors[1:])
    mine = bool(possessions(query))
    best = [  # "Which city do I live in?" is not "My sister X lives in X" (see same_meaning)
        max(a, b) if bool(possessions(text)) == mine else a
        for text, a, b in zip(texts, close[: len(texts)], close[len(texts) :], strict=True)
    ]
    scored = list(zip(facts, best, strict=True))
    return sorted((p for p in scored if p[1] >= floor), key=lambda p: -p[1])


def newest_first(query: str, scored: list[tuple[Fact, float]]) -> list[tuple[Fact, float]]:
    """`scored` with the newest statement nearly as close as the best (NEWER_SHARE) moved
    first: two statements that both answer a question ("We have a red Volvo", later "I
    upgraded to a blue Golf") are most often an update said in words too far apart to
    be seen as one; the newer value is the current one. Not across two things of the
    user's ("my dog" / "my cat")."""
    if len(scored) < 2:
        return scored
    best, top = scored[0]
    asked = possessions(query)

    def apart(a: set[str], b: set[str]) -> bool:
        return bool(a and b and not a & b)

    newer = [
        (fact, score)
        for fact, score in scored[1:]
        if fact.turn > best.turn
        and score >= NEWER_SHARE * top
        and not apart(possessions(fact.text), possessions(best.text))
        and not apart(possessions(fact.text), asked)
    ]
    if not newer:
        return scored
    chosen = max(newer, key=lambda p: p[0].turn)
    return [chosen, *(p for p in scored if p is not chosen)]


def same_meaning(
    embedder: Embedder, newer: str, older: list[Fact], sentence: str = ""
) -> list[tuple[float, Fact]]:
    """The older statements `newer` may update by meaning ("I relocated to Porto" after "I
    live in Lisbon"), scored by cosine: of the same owner, and close in meaning as said
    (UPDATE_MEANING), with the values of both left out (UNVALUED_UPDATE_MEANING), or, for
    a statement that names no value, VALUELESS_UPDATE_MEANING. `sentence`, the whole
    sentence of a clause that names no value ("Actually it's a dog now, his name is Rex"),
    is compared too: the clause alone has lost what it speaks of."""
    if not older:
        return []
    said = [newer, *([sentence] if sentence and sentence != newer else [])]
    texts = [f.text for f in older]
    vectors = embedder.embed([*said, *map(unvalued, said), *texts, *map(unvalued, texts)])
    n, m = len(said), len(texts)
    mine = possessions(newer)
    valueless = not mentions(newer)
    out = []
    for i, fact in enumerate(older):
        raw = max(cosines(vectors[n + n + i], vectors[:n]))
        bare = max(cosines(vectors[n + n + m + i], vectors[n : n + n]))
        theirs = possessions(fact.text)
        if mine and theirs and not mine & theirs:
            continue  # "my sister's job" is not "my brother's job"
        if not valueless and _numbered(newer) != _numbered(fact.text):
            continue  # a date is no new value of a city ("I was born on March 3" / "I live in X")
        # without its names, "My sister X lives in X" is "I live in X": only between two
        # statements that both call something the speaker's, or neither
        unvalued_update = bare >= UNVALUED_UPDATE_MEANING and bool(mine) == bool(theirs)
        close = raw >= UPDATE_MEANING or (valueless and raw >= VALUELESS_UPDATE_MEANING)
        if unvalued_update or (
            close
            and (raw >= CLOSE_MEANING or any(_same_thing(embedder, t, fact.text) for t in said))
        ):
            out.append((max(raw, bare), fact))
    return out


def _numbered(text: str) -> bool:
    """Whether the names and numbers of `text` hold a number: a value's shape."""
    return any(any(c.isdigit() for c in value) for value in mentions(text))


def _same_thing(embedder: Embedder, newer: str, older: str) -> bool:
    """Whether `newer` speaks of the thing `older` does: they share a content word (or its
    concept), or a word of `newer` is alone close in meaning to `older` ("car" / "I drive
    a blue Honda Civic": 0.47). Two sentences of small talk and of a fact are often as
    close as an update is ("The kettle broke this morning" / "I keep forgetting to water
    the plants": 0.35, "I sold the car." / the Civic: 0.39); what tells them apart is
    the thing ("kettle" / the plants: 0.23)."""
    mine = content_words(_CHANGE_HINT.sub(" ", newer))
    if _shared_words(mine, content_words(older)) > 0:
        return True
    said = [w for w in WORD.findall(uncontracted(_CHANGE_HINT.sub(" ", newer))) if terms(w)]
    if not said:
        return False
    vectors = embedder.embed([older, *said])
    return max(cosines(vectors[0], vectors[1:])) >= THING_MEANING


VALUE = "X"  # what `unvalued` puts for a name or number


def unvalued(text: str) -> str:
    """`text` with each name and number put as one placeholder: what it says of what, in
    any language ("We're now settled in Bristol." -> "We're now settled in X.")."""
    for value in sorted(set(mentions(text)), key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", VALUE, text)
    return text


# What a speaker says is theirs: "my/our X", "I have a X". Unlike `owners`, not the verb
# after "I" ("I live" / "I relocated" are one matter said in two words). English hints.
_POSSESSION = re.compile(
    r"\b(?:my|our)\s+(\w+)|\b(?:I|we)\s+(?:have|own|got)\s+(?:an?\s+|two\s+|three\s+)?(\w+)",
    re.IGNORECASE,
)


def possessions(text: str) -> set[str]:
    """The stems of what `text` calls the speaker's ("I have a dog named Pixel" -> dog):
    two statements about two different things of theirs never update one another."""
    return {stem((m.group(1) or m.group(2)).lower()) for m in _POSSESSION.finditer(text)}


def _comparable(text: str) -> str:
    return " ".join(words(text))


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

    def add_message(self, message: str, turn: int, embedder: Embedder | None = None) -> list[Fact]:
        """Read one user message; returns the facts it added. With `embedder`, a statement
        also replaces one on the same matter said in other words (see `_replaced_by`)."""
        added: list[Fact] = []
        for text, sentence in statements_in(message):
            said = _comparable(text)
            fact = Fact(len(self.facts) + 1, turn, subject(text), text, "")
            replaced = self._replaced_by(text, said, turn, embedder, sentence)
            for older in replaced:
                older.replaced_by = fact.id
            fact.kind = (
                "update" if any(_comparable(o.text) != said for o in replaced) else "statement"
            )
            self.facts.append(fact)
            added.append(fact)
        self.through_turn = max(self.through_turn, turn)
        return added

    def _replaced_by(
        self,
        text: str,
        said: str,
        turn: int,
        embedder: Embedder | None = None,
        sentence: str = "",
    ) -> list[Fact]:
        """The active statements of earlier messages that `text` restates or updates: every
        one said in the same words, and the one on the same matter that shares most (with
        `embedder`, failing that, the one closest in meaning: see `same_meaning`)."""
        earlier = [f for f in self.facts if f.active and f.turn < turn]
        replaced = [f for f in earlier if _comparable(f.text) == said]
        scored = [(same_matter(text, f.text), f) for f in earlier if f not in replaced]
        scored = [(s, f) for s, f in scored if s > 0]
        if not scored and embedder is not None:
            context = sentence if not mentions(text) else ""
            scored = same_meaning(
                embedder, text, [f for f in earlier if f not in replaced], context
            )
        if scored:
            best = max(s for s, _ in scored)
            replaced += [f for s, f in scored if s == best][-1:]  # the newest of the best
        return replaced

    def replacements(self, shown: list[Fact]) -> list[tuple[Fact, Fact]]:
        """(replaced statement, the current one that replaced it) for each of `shown`."""
        by_id = {f.id: f for f in self.facts}
        out = []
        for fact in self.facts:
            if fact.forgotten or fact.replaced_by is None:
                continue
            newer = by_id.get(fact.replaced_by)
            while newer is not None and newer.replaced_by is not None:
                newer = by_id.get(newer.replaced_by)
            if newer is not None and any(newer is f for f in shown):
                out.append((fact, newer))
        return out

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

    def ranked(self, query: str, embedder: Embedder | None = None) -> list[tuple[Fact, float]]:
        """The active facts that share a term with `query`, best first; with `embedder`,
        those close to it in meaning (cosine at least MIN_MEANING), closest first."""
        if embedder is not None:
            return newest_first(query, by_meaning(embedder, query, self.active()))
        active = self.active()
        key = (len(self.facts), *(f.id for f in active))
        if self._index is None or self._index[0] != key:
            self._index = (key, active, BM25([f.text for f in active]))
        active, index = self._index[1], self._index[2]
        return [(active[i], score) for i, score in index.top(query, len(active), fuzzy=True)]

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


# -- whether a text still states a fact -------------------------------------------------------


def subject_phrase(fact: Fact) -> str:
    """A fact's subject as words: "likes: green tea" -> "likes green tea"."""
    return " ".join(fact.subject.replace(":", " ").split())


def names(summary: str, fact: Fact) -> bool:
    """Whether `summary` names the subject of `fact` (every word of it)."""
    said = set(terms(summary))
    return all(t in said for t in terms(subject_phrase(fact)))


def fact_words(fact: Fact) -> tuple[list[str], list[str]]:
    """(numbers and names, other content words) of a fact. Pieces of contractions and
    possessives ("m" of "I'm", "s" of "dog's") are not words."""
    tokens = WORD.findall(fact.text)
    words = [
        (i, w)
        for i, w in enumerate(tokens)
        if w[0].isdigit() or (len(w) > 2 and w.lower() not in STOPWORDS)
    ]
    specific = [w for i, w in words if w[0].isdigit() or (w[0].isupper() and i > 0)]
    return specific, [w for _, w in words if w not in specific]


def stems(text: str) -> set[str]:
    """The stems of every word of `text`."""
    return {stem(w) for w in WORD.findall(text.lower())}


def holds(summary: str, fact: Fact) -> bool:
    """Whether `summary` still states `fact`: all its numbers and names, or (having none)
    at least half of its content words."""
    said = stems(summary)
    specific, other = fact_words(fact)
    if specific:
        return all(stem(w.lower()) in said for w in specific)
    return sum(stem(w.lower()) in said for w in other) * 2 >= len(other)
