"""Claims: is a sentence written from a few source passages supported by them?

The check (check.py) trusts names: a sentence with only known names passes, whatever it
says about them. A sentence written from a few source passages (extract, then abstract)
must also be supported by them: most of its content words occur there (prefix stems), a
clause's polarity is the passages' (`negation_problem`), who did what to whom is not turned
round or given to another (`other_subject`), names stand together only where a passage
has them together (`names_apart`), and a reason ("because ...") is one the passages give.
The support check (support.py) holds any sentence to the same three rules, with one
stretch of a source as its passages: one implementation each. Paraphrase is
allowed; what cannot be traced is refused. bench/summarize_quality.py and
tests/grounding/test_grounding.py measure what this catches on planted errors and what it
wrongly refuses.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz

from longcli.grounding.commentary import prompt_echo_phrase
from longcli.grounding.shortening import CLAUSE_MARK, cut_changes_meaning
from longcli.grounding.verdict import Problem
from longcli.text import language
from longcli.text.modality import WISHED
from longcli.text.names import NOT_NAMES as _NOT_NAMES
from longcli.text.names import mentions
from longcli.text.names import normal_token as _normal
from longcli.text.sentences import is_abbreviation
from longcli.text.terms import terms
from longcli.text.vocabulary import CLAIM_STOPWORDS, MENTION_TOKEN, prefix_stem, stem, words

CONTENT_SUPPORT_SHARE = 0.6  # of a written sentence's content words found in its passages
REASON_SUPPORT_SHARE = 0.75  # of a reason clause's content words, in one passage
MIN_CLAIM_WORDS = 3  # fewer content words than this: nothing to check beyond names
FUZZY_RATIO = 85  # names this alike (rapidfuzz ratio) are one name misspelled
FUZZY_MIN_LETTERS = 5  # shorter names must match exactly
SUBJECT_WINDOW = 4  # a name this close before a verb is taken as who does it
PRONOUN_BACK = 2  # passages back where the name a pronoun stands for is looked for
LANGUAGE_CHARS = 20_000  # of the passages, read to tell their language
MIN_NEGATION_TERMS = 2  # a clause with fewer content words is not compared for negation
OBJECT_WINDOW = 3  # words after a verb where what it acts on stands ("led the opposition")
PRONOUNS = frozenset("he she they him her them his".split())  # English: its subjects' stand-ins
_JOINERS = frozenset({"and", "or", "&"})  # words() drops commas: "A, B and C" reads "a b and c"
# Where a clause ends for the claims compared clause by clause (negation, a number's
# holder): also at "and", "but", "while".
_NAMES_CLAUSE = re.compile(CLAUSE_MARK)
CLAUSE = re.compile(r"[,;:()\u2014\u2013]|\s-\s|\band\b|\bbut\b|\bwhile\b|\bwhereas\b")

_CLAIM_NEGATIONS = frozenset(
    """not no never nor neither none nothing nobody nowhere cannot without refuse refuses
    refused fail fails failed unable""".split()
)
_NOT = re.compile(r"\wn['’]t\b", re.IGNORECASE)  # don't, isn’t, WON'T
_CAUSAL = re.compile(
    r"\b(?:because(?: of)?|so that|in order to|due to|as a result of|out of (?=fear|love|"
    r"anger|spite|jealousy|pity|revenge|curiosity|greed|shame)|for fear that|since he|since she"
    r"|since they|which is why|that is why)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[,;:.!?]")


def claim_stems(text: str) -> list[str]:
    """Content words of `text`, lower-cased, cut to STEM_PREFIX letters (a cheap stem)."""
    return [prefix_stem(w) for w in words(text) if w not in CLAIM_STOPWORDS and not w.isdigit()]


# A negation word that denies nothing: "it was not so much a house as a fortress" says it
# was a fortress, "not only X but Y" says both, "nothing but rags" and "none other than
# Hyde" affirm (a true sentence on "... not so much a room as a furnace" was refused as a
# negation). "not only" and "not just" only with their "but": "he has not just found it"
# denies (on the contradictions bench, such perturbations passed without it).
_NOT_DENYING = re.compile(
    r"\bnot (?:only|just|merely|simply)\b(?=[^.;!?]*\bbut\b)|\bnot so much\b(?=[^.;!?]*\bas\b)|"
    r"\b(?:not unlike|no less than|no doubt|nothing but|nothing less than|none other than)\b",
    re.IGNORECASE,
)


def negated(text: str) -> bool:
    """Whether a text says not, never, no one ... (English), other than to affirm ("not
    only", "not so much X as Y", "nothing but", "none other than")."""
    text = _NOT_DENYING.sub(" ", text)
    # "don't" by its apostrophe: a lone "t" is an initial as often ("Conan T. Troy")
    return _NOT.search(text) is not None or any(w in _CLAIM_NEGATIONS for w in words(text))


def _denied_part(clause: str) -> str:
    """A negated clause from its negation on ("do not lap over the needs"): what it
    denies. The whole clause when the negation cannot be placed."""
    found = _NOT.search(clause)
    at = clause.rfind(" ", 0, found.start()) + 1 if found else len(clause)  # "didn't" whole
    for word in re.finditer(r"[\w'’-]+", clause):
        if word.start() >= at:
            break
        if word.group().lower() in _CLAIM_NEGATIONS:
            at = word.start()
            break
    return clause[at:] if at < len(clause) else clause


def _names(sentence: str) -> list[str]:
    return [_normal(m) for m in mentions(sentence) if not m[0].isdigit()]


@dataclass(frozen=True)
class Passages:
    """The source passages a written sentence may draw on, indexed for claim checks."""

    sentences: Sequence[str]

    @cached_property
    def language(self) -> str:
        """The passages' language, for the stop words of the clause-by-clause checks."""
        return language.detect(" ".join(self.sentences)[:LANGUAGE_CHARS])

    @property
    def stems(self) -> set[str]:
        return {s for sentence in self.sentences for s in claim_stems(sentence)}

    def closest(self, sentence: str) -> str | None:
        """The passage sentence sharing most content words with `sentence` (two or more)."""
        wanted = set(claim_stems(sentence))
        best, score = None, 1
        for candidate in self.sentences:
            shared = len(wanted & set(claim_stems(candidate)))
            if shared > score:
                best, score = candidate, shared
        return best


def _cut_problem(sentence: str, closest: str) -> list[Problem]:
    if cut_changes_meaning(sentence, closest):
        return [Problem("cut", 0, closest)]  # the whole passage: restored_sentences uses it
    return []


def claim_problems(sentence: str, passages: Passages) -> list[Problem]:
    """Why a written sentence is not supported by its passages ([] if it is). Problems
    carry sentence index 0: the caller places them."""
    problems: list[Problem] = []
    closest = passages.closest(sentence)
    if closest is not None and f" {' '.join(words(sentence))} " in f" {' '.join(words(closest))} ":
        return _cut_problem(sentence, closest)  # its words as a passage has them, in a row
    stems = claim_stems(sentence)
    known = passages.stems
    if len(stems) >= MIN_CLAIM_WORDS:
        missing = [s for s in stems if s not in known]
        if len(stems) - len(missing) < CONTENT_SUPPORT_SHARE * len(stems):
            problems.append(Problem("unsupported_claim", 0, " ".join(missing[:4])))
    negation = negation_problem(sentence, passages.sentences, passages.language)
    if negation:
        problems.append(Problem("negation", 0, negation))
    swapped = (
        swapped_roles(sentence, passages)
        or other_subject(sentence, passages.sentences)
        or turned_round(sentence, passages)
    )
    if swapped:
        problems.append(Problem("swapped", 0, swapped))
    apart = names_apart(sentence, passages.sentences)
    if apart:
        problems.append(Problem("apart", 0, apart))
    reason = unsupported_reason(sentence, passages)
    if reason:
        problems.append(Problem("reason", 0, reason))
    if closest is not None:
        problems += _cut_problem(sentence, closest)
    echo = prompt_echo_phrase(sentence)
    if echo and not any(echo.lower() in p.lower() for p in passages.sentences):
        problems.append(Problem("meta", 0, echo))
    return problems


def swapped_roles(sentence: str, passages: Passages) -> str | None:
    """'A <verb> B' where the passages only say 'B <verb> A' (not in the passive)."""
    names = _names(sentence)
    if len(names) < 2:
        return None
    tokens = words(sentence)
    for a_i, a in enumerate(names):
        for b in names[a_i + 1 :]:
            if a == b or a not in tokens or b not in tokens:
                continue
            between = tokens[tokens.index(a) + 1 : tokens.index(b)]
            # the verb: the first word after A that is neither a function word nor a name
            # (any word between was taken: "Frome works a poor farm near Starkfield and is
            # married to Zeena" was "turned round" by "Zeena ... Starkfield ... Frome")
            content = [w for w in between if w not in CLAIM_STOPWORDS]
            verbs = [prefix_stem(content[0])] if content and content[0] not in names else []
            said_passive = "by" in between  # "A gratified B by admiring C": both have it
            if a in CALENDAR or b in CALENDAR or (between[:1] and between[0] in _BE):
                continue  # "in March" is no one; "A was elected ... B": A is not the doer
            if not verbs:
                continue
            forward = reverse = False
            for passage in passages.sentences:
                p = words(passage)
                if a not in p or b not in p:
                    continue
                i, j = p.index(a), p.index(b)
                span = p[min(i, j) + 1 : max(i, j)]
                if not any(prefix_stem(w) in verbs for w in span):
                    continue
                passive = "by" in span
                if (i < j) != (passive != said_passive):
                    forward = True
                else:
                    reverse = True
            if reverse and not forward:
                return f"{a} ... {b}"
    return None


_PASSIVE = re.compile(r"\b(?:was|were|is|are|been|being|be)\s+(?:\w+ly\s+)?(\w+)\s+by\s+"
                      r"((?:\w+\s+){0,2}\w+)", re.IGNORECASE)  # fmt: skip
_BE = frozenset("was were is are been being be".split())
# Months and weekdays, capitalised like names (stdlib calendar, English as the rest here).
CALENDAR = frozenset(
    n.lower() for n in (*calendar.month_name, *calendar.day_name, *calendar.month_abbr) if n
)


def turned_round(sentence: str, passages: Passages) -> str | None:
    """'X <verb>ed Y' where the closest passage says 'X was <verb>ed by Y': the doer of
    the passage's passive must come before the verb when the sentence is active."""
    closest = passages.closest(sentence)
    tokens = words(sentence)
    stems = [prefix_stem(w) for w in tokens]
    for match in _PASSIVE.finditer(closest or ""):
        verb = prefix_stem(match.group(1).lower())
        if verb not in stems:
            continue
        v = stems.index(verb)
        if v > 0 and (tokens[v - 1] in _BE or "by" in tokens[v:]):
            continue  # the sentence is passive too
        doers = [w for w in words(match.group(2)) if w not in CLAIM_STOPWORDS]
        if doers and not any(d in tokens[:v] for d in doers):
            return f"{match.group(0)[:40]}"
    return None


def subjects(passage: str) -> list[str]:
    """Names in a passage, with a capitalised first word that may be one ("Mara found"),
    which `mentions` leaves out (any sentence starts with a capital)."""
    found = _names(passage)
    first = opening_name(passage)
    if first is not None:
        found.append(first)
    return found


def opening_name(passage: str) -> str | None:
    """A passage's capitalised first word when it may be a name ("Mara found"; not "The",
    "Later", "Finally"), as compared (lower case, no possessive); else None."""
    text = passage.lstrip("\"“'‘( ")
    first = MENTION_TOKEN.match(text)
    if (
        first is not None
        and text[first.end() : first.end() + 1] == "."
        and is_abbreviation(first.group())
    ):  # "Dr. Lanyon sees ...": the name is Lanyon, not the title
        return opening_name(text[first.end() + 1 :])
    if first is None or not first.group()[0].isupper():
        return None
    word = _normal(first.group())
    if word in _NOT_NAMES or word in CLAIM_STOPWORDS or word.endswith("ly"):
        return None
    return word


def unsupported_reason(sentence: str, passages: Passages) -> str | None:
    """A reason clause ("because ...") whose words no single passage sentence holds."""
    match = _CAUSAL.search(sentence)
    if not match:
        return None
    rest = sentence[match.end() :]
    end = _CLAUSE_END.search(rest)
    reason = claim_stems(rest[: end.start()] if end else rest)
    if not reason:
        return None
    for passage in passages.sentences:
        have = set(claim_stems(passage))
        if sum(s in have for s in reason) >= REASON_SUPPORT_SHARE * len(reason):
            return None
    return match.group(0) + " " + " ".join(reason[:3])


# -- the rules the support check (support.py) and the claims check share -------------------


def same_name(a: str, b: str) -> bool:
    """One name, or one misspelt by a letter or two ("Strykalski", "Stryakalski")."""
    if a == b:
        return True
    return min(len(a), len(b)) >= FUZZY_MIN_LETTERS and fuzz.ratio(a, b) >= FUZZY_RATIO


# Capitalised words side by side, nothing but a space between them: one full name.
_FULL_NAME = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)+")


