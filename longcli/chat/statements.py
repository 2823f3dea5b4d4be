"""What a user message states, and the words a statement is matched by.

No list of sentence patterns decides what a fact is (such a list only knows the phrasings
its author thought of, in one language): every sentence of a user message that is not a
question and has a content word is a statement, and a sentence that says two things ("My
sister Maria lives in Lisbon and I have a dog named Pixel") is two. The ledger
(chat/facts.py) keeps them; recall and the look-ups find them by these words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from longcli.chat.recall import MIN_NEAR_LETTERS, NEAR_CUTOFF
from longcli.text.names import mentions
from longcli.text.sentences import split_sentences
from longcli.text.terms import recall_terms, terms
from longcli.text.vocabulary import WORD, stem, word_count

MAX_FACT_CHARS = 300
CONCEPT_WEIGHT = 0.5  # a word that shares only a concept with the other statement

# A hint that a statement changes an earlier one: with one of these, one shared word is
# enough. The matching itself is by content words, in any language.
CHANGE_HINT = re.compile(
    r"\b(?:actually|correction|now|moved|changed?|no longer|instead|anymore|these days|"
    r"any more|update|rescheduled|switched|new)\b",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^\s*(?:what|who|whom|whose|where|when|why|how|which|do|does|did|can|could|would|will|"
    r"should|is|are|am|was|were|have|has|tell me|remind me|"
    # a request to the assistant asks, it states nothing of the user ("Summarize everything
    # you know about me.")
    r"summari[sz]e|recap|list|describe|explain|repeat|give me|show me)\b",
    re.IGNORECASE,
)


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
    too small to stays with the statement before it ("peanuts make me sick, I'm
    allergic"), or, opening the sentence (a greeting: "Hi, my name is Tomasz and I live in
    Gdansk."), with the part after it, as its text runs in the message."""
    whole: list[tuple[int, int]] = []
    start: int | None = None
    for begin, end in _spans(sentence):
        if start is None and whole and not _whole(sentence[begin:end]):
            # a small part after a statement says more of it ("peanuts make me sick, I'm
            # allergic"): with it, not with the next statement ("and fyi my colour ...")
            whole[-1] = (whole[-1][0], end)
            continue
        start = begin if start is None else start
        if _whole(sentence[start:end]):
            whole.append((start, end))
            start = None
    if start is not None and whole:  # a small last part joins the one before
        whole[-1] = (whole[-1][0], len(sentence))
    if len(whole) > 1:
        return [sentence[b:e].strip() for b, e in whole]
    return [sentence]


def parts(statement: str) -> list[str]:
    """Every part of `statement` that opens a new clause, small ones too ("My allergy is
    shellfish" and "I'm vegetarian."); the statement itself when it has one."""
    found = [statement[b:e].strip() for b, e in _spans(statement)]
    return [p for p in found if p] if len(found) > 1 else [statement]


def _spans(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of each part of `sentence` between the cuts before a new clause."""
    cuts = [(m.start(), m.end()) for m in _NEW_CLAUSE.finditer(sentence)]
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
    if word_count(part) > SMALL_TALK_WORDS or mentions(part) or _OF_A_PERSON.search(part):
        return True  # "I'm vegan.", "... and she teaches maths."
    return any(w.concept for w in content_words(part))


# the speaker, or a person the sentence goes on about ("My sister Priya lives in Bristol
# and she teaches maths.": the second clause was dropped as small talk)
_OF_A_PERSON = re.compile(
    r"\b(?:I|my|we|our|me|us|he|she|his|her|they|their|them)\b", re.IGNORECASE
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
    bare = uncontracted(text)
    words = WORD.findall(bare.lower())
    owner = next((i for i, w in enumerate(words) if w in _OWNER_WORDS), None)
    if owner is not None and words[owner] in _SPEAKERS:
        thing = _object(bare, owner)
        if thing:
            return thing
    for start in (owner + 1, 0) if owner is not None else (0,):
        found = terms(" ".join(words[start:]))
        if found:
            return found[0]
    return ""


_SPEAKERS = frozenset({"i", "we"})
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


_POSSESSIVE = re.compile(r"\b(?:my|our)\b|\b(?:I|we)\s+(?:have|own|got)\b", re.IGNORECASE)
_SOMEONE_ELSE = re.compile(r"\b(?:he|she|his|her|hers|they|their|them)\b", re.IGNORECASE)


def possessed(text: str) -> set[str]:
    """What `text` calls the speaker's: the first content word after "my", "our", "I have",
    "we got" ... ("my cat" -> {"cat", its concept}; "I've got 3 bikes" -> {"bike"}).
    Unlike `owners`, not the verb after "I" or "we": "I quit nursing" and "I work as a
    nurse" are one matter said with two verbs, not two things of the user's."""
    found: set[str] = set()
    bare = uncontracted(text)
    for match in _POSSESSIVE.finditer(bare):
        said = [w for w in content_words(bare[match.end() :]) if not w.stem[0].isdigit()]
        if said:
            found.update(x for x in (said[0].stem, said[0].concept) if x)
    return found


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


def apart(mine: set[str], theirs: set[str]) -> bool:
    """Whether two statements' things of the user's (`owners`, `possessions`) are two
    different things: both name one, and none of one is one of the other, even misspelt
    ("my locekr code" is "my locker code")."""
    return bool(mine and theirs) and not any(near(a, b) for a in mine for b in theirs)


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
