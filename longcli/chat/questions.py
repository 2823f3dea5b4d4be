"""What a question asks of what the user told: whether it looks something of theirs up,
which statement holds the answer, and whether a reply gives it.

"You haven't told me that." is only said for a look-up about the user's own things that no
statement holds; the user's words are quoted after a reply only when it missed what the
best statement says. Both turn on these tests.
"""

from __future__ import annotations

import calendar
import re

from longcli.chat.facts import Fact, Ledger, current_of, fact_words, stems
from longcli.chat.statements import (
    CHANGE_HINT,
    LEAD_IN,
    NAME_KIND,
    NAME_STEM,
    NUMBER_KIND,
    content_words,
    is_kin,
    is_question,
    near,
    opens_with_name,
    owners,
    retyped,
    says_own_name,
    things,
)
from longcli.text.names import mentions, normal_token
from longcli.text.sentences import is_abbreviation, split_sentences
from longcli.text.terms import concepts_of, recall_terms
from longcli.text.vocabulary import MENTION_TOKEN, WORD, stem

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
    r"^\s*(?:what|what's|whats|who|who's|whos|whom|whose|where|where's|wheres|when|when's|"
    r"whens|which|"
    r"how (?:old|tall|many|much|long|far|big)|do i|did i|am i|have i|is my|are my|was my|"
    r"were my|remind me|tell me (?:the|my|what|where|when|who|which|"
    r"how (?:old|tall|many|much|long|far|big))|"
    r"do you (?:know|remember))\b",
    re.IGNORECASE,
)
# A request put politely asks as the request does: "Can you tell me my favourite colour?"
# (read as asking for advice, its reply was not held to what the user said, and gave
# "GX-7812", a number never said)
_POLITE = re.compile(
    r"^\s*(?:can|could|would|will) you (?:please )?(?=remind me|tell me)", re.IGNORECASE
)
_ADVICE = re.compile(
    r"\b(?:should|could|can|would|recommend|suggest|ideas?|tips?|advice|good|best|better)\b",
    re.IGNORECASE,
)


def asked(message: str) -> str:
    """The questions of a message, without what comes around them: "Morning! Where am I
    living now?" asks "Where am I living now?" (the whole message when none is a
    question)."""
    found = [s.text for s in split_sentences(message, lowercase_starts=True) if is_question(s.text)]
    return " ".join(found) if found else message


# A few words before a comma or colon that open a question without asking anything
# ("Quick question, where do I live?", "Reimnd me, what is my dentist?": a typo of
# "remind me" hid the look-up after it).
_LEAD_IN = re.compile(r"^\s*(?:[^\W\d_]+\s+){0,2}[^\W\d_]+\s*[,:]\s*")


# ... or a word that only leads in ("so which city am I in now")
_LEAD_WORD = re.compile(rf"^\s*{LEAD_IN}", re.IGNORECASE)


def is_lookup(question: str) -> bool:
    """Whether `question` asks for something the user told (see _LOOKUP), after a
    lead-in or not."""
    question = _POLITE.sub("", retyped(asked(question)))
    if _ADVICE.search(question) is not None:
        return False
    return any(
        _LOOKUP.match(q) is not None
        for q in (question, _LEAD_IN.sub("", question, count=1), _LEAD_WORD.sub("", question))
    )


# Where a sentence asks a second question: "and" or a comma before a question word
# ("Where does my sister live and what is my dog's name?").
# ... a question word as typed in a hurry too ("... and whats my sisters name?")
_ANOTHER_QUESTION = re.compile(
    r"\s*,\s*(?:and\s+)?(?=(?:what|where|when|who|how)(?:['’]?s)?\b|(?:whose|which)\b)|"
    r"\s+and\s+(?=(?:(?:what|where|when|who|how)(?:['’]?s)?|whose|which|do|does|did|is|are"
    r"|am)\s)",
    re.IGNORECASE,
)