def names_apart(sentence: str, texts: Sequence[str]) -> str | None:
    """Names a clause of the sentence puts together that no one of `texts` has together:
    a relation the source never states ("When Kriere and Lethla were filled with Rice",
    written from "Kriere and Lethla should fill them" and a sentence about Rice). The
    caller chooses what counts as together: one passage, or one stretch of a source."""
    bags = [set(words(t)) for t in texts]
    # clauses as the deletion rule ends them: "Kriere and Lethla were filled with Rice" is
    # one, its three names together
    for clause in _NAMES_CLAUSE.split(sentence):
        names = {_normal(m) for m in mentions(clause) if not m[0].isdigit()}
        # the parts of one full name ("Admiral Gorman", "Eddie Kelly") are one person,
        # found by any of them (whether the source writes them together is support.py's)
        people = [{n} for n in sorted(names)]
        for full in _FULL_NAME.findall(clause):
            parts = {p for m in mentions(f"x {full}") if (p := _normal(m)) in names}
            people = [*(p for p in people if not p <= parts), *([parts] if parts else [])]
        if len(people) < 2:
            continue
        if not any(
            all(any(_has_name(bag, n) for n in person) for person in people) for bag in bags
        ):
            return " + ".join(sorted(names))
    return None


def _has_name(bag: set[str], name: str) -> bool:
    return all(w in bag or any(same_name(w, h) for h in bag) for w in words(name))


