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

The statements of a message and their words are read by chat/statements.py; with a
sentence-embedding model (backends/embedding.py, optional) chat/meaning.py decides both
by meaning too: what bears on a message, and which older statement a newer one updates
in other words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from longcli.backends.embedding import Embedder
from longcli.chat.meaning import (
    MIN_MEANING,
    by_meaning,
    names_for,
    newer_than_best,
    put_first,
    same_meaning,
    speaks_of_another,
)
from longcli.chat.recall import BM25
from longcli.chat.statements import (
    CHANGE_HINT,
    LEAD_IN,
    NAME_KIND,
    NUMBER_KIND,
    Thing,
    Word,
    apart,
    content_words,
    doings,
    is_reminder,
    of_someone_else,
    owned,
    says_own_name,
    shared_words,
    statements_in,
    subject,
)
from longcli.chat.statements import things as possessions
from longcli.text.modality import only_intended
from longcli.text.names import mentions
from longcli.text.tense import simple_present
from longcli.text.terms import terms
from longcli.text.vocabulary import STOPWORDS, WORD, stem, words

LEDGER_SCHEME = 2  # 1: facts read by first-person patterns; 2: every statement
SAME_MATTER_WORDS = 2  # shared content words that make two statements one matter
SAME_MATTER_SHARE = 0.5  # ... and at least this share of the shorter one's words
_POSSESSIVE = re.compile(r"\b(?:my|our)\b", re.IGNORECASE)


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


_LEADING = re.compile(rf"^\s*{LEAD_IN}(?=(?:i|we|my|our)\b)", re.IGNORECASE)
# English: a preposition of place and the words after it (an article between)
_PLACE_PHRASE = re.compile(
    r"\b(?:at|in|on|near|from|by|inside|outside)\s+(?:(?:the|a|an|my|our|his|her|their|"
    r"this|that)\s+)?([^\W\d_]+)(?:\s+([^\W\d_]+))?",
    re.IGNORECASE,
)


def _placed(text: str) -> set[str]:
    """The stems of the words `text` puts after a preposition of place (two at most,
    "at a small clinic"): where a thing is, not the thing ("clinic" in "the wifi password
    at the clinic is ...")."""
    found = (w.lower() for m in _PLACE_PHRASE.finditer(text) for w in m.groups() if w)
    return {stem(w) for w in found if w not in STOPWORDS}


def same_matter(newer: str, older: str) -> float:
    """How strongly `newer` restates the matter of `older`: the content words they share,
    or 0 when they are not one matter."""
    hinted = CHANGE_HINT.search(newer) is not None
    # a word or two leading in before the speaker ("also i left the logistics place",
    # "also we have a cat named Pierogi") is no matter of either: one shared "also" and
    # the change hint had the job replace the cat (a new user's walk)
    newer, older = _LEADING.sub("", newer, count=1), _LEADING.sub("", older, count=1)
    # the hint is no shared word
    a, b = content_words(CHANGE_HINT.sub(" ", newer)), content_words(older)
    if not a or not b:
        return 0
    # a change hint is no doing of the speaker's ("i *changed* the bike lock")
    mine_a, mine_b = owned(CHANGE_HINT.sub(" ", newer)), owned(older)
    if hinted and _shared_names(newer, older):  # "Actually, Maria moved to Porto" after
        return shared_words(a, b)  # "My sister Maria lives in Lisbon": the same person
    renamed = hinted and _names_owned(newer, mine_a, b, mine_b)  # "we have a new landlord"
    # "I quit nursing, these days I teach" / "I work as a nurse": two verbs after "I", one
    # matter, when the newer one says it changes something; without a hint two doings are
    # two matters ("I run in the park every morning" / "I walk the dog in the park ...")
    verbs = hinted and not _POSSESSIVE.search(newer) and not _POSSESSIVE.search(older)
    if apart(mine_a, mine_b, exact=True) and not verbs and not renamed:
        return 0  # "my sister's job" is not "my brother's job", nor "the locker I borrowed"
    if apart(mine_a, mine_b, exact=True) and verbs:
        # what they share must be a thing, not the verb of one ("I bike to work now" is no
        # change of "I work as a nurse")
        doings = {w for t in mine_a | mine_b for w in t.words}
        a = [w for w in a if w.stem not in doings]
        b = [w for w in b if w.stem not in doings]
        if not a or not b:
            return 0
    # a name both hold is whom they speak of, not what they say of them ("btw Ottilie is
    # getting married to a guy called Ravi" / "my sister is called Ottilie": two matters)
    both = _named_stems(newer) & _named_stems(older)
    shared = shared_words([w for w in a if w.stem not in both], b)
    # A hint lets one word do, unless one speaks of the user's own and the other not
    # ("Priya takes her coffee black" / "these days I take my tea with milk"), or the word
    # names only a kind of value many things have ("the office door code changed" is not
    # "the gate code for the allotment is 3391").
    things = [w for w in a if w.stem not in NAME_KIND | NUMBER_KIND]
    # A statement that names no owner, and no one else, is the speaker's ("Sold one of the
    # bikes" after "I've got 3 bikes").
    had_a, had_b = possessions(newer), possessions(older)
    alike = bool(had_a) == bool(had_b) or not of_someone_else(newer if had_b else older)
    # ... and the word is what the older one is about, not where or whose it is ("the
    # wifi password at the clinic is TULIP-8821" is not changed by "I quit the dental
    # clinic, these days I teach biology")
    placed = _placed(older)
    about = [w for w in b if w.stem not in placed]
    if hinted and shared_words(things, about) >= 1 and alike:
        return shared
    # of the shorter one's words, its values do not count: an update's value is new ("my
    # wifi password is tulip-90" / "my wifi password became ember-12": 2 of 3, not of 5)
    values = {w.stem for t in (newer, older) for w in content_words(" ".join(mentions(t)))}
    smaller = min(len(_unvalued(a, values)), len(_unvalued(b, values)))
    if shared >= SAME_MATTER_WORDS and shared >= SAME_MATTER_SHARE * smaller:
        return shared
    return 0


