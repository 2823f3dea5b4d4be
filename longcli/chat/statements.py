"""What a user message states, and the words a statement is matched by.

No list of sentence patterns decides what a fact is (such a list only knows the phrasings
its author thought of, in one language): every sentence of a user message that is not a
question and has a content word is a statement, and a sentence that says two things ("My
sister Maria lives in Lisbon and I have a dog named Pixel") is two. The ledger
(chat/facts.py) keeps them; recall and the look-ups find them by these words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from longcli.chat.recall import MIN_NEAR_LETTERS, NEAR_CUTOFF
from longcli.grounding.slots import as_digits
from longcli.text import language as _languages
from longcli.text.names import mentions
from longcli.text.sentences import split_sentences
from longcli.text.terms import recall_terms, terms
from longcli.text.vocabulary import (
    ENGLISH,
    STOPWORDS,
    WORD,
    common_english,
    stem,
    stop_language,
    word_count,
)

MAX_FACT_CHARS = 300
CONCEPT_WEIGHT = 0.5  # a word that shares only a concept with the other statement

# A hint that a statement changes an earlier one: with one of these, one shared word is
# enough. The matching itself is by content words, in any language.
CHANGE_HINT = re.compile(
    r"\b(?:actually|correction|now|moved|changed?|no longer|instead|anymore|these days|"
    r"any more|update|rescheduled|switched|new|"
    # ... and taking back what was said ("Ignore what I told you about Philippa and
    # Ljubljana, that job fell through ...", a new user's walk)
    r"what (?:i|we) (?:said|told you|mentioned|wrote))\b",
    re.IGNORECASE,
)
LEAD_IN = r"(?:(?!(?:i|we|you|he|she|they|it|my|our)\b)[^\W\d_]{1,4}[,.!]?\s+){0,2}"
_WH = "what|who|whom|whose|where|when|why|how|which"
# A question word that asks: contracted, or before a verb that asks ("where do", "what
# is", "which city am I"), not a clause's ("Rome is where I was born.", "when I was 5").
_ASKING = (
    r"(?:['’]s|['’]re|\s+(?:(?!(?:i|we|you|he|she|they|it)\b)\w+\s+)?(?:is|are|was|were|am|"
    r"do|does|did|can|could|will|would|should|has|have|had)\b)"
)
_QUESTION_START = re.compile(
    # ("whats the alarm code", "wheres my passport": the "'s" typed without its mark)
    # (after a word or two that only lead in, short and no pronoun: "so which city am I in
    # now", "btw what's my sister's name", kept as a statement that replaced her name)
    # (a lead-in only before a question word: "Her son is called Tiago." asks nothing)
    rf"^\s*(?:{LEAD_IN}(?:whats|whos|wheres|whens|hows|(?:{_WH}){_ASKING})\b|"
    # first in the sentence, a question word asks unless a clause's subject follows it
    # ("When I was 5 I broke my arm.", "What my sister said was funny.")
    rf"(?:{_WH})\b(?!\s+(?:i|we|you|he|she|they|my|our|his|her|their)\b)|"
    r"do|does|did|can|could|would|will|"
    r"should|is|are|am|was|were|have|has|tell me|remind me|"
    # a request to the assistant asks, it states nothing of the user ("Summarize everything
    # you know about me.")
    r"summari[sz]e|recap|list|describe|explain|repeat|give me|show me)\b",
    re.IGNORECASE,
)


# A request to be told, in the other languages the chat answers in: the imperative "remind
# me" / "tell me" a sentence opens with (Latin and Cyrillic scripts), or holds anywhere
# (Chinese and Japanese put it where they please: "请提醒我…", "…を教えて"). Without a "?"
# these were statements: "Erinnere mich an den Namen meines Hundes." went unanswered and
# was kept as something told (three of the 18 misses on the chat bench's family A).
_REQUEST_ELSEWHERE = re.compile(
    r"^\s*(?:(?:please|bitte|por favor|s'il te plaît|per favore|alsjeblieft)[,!]?\s+)?"
    r"(?:erinnere?|sag|sage|nenn|nenne)\s+mi(?:ch|r)\b|"  # de
    r"(?:rappelle|rappelez|redis|dis|dites)[-\s](?:moi|nous)\b|"  # fr
    r"(?:recu[ée]rda(?:me|nos)|recu[ée]rdeme|d[ií](?:me|game|ganme))\b|"  # es
    r"(?:ricorda(?:mi|temi)|dimmi|ditemi)\b|"  # it
    r"(?:lembr[ae]|diz|diga)-me\b|me\s+(?:lembr[ae]|diz|diga)\b|"  # pt
    r"(?:herinner|vertel|zeg)\s+me\b|"  # nl
    r"(?:przypomnij|powiedz)\s+mi\b|"  # pl
    r"(?:напомни|скажи)(?:те)?\s+мне\b|"  # ru
    r".*(?:提醒我|告诉我|告訴我|跟我说|教えて|思い出させて)",  # zh, ja
    re.IGNORECASE,
)


# ... but "remind me to call the dentist on Friday" asks to be told later what it says
# now: a thing to keep, not a question ("Erinnere mich bitte daran, am Freitag den Zahnarzt
# anzurufen" was lost from the ledger)
_REMINDER_TO = re.compile(
    r"^\s*(?:please\s+)?remind\s+me\s+to\b|"
    r"^\s*(?:bitte\s+)?erinnere?\s+mich\b(?:[^.!?]*\bdaran\b|[^.!?]*\bzu\s+\w+\W*$)|"
    r"^\s*(?:rappelle|rappelez)[-\s]moi\s+(?:de\b|d['’])|"
    r"^\s*recu[ée]rd(?:ame|eme)\s+(?:que\b|\w+(?:ar|er|ir)\b)|"
    r"^\s*ricorda(?:mi|temi)\s+di\b|"
    r"^\s*(?:lembr[ae]-me|me\s+lembr[ae])\s+de\b|"
    r"^\s*herinner\s+me\s+(?:er\s*aan|eraan)\b",
    re.IGNORECASE,
)


def is_reminder(sentence: str) -> bool:
    """Whether `sentence` asks to be reminded to do something ("remind me to ...")."""
    return _REMINDER_TO.match(sentence) is not None


def is_question(sentence: str) -> bool:
    # "?", the full-width "？" of Chinese and Japanese, the Arabic "؟"
    if sentence.rstrip().endswith(("?", "？", "؟")):
        return True
    if is_reminder(sentence):
        return False
    return (
        _QUESTION_START.match(retyped(sentence)) is not None
        or _REQUEST_ELSEWHERE.match(sentence) is not None
    )


# The long words a request opens with, as `retyped` puts them back when mistyped
ASKING_WORDS = ("remind", "summarize", "summarise", "describe", "explain", "wheres")
_FIRST_WORD = re.compile(r"^(\s*)([^\W\d_]+)")


def retyped(sentence: str) -> str:
    """`sentence` with its first word put right where it is one of ASKING_WORDS (six
    letters or more) with two letters swapped, one letter wrong, missing or too many
    ("Rmeind me where I live.", "Remnid me of my occupation.": read as statements, the
    question went unanswered and was kept as something the user told)."""
    found = _FIRST_WORD.match(sentence)
    if found is None or len(found.group(2)) < 5:
        return sentence
    typed = found.group(2).lower()
    right = next((w for w in ASKING_WORDS if OSA.distance(typed, w) == 1), None)
    return sentence if right is None else f"{found.group(1)}{right}{sentence[found.end() :]}"


# Where one sentence holds two statements: a comma or "and"/"but" before a new clause's
# subject ("My sister Maria lives in Lisbon and I have a dog named Pixel"). Both parts stay
# substrings of the message, so the journal's words can still be found and taken out.
# A word before "my" ("... and fyi my ...", not "and now I'm ..."), or a few ending in ":"
# or ",", may come between ("and note this down: my wifi ...", "and just so you know, my").
_NEW_CLAUSE = re.compile(
    r"(?:,\s*(?:and|but)?|\s+(?:and|but))\s+"
    r"(?=(?:[^\W\d]+\s+(?:that\s+)?(?:my|our)\b)|(?:(?:[^\W\d]+\s+){0,3}[^\W\d]+[,:]\s+)?"
    r"(?:I|I'm|I’m|my|we|our|he|she|they|his|her)\b"
    # ... or a value first: "... and July 19 is my birthday", "and Porto is my home"
    r"|(?:[^\W_][\w:.'’-]*\s+){1,3}(?:is|are)\s+(?:my|our)\b)",
    re.IGNORECASE,  # "... and Our dog Pixel is three", "and i live in ..."
)


_JOINED = re.compile(r"\b(?:and|but)\b", re.IGNORECASE)
_THIRD_PERSON = re.compile(r"(?:he|she|they)\b", re.IGNORECASE)  # not "his name is ..."
# What says the user's own name before it: "I'm Tomasz", "call me Tom" (`says_own_name`)
_CALLS_ME = r"I['’]m|I am|call me"
_OWN_NAME_THEN = re.compile(
    rf"\b(?:{_CALLS_ME}|my name is|my name['’]s)\s+(?-i:[A-Z])\w+(?:\s+(?-i:[A-Z])\w+)?"
    r"(\s*,\s+)(?=[^\W\d_])",
    re.IGNORECASE,
)
_SUBJECT_BEFORE = re.compile(r"(?<![\w'’])(?:he|she|they|we|i)$", re.IGNORECASE)


def clauses(sentence: str) -> list[str]:
    """The statements of one sentence: each part that states something on its own. A part
    too small to stays with the statement before it ("peanuts make me sick, I'm
    allergic"), or, opening the sentence (a greeting: "Hi, my name is Tomasz and I live in
    Gdansk."), with the part after it, as its text runs in the message."""
    whole: list[tuple[int, int]] = []
    start: int | None = None
    before = 0
    for begin, end in _spans(sentence):
        last = before  # where the part before this one ends
        joined, before = sentence[before:begin], end
        if start is None and whole and _own_clause(joined, sentence[begin:end]):
            whole.append((begin, end))  # "... and I'm vegetarian": a statement of its own
            continue
        part = sentence[begin:end]
        if start is None and whole and (not _whole(part) or _says_more_of(joined, part)):
            # a small part after a statement says more of it ("peanuts make me sick, I'm
            # allergic"): with it, not with the next statement ("and fyi my colour ...")
            whole[-1] = (whole[-1][0], end)
            continue
        if start is not None and _own_first(sentence[start:last], joined, sentence[begin:]):
            # "I'm vegetarian and just so you know, my wifi password is tulip-90.": a
            # diet, one word yet a statement of its own, before a whole one
            whole.append((start, last))
            start = None
        start = begin if start is None else start
        if _whole(sentence[start:end]):
            whole.append((start, end))
            start = None
    if start is not None and whole:  # a small last part joins the one before
        whole[-1] = (whole[-1][0], len(sentence))
    if len(whole) > 1:
        return [sentence[b:e].strip() for b, e in whole]
    return [sentence]


_SPEAKER_OPENS = re.compile(r"\s*(?:I|I['’]m|I am|we|we['’]re|my|our)\b", re.IGNORECASE)


# a part that ends on a word leaning back on what was said before it, saying little else
LEANING_WORDS = 2
_BACK_AT_END = re.compile(r"\b(?:it|them|that|this|there)\W*$", re.IGNORECASE)


def _says_more_of(joined: str, part: str) -> bool:
    """Whether a part after a comma only says more of the statement before it: it ends on
    "it", "them", "there" ..., with LEANING_WORDS content words at most and nothing named
    of its own ("The code for the bike shed is 4471, *I always forget it.*" was a
    statement of its own in `memory facts`, walk 38)."""
    return (
        _JOINED.search(joined) is None
        and _BACK_AT_END.search(part) is not None
        and len(content_words(part)) <= LEANING_WORDS
        and not mentions(part)
        and not things(part)
    )


def _own_clause(joined: str, part: str) -> bool:
    """Whether a small part after "and" or "but" that opens with the speaker states
    something of its own ("My allergy is shellfish and *I'm vegetarian*": one word, yet
    a diet, which "I went pescatarian" later replaces, not the allergy); after a comma it
    says more of the statement before ("peanuts make me sick, I'm allergic")."""
    return (
        _JOINED.search(joined) is not None
        and _SPEAKER_OPENS.match(part) is not None
        and bool(content_words(part))
    )


def _own_first(first: str, joined: str, rest: str) -> bool:
    """Whether a small first part that opens with the speaker ("I'm vegetarian") states
    something of its own before "and" or "but" and the rest of the sentence, which does
    (see _own_clause)."""
    return (
        _own_clause(joined, first)
        and _BACK_AT_END.search(first) is None  # "I love it and ...": of what is said next
        and _whole(rest)
    )


def parts(statement: str) -> list[str]:
    """Every part of `statement` that opens a new clause, small ones too ("My allergy is
    shellfish" and "I'm vegetarian."); the statement itself when it has one."""
    found = [statement[b:e].strip() for b, e in _spans(statement)]
    return [p for p in found if p] if len(found) > 1 else [statement]


def _spans(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of each part of `sentence` between the cuts before a new clause."""
    cuts = [
        (m.start(), m.end())
        for m in _NEW_CLAUSE.finditer(sentence)
        # a comma alone before "he", "she" ... goes on about who was just named ("we gave
        # Pickles to my neighbour Arne, he has a big garden": cut, "he" lost Arne, and the
        # garden replaced the tortoise)
        if (_JOINED.search(m.group()) or not _THIRD_PERSON.match(sentence, m.end()))
        # ... and "and" after a subject is one subject of two ("she and her boyfriend
        # moved to Vancouver": "update on noor: she" was kept as a statement of its own)
        and not (
            m.group().strip() in ("and", "but") and _SUBJECT_BEFORE.search(sentence, 0, m.start())
        )
    ]
    # ... and after the user's own name said before a comma ("i'm Tomasz, just got home
    # from a long shift at the bakery": the job a later "i quit the bakery" replaces is
    # not the name)
    cuts += [
        (m.start(1), m.end(1))
        for m in _OWN_NAME_THEN.finditer(sentence)
        if says(sentence[m.end() :], alone=False)  # not before small talk ("..., nice to meet u")
    ]
    cuts = sorted(set(cuts))
    bounds = [0, *(c for cut in cuts for c in cut), len(sentence)]
    return [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]


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
        found += [
            (part, text)
            for part in clauses(text)
            if content_words(part) and says(part, alone=part == text)
        ]
    return found


SMALL_TALK_WORDS = 3  # a clause this short with no value and no concept is small talk
# Thanks, a farewell or a laugh (English and chat shorthand): with no person, value or
# concept beside them, what a clause says is social ("thank you so much, bye for now"
# was a fact a new user saw listed under "what do you know about me")
_SOCIAL = re.compile(r"\b(?:thanks?|thx|bye|goodbye|cheers|lol|haha+)\b", re.IGNORECASE)


def says(part: str, alone: bool = True) -> bool:
    """Whether a clause can state something: more than one word ("Hi!", "Thanks!" and
    "Sure." alone were kept as facts, found by a new user in `memory facts`); a value, a
    word of a person or thing ("I", "my", "she", "it" ...) or a word about one's life, or
    else more than SMALL_TALK_WORDS words, unless (in English) every content word is a
    common one ("thanks, thats all for today") or the clause only leads in to another one
    ("ok so big news, we moved to Wroclaw": it took the place of where they live by
    meaning). "Hi there.", "Ugh, long day." are small talk (and "Funny thing" took the
    place of the user's tea); "I'm vegan.", "Allergic to nuts.", "The kettle broke this
    morning." and "Mi comida favorita es la gazpacho." are not; thanks, a farewell or a
    laugh with nothing of anyone's beside them are ("ok thanks, talk later")."""
    if word_count(part) <= 1:  # Chinese and Japanese by characters: "我的密码是4471" says
        return False
    if mentions(part) or _OF_A_PERSON.search(part) or opens_with_name(part):
        return True  # "I'm vegan.", "... and she teaches maths.", "Agata is pregnant"
    said = content_words(part)
    if any(w.concept for w in said):
        return True
    if any(ch.isdigit() for ch in as_digits(part, ENGLISH)):
        return True  # a number in words: "Sold one of the bikes, so only two left now."
    if word_count(part) <= SMALL_TALK_WORDS:
        return False
    if _SOCIAL.search(part):  # "ok thanks, talk later", "haha life is busy.": no one's
        return False  # thing, value or doing beside thanks, a farewell or a laugh
    if not _english(part):
        return True
    common = common_english()
    return alone and not all(w in common for w in WORD.findall(part.lower()) if terms(w))


# A sentence's first word is capitalised whatever it is; before "is", "was", "has" or "'s"
# it is most often a name ("Lena is my sister.", "Agata is pregnant, due in july!").
_OPENING_NAME = re.compile(r"\s*([^\W\d_]{2,})(?:\s+(?:is|was|has)\b|['’]s\b)")


def opens_with_name(text: str) -> bool:
    """Whether `text` opens with a name before what it says of it: a capitalised word, no
    function word, before "is", "was", "has" or "'s" (`mentions` leaves a sentence's
    first word out)."""
    first = _OPENING_NAME.match(text)
    return (
        first is not None
        and first.group(1)[0].isupper()
        and first.group(1).lower() not in STOPWORDS
    )


def _english(text: str) -> bool:
    """Whether `text` is English by its stop words: it has one, and no other language's
    stop list holds more of its words."""
    tokens = WORD.findall(text.lower())
    return any(t in STOPWORDS for t in tokens) and stop_language(tokens) == ENGLISH


# the speaker, or a person the sentence goes on about ("My sister Priya lives in Bristol
# and she teaches maths.": the second clause was dropped as small talk)
# ... or a thing it goes on about ("Actually it's a dog now")
_OF_A_PERSON = re.compile(
    r"\b(?:I|my|we|our|me|us|he|she|his|her|they|their|them|it|its)\b", re.IGNORECASE
)


_OWNER_WORDS = frozenset({"my", "our", "i", "we", "mine"})
# The tail of a contraction or elision ("we're", "it's", "don't", "I'll"): one or two
# letters after an apostrophe are a piece of the word before, never a word of their own
# (the word rule took "re" of "We're now settled in Bristol." for its subject).
_CONTRACTION_TAIL = re.compile(r"(?<=\w)['’]\w{1,2}\b")


def uncontracted(text: str) -> str:
    """`text` without the tails of its contractions ("We're settled" -> "We settled")."""
    return _CONTRACTION_TAIL.sub("", text)


def subject(text: str) -> str:
    """What a statement is about, for people to read: the first content word after "my" or
    "our" ("My cat is called Tom" -> "cat"); after "I" or "we", what the verb acts on
    (`_object`: "We have a grey rabbit called Pickle" -> "rabbit", "I've got 3 bikes" ->
    "bike", not "grey" or "got"); else the first content word after the speaker, or of the
    statement."""
    # "i'm Tomasz": the verb is "am", not the name after it (a new user's first fact was
    # labelled "nice", from "hey there, i'm Tomasz, nice to meet u")
    bare = uncontracted(_BE_AFTER_SPEAKER.sub(_be_spelt_out, text))
    words = WORD.findall(bare.lower())
    owner = next((i for i, w in enumerate(words) if w in _OWNER_WORDS), None)
    if owner is not None and words[owner] in _SPEAKERS:
        thing = _object(bare, owner)
        if thing:
            return thing
    for start in (owner + 1, 0) if owner is not None else (0,):
        found = terms(" ".join(words[start:]))
        if found:
            # as written, not as matched: "leeds", not "leed" (a new user's walk)
            return next((w for w in words[start:] if terms(w)[:1] == found[:1]), found[0])
    return ""


_SPEAKERS = frozenset({"i", "we"})
_BE_AFTER_SPEAKER = re.compile(r"\b(?:(i|we)['’](m|re)|(i)(m))\b", re.IGNORECASE)  # "im" typed too


def _be_spelt_out(found: re.Match[str]) -> str:
    speaker, tail = (found.group(1), found.group(2)) if found.group(1) else found.group(3, 4)
    return f"{speaker} {'am' if tail.lower() == 'm' else 'are'}"


_BETWEEN = re.compile(r"[^\w\s'’]")  # a mark between two words ends a phrase ("nursing, these")


def _object(text: str, speaker: int) -> str:
    """The thing the verb after the speaker (word `speaker` of `text`) acts on: the first
    name after it ("We gave Pickle to ..."), or the last content word of the first run of
    them ("a grey rabbit", "3 bikes"), which ends at a word that is no content word, a
    mark, or a word naming ("called", "named"). No list of verbs or nouns: the word after
    the speaker is taken for the verb, whatever it is."""
    spans = list(WORD.finditer(text))[speaker + 2 :]
    for i, match in enumerate(spans):
        word = match.group()
        said = terms(word)
        if not said or word[0].isdigit():
            continue
        if word[0].isupper():  # the whole name: "New York"
            run = [word]
            for later in spans[i + 1 :]:
                if not later.group()[0].isupper() or text[match.end() : later.start()].strip():
                    break
                run.append(later.group())
                match = later
            return " ".join(run).lower()
        after = spans[i + 1] if i + 1 < len(spans) else None
        if (
            after is None
            or _BETWEEN.search(text[match.end() : after.start()]) is not None
            or not terms(after.group())
            or any(w.concept == "~name" for w in content_words(after.group()))
        ):
            return said[0]
    return ""


@dataclass(frozen=True)
class Word:
    stem: str
    concept: str  # "~job" for a word with a concept, else ""


# "get" says nothing of what a statement is about: "got" was the one word "we sold the
# volvo to a neighbour, got a cargo bike instead" shared with "henrike got a job in
# Rotterdam", and it replaced it; "my bike lock got cut off" was no longer the bike lock
# ... nor do the other light verbs ("I gave that up and went pescatarian" shared "went"
# with "We packed up and went to Lisbon", and took the user's city away)
_LIGHT = frozenset(
    stem(w)
    for w in (
        "get gets got gotten getting go goes went gone going give gives gave given giving "
        "take takes took taken taking make makes made making come comes came coming put puts "
        "putting keep keeps kept keeping"
    ).split()
)


def content_words(text: str) -> list[Word]:
    """The content words of `text`, each with its concept; "my:" owner marks left out."""
    out: list[Word] = []
    for term in recall_terms(uncontracted(text)):
        if term.startswith("my:") or term in _LIGHT:
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


_SOMEONE_ELSE = re.compile(r"\b(?:he|she|his|her|hers|they|their|them)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Thing:
    """A thing a statement calls the speaker's: the words naming it, in order ("my next
    dentist appointment": next, dent, appoint), and their concepts ("" for none)."""

    words: tuple[str, ...]
    concepts: tuple[str, ...] = ()
    # what of it a possessor's "'s" names ("my sister's *birthday*": birthday); "" for the
    # thing itself, and for its name ("my dog's name", "my dog's called Rex")
    of: str = ""

    @property
    def head(self) -> str:
        return self.words[-1]


# What a speaker calls theirs: "my/our X", "I have/own/got (a) X". English hints.
_THEIRS = re.compile(
    r"\b(?:my|our)\s+|\b(?:I|we)(?:\s+(?:have|own|got)|'ve(?:\s+got)?)\s+"
    r"(?:an?\s+|\d+\s+|two\s+|three\s+)?",
    re.IGNORECASE,
)
THING_WORDS = 3  # words of a thing's name at most ("gym membership number")
# statements whose things are kept: a new statement is compared with every older one
THINGS_CACHE = 1 << 14
LEADING_STOPS = 2  # function words before them ("I have *any* siblings", "my *own* car")
# A word shaped like a verb after the first of a thing's name ends it ("my brother *lives*
# in Leeds", "my appointment *moved*"); a plural ends it after itself ("my *parents* live").
_VERB_SHAPED = re.compile(r"(?:[^su]s|ed)$")
_PLURAL = re.compile(r"[^su]s$")
# after "I have" / "I've" with no article, a word of five letters or more ending in "ed"
# is the perfect's participle ("I've moved", "I have decided"), no thing of theirs
_PERFECT = re.compile(r"[^\W\d_]{3,}ed\b", re.IGNORECASE)
# ... nor is what a pronoun points at ("I got *that* wrong", "I have it")
_PRONOUN_OBJECT = re.compile(r"(?:it|that|this|them)\b", re.IGNORECASE)


@lru_cache(maxsize=THINGS_CACHE)
def things(text: str) -> frozenset[Thing]:
    """The things `text` calls the speaker's, each named by the run of content words after
    "my", "our", "I have" ... up to a word that is no content word, a mark, a name, a
    number, a possessor's "'s" ("my *sister*'s job") or a verb's shape."""
    bare = text.replace("’", "'")
    found: set[Thing] = set()
    for match in _THEIRS.finditer(bare):
        perfect = _PERFECT.match(bare, match.end()) or _PRONOUN_OBJECT.match(bare, match.end())
        if perfect and not match.group().lower().startswith(("my", "our")):
            continue  # "I've moved out of Galway", "I got that wrong": a doing, no thing
        run: list[Word] = []
        skipped = 0
        for word in WORD.finditer(bare, match.end()):
            token = word.group()
            if run and bare[word.start() - 1] not in " -":
                break  # a mark between ("my brother, Tom")
            if (token[0].isupper() and run) or token[0].isdigit():
                break  # a name or number after the thing ("my sister Maria")
            said = content_words(token)
            if not said and not run and skipped < LEADING_STOPS:
                skipped += 1
                continue
            if not said or (run and _VERB_SHAPED.search(token.lower())):
                break
            run.append(said[0])
            possessor = bare.startswith("'s", word.end())
            plural = len(run) == 1 and _PLURAL.search(token.lower()) is not None
            if possessor or plural or len(run) == THING_WORDS:
                break
        if run:
            of = _possessed(bare, match.end()) if possessor else ""
            found.add(Thing(tuple(w.stem for w in run), tuple(w.concept for w in run), of))
    return frozenset(found)


# After "'s", a word shaped like a verb is the "is" or "has" of a contraction ("my sister's
# getting married", "my dog's moved in"), not a thing of hers.
_VERB_FORM = re.compile(r"(?:ing|ed|en)$")


def _possessed(bare: str, start: int) -> str:
    """The stem of what a possessor's "'s" after `start` names: the last of the content
    words after it, up to a word that is none or is shaped like a verb ("my sister's
    *birthday* is ...", "my sister's new *job* starts ..."); "" when the first is shaped
    like a verb (a contraction) or it is a kind of name ("my dog's name is ...")."""
    at = bare.find("'s", start)
    last, end = "", at + 2
    for k, word in enumerate(WORD.finditer(bare, at + 2) if at >= 0 else ()):
        token = word.group()
        said = content_words(token)
        if bare[end : word.start()].strip(" "):
            break  # a mark between ("my sister's, well, ...")
        end = word.end()
        if not said or token[0].isdigit() or (k and _VERB_SHAPED.search(token.lower())):
            break
        if not k and _VERB_FORM.search(token.lower()):
            return ""
        last = said[0].stem
        if k + 1 == THING_WORDS:
            break
    return "" if last in NAME_KIND else last


@lru_cache(maxsize=THINGS_CACHE)
def owned(text: str) -> frozenset[Thing]:
    """The `things` `text` calls the speaker's, and what they do: the first content word
    after "I" or "we" ("I work as a nurse" -> work), as `owners` reads it."""
    found = things(text)
    held = {w for t in found for w in t.words}
    concepts = {w.stem: w.concept for w in content_words(text)}
    # ... not a word naming a kind of value ("we're in *number* 112 now": no doing, and
    # no thing apart from "my flat is number 47", a new user's walk)
    return found | {
        Thing((o,), (concepts.get(o, ""),))
        for o in owners(text)
        if not o.startswith("~") and o not in held and o not in NAME_KIND | NUMBER_KIND
    }


def of_someone_else(text: str) -> bool:
    """Whether `text` speaks of someone other than the speaker: a name, or "she", "their"
    ... ("Priya takes her coffee black"; not "Sold one of the bikes")."""
    named = any(not m[0].isdigit() for m in mentions(text))
    return named or _SOMEONE_ELSE.search(text) is not None


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


def apart(mine: Iterable[Thing], theirs: Iterable[Thing], exact: bool = False) -> bool:
    """Whether two statements' things of the user's (`things`, `doings`) are two different
    things: both name one, and none of one is one of the other (`alike`). `exact`, for
    whether one statement replaces another: what of it each speaks of (`Thing.of`) is the
    same too ("my sister's birthday is ..." is not "my sister is a nurse"); else only
    two named differ ("what is my sister's job?" asks what "my sister is a nurse" says)."""
    mine, theirs = list(mine), list(theirs)
    return bool(mine and theirs) and not any(alike(a, b, exact) for a in mine for b in theirs)


# "we packed everything and relocated to X": a second doing of the speaker's, its "we" left
# out; not when a determiner or a person follows "and" ("I have a dog and a cat")
_SECOND_DOING = re.compile(r"^\s*(I|we)\b.*?\band\s+([^\W\d_]+)\b", re.IGNORECASE)
_LED_SPEAKER = re.compile(r"^\s*(?:[^\W\d_]+\s+){0,3}?[^\W\d_]+[,:!]\s+((?:I|we)\b)", re.I)
_NO_DOING = frozenset(
    "a an the my our your his her their its this that these those some any no every each "
    "i we you he she they it me us him them one two three".split()
)


def doings(text: str) -> list[str]:
    """The second doing of a statement that leaves out its speaker, with the speaker put
    back ("we packed everything and relocated to Gdansk last week" -> "we relocated to
    Gdansk last week"; "we packed up and now live in Oulu" -> "we now live in Oulu"):
    alone it says what the update changes (0.62 in meaning to "we live in X, near the
    river"; the whole, 0.48). [] when there is none."""
    # (after a lead-in: "Big news: I packed everything up and moved to Bergen")
    speaker = _LED_SPEAKER.match(text)
    text = text[speaker.start(1) :] if speaker else text
    found = _SECOND_DOING.match(text)
    if found is None or found.group(2).lower() in _NO_DOING:
        return []
    return [f"{found.group(1)} {text[found.start(2) :]}"]


# Kin, a closed class in English, which sentence embeddings cannot tell from synonyms
# ("brother" / "sister" 0.65 is as close as "kid" / "son"; MiniLM): each word with its
# kind and, unless it is the kind's general word ("sibling", "kid", "partner"), who it is.
_KIN = {  # each word as one and as many ("sibling" and "siblings" stem apart: sibl, sibling)
    stem(form): (kind, None if who == "-" else who)
    for kind, members in {
        "parent": "parent:- mother:mother mum:mother mom:mother father:father dad:father",
        "sibling": "sibling:- brother:brother sister:sister",
        "child": "child:- kid:- son:son daughter:daughter",
        "spouse": "spouse:- partner:- wife:wife husband:husband boyfriend:boyfriend "
        "girlfriend:girlfriend fiance:fiance fiancee:fiancee",
        "grandparent": "grandparent:- grandmother:grandmother grandma:grandmother "
        "granny:grandmother grandfather:grandfather grandpa:grandfather grandad:grandfather",
        "grandchild": "grandchild:- grandkid:- grandson:grandson granddaughter:granddaughter",
        "pibling": "uncle:uncle aunt:aunt auntie:aunt",
        "nibling": "nephew:nephew niece:niece",
        "cousin": "cousin:-",
    }.items()
    for word, who in (m.split(":") for m in members.split())
    for form in (word, word + "s")
}  # fmt: skip


@lru_cache(maxsize=THINGS_CACHE)
def _kin(word_stem: str) -> str:
    """The stem of kin `word_stem` is, misspelt or not ("brohter": "brother"), or ""."""
    if word_stem in _KIN:
        return word_stem
    return next((k for k in _KIN if near(word_stem, k)), "")


def _other_kin(a: str, b: str) -> bool:
    """Whether two stems name two different kin ("brother" / "sister", "wife" / "sister");
    not a kind and one of it ("sibling" / "brother"), nor two words for one ("mum" /
    "mother")."""
    a, b = _kin(a), _kin(b)
    if not a or not b:
        return False
    (kind_a, who_a), (kind_b, who_b) = _KIN[a], _KIN[b]
    return kind_a != kind_b or (who_a is not None and who_b is not None and who_a != who_b)


def other_kin(mine: Iterable[Thing], theirs: Iterable[Thing]) -> bool:
    """Whether one statement's thing of the user's is another of their kin than the other
    statement's ("my brother" / "my sister"), and neither names the same thing."""
    mine, theirs = list(mine), list(theirs)
    return apart(mine, theirs) and any(_other_kin(a.head, b.head) for a in mine for b in theirs)


def _one_kin(a: str, b: str) -> bool:
    """Whether two stems are both kin and not two different kin ("sibling" / "brother")."""
    return bool(_kin(a)) and bool(_kin(b)) and not _other_kin(a, b)


def is_kin(words: Iterable[str]) -> bool:
    """Whether the first of `words` names kin ("parents", "sister", "husband")."""
    first = next(iter(words), "")
    return bool(first) and bool(_kin(stem(first)))  # misspelt too: "my brohter"


def kin_never_named(asked: Iterable[Thing], said: Iterable[Iterable[Thing]]) -> bool:
    """Whether `asked` (a question's things) names kin ("my brother") that none of `said`
    (each statement's things) names as kin of that kind or as that one ("my sister" is no
    brother; "my siblings" may be)."""
    kin = [a.head for a in asked if _kin(a.head)]
    return bool(kin) and not any(
        _one_kin(a, b.head) for a in kin for theirs in said for b in theirs
    )


# "her name is Biscuit": a name said to be someone else's (English possessives)
_THEIR_NAME = re.compile(r"\b(?:her|his|their|its)\s+(?:\w+\s+)?name\b", re.IGNORECASE)


def someone_elses_name(question: str, statement: str) -> bool:
    """Whether `question` asks the user's own name ("what's my name") and `statement`
    gives someone else's ("I also have a rabbit, her name is Biscuit": a new user's walk
    was answered with it)."""
    asks_mine = any(t.words and all(w in NAME_KIND for w in t.words) for t in things(question))
    return asks_mine and _THEIR_NAME.search(statement) is not None


def another_thing(mine: Iterable[Thing], theirs: Iterable[Thing]) -> bool:
    """Whether one statement's thing of the user's is another thing than the other's
    (`apart`), and not kin of the kind it asks about ("my older brother" for "any
    siblings")."""
    mine, theirs = list(mine), list(theirs)
    kin = any(_one_kin(a.head, b.head) for a in mine for b in theirs)
    return apart(mine, theirs) and not kin


def alike(a: Thing, b: Thing, exact: bool = False) -> bool:
    """Whether two things are one: each word naming the one with fewer is one of the
    other's, even misspelt ("my locekr code" is "my locker code") or by its concept
    ("code" / "combination"). "My favourite colour" is not "my favourite food", nor "my
    locker code" "my gym code"; "my dentist appointment" is "my next dentist appointment",
    and "my wifi password" is what "my wifi password became ..." names (a verb not shaped
    like one, "became", is read as a word of the thing's name: no list of verbs)."""
    if a.of != b.of and (exact or (a.of and b.of)):
        return False  # "my sister's birthday" is not "my sister's job", nor, `exact`, "my sister"
    fewer, more = sorted((a, b), key=lambda t: len(t.words))
    return all(
        any(
            near(w, v) or (c != "" and c == d)
            for v, d in zip(more.words, more.concepts, strict=True)
        )
        for w, c in zip(fewer.words, fewer.concepts, strict=True)
    )


def shared_words(newer: list[Word], older: list[Word]) -> float:
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


NAME_STEM = stem("name")
# "I'm Tomasz", "call me Tom": the user's own name said without the word "name".
_SAYS_OWN_NAME = re.compile(rf"\b(?:{_CALLS_ME})\s+([^\W\d_]\w*)", re.IGNORECASE)


# A capitalised word after "I'm" that says where one is from, not who ("I'm English",
# "I'm Japanese"): a language's name (text/language.py), most of which are also their
# speakers' (an ending rule refused "I'm Ashish." and "I'm Reese." as names).
_NATIONALITY = frozenset(n.lower() for n in _languages.NAMES.values())


def says_own_name(statement: str) -> bool:
    """Whether `statement` gives the user's name: "my name is ...", or "I'm" or "call me"
    before a capitalised word ("I'm Tomasz", not "I'm vegan" nor "I'm English")."""
    if NAME_STEM in owners(statement):
        return True
    return any(
        m.group(1)[0].isupper() and m.group(1).lower() not in _NATIONALITY
        for m in _SAYS_OWN_NAME.finditer(statement)
    )