def _subjects_before(named: Sequence[set[str]], index: int, before: Sequence[str]) -> set[str]:
    """Who does what passage `index` says at a word, from the words `before` it: the
    nearest name there, or for a pronoun the names of the nearest passage back that has
    any. `named`: each passage's names."""
    names = named[index]
    for at in range(len(before) - 1, max(-1, len(before) - SUBJECT_WINDOW - 1), -1):
        token = before[at]
        if token in names:
            return {token}
        if token in PRONOUNS:
            # the name the pronoun stands for: earlier in the sentence ("the story of
            # Narcissus, who because he ..."), else in the nearest passage back
            earlier = [w for w in before[:at] if w in names]
            if earlier:
                return {earlier[-1]}
            for back in range(index - 1, max(-1, index - PRONOUN_BACK - 1), -1):
                if named[back]:
                    return set(named[back])
            return set()
    return set()


def _conjoined(tokens: Sequence[str], at: int, named: set[str]) -> set[str]:
    """The names joined to tokens[at] by "and" or a comma ("Peter and Danny"), itself too."""
    group = {tokens[at]}
    k = at
    while k >= 2 and tokens[k - 1] in _JOINERS and tokens[k - 2] in named:
        k -= 2
        group.add(tokens[k])
    k = at
    while k + 2 < len(tokens) and tokens[k + 1] in _JOINERS and tokens[k + 2] in named:
        k += 2
        group.add(tokens[k])
    return group