def _named_stems(text: str) -> set[str]:
    """The stems of the names `text` writes."""
    return {w.stem for w in content_words(" ".join(mentions(text)))}


def named_again(fact: Fact, facts: Iterable[Fact]) -> Fact | None:
    """The newest of `facts` told after `fact` that names someone or something `fact`
    names, in any case ("sadly pumpernickel went to live with my neighbour Greta" after
    "we have a grey cat named Pumpernickel"): news of what it told, which a question
    answered by `fact` should see too. None when there is none."""
    held = {
        w.lower() for v in mentions(fact.text) if not v[0].isdigit() for w in WORD.findall(v)
    } - STOPWORDS
    later = [f for f in facts if f.turn > fact.turn and held & _opening_words(f.text)]
    return max(later, key=lambda f: (f.turn, f.id), default=None)


# A thing told of only by a word standing for it, after a doing: "sold it", "gave that up",
# "sold the old one" (not "is it", "that it", "that my ...": no doing, or a clause's "that")
_STANDS_FOR = re.compile(
    r"\b(?!(?:is|was|are|were|that|of|if|than)\b)[a-z]+\s+(?:it|them|the old one|"
    r"that(?=\s+(?:up|away|in|out|off|down|back)\b|\s*(?:[,.;!]|$)))(?!['’\w])",
    re.IGNORECASE,
)
# ... where the words before it name nothing for it to stand for: no determiner before a
# word ("the Peugeot, I sold it"), no capitalised word but the first and "I"
_NAMES_BEFORE = re.compile(
    r"\b(?i:a|an|the|my|our|your|his|her|their|this|these|those)\s+\w|(?<=\s)(?!I\b)[A-Z]"
)
REFERENT_MEANING = 0.25  # the older statement a later change stands under is this close
REFERENT_MARGIN = 0.02  # ... and this much closer than any other one told before it
NEWS_LOOKED = 20  # messages telling a change looked at for one statement, newest first


# Someone of the user's named where a statement opens: "My best mate Tobias lives ...",
# "my little sister Ines is visiting" (the name after "my" and a word or two, no verb:
# "my sister is called Odile" names her, it opens on no one named)
_NAMED_OPENING = re.compile(
    r"^\W*(?:[^\W\d_]+[,!]?\s+){0,2}?(?i:my|our)\s+"
    r"(?:(?!(?:is|was|are|were|called|named|has|had)\b)[a-z]+\s+){1,2}([A-Z][\w'’-]*)"
)


def _two_people(newer: str, older: str) -> bool:
    """Whether the two statements open on two people of the user's named differently, the
    newer not naming the older's: "My best mate Tobias lives just two streets away from my
    sister." is no new home of "My sister Ottilie lives in Bruges" (they share "my sister"
    and "lives"; a new user's walk)."""
    mine, theirs = _NAMED_OPENING.match(newer), _NAMED_OPENING.match(older)
    if mine is None or theirs is None:
        return False
    name, other = mine.group(1), theirs.group(1)
    return name.lower() != other.lower() and other.lower() not in newer.lower()


