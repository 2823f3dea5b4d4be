"""Which statements a message means, by sentence embeddings (backends/embedding.py,
optional).

With an embedding model, what bears on a message is the statements closest to it
(`by_meaning`), and a statement that shares no word with an older one still replaces it
when the two are close in meaning and not about two different things of the user's
(`same_meaning`): as said, with the names and numbers of both left out ("We're now
settled in X" / "I live in X": one attribute, two values), or, for a statement that names
no value ("I sold the car."), a little less close. A contraction's tail ("re" of "we're")
is never a word of either.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING

from longcli.backends.embedding import Embedder, cosines
from longcli.chat.statements import (
    CHANGE_HINT,
    NAME_KIND,
    THINGS_CACHE,
    Thing,
    apart,
    content_words,
    doings,
    is_kin,
    is_question,
    is_reminder,
    opens_with_name,
    other_kin,
    parts,
    says,
    shared_words,
    things,
    uncontracted,
)
from longcli.text import language
from longcli.text.modality import only_intended
from longcli.text.names import mentions
from longcli.text.sentences import is_abbreviation
from longcli.text.terms import terms
from longcli.text.vocabulary import WORD, common_english

if TYPE_CHECKING:
    from longcli.chat.facts import Fact

# With an embedding model (backends/embedding.py): a statement at least this close in
# meaning to a question may bear on it (all-MiniLM-L6-v2: "What do I do for a living?" /
# "I work as a nurse" 0.36, an unrelated filler sentence under 0.15).
MIN_MEANING = 0.25
NEWER_SHARE = 0.8  # a newer statement this close to a question, relative to the best, comes first
UPDATE_MEANING = 0.45  # a statement this close to an older one, in other words, updates it
# ... or this close with the names and numbers of both put as one placeholder (`unvalued`):
# one attribute with two values ("We're now settled in X" / "I live in X": 0.66; raw 0.44;
# "I relocated to X" 0.73; raw 0.28); unrelated statements of family A stay under 0.45.
UNVALUED_UPDATE_MEANING = 0.55
# ... or this close when the newer statement names no value at all: it takes the older
# one's away ("I sold the car." / "I drive a blue Honda Civic.": 0.39; fillers under 0.25).
VALUELESS_UPDATE_MEANING = 0.35
# The first and third only between statements about one thing (`_same_thing`): a word of
# the newer one this close to the older one ("car" / "I drive a blue Honda Civic" 0.47, "cat" /
# "I have a cat named Tom" 0.53; "kettle" / "I keep forgetting to water the plants" 0.23,
# "peanuts" / "I'm vegan." 0.36), or the two this close as said (CLOSE_MEANING).
THING_MEANING = 0.4
CLOSE_MEANING = 0.55
# A question's answer form (`answer_form`) is this much less close than it scores: the form
# lifts every statement a little ("I have some car" is nearer any "I have ..."). On
# family A (fake model, 40 conversations, seeds 31/41/42): right 421 -> 424 of 480, "not
# told" where never told 87 -> 85 of 120, stale and wrong quotes unchanged; at 0 right
# 426 but 3 more wrong quotes and 6 fewer "not told"; at 0.08 all as without it.
ANSWER_FORM_DISCOUNT = 0.04


def by_meaning(
    embedder: Embedder, query: str, facts: list[Fact], floor: float = MIN_MEANING
) -> list[tuple[Fact, float]]:
    """`facts` at least `floor` close to `query` in meaning (cosine), closest first (the
    older first on a tie). A statement is as close as the closest of its `pieces`, each as
    it is or with its names and numbers put as one placeholder (`unvalued`), whichever is
    closer: a question does not hold the value it asks for ("Do I have any siblings?" /
    "My older brother Tom is a nurse." 0.30, with "X" for "Tom" 0.37), and asks about one
    of the things a statement says ("whats my name" / "hey there, I'm Tobias Wrenfield,
    nice to meet u" 0.27, its piece "I'm Tobias Wrenfield" 0.31, unvalued 0.36)."""
    if not facts:
        return []
    each = [pieces(f.text) for f in facts]
    texts = [p for found in each for p in found]
    # a question as the statement that answers it too, whichever is closer (`answer_form`)
    form = answer_form(query) if is_question(query) else None
    asked = [query] if form is None else [query, form]
    vectors = embedder.embed([*asked, *texts, *map(unvalued, texts)])
    close = cosines(vectors[0], vectors[len(asked) :])
    if form is not None:
        as_answer = cosines(vectors[1], vectors[len(asked) :])
        close = [max(a, b - ANSWER_FORM_DISCOUNT) for a, b in zip(close, as_answer, strict=True)]
    mine = bool(things(query))
    # "Which city do I live in?" is not "My sister X lives in X" (see same_meaning)
    piece = [
        max(a, b) if bool(things(text)) == mine else a
        for text, a, b in zip(texts, close[: len(texts)], close[len(texts) :], strict=True)
    ]
    best, at = [], 0
    for found in each:
        best.append(max(piece[at : at + len(found)]))
        at += len(found)
    scored = list(zip(facts, best, strict=True))
    return sorted((p for p in scored if p[1] >= floor), key=lambda p: -p[1])


# A piece that opens on someone named before it ("she's a vet nurse in Galway") is no
# statement alone: it would answer "what's my job?" for the sister
_LEANS_BACK = re.compile(r"\W*(?:he|she|they|his|her|their|it)\b", re.IGNORECASE)
_PIECE_CUT = re.compile(r"\s*[,;:–—]\s+|\s+-\s+")
PIECE_WORDS = 2  # a piece of a statement says something alone from this many words
_ENDS = " ,.;:!?"
# where the speaker's own clause opens after a lead-in ("Remember that *my* locker ...")
_SPEAKER = re.compile(r"(?<![\w'’])(?:I|my|we|our)(?![\w'’])", re.IGNORECASE)


def pieces(text: str) -> list[str]:
    """`text`, then each of its clauses (`parts`), second doings (`doings`), pieces
    between commas and what follows a lead-in (from the speaker's first "I", "my", "we"
    or "our") that says something alone: at least PIECE_WORDS words, no small talk
    (`says`: "hey there"), not opening on someone named before it. A statement of two
    things is far from a question or an update about one ("we relocated to Kraków last
    week" / "I live in Lübeck, up in the north of germany" 0.52 with the values left out;
    its piece "I live in Lübeck" 0.64)."""
    found = [text]
    seen = {text.strip(_ENDS)}
    speaker = _SPEAKER.search(text, 1)  # "Keep in mind I react badly to peanuts": 0.23
    said = [text[speaker.start() :]] if speaker else []  # from "What is my allergy?"; 0.27
    for piece in [*parts(text), *_PIECE_CUT.split(text), *doings(text), *said]:
        piece = piece.strip(_ENDS)
        if (
            piece not in seen
            and len(piece.split()) >= PIECE_WORDS
            and says(piece)
            and not _LEANS_BACK.match(piece)
        ):
            found.append(piece)
            seen.add(piece)
    return found


# A question for all that was told ("what do you know about me?", "remind me everything
# you know about me", "what did I tell you about myself"): this close to one of these,
# and naming no thing of the user's ("what did I tell you about my car?" 0.59 is a look-up).
# all-MiniLM-L6-v2, 13 such questions and 20 others: 11 at least 0.45 (not "tell me all my
# facts" 0.32, "who am I?" 0.36), the others at most 0.39 ("how old am I?").
ALL_TOLD = ("What do you know about me?", "What have I told you about myself?")
ALL_TOLD_MEANING = 0.45


# ... without an embedding model, its commonest English forms: knowing, remembering or
# being told about the user, or everything said (no meaning to go by: a new user's walk
# asked "what do you know about me" with none and got small talk)
_ALL_TOLD_WORDS = re.compile(
    r"\b(?:know|remember|told you|tell you|said|learned)\b[^.?!]*\babout (?:me|myself)\b"
    r"|\beverything (?:you know|you remember|i (?:told|said))\b",
    re.IGNORECASE,
)


# A question for one thing: where, when, who, which, how, whose ... ("where was i born?"
# is 0.46 from "What do you know about me?", and listed every statement a new user made)
_ASKS_ONE = re.compile(
    r"\W*(?:(?:so|and|ok|hey|btw|also)\W+)*(?:where|when|who|whose|whom|which|how|why)\b",
    re.IGNORECASE,
)


def asks_all_told(embedder: Embedder | None, question: str) -> bool:
    """Whether `question` asks for everything the user told: by meaning (`ALL_TOLD`), or
    without `embedder` by its commonest English words. Never a statement ("I told my boss
    about me quitting") nor a question about a thing of the user's, nor one for the
    reminders (`asks_reminders`)."""
    if things(question) or not is_question(question) or _ASKS_ONE.match(question):
        return False
    if asks_reminders(embedder, question):
        return False
    if embedder is None:
        return _ALL_TOLD_WORDS.search(question) is not None
    vectors = embedder.embed([question, *ALL_TOLD])
    return max(cosines(vectors[0], vectors[1:])) >= ALL_TOLD_MEANING


# A question for what the user asked to be reminded of. A new user's walk: "What did I ask
# you to remind me of?" is 0.46 from "What do you know about me?" and listed every
# statement. With all-MiniLM-L6-v2 these forms are 0.72-1.0 from the first prototype
# ("what did i tell you to remind me", "Did I ask you to remind me of anything?"), and
# "What did I ask you?" 0.55, "What's on my to-do list?" 0.44.
REMINDERS = ("What did I ask you to remind me of?", "Which reminders did I give you?")
REMINDERS_MEANING = 0.7
# ... without an embedding model: "remind" or "reminder" after the question's first word
# (not "Remind me, what is my favourite colour?": a look-up)
_REMINDERS_WORDS = re.compile(r"^\W*\w+\b.*\bremind(?:ers?)?\b", re.IGNORECASE)
_OPENS_REMIND = re.compile(r"^\W*remind\b", re.IGNORECASE)


def asks_reminders(embedder: Embedder | None, question: str) -> bool:
    """Whether `question` asks what the user asked to be reminded of: by meaning
    (`REMINDERS`, nearer them than `ALL_TOLD`), or without `embedder` by the word."""
    if things(question) or not is_question(question) or _OPENS_REMIND.match(question):
        return False
    if embedder is None:
        return _REMINDERS_WORDS.search(question) is not None
    vectors = embedder.embed([question, *REMINDERS, *ALL_TOLD])
    near = cosines(vectors[0], vectors[1:])
    reminders, all_told = max(near[: len(REMINDERS)]), max(near[len(REMINDERS) :])
    return reminders >= REMINDERS_MEANING and reminders > all_told


def about_the_asked(question: str, facts: list[Fact]) -> list[Fact]:
    """Those of `facts` that may speak of the thing of the user's `question` asks about:
    all but those about other kin (`other_kin`: "What's my brother's name?" is close in
    meaning to "My sister is called Agnieszka"; a sister is no brother, nor a wife). Other
    things named in other words may be the one asked about: one word's meaning does not
    tell a kind from another of its kind ("kid" / "son" 0.65 is as close as "brother" /
    "sister"), so they stay."""
    asked = things(question)
    return [f for f in facts if not other_kin(asked, things(f.text))]


def newest_first(query: str, scored: list[tuple[Fact, float]]) -> list[tuple[Fact, float]]:
    """`scored` with the newest statement nearly as close as the best moved first (see
    `newer_than_best`)."""
    moved = newer_than_best(query, scored)
    return scored if moved is None else put_first(scored, moved[1])


def put_first(scored: list[tuple[Fact, float]], fact: Fact) -> list[tuple[Fact, float]]:
    """`scored` with `fact` first, the rest in their order."""
    return [*(p for p in scored if p[0] is fact), *(p for p in scored if p[0] is not fact)]


def newer_than_best(query: str, scored: list[tuple[Fact, float]]) -> tuple[Fact, Fact] | None:
    """(the best of `scored`, the newest statement nearly as close (NEWER_SHARE)), when
    there is one: two statements that both answer a question ("We have a red Volvo", later
    "I upgraded to a blue Golf") are most often an update said in words too far apart to
    be seen as one; the newer value is the current one. Not across two things of the
    user's ("my dog" / "my cat"), nor a value with a number for one without."""
    if len(scored) < 2:
        return None
    best, top = scored[0]
    asked = things(query)

    newer = [
        (fact, score)
        for fact, score in scored[1:]
        if fact.turn > best.turn
        and score >= NEWER_SHARE * top
        and not apart(things(fact.text), things(best.text), exact=True)
        and not apart(things(fact.text), asked)
        # a value of another shape is another attribute ("my sisters birthday is on 14
        # March" / "my sister is called Marguerite, she's a vet nurse": for her job)
        and _numbered(fact.text) == _numbered(best.text)
        # ... nor a name alone for what another says of them ("my sister is called
        # Ottilie" / "my sister is a nurse in Leeds", for her job)
        and _names_only(fact.text) == _names_only(best.text)
        # ... nor a plan, a wish or a reminder, which update nothing (facts.Ledger):
        # "Remind me to renew my passport before the end of February." came before "In
        # April we want to go hiking in the Burren" for "What are we planning for April?"
        # (0.37 and 0.43, a new user's walk)
        and not (only_intended(fact.text) or is_reminder(fact.text))
        # ... nor a doing that names no value for what the best one names ("I wash the
        # car every sunday" / "My car is a white Fiat.", for "What car do I drive?")
        and (bool(mentions(fact.text)) or not mentions(best.text))
        # ... nor one in another language, where the model's meaning is weak ("J'habite à
        # Nantes." / "Merk dir: mein Hund heißt Fiete.", for the dog's name)
        and language.other_language(fact.text, language.detect(best.text)) is None
    ]
    if not newer:
        return None
    return best, max(newer, key=lambda p: p[0].turn)[0]


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
    said = pieces(newer)  # with its second doing
    # (not one whose clauses speak of the speaker and of someone else: "we visit them at
    # christmas" of "her parents live out in Groningen, we visit them at christmas" took
    # the place of "I live in Utrecht" by what the other clause says)
    said += [sentence] if sentence and sentence not in said and not _mixed(sentence) else []
    each = [pieces(f.text) for f in older]  # "I live in Lübeck, up in the north of germany"
    texts = [p for found in each for p in found]
    vectors = embedder.embed([*said, *map(unvalued, said), *texts, *map(unvalued, texts)])
    n, m = len(said), len(texts)
    starts = [0, *accumulate(len(found) for found in each)]  # where each one's pieces start
    mine = things(newer)
    # a name typed in lower case is still a value where an older statement writes it as
    # one ("so ingrid just had a baby" named no value, and took "my sister is called
    # Ingrid" away as "I sold the car" takes the car)
    typed = {w.lower() for w in WORD.findall(newer)}
    named_in = [held(f.text) & typed for f in older]  # the names each older statement
    # writes that `newer` types, in any case
    capitalised = bool(mentions(newer))
    # ... and a clause that leans back on someone named before it ("... and she loves
    # chewing cardboard") names them: it takes nothing away ("her name is Biscuit" went)
    valueless = (
        not capitalised
        and not opens_with_name(newer)
        and not any(named_in)
        and not _LEANS_BACK.match(newer)
    )
    # without its names, "My sister X lives in X" is "I live in X": only between two
    # pieces that both call something the speaker's, or neither, and both say something
    # of the value: "I'm X." says nothing but the value ("I'm Dana." / "I'm living in
    # Glasgow now." were one attribute: 0.55; "I'm Tobias" / "I live in Lübeck" 0.6).
    # ... or, of two that neither speak of someone else, one that does and one that does
    # not ("Big news: my new place is in X." / "I'm based in X.": 0.59; "her parents
    # live out in X" is someone else's, and no new home of "My home is in X.")
    # Each piece read once: (calls something the speaker's, says more than the value, of
    # someone else)
    said_reads = [(bool(things(t)), _says_more(t), _side(t) == "other") for t in said]
    texts_reads = [(bool(things(t)), _says_more(t), _side(t) == "other") for t in texts]
    numbered = _numbered(newer)
    # (a piece after a lead-in: "Scratch that, my landlord became Mrs Petrov." only names)
    naming = any(_names_only(p) for p in said)
    out = []
    for i, (fact, named) in enumerate(zip(older, named_in, strict=True)):
        own = list(range(starts[i], starts[i] + len(each[i])))  # its pieces, the whole first
        if not valueless:
            # a date is no new value of a city ("I was born on March 3" / "I live in X"),
            # piece by piece: "i live in Leeds, moved here in 2019" has a city too
            own = [j for j in own if _numbered(texts[j]) == numbered]
        # a statement about someone the older one only introduces is no new name for them
        # ("btw Ottilie is getting married ..." / "my sister is called Ottilie": 0.46),
        # and one that only gives a name is none for what another says of them ("my
        # sister is called Ottilie" / "my sister is a nurse in Leeds")
        own = [
            j
            for j in own
            if not _introduces(texts[j], typed)
            # ... and a name is replaced by a name, or taken away by a statement naming
            # no value ("I gave the dog away"), not by what else is said of the one it
            # names ("our dogs birthday is in May" / "I have a dog named Biscuit")
            # (a number is no name: "the code is 7312 now" updates "my bike lock combination
            # is 2958", which only gives a value)
            and (numbered or _may_rename(naming, valueless, _names_only(texts[j])))
        ]
        if not own:
            continue
        raw = max(max(cosines(vectors[n + n + j], vectors[:n])) for j in own)
        comparable: list[float] = []
        for j in own:
            theirs_owned, theirs_more, theirs_other = texts_reads[j]
            alike = [
                vectors[n + k]
                for k, (owned, more, other) in enumerate(said_reads)
                if (owned == theirs_owned or not (other or theirs_other)) and more and theirs_more
            ]
            comparable += cosines(vectors[n + n + m + j], alike)
        # two statements about one named someone are not one attribute with two values
        # when the name is left out of both ("big news, Tomasz is getting married in June
        # to his girlfriend Ana" / "Tomasz works as a paramedic in Manchester": 0.60)
        someone = _names_both(" ".join(said), fact.text)
        bare = 0.0 if someone else max(comparable, default=0.0)
        if named and not capitalised:
            # the name both hold, typed in lower case, made them close (0.66 for the baby
            # and the sister's name): compared as said, that name left out of both
            pair = embedder.embed([_masked(newer, named), _masked(fact.text, named)])
            raw = float(cosines(pair[0], pair[1:])[0])
        elif someone:
            # ... and so does one both write ("Biscuit is a lop-eared one and she loves
            # chewing cardboard" / "her name is Biscuit": 0.63)
            masked = embedder.embed(
                [*(_masked(t, someone) for t in said), _masked(fact.text, someone)]
            )
            raw = float(max(cosines(masked[-1], masked[:-1])))
        theirs = things(fact.text)
        if apart(mine, theirs, exact=True) and not _called_otherwise(
            embedder, newer, raw, mine, theirs
        ):
            continue  # "my sister's job" is not "my brother's job", nor her birthday her name
        unvalued_update = bare >= UNVALUED_UPDATE_MEANING
        close = raw >= UPDATE_MEANING or (valueless and raw >= VALUELESS_UPDATE_MEANING)
        if unvalued_update or (
            close
            and (raw >= CLOSE_MEANING or any(_same_thing(embedder, t, fact.text) for t in said))
        ):
            out.append((max(raw, bare), fact))
    return out


_TOKEN = re.compile(r"[\w'’]+")


def _tokens(text: str) -> list[str]:
    """The words of `text` with their apostrophes ("what's", "i'm"), typed ones as "'"."""
    return [w.replace("’", "'") for w in _TOKEN.findall(text)]


_SIDE_WORDS = 4  # the subject is looked for among a statement's first words
_SPEAKER_SIDE = frozenset("i i'm i've i'd i'll we we're we've".split())
_OTHER_SIDE = frozenset("he she they he's she's they're".split())
_OWNERS = frozenset("my our his her their".split())  # ... before kin: "her parents"


# A lead speaking of what was said before, up to its comma: "Scratch what I said about
# Dundee, ...", "Actually, scratch what I said about Antwerp, ...", "Forget what I told
# you about the car, ..."
_TAKEN_BACK = re.compile(
    r"^(?:\W*\w+[,!]\s+)?[^,;:]{0,40}?\bwhat\s+(?:i|we)\s+(?:said|told\s+you|mentioned|wrote)\b"
    r"[^,;:]*[,;:]\s*",
    re.IGNORECASE,
)


def _side(text: str) -> str:
    """Whose a statement's subject is, by the first pronoun among its first words:
    "speaker" (I, we), "other" (he, she, they; someone's kin, "my mum", "her parents",
    unless "I" or "we" follows close: "my wife and I"), or "" (a name, "his name", "my
    car" ...): "ok so we moved" is the speaker's, "her parents live ..." someone else's."""
    # (after a lead taking back what was said, whose "I" is the teller's: "Scratch what I
    # said about Dundee, Cordelia ended up taking a job in Inverness instead.")
    found = _tokens(_TAKEN_BACK.sub("", text, count=1).lower())
    for at, word in enumerate(found[:_SIDE_WORDS]):
        if word in _SPEAKER_SIDE:
            return "speaker"
        if word in _OTHER_SIDE:
            return "other"
        # (the kin word next, or after one word: "my little sisetr Ines is visiting")
        if word in _OWNERS and any(is_kin(found[k : k + 1]) for k in (at + 1, at + 2)):
            # "my mum lives in cork", not "my wife and I live in Utrecht"
            return "speaker" if _SPEAKER_SIDE & set(found[: at + 6]) else "other"
    return ""


def speaks_of_another(newer: str, older: str) -> bool:
    """Whether one statement is about the speaker and the other about someone else (she,
    they, someone's kin), so that neither updates the other: "i packed everything up and
    now live in turku" is no new home of "my mum lives in cork", "her parents live out in
    Groningen" none of the speaker's. A thing of theirs that is no person may be spoken
    of as "he" or "she" ("his name is Rex" after "I have a cat called Miso")."""
    if {_side(newer), _side(older)} != {"speaker", "other"}:
        return False
    held = [*things(newer), *things(older)]
    # "they" who name no one, about what the speaker named, speak of the speaker's ("They
    # pushed the Oslo trip to Monday at 9:15." after "I fly to Oslo on Friday at 7:40.")
    if not held and _names_both(newer, older):
        return False
    return all(is_kin([t.head]) for t in held)


def of_kin(statement: str) -> bool:
    """Whether `statement` opens on someone's kin ("my brother Kacper is a nurse", "her
    parents live in Groningen") and not on the speaker too ("my wife and I live ...")."""
    found = _tokens(statement.lower())
    for at, word in enumerate(found[:_SIDE_WORDS]):
        if word in _SPEAKER_SIDE or word in _OTHER_SIDE:
            return False
        if word in _OWNERS:
            return is_kin(found[at + 1 : at + 2]) and not _SPEAKER_SIDE & set(found[:8])
    return False


def kin_asked(question: str) -> frozenset[str]:
    """The kin `question` asks about ("Where does my sister live?" -> sister), as the
    words of its things; empty for a question about anything else."""
    return frozenset(w for t in things(question) for w in t.words if is_kin([w]))


def of_oneself_alone(statement: str, kin: frozenset[str]) -> bool:
    """Whether `statement` is about the speaker alone: of the speaker's side, naming no
    thing of theirs (a relative misspelt is one: "I have a sisetr named Lena") and none of
    `kin` ("I'm in Sligo now" for "Where does my sister live?": a new user's walk quoted
    it; "My sister and I moved to Graz" names her)."""
    said = {w.stem for w in content_words(statement)}
    return _side(statement) == "speaker" and not things(statement) and not kin & said


def of_oneself(question: str) -> bool:
    """Whether `question` asks about the speaker themselves ("what do i do for work?",
    "what's my job?"), not about their kin ("what's my sister's job?") or anyone else."""
    found = _tokens(question.lower())
    if any(is_kin([w.removesuffix("'s")]) for w in found):
        return False  # "my little sister's job", "do I have any siblings?"
    for word in found:
        if word in ("i", "me", "myself", "we", "us", "my", "our"):
            return True
        if word in _OTHER_SIDE or word in ("his", "her", "their"):
            return False
    return False


def _mixed(sentence: str) -> bool:
    """Whether the clauses of `sentence` speak of the speaker and of someone else."""
    return {"speaker", "other"} <= {_side(p) for p in parts(sentence)}


def _names_both(newer: str, older: str) -> set[str]:
    """The names (lower case) both statements hold, written as one in either: a capital
    that is no common English word ("Tomasz", "Biscuit"; not "Big" of "Big news")."""

    def capitals(text: str) -> set[str]:
        return {
            w.lower()
            for w in WORD.findall(text)
            if w[:1].isupper() and w != "I" and w.lower() not in common_english()
        }

    typed = {w.lower() for w in WORD.findall(newer)}
    written = {w.lower() for w in WORD.findall(older)}
    return (capitals(newer) & written) | (capitals(older) & typed)


def _may_rename(naming: bool, valueless: bool, introduced: bool) -> bool:
    """Whether a newer statement (`naming`: it only gives a name; `valueless`: it names no
    value) may update an older piece (`introduced`: it only gives a name): a name by a
    name, what else is said of someone by what else is said, and a name taken away by a
    statement naming no value ("I gave the dog away")."""
    return naming == introduced or (introduced and valueless)


def names_for(older: str, newer: str) -> bool:
    """Whether `older` only gives the name of someone or something whose thing `newer`
    speaks of ("I've got a whippet called Noodle" for "Oh and I got Noodle's age wrong,
    she's actually ten, not nine."): what `newer` changes is that thing, not the name
    (see facts.Ledger._replaced_by); "We gave Pickle to the neighbours' kids" still takes
    "We have a grey rabbit called Pickle." away."""
    if _names_only(newer) or not _introduces(older, {w.lower() for w in WORD.findall(newer)}):
        return False
    return any(
        re.search(rf"(?<!\w){re.escape(name)}['’]s\s+\w", newer, re.IGNORECASE)
        for name in held(older)
    )


def _introduces(piece: str, typed: set[str]) -> bool:
    """Whether `piece` only gives a name (`_names_only`) that the words `typed` (lower
    case) hold."""
    return bool(held(piece) & typed) and _names_only(piece)


@lru_cache(maxsize=THINGS_CACHE)
def _names_only(text: str) -> bool:
    """Whether `text` only gives a thing of the user's a name: beside its things and
    names, no content word but one saying it is a name ("my sister is called Ottilie",
    "my dog's name is Rex"); it names something ("I'm tired" does not)."""
    mine = things(text)
    if not mine or not values_in(text):
        return False
    thing_words = {w for t in mine for w in t.words}
    bare = unvalued(text)
    if _PLACED_VALUE.search(bare):
        return False  # where it is, not what it is called ("my new place is in York")
    said = content_words(bare.replace(VALUE, " "))
    return all(w.stem in thing_words or w.stem in NAME_KIND for w in said)


def _masked(text: str, names: set[str]) -> str:
    """`text` with each of `names` (lower case), in any case, put as the placeholder."""
    pattern = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.sub(rf"(?<!\w)(?:{pattern})(?!\w)", VALUE, text, flags=re.IGNORECASE)


def _says_more(text: str) -> bool:
    """Whether `text` has a content word besides its names and numbers."""
    return bool(content_words(unvalued(text).replace(VALUE, " ")))


# Two things' names this far apart in meaning are unrelated ("slot" / "lesson" 0.24), this
# close counterparts ("sister" / "brother" 0.65, "car" / "bike" 0.56; "teacher" / "lesson"
# 0.48 neither)
UNRELATED_THINGS = 0.3
COUNTERPART_THINGS = 0.55


def called_otherwise(embedder: Embedder, newer: str, older: str) -> bool:
    """`_called_otherwise` for two statements, compared piece by piece (as `same_meaning`
    does): whether `newer` updates `older`'s thing under another name."""
    mine, theirs = things(newer), things(older)
    if not mine or not theirs:
        return False
    ours, their_pieces = pieces(newer), pieces(older)
    vectors = embedder.embed([*ours, *their_pieces])
    raw = max(max(cosines(v, vectors[len(ours) :])) for v in vectors[: len(ours)])
    return _called_otherwise(embedder, newer, raw, mine, theirs)


def _called_otherwise(
    embedder: Embedder, newer: str, raw: float, mine: frozenset[Thing], theirs: frozenset[Thing]
) -> bool:
    """Whether `newer`, telling a change in words close to an older statement's (`raw`,
    CLOSE_MEANING), calls the older one's thing by another name rather than speaking of a
    counterpart: one of its things is unrelated to every one of the older's, and none is
    a counterpart of one ("My teacher had to move my slot, so it's Tuesday mornings from
    now on." after "I have a lesson every Thursday evening.", 0.56 as said; not "my
    brother's job" after "my sister's job", nor "my bike lock" after "my gym locker")."""
    if raw < CLOSE_MEANING or CHANGE_HINT.search(newer) is None:
        return False
    ours, older = list(mine), list(theirs)
    vectors = embedder.embed([" ".join(t.words) for t in (*ours, *older)])
    near = [cosines(v, vectors[len(ours) :]) for v in vectors[: len(ours)]]
    return any(max(c) < UNRELATED_THINGS for c in near) and all(
        max(c) < COUNTERPART_THINGS for c in near
    )


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
    # not by a name both hold: two things said of one person are two matters ("Agata is
    # pregnant" / "my sister Agata is a vet in Krakow")
    names = {w.stem for t in (newer, older) for w in content_words(" ".join(values_in(t)))}
    mine = [w for w in content_words(CHANGE_HINT.sub(" ", newer)) if w.stem not in names]
    if shared_words(mine, [w for w in content_words(older) if w.stem not in names]) > 0:
        return True
    said = [
        w
        for w in WORD.findall(uncontracted(CHANGE_HINT.sub(" ", newer)))
        if terms(w) and not set(terms(w)) & names
    ]
    if not said:
        return False
    vectors = embedder.embed([older, *said])
    return max(cosines(vectors[0], vectors[1:])) >= THING_MEANING


def held(text: str) -> set[str]:
    """The words (lower case) of the names and numbers of `text` (`values_in`), less a
    title ("Dr", "Mrs"): "From today my dentist is Dr Okafor." holds no name of "my
    dentist is Dr Lindqvist", and updates it."""
    return {w.lower() for v in values_in(text) for w in WORD.findall(v) if not is_abbreviation(w)}


def values_in(text: str) -> list[str]:
    """The names and numbers of `text`, with a name opening it ("Agata is ...")."""
    opening = text.split()[:1] if opens_with_name(text) else []
    return [*mentions(text), *(w.strip(",.!?;:'’") for w in opening)]


VALUE = "X"  # what `unvalued` puts for a name or number
# a value after a preposition: a place or a time, no name given ("... is in X")
_PLACED_VALUE = re.compile(rf"\b(?i:in|at|on|from|near|to|since|until)\s+{VALUE}\b")


def unvalued(text: str) -> str:
    """`text` with each name and number put as one placeholder: what it says of what, in
    any language ("We're now settled in Bristol." -> "We're now settled in X.")."""
    for value in sorted(set(mentions(text)), key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", VALUE, text)
    return text


# A question put as the statement that would answer it, its asked-for part an indefinite
# ("What do I do for a living?" -> "I do for a living something"; "Where does my sister
# live?" -> "my sister live somewhere"): a sentence embedding of a question is far from
# its answer's ("I've been a dentist for ten years." 0.25 from the question, 0.33 from its
# answer form), one of a statement in its place nearer. English grammar only: the
# inversion of a wh-question or of a yes/no question opened by "do"; elsewhere None.
_REQUEST = re.compile(
    r"^(?:(?:please|hey|ok(?:ay)?|so|and|also|now|quick question|remind me(?: of)?|"
    r"tell me(?: again)?|can you (?:tell|remind) me|could you (?:tell|remind) me|"
    r"do you (?:know|remember))\b[\s,:;-]*)+",
    re.IGNORECASE,
)
_ASKED = {  # what the wh-word leaves in the answer's place
    "what": "something", "which": "some", "whose": "someone's", "who": "someone",
    "whom": "someone", "where": "somewhere", "when": "at some time", "why": "for some reason",
}  # fmt: skip
_HOW = {"old": "some age", "many": "some number of", "much": "some amount of",
        "long": "for some time", "often": "sometimes", "far": "some distance"}  # fmt: skip
_DO = frozenset("do does did".split())
_AUX = frozenset(
    "do does did will would can could should is are was were am 's 're s has have had".split()
)


def answer_form(question: str) -> str | None:
    """`question` put as the statement that answers it, or None when it is none of the
    English questions this knows how to turn (see above)."""
    text = _REQUEST.sub("", question.strip()).rstrip(" ?!.？")
    words = _tokens(text)
    if len(words) < 2:
        return None
    head = words[0].lower()  # "what's", and "whats" typed without its apostrophe
    for tail in ("'s", "'re", "s"):
        if head.endswith(tail) and head[: -len(tail)] in _ASKED:
            words = [head[: -len(tail)], "'" + tail.lstrip("'"), *words[1:]]
            break
    low = [w.lower() for w in words]
    first = low[0]
    if first in _DO:  # "do I have any pets" -> "I have any pets"
        return " ".join(words[1:])
    if first == "how" and low[1] in _HOW:
        filler, at = _HOW[low[1]], 2
        if low[1] in ("many", "much") and at < len(low) and low[at] not in _AUX:
            filler, at = f"{filler} {words[at]}", at + 1
    elif first in _ASKED:
        filler, at = _ASKED[first], 1
        if first in ("what", "which", "whose"):  # "what city": "some city"
            start = at
            while at < len(low) and low[at] not in _AUX and low[at] not in _SUBJECTS:
                at += 1
            if at > start:
                filler = " ".join(["some", *words[start:at]])
    else:
        return None
    rest, verb = words[at:], low[at] if at < len(low) else ""
    if not rest:
        return None
    if verb in _DO:  # "do I live in" -> "I live in somewhere"
        return " ".join([*rest[1:], filler])
    if verb in _AUX:  # "is my job" -> "my job is something"
        return " ".join([*rest[1:], {"'s": "is", "'re": "are", "s": "is"}.get(verb, verb), filler])
    if verb in _SUBJECTS:  # "where I live" (a request's question) -> "I live somewhere"
        return " ".join([*rest, filler])
    return " ".join([filler, *rest])  # "who lives in Porto" -> "someone lives in Porto"


_SUBJECTS = frozenset("i my we our you your he she they his her their it its the this that".split())