def other_subject(
    sentence: str,
    passages: Sequence[str],
    doer: str | None = None,
    named_in_source: frozenset[str] | set[str] | None = None,
    is_name: Callable[[str], bool] | None = None,
) -> str | None:
    """A name the sentence makes do something that its passages (in source order) have
    someone else do ("Kayle plans his re-entry" where they say "Granthan ... He planned").
    `doer`: whom a sentence opening with "he", "she" or "they" means. `named_in_source`,
    when given: a capital that only opens the sentence is taken for a name only if the
    source writes it as one ("Part" is no one). `is_name`, when given: whether a capital
    that opens a clause, of the sentence or the passages, may be a name ("Well, I will
    ignore it" has no one called Well ignore it)."""
    tokens = words(sentence)
    named = set(subjects(sentence))  # "Bob plans ...": the first word may be a name too
    if doer and tokens[:1] and tokens[0] in PRONOUNS:
        tokens[0] = _normal(doer)  # "He plans ..." after a sentence about Bob
        named.add(tokens[0])
    # "Lind, who has fished from Kelby ..., said": Lind said, not Kelby
    clauses = [c for p in passages for c in unfolded(p)]
    theirs = [words(c) for c in clauses]
    their_names = [  # "In March, ...": no doer; "Well, I ...": no name
        {n for n in subjects(c) if is_name is None or is_name(n)} - CALENDAR for c in clauses
    ]
    speech = [_QUOTE_MARK.search(c) is not None for c in clauses]  # a speaker's "I"
    for at, token in enumerate(tokens):
        if token not in named or tokens[at + 1 : at + 2] == ["s"]:
            continue  # "Fweep's planet": a possessor, not a doer
        if at == 0 and (
            (named_in_source is not None and token not in named_in_source)
            or (is_name is not None and not is_name(token))
        ):
            continue
        if _after_preposition(tokens, at, named):
            continue  # "the hand of Princess Winsome and half ...": no doer
        verb = next(
            (w for w in tokens[at + 1 : at + 1 + SUBJECT_WINDOW] if w not in CLAIM_STOPWORDS),
            None,
        )
        if verb is None or verb in named:
            continue  # no verb, or a name of two words ("Sperm Whale"): its last counts
        if verb.endswith(_PARTICIPLE) and any(
            w in _BE for w in tokens[at + 1 : tokens.index(verb, at + 1)]
        ):
            continue  # "Priya was elected": the name is who it was done to
        v = tokens.index(verb, at + 1)
        reported = _reported(tokens, v)  # "... that Dermott told": not who tells Frank
        doers = _doers(theirs, their_names, token, verb, reported, speech)
        group = _conjoined(tokens, at, named)  # "Peter and Danny went": either will do
        if doers and not any(same_name(g, d) for g in group for d in doers):
            return f"{token} {verb} (the source: {sorted(doers)[0]})"
    return None