def _ongoing(text: str) -> bool:
    """Whether `text` names no value and tells, in the simple present, what goes on ("I
    wash the car every sunday", "i love my job most days"): no change of what was told
    before, which it takes to be so still, however close in meaning (family A's asides:
    "I wash the car every sunday" / "I drive a white Fiat." 0.35, as close as "we sold the
    car" 0.35, and took its place; text/tense.py). A change told of so ("I no longer have
    a car") says it."""
    return not mentions(text) and CHANGE_HINT.search(text) is None and simple_present(text)


def stands_for(text: str) -> bool:
    """Whether `text` tells of a thing only by a word standing for one told before it
    ("I finally sold it on Saturday, so I'm taking the bus now.", "I gave that up and
    went pescatarian."), with nothing named before that word in `text`."""
    found = _STANDS_FOR.search(text)
    return found is not None and _NAMES_BEFORE.search(text[: found.start()]) is None


def _tells_change_of(message: Sequence[Fact], fact: Fact) -> bool:
    """Whether the statements of one message may tell what became of what `fact` told:
    one speaks of a thing only as "it" (`stands_for`), or one tells a change (CHANGE_HINT)
    and none calls a thing the user's that `fact` does not ("Update: my dentist is Dr
    Lindqvist now." is no news of "I'm based in Montreal.", though no statement is closer
    to it; "These days I retrained, I'm a plumber." may be of "I work as a dentist.")."""
    if any(stands_for(f.text) for f in message):
        return True
    if not any(CHANGE_HINT.search(f.text) for f in message):
        return False
    theirs = possessions(fact.text)
    mine = [t for f in message for t in possessions(f.text)]
    return not mine or bool(theirs) and not apart(mine, theirs)


def told_since(
    embedder: Embedder,
    fact: Fact,
    facts: Sequence[Fact],
    replaced: Sequence[tuple[Fact, Fact]] = (),
) -> list[Fact]:
    """The statements of the newest message after `fact` that tells what became of what
    `fact` told without the ledger reading it as an update (`_tells_change_of`), where
    `fact`, or one it replaced (`replaced`: pairs of a replaced statement and the one
    standing now), is the closest in meaning to that message of the statements of `facts`
    told before it (REFERENT_MEANING, REFERENT_MARGIN); [] when there is none. Shown
    under `fact`, not taken for an update: which statement a change is of is found by
    meaning, whether it ends it is not.

    New users' walks: "I drive a dented green Citroën to work every day." then "I finally
    sold it on Saturday, so I'm taking the bus now." (0.28 from the car, 0.25 from the
    accordion lessons), where no word of the second tells what "it" is; "I gave up on it
    after a month, my fingertips were killing me, ..." (the banjo, 0.30 against 0.19).
    "I park the car on the street" is as close to "I drive a white Fiat." as "I sold the
    car" (0.40, 0.43); and family A's "These days I retrained, I'm a plumber." never
    replaced "I work as a dentist." (0.47, and no word of it alone near the dentist: see
    meaning.same_meaning). The newest NEWS_LOOKED such messages are looked at."""
    stands = {fact.id} | {old.id for old, new in replaced if new.id == fact.id}
    by_turn: dict[int, list[Fact]] = {}
    for f in sorted(facts, key=lambda f: f.id):
        if f.turn > fact.turn:
            by_turn.setdefault(f.turn, []).append(f)
    telling = [
        (turn, message)
        for turn, message in sorted(by_turn.items(), reverse=True)
        # (not one the ledger read as an update already, of another statement: "Also, we
        # moved flats on Saturday, we're in number 112 now" is the flat's, not the town's)
        if any(f.replaced_by is None for f in message)
        and all(f.kind != "update" for f in message)
        and _tells_change_of(message, fact)
    ]
    stood = [f for f in facts if f.id in stands]
    for turn, message in telling[:NEWS_LOOKED]:
        # (read with what else its message told: "Honestly I gave up on it after a month"
        # alone is not the banjo, with "my fingertips were killing me, ..." it is)
        told = " ".join(f.text for f in message)
        if not by_meaning(embedder, told, stood, REFERENT_MEANING):
            continue  # (far from it: no need to rank all that was told before)
        before = [f for f in facts if f.turn < turn]
        ranked = by_meaning(embedder, told, before, 0.0)
        if not ranked or ranked[0][0].id not in stands or ranked[0][1] < REFERENT_MEANING:
            continue
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < REFERENT_MARGIN:
            continue
        return [f for f in message if f.replaced_by is None]
    return []