def questions_of(message: str) -> list[str]:
    """Each question `message` asks, one by one: its question sentences, and each of two
    a sentence joins. Two questions asked at once were one look-up that held neither
    ("Where does my sister live and what is my dog's name?" wanted four words of one
    statement), and the one quote under the reply answered one at most."""
    found = []
    for sentence in split_sentences(message, lowercase_starts=True):
        if is_question(sentence.text):
            pieces = [p.strip() for p in _ANOTHER_QUESTION.split(sentence.text)]
            found += [p for p in pieces if p and is_question(p)] or [sentence.text]
    return found


# A question tag after a statement: its auxiliary and pronoun ("..., isn't it?", "...,
# don't you think?"), or a word asking agreement ("..., right?"). English grammar: a closed
# class of words, not a list of phrasings.
_TAG = re.compile(
    r",\s*(?:(?:is|are|was|were|do|does|did|have|has|had|can|could|will|would|should|wo|ca)"
    r"(?:n['’]?t)?\s+(?:it|you|we|they|he|she|i|there|that)(?:\s+think)?|right|eh|no|innit)"
    r"\s*\?+\s*$",
    re.IGNORECASE,
)


def is_tag_question(question: str) -> bool:
    """Whether `question` is a statement with a question tag ("Lovely weather today, isn't
    it?"): it asks for agreement, not for anything the user told (a new user's walk got a
    quote of "Yesterday was chaos: the bus broke down" under it). Not one about the user
    ("My sister lives in Porto, doesn't she?" checks what they told)."""
    return _TAG.search(question) is not None and _ABOUT_THE_USER.search(question) is None


def questions_in(message: str) -> list[str]:
    """`questions_of(message)`, or the whole message when it asks as a whole though no
    sentence of it does; [] when it asks nothing (a statement, "Remind me to ...")."""
    return questions_of(message) or ([message] if is_question(message) else [])


# The words a question that names nothing may hold: of when, and "one" for the thing
_POINTING = frozenset(
    stem(w) for w in "old one ones previous before earlier former new now then".split()
)


def leans_back(question: str, pointing: bool = False) -> bool:
    """Whether `question` names nothing of its own to look up: no name, no content word
    but of when ("And what was the old one?", "and the old one?", "and what does she
    do?"; not "who has the cat?"); with `pointing`, at least one word of when or "one"
    too (not "Really?"). Such a question is read with the one before it."""
    if mentions(question) or not all(w.stem in _POINTING for w in content_words(question)):
        return False
    return not pointing or any(stem(w) in _POINTING for w in WORD.findall(question.lower()))


_ABOUT_THE_USER = re.compile(r"\b(?:I|my|mine|we|our|ours)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d")
ONE_MISSING_FROM = 3  # a question with this many content words may miss one in the answer
_SAYS_OWN_NUMBER = re.compile(r"\bI(?:['’]m| am| was)\b[^.!?]*?\d")  # "I am 34.", "I'm 1.80 m"


def looked_up(question: str) -> list[str]:
    """What a look-up question about the user asks for ("What is my brother's name?" ->
    brother, name; "How tall am I?" -> tall): its content words (stems); empty for a
    question that is not a look-up or not about the user."""
    question = asked(question)
    if not is_lookup(question) or _ABOUT_THE_USER.search(question) is None:
        return []
    question = _NOW.sub(" ", question)  # "these days" is when, not what: no "day" to find
    owned = owners(question)
    return [f"my:{w.stem}" if w.stem in owned else w.stem for w in content_words(question)]


# Words asking for a value since replaced ("what city did i live in before"): answered
# from the statement the newest replaced, not the newest. English, like the look-ups.
_PAST = re.compile(
    r"\b(?:before|previously|formerly|used to|originally|back then|prior to)\b"
    # ... or a thing called the old one ("what was my old bike lock code?", a new user's
    # walk: the new code was quoted)
    r"|\b(?:my|our|the|his|her|their) (?:old|previous|former|earlier)\b",
    re.IGNORECASE,
)