# "... and are afraid", "... and has ...": a clause whose doer is the sentence's own
# Endings of a past participle ("elected", "taken", "thrown", "sent", "bought"): after
# "is" or "was" the name is who it was done to; "are afraid" still says what it is.
_PARTICIPLE = ("ed", "en", "wn", "t", "ne")
_ARTICLES = frozenset({"the", "a", "an"})
_ELIDED = re.compile(
    r"\band\s+(?=(?:is|are|was|were|has|have|had|also|then|later)\b)", re.IGNORECASE
)


def with_subjects(sentence: str, also: bool = True) -> list[str]:
    """The sentence, then (when `also`) each clause joined by "and" that leaves its doer
    out, with the doer the sentence opens with written in ("The Morlocks live below and
    are afraid of light": also "The Morlocks are afraid of light")."""
    opening = MENTION_TOKEN.findall(sentence)[:2]
    if opening[:1] and opening[0].lower() in _ARTICLES:
        opening = opening[1:]  # "The Morlocks live ..."
    if not also or not opening or opening_name(opening[0]) is None:
        return [sentence]
    parts = _ELIDED.split(sentence)
    return [sentence, *(f"{opening[0]} {part}" for part in parts[1:])]


REPORTED_WORDS = 2  # words after "that" a reported clause must share to be the same one


def other_reporter(sentence: str, passages: Sequence[str]) -> str | None:
    """A name the sentence has report a clause ("Frank told Katrine that Dermott told a
    story") that the passages have another report ("Katrine said, softly, that Dermott
    told a story"): the nearest name before "that", unless a pronoun comes first."""
    tokens = words(sentence)
    if "that" not in tokens:
        return None
    k = tokens.index("that")
    said = tokens[k + 1 : k + 1 + REPORTED_WORDS]
    named = set(subjects(sentence)) - CALENDAR
    speaker = next((w for w in tokens[:k] if w in named), None)
    if speaker is None or len(said) < REPORTED_WORDS:
        return None
    reporters: set[str] = set()
    for passage in passages:
        theirs = words(passage)
        their_names = set(subjects(passage)) - CALENDAR
        for at, word in enumerate(theirs):
            if word != "that" or theirs[at + 1 : at + 1 + REPORTED_WORDS] != said:
                continue
            reporter = doer_before(theirs, at, their_names)
            if reporter is None:
                return None  # "he said that ...": who, it does not say here
            reporters.add(reporter)
    if reporters and not any(same_name(speaker, r) for r in reporters):
        return f"{speaker} ... that {' '.join(said)} (the source: {sorted(reporters)[0]})"
    return None