def clause_after(fact: Fact, facts: Iterable[Fact]) -> Fact | None:
    """The statement of `facts` told right after `fact` in its message (its next clause:
    "I'm a software developer." after "These days I retrained"), None when there is none."""
    return next((f for f in facts if f.turn == fact.turn and f.id == fact.id + 1), None)


NEWS_WORDS = 6  # news of a name names it among its first words, where its subject is


def _opening_words(text: str) -> set[str]:
    """The first NEWS_WORDS words of `text`, lower case: news of someone or something names
    them there ("sadly we had to rehome pierogi", "I gave Mango to ..."); a name
    further on is where or with whom ("Lotte switched jobs too, she's at a dental clinic
    in Graz now" is no news of "we moved to Graz", a new user's walk)."""
    return {w.lower() for w in WORD.findall(text)[:NEWS_WORDS]}


def current_of(fact: Fact, by_id: dict[int, Fact]) -> Fact:
    """The statement that stands for `fact` now: the last of those that replaced it."""
    while fact.replaced_by is not None and fact.replaced_by in by_id:
        fact = by_id[fact.replaced_by]
    return fact


def _unvalued(said: list[Word], values: set[str]) -> set[str]:
    """The stems of `said` that are no value: no name (`values`), no number."""
    return {w.stem for w in said if w.stem not in values and not w.stem[0].isdigit()}


def _shared_names(newer: str, older: str) -> bool:
    """Whether both statements name the same someone or something (a capitalised word not
    opening the sentence: "Maria"; or opening it, where the other names it so: "Lotte
    switched jobs too" / "My girlfriend Lotte works as a nurse", a new user's walk)."""

    def named(tokens: list[str]) -> set[str]:
        return {w.lower() for w in tokens[1:] if w[0].isupper() and w.lower() not in STOPWORDS}

    def opening(tokens: list[str]) -> set[str]:
        return {w.lower() for w in tokens[:1] if w[0].isupper()}

    new, old = WORD.findall(newer), WORD.findall(older)
    a, b = named(new), named(old)
    return bool(a & b or opening(new) & b or a & opening(old))


def _names_owned(
    newer: str, mine_new: frozenset[Thing], older: list[Word], mine_old: frozenset[Thing]
) -> bool:
    """Whether `newer`, an announced change that calls another word the user's ("we have a
    *new* landlord now"), speaks of the thing the older statement calls theirs ("my
    landlord"): it names that thing, and its own is no possessor ("my *friend's* cat")."""
    new_words = {w for t in mine_new for w in t.words}
    if any(re.search(rf"\b{re.escape(w)}\w*['’]s\b", newer, re.IGNORECASE) for w in new_words):
        return False
    said = {w.stem for w in content_words(newer)}
    return bool({t.head for t in mine_old} & said) and not new_words & {w.stem for w in older}


def _comparable(text: str) -> str:
    return " ".join(words(text))