def asks_the_past(question: str) -> bool:
    """Whether `question` asks what was so before an update ("which city was I in
    before", "what did my lock code used to be")."""
    return _PAST.search(question) is not None


# Words asking for the value now (the newest: see Ledger.ranked), never a thing of the user's
# to look for: "tell me what my work is these days" looked for a "day", "do I still have
# the cat" for a thing called "still" (a new user's walk).
_NOW = re.compile(
    r"\b(?:now|these days|nowadays|currently|at the moment|any ?more|still)\b", re.IGNORECASE
)


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
    if owned == {NAME_STEM}:  # "What's my name?": not "a rabbit called Pickle"
        return says_own_name(statement)
    wanted = [w.removeprefix("my:") for w in wanted]
    said = content_words(statement)
    stems = [w.stem for w in said]
    concepts = {w.concept for w in said if w.concept}
    by_concept = {w.stem: w.concept for w in content_words(" ".join(wanted))}

    def literal(word: str) -> bool:
        return any(_alike(word, s) for s in stems)

    def holds(word: str) -> bool:
        return literal(word) or by_concept.get(word, "") in concepts - {""}

    def shaped(word: str) -> bool:
        return (word in NAME_KIND and bool(_names(statement) or opens_with_name(statement))) or (
            word in NUMBER_KIND and _NUMBER.search(statement) is not None
        )

    held = [w for w in wanted if holds(w)]
    missing = [w for w in wanted if w not in held]
    if not held:
        return (
            len(wanted) == 1
            and wanted[0] in NUMBER_KIND
            and bool(_SAYS_OWN_NUMBER.search(statement))
        )
    missing = [w for w in missing if not shaped(w)]
    kinds = [w for w in missing if w in NAME_KIND or w in NUMBER_KIND]
    if len(wanted) >= ONE_MISSING_FROM:
        return len(missing) <= 1
    theirs = {o for o in owners(statement) if not o.startswith("~")}
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


def answering(ledger: Ledger, wanted: list[str]) -> list[Fact]:
    """The statements the user made (current or not, not forgotten) that hold what a
    question looks up of theirs (`wanted`, see `looked_up` and `covers`), oldest first."""
    return [f for f in ledger.facts if not f.forgotten and covers(f.text, wanted)]


def looked_up_facts(ledger: Ledger, question: str) -> list[Fact]:
    """The current statements that answer a look-up about the user (`answering`), newest
    first: each that holds what is asked, or, replaced since, the one that replaced it
    ("I moved from Leeds to Bristol." for "Where do I live now?" after "I live in Leeds.").
    Shown to the model with the question, whatever words it shares with them."""
    by_id = {f.id: f for f in ledger.facts}
    out: list[Fact] = []
    for asked_one in questions_of(question) or [question]:
        wanted = looked_up(asked_one)
        if not wanted:
            continue
        for said in reversed(answering(ledger, wanted)):
            fact = current_of(said, by_id)
            if fact.active and fact not in out:
                out.append(fact)
    return out


_SAID_WITH_THEIR_WORD = frozenset({"~code", "~name"})