def _reported(tokens: Sequence[str], v: int) -> bool:
    """Whether the verb at `v` stands in a reported clause ("said that Dermott told")."""
    return "that" in tokens[max(0, v - SUBJECT_WINDOW - 1) : v]


# English prepositions: a name after one (its title between) is what a verb or noun
# before it governs, not who does the next verb
_PREPOSITIONS = frozenset(
    "of to for with from by at in on into onto upon about over under toward towards".split()
)


def _after_preposition(tokens: Sequence[str], at: int, named: set[str]) -> bool:
    """Whether the name at `at` (with the names just before it: "Princess Winsome")
    follows a preposition."""
    k = at - 1
    while k >= 0 and tokens[k] in named:
        k -= 1
    return k >= 0 and tokens[k] in _PREPOSITIONS


def _doers(
    theirs: Sequence[list[str]],
    their_names: Sequence[set[str]],
    token: str,
    verb: str,
    reported: bool = False,
    speech: Sequence[bool] = (),
) -> set[str]:
    """Who the passages have doing `verb`; none when one of them has `token` do it (or
    says it in the passive, its doer after the verb). A verb in a reported clause is
    compared only with one in a reported clause, a main one with a main one. A form of
    the verb is one with its first letters or its stem ("locks" / "locked")."""
    doers: set[str] = set()
    short, stemmed = prefix_stem(verb), stem(verb)
    for i, passage in enumerate(theirs):
        v = next(
            (k for k, w in enumerate(passage) if prefix_stem(w) == short or stem(w) == stemmed),
            None,
        )
        if v is None:
            continue
        if _reported(passage, v) != reported:
            continue
        if "by" in passage[v : v + 4]:
            return set()  # the passage's passive: its doer follows the verb
        if passive_at(passage, v):
            continue  # "the documents ... had been burned": a name before it is no doer
        nearest = _subjects_before(their_names, i, passage[:v])
        if any(same_name(token, d) for d in nearest) or (not nearest and token in passage[:v]):
            return set()  # a passage has this name doing it
        quoted = speech[i] if i < len(speech) else True
        if not nearest and not quoted and token not in passage and _said_by_i(passage[:v]):
            nearest = {NARRATOR}  # "I have locked the door": not Jennie, whom it names
        doers |= nearest
    return doers


NARRATOR = "I"  # who does what a passage says in the first person, outside quotation marks
_QUOTE_MARK = re.compile(r"[\"“”«»„]|(?<!\w)['‘’]|['‘’](?!\w)")
_FIRST_PERSON = frozenset({"i", "we"})


def _said_by_i(before: Sequence[str]) -> bool:
    """Whether the nearest subject within SUBJECT_WINDOW words before a verb is "I" or
    "we" (English). A name the passage writes may be its speaker ("'I locked it,' said
    Mary"), and one nearby that of speech in quotation marks: the caller asks this only
    of narration that does not hold the name."""
    for token in reversed(before[-SUBJECT_WINDOW:]):
        if token in _FIRST_PERSON:
            return True
        if token in PRONOUNS:
            return False
    return False


# A clause set off by commas after a name: "Ines Varga, who led the opposition, said ...",
# "Kane, the captain, ...". Its doer, and the doer of the verb after it, is that name.
_SET_OFF = re.compile(
    r"(?P<head>\b[A-Z][\w'’-]*)\s*,\s+(?P<kind>who|(?:a|an|the|his|her|their)(?=\s))\s+"
    r"(?P<inner>[^,;:.!?\"“”]+?)\s*,\s*(?=[\w\"“])"
)