# With an embedding model, a statement sharing words with an older one replaces it only
# when at least this close in meaning (cosine, by pieces; all-MiniLM-L6-v2). A new user's
# walk: the true pairs 0.51-0.77, the false ones 0.18-0.30 ("we sold the volvo to a
# neighbour, got a cargo bike instead" / "henrike got a job in Rotterdam" 0.30).
WORDS_MEANING = 0.32
# "it" or "them" after a doing: a thing named elsewhere in the sentence ("I sold it")
_TOLD_AS_IT = re.compile(r"\b(?!(?:is|was|that)\b)[a-z]+\s+(?:it|them)\b(?!['’])", re.IGNORECASE)


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
        # ... and those another statement of this message replaced: "also I quit driving
        # trams, I'm a bakery apprentice these days" is one change in two statements, and
        # the one that says the new value takes it over
        this_turn = {f.id for f in self.facts if f.turn == turn}
        earlier = [
            f
            for f in self.facts
            if f.turn < turn
            and not f.forgotten
            and (f.replaced_by is None or f.replaced_by in this_turn)
        ]
        replaced = [f for f in earlier if _comparable(f.text) == said]
        # the statement, or its second doing alone ("we packed up and now live in Oulu":
        # "we now live in Oulu" restates "I live in Tampere"), or, for a clause telling a
        # change of a thing it only calls "it", with its sentence ("Oh, scratch what I said
        # about the Peugeot, I sold it last week and now I get around in a secondhand
        # Renault.": the clause alone shares nothing with "I still drive the old Peugeot")
        said_as = [text, *doings(text)]
        if sentence and sentence != text and _TOLD_AS_IT.search(text) and CHANGE_HINT.search(text):
            said_as.append(sentence)
        # the user's own name goes only with a statement giving one ("also i quit the
        # bakery" is no new name for "i'm Tomasz, just got home from ... the bakery")
        naming = says_own_name(text)
        # ... and what is said of someone else never updates the speaker's own, nor the
        # reverse (meaning.speaks_of_another: "now live in turku" took "my mum lives in cork")
        # ... and a plan, a wish, a reminder or what goes on as before (`_ongoing`) updates
        # nothing but its own words ("In April
        # I'm planning a trip to Sicily" took "I live in Ljubljana" away, "I'd like to move
        # to Vienna one day" that trip: any two plans are as close as a move;
        # text/modality.py)
        intended = only_intended(text) or is_reminder(text) or _ongoing(text)
        others = [
            f
            for f in earlier
            if f not in replaced
            and not intended
            and (naming or not says_own_name(f.text))
            and not speaks_of_another(text, f.text)
            and not _two_people(text, f.text)
        ]
        scored = [(max(same_matter(t, f.text) for t in said_as), f) for f in others]
        # ... not by the name alone of a statement that only gives it: "Oh and I got
        # Noodle's age wrong, she's actually ten, not nine." took "I've got a whippet
        # called Noodle" away, not "she turned nine back in May." (a new user's walk;
        # meaning's update by other words does not take it either, `_may_rename`)
        scored = [(s, f) for s, f in scored if s > 0 and not names_for(f.text, text)]
        if scored and embedder is not None:
            # with meaning at hand, of those sharing words the one the statement means, and
            # none it is far from ("also i quit the bakery, now i drive a tram" shares
            # "drive" with "i drive an old blue Volvo" (0.20) and "bakery" with "... a long
            # shift at the bakery" (0.59): the newest of the two took the car away)
            # (as said, or as its second doing: "... and now live in turku" matched so)
            near: dict[int, float] = {}
            for said in said_as:
                for f, c in by_meaning(embedder, said, [f for _, f in scored], 0.0):
                    near[id(f)] = max(c, near.get(id(f), 0.0))
            scored = [(near[id(f)], f) for _, f in scored if near.get(id(f), 0.0) >= WORDS_MEANING]
        if not scored and embedder is not None:
            context = sentence if not mentions(text) else ""
            scored = same_meaning(embedder, text, others, context)
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
        return self.ranking(query, embedder)[0]

    def ranking(
        self, query: str, embedder: Embedder | None = None
    ) -> tuple[list[tuple[Fact, float]], tuple[Fact, Fact] | None]:
        """`ranked`, and (the closest, the newer one moved before it) when a newer
        statement nearly as close comes first: an update the ledger did not see as one
        (`newer_than_best`), which the reply's checks read as one for this question."""
        if embedder is not None:
            said = [f for f in self.facts if not f.forgotten]
            close = self._current(by_meaning(embedder, query, said))
            found = {f.id for f, _ in close}
            worded = [(f, MIN_MEANING) for f, _ in self._by_words(query) if f.id not in found]
            scored = close + worded
            moved = newer_than_best(query, scored)
            return (scored if moved is None else put_first(scored, moved[1])), moved
        return self._by_words(query), None

    def _by_words(self, query: str) -> list[tuple[Fact, float]]:
        """The active facts that share a term with `query` (BM25, typos allowed)."""
        active = self.active()
        key = (len(self.facts), *(f.id for f in active))
        if self._index is None or self._index[0] != key:
            self._index = (key, active, BM25([f.text for f in active]))
        active, index = self._index[1], self._index[2]
        return [(active[i], score) for i, score in index.top(query, len(active), fuzzy=True)]

    def _current(self, scored: list[tuple[Fact, float]]) -> list[tuple[Fact, float]]:
        """`scored` with each replaced statement standing for the one that replaced it
        (as close as the closer of the two), best first: "Where do I live now?" is closest
        to "I live in Gdansk." (0.54), which "we moved to Wroclaw last week" (0.34)
        replaced; the current value is the newer one's."""
        by_id = {f.id: f for f in self.facts}
        best: dict[int, tuple[Fact, float]] = {}
        for said, score in scored:
            fact = current_of(said, by_id)
            if fact.active and (fact.id not in best or best[fact.id][1] < score):
                best[fact.id] = (fact, score)
        return sorted(best.values(), key=lambda p: -p[1])

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