def thing_told(ledger: Ledger, question: str) -> bool:
    """Whether, by words alone, the user may have told what a look-up asks, though no
    statement holds all of it (`covers`): the question names no thing of theirs ("When was
    I born?" after "My birthday is on 14 March": no word in common, and words cannot say
    more), or a statement names that thing ("When is my dentist appointment?" after "I see
    the dentist on Thursday at 10"), unless a name or number of it is asked, which only a
    statement that holds one tells ("my brother's name" after "My brother is a dentist")."""
    asked_things = things(asked(question))
    owned = {w for t in asked_things for w in t.words}
    if not owned:
        return True
    # A thing of the user's that a concept names (a job, an allergy, an age, a home) is
    # often said without its word ("I've been a dentist for years" for "What is my job?",
    # answered "You haven't told me that."): by words alone it may have been told.
    # (Not a code or a name: values said with their word, "my locker code is 4471".)
    concepts = {c for t in asked_things for c in concepts_of(t.head)}  # of the thing itself
    wanted = looked_up(question)
    kind_asked = any(w in NAME_KIND | NUMBER_KIND for w in wanted)  # not "my:" marked: of it
    if concepts - _SAID_WITH_THEIR_WORD and not kind_asked:
        return True
    said_concepts = {
        c for f in ledger.facts if not f.forgotten for w in content_words(f.text)
        for c in concepts_of(w.stem)
    }  # fmt: skip
    if concepts & said_concepts:
        return True
    if kind_asked:
        return False
    said = {w.stem for f in ledger.facts if not f.forgotten for w in content_words(f.text)}
    if any(_alike(t, s) for t in owned for s in said):
        return True
    # A typo's stem is no stem of the word meant ("denitst" / "dentist": "denitst" /
    # "dent"): the words as written, then.
    written = {w for f in ledger.facts if not f.forgotten for w in WORD.findall(f.text.lower())}
    asked_words = [w for w in WORD.findall(question.lower()) if stem(w) in owned]
    return any(near(a, w) or _shortened(a, w) for a in asked_words for w in written)


def _shortened(a: str, b: str) -> bool:
    """Whether one written word is the other shortened ("bday" / "birthday"): four letters
    or more, the same first and last, all of them in the other in order. Only where it
    spares a wrong "You haven't told me that."."""
    short, long = sorted((a, b), key=len)
    if len(short) < MIN_PREFIX_STEM or short[0] != long[0] or short[-1] != long[-1]:
        return False
    rest = iter(long)
    return all(letter in rest for letter in short)


def calls_theirs(statement: str, wanted: list[str]) -> bool:
    """Whether `statement` calls the user's own what the question does ("my locker":
    "my locker code is 5814", not "the gym locker I borrowed had the code 9930")."""
    owned = _owned(wanted)
    return bool(owned) and owned <= owners(statement)


_ASKS_WHEN = re.compile(r"^\s*(?:until |since |by )?(?:when|what time)\b", re.IGNORECASE)


def asks_a_number(question: str) -> bool:
    """Whether `question` asks for a number ("how many", "what is my locker code", "until
    when": a time or date, when the statement holds one)."""
    if _ASKS_WHEN.match(question):
        return True
    return any(w.stem in NUMBER_KIND for w in content_words(question))


# Names of months and weekdays (Python's calendar, English): a date's words, no one's name
_CALENDAR = frozenset(w.lower() for w in (*calendar.month_name, *calendar.day_name) if w)
# ("whens", "wheres": as typed in a hurry)
_ASKS_TIME = re.compile(
    r"\bwhen(?:['’]?s)?\b|\bwhat (?:time|day|date)\b|\bwhich (?:day|date)\b", re.IGNORECASE
)
_ASKS_WHO = re.compile(r"^\W*(?:\w+\W+){0,2}?who\b", re.IGNORECASE)
_ASKS_WHERE = re.compile(r"\bwhere(?:['’]?s)?\b", re.IGNORECASE)
# A place as English says it: a preposition of place before a word ("in the kitchen
# drawer", "at my mum's"), or a name
_AT_A_PLACE = re.compile(r"\b(?:at|in|on|near|inside|outside|under|behind)\s+\w", re.IGNORECASE)


def shape_asked(question: str) -> str:
    """The shape of the value `question` asks for, from its English question words:
    "time" ("when is Marguerite's birthday"), "number" ("what's the gate code", "how
    old"), "name" ("what's my sister's name", "which city", "who has my tortoise"), or
    "place" ("where do I live", "where did I leave my keys") or "" (unknown: any
    statement may answer)."""
    if _ASKS_TIME.search(question):
        return "time"
    if _ASKS_WHERE.search(question):
        return "place"
    said = {w.stem for w in content_words(question)}
    if said & NUMBER_KIND:
        return "number"
    if said & NAME_KIND or _ASKS_WHO.match(question):
        return "name"
    return ""