def unfolded(text: str) -> list[str]:
    """`text` as its clauses about a name: the sentence without the relative clauses and
    appositions set off after a name, then each of those with the name as its subject
    ("Pavel Lind, who has fished ..., said X" is "Pavel Lind said X" and "Lind has
    fished ..."). Unchanged, alone, when it has none."""
    inner = [
        f"{m.group('head')} {'is ' + m.group('kind') if m.group('kind') != 'who' else ''} "
        f"{m.group('inner')}".replace("  ", " ")
        for m in _SET_OFF.finditer(text)
    ]
    return [_SET_OFF.sub(lambda m: f"{m.group('head')} ", text), *inner] if inner else [text]


def act_of(tokens: Sequence[str], at: int, named: set[str]) -> tuple[str, str] | None:
    """(verb stem, the word it acts on) when tokens[at] is a name doing something to a
    thing named by a content word within OBJECT_WINDOW words after the verb; else None."""
    if tokens[at] not in named or tokens[at + 1 : at + 2] == ["s"]:
        return None  # not a name, or a possessor ("Kane's ship")
    if _after_preposition(tokens, at, named):
        return None  # "the hand of Princess Winsome and half of his kingdom"
    after = tokens[at + 1 : at + 1 + SUBJECT_WINDOW]
    verb_at = next((k for k, w in enumerate(after) if w not in CLAIM_STOPWORDS), None)
    if verb_at is None or after[verb_at] in named or passive_at(after, verb_at):
        return None  # no verb, a name of two words, or done to the name
    v = at + 1 + verb_at
    thing = next(
        (w for w in tokens[v + 1 : v + 1 + OBJECT_WINDOW] if w not in CLAIM_STOPWORDS), None
    )
    return None if thing is None else (prefix_stem(tokens[v]), thing)


def doer_before(tokens: Sequence[str], v: int, named: set[str]) -> str | None:
    """The name doing the verb at `v`: the nearest one within SUBJECT_WINDOW words before
    it; None when a pronoun comes first, none stands there, or the verb is a passive's."""
    if passive_at(tokens, v):
        return None
    for token in reversed(tokens[max(0, v - SUBJECT_WINDOW) : v]):
        if token in named:
            return token
        if token in PRONOUNS:
            return None
    return None


def passive_at(tokens: Sequence[str], v: int) -> bool:
    """Whether the verb at `v` is a passive's ("was burned", "had been quickly burned")."""
    before = tokens[max(0, v - 2) : v]
    if before[-1:] and before[-1].endswith("ly") and len(before) == 2:
        before = before[:1]
    return bool(before) and before[-1] in _BE


def negation_problem(sentence: str, evidence: Sequence[str], lang: str) -> str:
    """A clause of the sentence whose polarity the evidence contradicts. Clause by clause,
    with stemmed words: what the sentence shares only with the evidence's negated clauses
    ("the board did not approve it", beside "Priya proposed a youth program") must be said
    with a negation, and what it shares only with affirmed clauses without one (measured:
    this refuses 78.6% of flipped negations against 60.2% without it, at 0.2 points of
    the human summaries' support). English only: `negated` knows English's negations."""
    if lang not in ("en", language.UNKNOWN):
        return ""
    # a question's "not" asks, it denies nothing ("Will not they be awaiting us at the
    # palazzo?" for "Fortunato asked whether Lady Fortunato ... would be awaiting them")
    polar = [(c, negated(c) and not asks) for e in evidence for c, asks in _clauses_asking(e)]
    said_not = [(c, _stems(c, lang)) for c, no in polar if no]
    denied = set().union(*(have for _, have in said_not))
    # what a negated clause denies follows its negation; who it is about ("the board did
    # not approve it") only with that: "the wages of a gardener's helper do not lap over
    # the needs ..." denies no gardener's helper ("Manuel, one of the gardener's helpers,
    # sold Buck ..." was refused)
    predicates = set().union(*(_stems(_denied_part(c), lang) for c, _ in said_not))
    affirmed = set().union(*(_stems(c, lang) for c, no in polar if not no))
    # Names are who a clause is about, not what it affirms: "They've been waiting for
    # help ... to battle the Flap-jacks" is not denied by "no Flap-jack ..." alone.
    named = {stem(w) for m in _named(sentence) for w in words(_normal(m))}
    for clause in CLAUSE.split(sentence):
        wanted = _stems(clause, lang)
        if len(wanted) < MIN_NEGATION_TERMS:
            continue
        only_denied = wanted & denied - affirmed
        only_affirmed = wanted & affirmed - denied
        # a short negated clause ("... but did not attack") counts whole: all it denies
        short = any(
            0 < len(have - affirmed) < MIN_NEGATION_TERMS and have - affirmed <= wanted
            for _, have in said_not
        )
        if not negated(clause) and (
            (
                len(only_denied) >= MIN_NEGATION_TERMS
                and only_denied - named
                and only_denied & predicates
            )
            or short
        ):
            return f"the source says not: {_as_written(clause, only_denied, lang)}"
        if negated(clause) and not only_denied and len(only_affirmed) >= MIN_NEGATION_TERMS:
            return f"the source affirms: {_as_written(clause, only_affirmed, lang)}"
    if negated(sentence) and not any(negated(e) for e in evidence):
        return f'"{_negation(sentence)}": the source does not say so here'
    return ""


_QUESTION = re.compile(r"[^.!?;]*\?")  # a question: what runs to a "?" from a sentence's end


# A clause that only wishes or hopes for what follows ("I wish John would take me away
# from here!"): it says nothing happened. English, like the negations.
def modality_problem(sentence: str, evidence: Sequence[str], lang: str) -> str:
    """A clause of the sentence stated as done where the evidence only wishes or hopes
    for it: what the clause shares with wishing clauses, at least MIN_NEGATION_TERMS
    words after the wish, none of them in a clause of the evidence that states it.
    ("At the end John takes her away from here." on "I wish John would take me away from
    here!" was supported.) English only."""
    if lang not in ("en", language.UNKNOWN) or WISHED.search(sentence):
        return ""
    clauses = [c for e in evidence for c, asks in _clauses_asking(e) if not asks]
    wishes = [(c, WISHED.search(c)) for c in clauses]
    wished = [c[m.end() :] for c, m in wishes if m]
    if not wished:
        return ""
    hoped_for = set().union(*(_stems(w, lang) for w in wished))
    stated = set().union(*(_stems(c, lang) for c, m in wishes if not m))
    for clause in CLAUSE.split(sentence):
        wanted = _stems(clause, lang)
        only_wished = wanted & hoped_for - stated
        if len(only_wished) >= MIN_NEGATION_TERMS:
            return f"the source only wishes or hopes: {_as_written(clause, only_wished, lang)}"
    return ""


def _clauses_asking(text: str) -> list[tuple[str, bool]]:
    """The clauses of `text`, each with whether it is part of a question (what runs to a
    "?" since the last sentence's end: one sentence may hold a statement and a question,
    "\"..., \" said I. \"Will not they be awaiting us?\" asked Fortunato")."""
    out: list[tuple[str, bool]] = []
    at = 0
    for q in _QUESTION.finditer(text):
        out += [(c, False) for c in CLAUSE.split(text[at : q.start()])]
        out += [(c, True) for c in CLAUSE.split(q.group())]
        at = q.end()
    out += [(c, False) for c in CLAUSE.split(text[at:])]
    return [(c, asks) for c, asks in out if c.strip()]


def _as_written(clause: str, stems: set[str], lang: str) -> str:
    """The first three words of `clause` whose stems are `stems`, as written there: the
    words a reader sees ("bed inn"), not stems ("mic thre")."""
    shown = [w for w in re.findall(r"[\w'’-]+", clause) if _stems(w, lang) & stems]
    return " ".join(dict.fromkeys(shown[:3])) or " ".join(sorted(stems)[:3])


def _negation(sentence: str) -> str:
    """The sentence's first negation word ("never", "not", "didn't")."""
    for word in re.findall(r"[\w'’]+", sentence):
        if word.lower() in _CLAIM_NEGATIONS or _NOT.search(word):
            return word
    return "not"


def _named(sentence: str) -> list[str]:
    """The sentence's names, its opening word too when it may be one."""
    first = opening_name(sentence)
    return [*mentions(sentence), *([first] if first else [])]


def _stems(text: str, lang: str) -> set[str]:
    return {stem(t) for t in terms(text, lang)}