def holds_shape(statement: str, shape: str) -> bool:
    """Whether `statement` holds a value of `shape` (see `shape_asked`): a time or date (a
    number, a month's or weekday's name), a number, a name (not a month's), or a place (a
    name, or a preposition of place before a word)."""
    if shape == "place":
        return bool(_names(statement) - _CALENDAR) or _AT_A_PLACE.search(statement) is not None
    if shape == "time":
        return _NUMBER.search(statement) is not None or bool(_names(statement) & _CALENDAR)
    if shape == "number":
        return _NUMBER.search(statement) is not None
    if shape == "name":
        return bool(_names(statement) - _CALENDAR) or opens_with_name(statement)
    return True


def shaped_first(question: str, scored: list[tuple[Fact, float]]) -> list[tuple[Fact, float]]:
    """`scored` (best first) with the first statement holding a value of the shape
    `question` asks for (`shape_asked`) moved first, as close as the best, when the best
    holds none: "when is Marguerite's birthday" is closest to "my sister is called
    Marguerite, she's a vet nurse in Galway" (0.62), and answered by "my sisters birthday
    is on 14 March" (0.36)."""
    shape = shape_asked(question)
    if not shape or not scored or holds_shape(scored[0][0].text, shape):
        return scored
    at = next((i for i, (f, _) in enumerate(scored) if holds_shape(f.text, shape)), None)
    if at is None:
        return scored
    return [(scored[at][0], scored[0][1]), *(p for i, p in enumerate(scored) if i != at)]


def _names(text: str) -> set[str]:
    """The names `text` holds ("Juniper", "KL1234", "Toronto"), lower case: the mentions
    the grounding check holds answers to, less the numbers."""
    return {m.lower() for m in mentions(text) if not m[0].isdigit()}


def shares_a_name(question: str, statement: str) -> bool:
    """Whether `question` names someone or something ("How old will Ewald be?") that
    `statement` holds too."""
    said = {normal_token(w) for w in MENTION_TOKEN.findall(statement)}
    return bool(_names(question) & said)


# A reply that says the answer is not there (an English hint: the bundled model's words).
_DENIES = re.compile(
    r"\b(?:not (?:mentioned|stated|given|specified|say|said)|no (?:information|mention)|"
    r"(?:does|did)n['’]t (?:say|mention|state)|unknown|not sure)\b",
    re.IGNORECASE,
)


# A label of a word or three before a colon that opens a statement ("New chapter: I
# started as a nurse.", "Update: ...", "My job: nurse."): what the statement says follows it.
_LABEL = re.compile(r"^\W*(?:[^\W\d_]+\W{0,2}){1,3}?:\s+(?=\S)")


# The words before the speaker's first word, when it comes among a statement's first
# four ("Starting this week I am vegan.", "fyi my favourite colour is mustard"): when or
# how it is said, not what. Not a lead that speaks of the speaker ("peanuts make me sick,
# I'm allergic": peanuts are what it says).
_BEFORE_SPEAKER = re.compile(
    r"^\W*((?:(?!(?:i|my|we|our|me)\b)[^\W\d_]+\W+){1,3})(?=(?:i|my|we|our)\b)",
    re.IGNORECASE,
)


def _lead_words(text: str) -> set[str]:
    """The stems of the words before the speaker's first word (see _BEFORE_SPEAKER)."""
    lead = _BEFORE_SPEAKER.match(text)
    return set() if lead is None else {stem(w.lower()) for w in WORD.findall(lead.group(1))}


def _label_words(text: str) -> set[str]:
    """The words (lower case) of the label opening `text` (see _LABEL), when what follows
    it has a word: a reply echoing "new chapter" does not give the job."""
    label = _LABEL.match(text)
    if label is None or not WORD.search(text[label.end() :]):
        return set()
    return {w.lower() for w in WORD.findall(label.group())}


def _called_by(statement: str, name: str, asked: set[str]) -> bool:
    """Whether `name` is what the statement calls a thing the question asks about, right
    after it ("my sister *Maria*" for "Where does my sister live?"): who the question is
    about, not its answer."""
    before = re.search(rf"(\w+)\W+{re.escape(name)}\b", statement)
    return before is not None and stem(before.group(1).lower()) in asked


def answer_states(reply: str, fact: Fact, question: str) -> bool:
    """Whether `reply` gives what `fact` says that `question` does not already: half of its
    numbers and names at least when it has any the question lacks, else one of its other
    content words the question lacks; never when it says the answer is not there."""
    asked = set(recall_terms(question))
    specific, other = fact_words(fact)
    label = _label_words(fact.text)  # "New chapter: I started as a nurse."
    # ... nor the words telling a change ("Actually my favourite colour changed, it is
    # crimson these days.": "days" gives no colour)
    label |= {w.lower() for m in CHANGE_HINT.finditer(fact.text) for w in WORD.findall(m.group())}
    other = [w for w in other if w.lower() not in label] or other
    new = [w for w in specific if stem(w.lower()) not in asked]
    said = stems(reply)
    if _DENIES.search(reply):  # "The builder from Norrbygg is not mentioned": no answer
        return False
    numbers = [w for w in specific if w[0].isdigit() and w.lower() not in asked]
    if numbers and asks_a_number(question):  # "how many hours?": the number is the answer,
        # half of its pieces at least ("0612 448 901" is not given by "0612")
        return 2 * sum(n in said for n in set(numbers)) >= len(set(numbers))
    new = [w for w in new if not _called_by(fact.text, w, asked)] or new
    # a title is no part of the answer ("Mrs English." gives no "Mrs Petrov")
    new = [w for w in new if not is_abbreviation(w)] or new
    if new:  # half of them at least ("At the Corner Cafe." for "meet at the Corner Cafe on
        # Thursday"), so that one name the question points at is not taken for the answer,
        # the first among them: "March" alone does not give "I relocated to York in March"
        given = 2 * sum(stem(w.lower()) in said for w in set(new)) >= len(set(new))
        # ... and a date or a time by its number too: "July" alone does not give "I
        # celebrate my birthday on July 19."
        timed = not numbers or any(n in said for n in numbers) or shape_asked(question) != "time"
        return given and stem(new[0].lower()) in said and timed
    # What the statement says of what is asked comes after the words the question shares
    # with it ("fyi my blood type is O negative" for "what's my blood type?"): a word
    # before them frames the statement, and a reply that echoes it ("how to use the
    # 'fyi'") gives no answer.
    keys = [stem(w.lower()) for w in other]
    # (misspelt on either side too: "favoruite colour" asks what "favourite coluor" says)
    known = [k in asked or any(near(k, a) for a in asked) for k in keys]
    first = next((i for i, k in enumerate(known) if k), len(keys))
    after = [w for w, k in zip(other[first:], known[first:], strict=True) if not k]
    if after:
        return any(stem(w.lower()) in said for w in after)
    # All of it before them ("peanuts make me sick, I'm allergic" for "What is my
    # allergy?"): the first (what it is about), or most of them; one common word alone
    # ("make sure not to ...") gives no answer; nor a word of the lead before the speaker
    # ("Starting this week I am vegan." is not answered by "Starting").
    lead = _lead_words(fact.text)
    before = [k for k, x in zip(keys, known, strict=True) if not x]
    before = [k for k in before if k not in lead] or before
    # ... nor the kin word of someone the question names ("brother" of "My brother Emeric
    # is three years older than me." for "Is Emeric older or younger than me?": a reply
    # naming "a brother Emeric" said nothing of the three years; a new user's walk)
    if shares_a_name(question, fact.text):
        before = [k for k in before if not is_kin([k])] or before
    return not before or before[0] in said or 2 * sum(k in said for k in before) > len(before)
