"""Is an answer true to what it was given? A model-free check, and the metrics behind it.

Every model answer (a chunk summary, a merge, the final summary, a chat fold) is checked
against the inputs of its call:

- **unsupported**: a name (a capitalised word that does not start a sentence) or a number
  that occurs nowhere in the inputs. Small models invent names; a summary must not.
- **meta**: a sentence about the text or the task instead of its content ("I've rewritten
  the text", "the first part of the story is", "the writing is engaging").
- **repeat**: a sentence that repeats an 8-word phrase (or a whole sentence) said before
  in the same answer: the start of a loop.
- **quote**: a quotation of four words or more that the inputs do not contain: small
  models write dialogue the text never had.
- **assistant**: an assistant talking to the reader ("I agree", "I think", "you can")
  where the inputs do not say so; **licence** (summaries only): a sentence retelling a
  licence or transcriber's note.
- whole-answer failures: empty, far too short, looping throughout, the inputs handed back
  uncompressed, or the preceding context repeated instead of the new text.

A sentence written from a few passages (extract-abstract) is also held to their claims
(`check_written`, below): its content words, negations, who did what, and reasons.

Copying sentences of the input is *not* a failure: it is the most faithful thing a small
model can do. Sentence-level problems can be mended by dropping those sentences; the
caller decides (see grounding/ask.py). The same functions measure finished summaries in
`bench/summarize_quality.py`, so what the bench reports is what the check enforces.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from longcli.text import language, units
from longcli.text.names import NOT_NAMES as _NOT_NAMES
from longcli.text.names import WORD as _WORD
from longcli.text.names import mentions
from longcli.text.names import normal_token as _normal
from longcli.text.sentences import split_sentences

PHRASE_WORDS = 8  # a repeated run of this many words is a loop
LOOP_SENTENCE_REPEATS = 3  # the same sentence this often: the whole answer loops
LOOP_NGRAM = 4
LOOP_NGRAM_SHARE = 0.35  # this share of repeated 4-grams: the whole answer loops
MIN_WORDS_FOR_LOOP_CHECK = 24
UNCOMPRESSED_SHARE = 0.8  # an answer this long relative to its input, and copied, is no summary
COPIED_SHARE = 0.7  # share of the answer's 8-grams found in the input that counts as copied
MIN_LANGUAGE_CHARS = 40  # a shorter answer's language is not judged
ECHO_SHARE = 0.5  # share of 8-grams taken from the preceding context that is an echo

_LOWER_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTATION = re.compile(r"[\"“]([^\"“”]{3,}?)[\"”]")
QUOTE_MIN_WORDS = 4
_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 1_000_000, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "once": 1, "twice": 2,
    "dozen": 12, "half": 2, "pair": 2, "single": 1, "both": 2, "double": 2, "triple": 3,
}  # fmt: skip

# Sentences about the text or the task rather than its content. Checked against the 100
# human reference summaries of the SQuALITY dev set: none of them match (a narrative time
# phrase such as "as the passage ends" is let through). A phrase that also occurs in the source (a
# story about a text, say) is content, not commentary, and is let through.
_META_PATTERNS = [
    # talking about the task
    r"\b(?:i(?:'ve| have| will|'ll|'d| would)?|let me|here(?: is|'s| are))\b[^.!?]{0,40}"
    r"\b(?:rewr[io]t|summari[sz]|revis|condens|shorten|paraphras|edit|simplif)\w*",
    r"\b(?:as requested|hope this helps|let me know|feel free to|as an ai|language model"
    r"|i (?:cannot|can't|am unable)|i'm sorry|i apologi[sz]e)\b",
    # the text as an object
    r"(?<!as )\b(?:this|the|above|given|provided|original|following|previous|next) "
    r"(?:text|passage|excerpt|segment|summary|summaries|snippet)\b"
    r"(?! (?:ends|begins|opens|closes))",
    r"\b(?:the|this|that) (?:first|second|third|fourth|last|final|next|previous|opening|"
    r"closing|latter|former) (?:part|sentence|paragraph|section|segment|line|half)s?\b",
    r"\b(?:the|this|that) (?:part|sentence|paragraph|section) (?:of|in) the "
    r"(?:story|text|passage)\b",
    r"\bparts? \d+ (?:and \d+ )?(?:of the (?:story|text)|describes?|says?|tells?|shows?)\b",
    r"\b(?:the|this) (?:author|writer|reader|readers)\b(?! of)",
    # critique of the writing
    r"\b(?:well[- ]written|poorly written|writing style|the writing|the prose|the narrative "
    r"(?:is|style|structure)|character development|plot holes?|pacing|is engaging|more "
    r"engaging|very engaging|more concise|could be improved|needs? (?:more|less) "
    r"(?:detail|depth|work)|adds? (?:much )?depth|do(?:es)?n'?t add (?:much|anything)|too "
    r"many simple|mix-and-match|clich[eé]d?|a (?:good|great|compelling|gripping) read)\b",
]
_META = [re.compile(p, re.IGNORECASE) for p in _META_PATTERNS]


def words(text: str) -> list[str]:
    """Lower-cased word tokens, for n-gram counting."""
    return _LOWER_WORD.findall(text.lower())


def ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


class Vocabulary:
    """The words and numbers that occur in some inputs, for membership tests."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.words: set[str] = set()
        self.numbers: set[str] = set()
        self._lower_parts: list[str] = []
        self._word_runs: list[str] = []  # built on first use
        for text in texts:
            if not text:
                continue
            self._lower_parts.append(text.lower())
            for token in _WORD.findall(text):
                normal = _normal(token)
                if token[0].isdigit():
                    self.numbers.add(normal)
                else:
                    self.words.add(normal)
                    self.words.update(part for part in normal.split("-") if part)
        self.number_values = {_value(n) for n in self.numbers} | {
            v for w, v in _NUMBER_WORDS.items() if w in self.words
        }

    def supports(self, mention: str) -> bool:
        normal = _normal(mention)
        if mention[0].isdigit():
            if normal in self.numbers:
                return True
            return _value(normal) in self.number_values
        if normal in self.words:
            return True
        parts = [p for p in normal.split("-") if p]
        return len(parts) > 1 and all(p in self.words for p in parts)

    def contains_phrase(self, phrase: str) -> bool:
        phrase = phrase.lower()
        return any(phrase in part for part in self._lower_parts)

    def contains_words(self, text: str) -> bool:
        """Whether the words of `text` occur in this order, adjacent, in some input."""
        wanted = " ".join(words(text))
        if not self._word_runs:
            self._word_runs = [" ".join(words(part)) for part in self._lower_parts]
        return any(f" {wanted} " in f" {run} " for run in self._word_runs)


def _value(number: str) -> float | None:
    try:
        return float(number.replace(",", ""))
    except ValueError:
        return None


def meta_phrase(sentence: str) -> str | None:
    """The phrase that makes a sentence commentary about the text or task, if any."""
    for pattern in _META:
        match = pattern.search(sentence)
        if match:
            return match.group(0)
    return None


def quotations(sentence: str) -> list[str]:
    """Quoted passages of QUOTE_MIN_WORDS words or more in a sentence."""
    return [
        m.group(1)
        for m in _QUOTATION.finditer(sentence)
        if len(words(m.group(1))) >= QUOTE_MIN_WORDS
    ]


def is_shortening(short: str, original: str, min_share: float = 0.4) -> bool:
    """Whether `short` is `original` with whole asides deleted and nothing else changed.

    Every word of `short` occurs in `original`, in the same order; it keeps the first
    word (so the subject stays the subject), at least `min_share` of the words, and the
    closing punctuation; its quotation marks are balanced. And what was deleted cannot
    change what the sentence says (`_deletions_keep_meaning`): only whole clauses set off
    by punctuation, never a negation, a number or a name. So a shortening can lose an
    aside but not invent, swap who did what, flip a claim or move a date.
    """
    kept, whole = words(short), words(original)
    if not kept or len(kept) >= len(whole) or len(kept) < max(5, min_share * len(whole)):
        return False
    if kept[0] != whole[0] or _END.search(original) and not _END.search(short):
        return False
    remaining = iter(whole)
    if not all(word in remaining for word in kept):
        return False
    if short.count('"') % 2 or short.count("“") != short.count("”"):
        return False
    return _deletions_keep_meaning(kept, original)


# Tokens of a sentence for the deletion rule: words, and the punctuation that sets off a
# clause or an aside (a spaced hyphen counts as a dash).
_CLAUSE_MARK = r"[,;:()\[\]—–]|(?<=\s)-(?=\s)|--"
_CLAUSE_TOKEN = re.compile(rf"\w+|{_CLAUSE_MARK}", re.UNICODE)
_DELIMITERS = frozenset(",;:()[]—–-")
_NEGATIONS = frozenset(
    """not no never nor neither none nothing nobody nowhere without cannot t""".split()
)  # "t" is what is left of n't


def _deletions_keep_meaning(kept: list[str], original: str) -> bool:
    """Whether `kept` (lower-cased words) is `original` less whole, harmless clauses.

    Each deleted run of words must start after clause punctuation (or a bracket) and end
    before it or at the sentence's end, and hold no negation, number or name. Words repeat
    ("the"), so the deleted runs are tried aligned from the left and from the right."""
    tokens = _CLAUSE_TOKEN.findall(original)
    spans = [(m.start(), m.group()) for m in _CLAUSE_TOKEN.finditer(original)]
    is_word = [t not in _DELIMITERS for t in tokens]
    positions = [i for i, w in enumerate(is_word) if w]
    lowered = [tokens[i].lower() for i in positions]
    for matched in (_align(kept, lowered), _align_right(kept, lowered)):
        if matched is not None and all(
            _harmless(run, tokens, positions, spans) for run in _runs(matched, len(lowered))
        ):
            return True
    return False


def _align(kept: list[str], words_: list[str]) -> list[int] | None:
    found, j = [], 0
    for word in kept:
        while j < len(words_) and words_[j] != word:
            j += 1
        if j == len(words_):
            return None
        found.append(j)
        j += 1
    return found


def _align_right(kept: list[str], words_: list[str]) -> list[int] | None:
    found = _align(kept[::-1], words_[::-1])
    return None if found is None else [len(words_) - 1 - j for j in reversed(found)]


def _runs(matched: list[int], count: int) -> list[tuple[int, int]]:
    """Runs of word indices (start, end exclusive) that the alignment left out."""
    runs, previous = [], -1
    for j in [*matched, count]:
        if j > previous + 1:
            runs.append((previous + 1, j))
        previous = j
    return runs


def _harmless(
    run: tuple[int, int], tokens: list[str], positions: list[int], spans: list[tuple[int, str]]
) -> bool:
    first, last = positions[run[0]], positions[run[1] - 1]
    before = tokens[first - 1] if first > 0 else ""
    after = tokens[last + 1] if last + 1 < len(tokens) else ""
    if before not in _DELIMITERS or (after and after not in _DELIMITERS):
        return False
    for k in range(first, last + 1):
        token = tokens[k]
        if token in _DELIMITERS:
            continue
        if token.lower() in _NEGATIONS or token[0].isdigit() or token.lower() in _NUMBER_WORDS:
            return False
        if token[0].isupper() and _normal(token) not in _NOT_NAMES:
            return False
    return True


def repeated_phrases(text: str, n: int = PHRASE_WORDS) -> int:
    """How many distinct n-word sequences occur twice or more."""
    return sum(1 for count in Counter(ngrams(words(text), n)).values() if count > 1)


def entity_precision(summary: str, source: str | Sequence[str]) -> tuple[float, list[str]]:
    """Share of the summary's names and numbers found in the source, and those not found."""
    vocabulary = Vocabulary([source] if isinstance(source, str) else source)
    found = mentions(summary)
    missing = [m for m in found if not vocabulary.supports(m)]
    return (1.0 - len(missing) / len(found) if found else 1.0), missing


def meta_sentences(text: str, source: str | Sequence[str] = "") -> list[str]:
    """The sentences of `text` that talk about the text or the task."""
    vocabulary = Vocabulary([source] if isinstance(source, str) else source)
    hits = []
    for sentence in split_sentences(text):
        phrase = meta_phrase(sentence.text)
        if phrase and not vocabulary.contains_phrase(phrase):
            hits.append(sentence.text)
    return hits


# -- the check ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    kind: str  # unsupported | meta | repeat (per sentence); empty | short | loop | ... (whole)
    sentence: int  # index into Verdict.sentences; -1 for the whole answer
    detail: str = ""


@dataclass
class Verdict:
    """What the check found in one answer."""

    sentences: list[str]
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def whole(self) -> list[Problem]:
        """Problems no dropping of sentences can mend."""
        return [p for p in self.problems if p.sentence < 0]

    def failing(self) -> set[int]:
        return {p.sentence for p in self.problems if p.sentence >= 0}

    def reason(self) -> str:
        """A short description for statistics and logs: 'unsupported: Voldemort; meta'."""
        kinds: dict[str, list[str]] = {}
        for p in self.problems:
            kinds.setdefault(p.kind, [])
            if p.detail and len(kinds[p.kind]) < 3:
                kinds[p.kind].append(p.detail)
        return "; ".join(f"{k}: {', '.join(v)}" if v else k for k, v in kinds.items())

    def kept_text(self) -> str:
        """The answer without its failing sentences."""
        bad = self.failing()
        return " ".join(s for i, s in enumerate(self.sentences) if i not in bad)


@dataclass(frozen=True)
class Grounds:
    """What an answer may draw on: the call's inputs, and preceding context it must not echo."""

    inputs: Sequence[str]
    context: str | None = None  # the summary of what came before, allowed but not to repeat
    compress_from: str | None = None  # the text the answer must be shorter than
    summary: bool = False  # a summary of a text: a licence or transcriber's note is refused
    language: str = ""  # the language the answer must be in ("" or "und": any)

    def vocabulary(self) -> Vocabulary:
        return Vocabulary([*self.inputs, self.context or ""])


def check(
    answer: str, grounds: Grounds, *, min_words: int = 0, vocabulary: Vocabulary | None = None
) -> Verdict:
    """Check one answer against what its call was given."""
    sentences = [s.text for s in split_sentences(answer)]
    verdict = Verdict(sentences)
    tokens = words(answer)
    if not tokens:
        verdict.problems.append(Problem("empty", -1))
        return verdict
    length = units.count(answer) if units.has_cjk(answer) else len(tokens)  # 字 for CJK
    if length < min_words:
        verdict.problems.append(Problem("short", -1, f"{length} words"))
    vocab = vocabulary or grounds.vocabulary()
    _whole_answer(verdict, tokens, grounds)
    written_in = _wrong_language(answer, grounds.language)
    if written_in:
        verdict.problems.append(Problem("language", -1, written_in))
    repeats = repeating(sentences)
    for i, sentence in enumerate(sentences):
        missing = [m for m in mentions(sentence) if not vocab.supports(m)]
        if missing:
            verdict.problems.append(Problem("unsupported", i, " ".join(missing)))
        phrase = meta_phrase(sentence)
        if phrase and not vocab.contains_phrase(phrase):
            verdict.problems.append(Problem("meta", i, phrase))
        invented = [q for q in quotations(sentence) if not vocab.contains_words(q)]
        if invented:
            verdict.problems.append(Problem("quote", i, invented[0][:40]))
        if i in repeats:
            verdict.problems.append(Problem("repeat", i))
        talk = assistant_phrase(sentence)
        if talk and not vocab.contains_phrase(talk):
            verdict.problems.append(Problem("assistant", i, talk))
        licence = licence_phrase(sentence) if grounds.summary else None
        if licence:
            verdict.problems.append(Problem("licence", i, licence))
    return verdict


def _wrong_language(answer: str, expected: str) -> str | None:
    """The language an answer is in when it is not `expected` (too short to tell: None)."""
    if len(answer) < MIN_LANGUAGE_CHARS:
        return None
    return language.other_language(answer, expected)


def repeating(sentences: Sequence[str]) -> set[int]:
    """Indices of the sentences that repeat a whole earlier sentence or an 8-word phrase."""
    found: set[int] = set()
    seen_grams: set[tuple[str, ...]] = set()
    seen_sentences: set[str] = set()
    for i, sentence in enumerate(sentences):
        sentence_words = words(sentence)
        key = " ".join(sentence_words)
        grams = ngrams(sentence_words, PHRASE_WORDS)
        if key in seen_sentences or any(g in seen_grams for g in grams):
            found.add(i)
        seen_sentences.add(key)
        seen_grams.update(grams)
    return found


def _whole_answer(verdict: Verdict, tokens: list[str], grounds: Grounds) -> None:
    counts = Counter(" ".join(words(s)) for s in verdict.sentences)
    counts.pop("", None)
    if counts and counts.most_common(1)[0][1] >= LOOP_SENTENCE_REPEATS:
        verdict.problems.append(Problem("loop", -1, "repeated sentences"))
    elif len(tokens) >= MIN_WORDS_FOR_LOOP_CHECK:
        grams = ngrams(tokens, LOOP_NGRAM)
        repeated = sum(c - 1 for c in Counter(grams).values() if c > 1)
        if repeated / len(grams) > LOOP_NGRAM_SHARE:
            verdict.problems.append(Problem("loop", -1, "repeated phrases"))
    if grounds.compress_from:
        source = words(grounds.compress_from)
        if (
            len(tokens) >= UNCOMPRESSED_SHARE * len(source)
            and _copied_share(tokens, source) >= COPIED_SHARE
        ):
            verdict.problems.append(Problem("uncompressed", -1))
    echoed = grounds.context and len(tokens) >= PHRASE_WORDS
    if echoed and _copied_share(tokens, words(grounds.context or "")) >= ECHO_SHARE:
        verdict.problems.append(Problem("echo", -1, "repeated the context"))


def _copied_share(tokens: list[str], source: list[str]) -> float:
    grams = ngrams(tokens, PHRASE_WORDS)
    if not grams:
        return 0.0
    source_grams = set(ngrams(source, PHRASE_WORDS))
    return sum(g in source_grams for g in grams) / len(grams)


# -- claims: is a written sentence supported by the passages it was written from? --------
#
# The check above trusts names: a sentence with only known names passes, whatever it says
# about them. A sentence written from a few source passages (extract, then abstract) must
# also be supported by them: most of its content words occur there (light stems), a
# negation is there when the sentence has one (and not dropped when the closest passage
# has one), who did what to whom is not turned round, and a reason ("because ...") is
# one the passages give. Paraphrase is allowed; what cannot be traced is refused.
# bench/summarize_quality.py and tests/grounding/test_grounding.py measure what this catches on
# planted errors and what it wrongly refuses.

CONTENT_SUPPORT_SHARE = 0.6  # of a written sentence's content words found in its passages
REASON_SUPPORT_SHARE = 0.75  # of a reason clause's content words, in one passage
MIN_CLAIM_WORDS = 3  # fewer content words than this: nothing to check beyond names
STEM_PREFIX = 5  # words sharing this many first letters count as one ("discovers")

_CLAIM_STOP = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    also later finally eventually soon then story tells meanwhile however while one ones
    way get gets got make makes made take takes took go goes went come comes came""".split()
)
_CLAIM_NEGATIONS = frozenset(
    """not no never nor neither none nothing nobody nowhere cannot without refuse refuses
    refused fail fails failed unable""".split()
)
_CLAUSE_SPLIT = re.compile(_CLAUSE_MARK)  # where the deletion rule's clauses end, too
_NOT = re.compile(r"\wn['’]t\b", re.IGNORECASE)  # don't, isn’t, WON'T
_CAUSAL = re.compile(
    r"\b(?:because(?: of)?|so that|in order to|due to|as a result of|out of (?=fear|love|"
    r"anger|spite|jealousy|pity|revenge|curiosity|greed|shame)|for fear that|since he|since she"
    r"|since they|which is why|that is why)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[,;:.!?]")

# An assistant talking to the reader, not a summary: "I agree", "I think", "you".
_ASSISTANT = re.compile(
    r"\b(?:i(?:'m| am)? (?:definitely |really |also |do |would )?(?:agree|think|believe|feel|"
    r"hope|recommend|suggest|going to|would say|can see|must say)|in my (?:opinion|view)|"
    r"(?:with|to|for|thank) you\b|you(?:'re| are| can| may| might| will| should| would)\b|"
    r"your (?:point|question|request|text)|let me\b|let's\b)",
    re.IGNORECASE,
)
# Licence and transcription notes are about the file, never the content.
_LICENCE = re.compile(
    r"project gutenberg|gutenberg\.org|e-?text|e-?book|transcriber|copyright|public domain|"
    r"all rights reserved|licen[cs]e (?:agreement|terms)|distributed proofread|"
    r"this (?:publication|edition) (?:was|is) (?:renewed|produced|published)",
    re.IGNORECASE,
)


def claim_stems(text: str) -> list[str]:
    """Content words of `text`, lower-cased, cut to STEM_PREFIX letters (a cheap stem)."""
    return [w[:STEM_PREFIX] for w in words(text) if w not in _CLAIM_STOP and not w.isdigit()]


def assistant_phrase(sentence: str) -> str | None:
    """The phrase that makes a sentence an assistant talking to the reader, if any."""
    unquoted = _QUOTATION.sub(" ", sentence)
    match = _ASSISTANT.search(unquoted)
    return match.group(0) if match else None


def licence_phrase(sentence: str) -> str | None:
    """The phrase that makes a sentence about a file's licence or transcription, if any."""
    match = _LICENCE.search(sentence)
    return match.group(0) if match else None


def _negated(text: str) -> bool:
    # "don't" by its apostrophe: a lone "t" is an initial as often ("Conan T. Troy")
    return _NOT.search(text) is not None or any(w in _CLAIM_NEGATIONS for w in words(text))


def _names(sentence: str) -> list[str]:
    return [_normal(m) for m in mentions(sentence) if not m[0].isdigit()]


@dataclass(frozen=True)
class Passages:
    """The source passages a written sentence may draw on, indexed for claim checks."""

    sentences: Sequence[str]

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


COPY_SHARE = 0.8  # a sentence with this share of its words in order in a passage: a copy

# The write prompt's own words, echoed into an answer ("In the third person, ...").
_PROMPT_ECHO = re.compile(
    r"\b(?:in (?:the )?third[- ]person|plain prose|(?:these|the|key|given) passages|"
    r"retell(?:s|ing)?\b)",
    re.IGNORECASE,
)


def _lcs(a: Sequence[str], b: Sequence[str]) -> list[int]:
    """Indices into `b` of a longest common subsequence of `a` and `b`."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
            )
    found, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            found.append(j)
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return found


def cut_changes_meaning(sentence: str, passage: str) -> bool:
    """Whether `sentence` is `passage` copied with cuts (COPY_SHARE of its words, in
    order) that may change what it says: the no-meaning-change rule of is_shortening,
    applied to every word of the passage the copy left out."""
    kept, whole = words(sentence), words(passage)
    if len(kept) < 3:
        return False
    matched = _lcs(kept, whole)
    if len(matched) < COPY_SHARE * len(kept) or len(matched) == len(whole):
        return False  # a paraphrase, or nothing left out
    return not _deletions_keep_meaning([whole[j] for j in matched], passage)


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
    if closest is not None and _negated(sentence) != _negated(closest):
        problems.append(Problem("negation", 0, closest[:40]))
    elif closest is None and _negated(sentence):
        problems.append(Problem("negation", 0, "no passage says so"))
    swapped = (
        _swapped_roles(sentence, passages)
        or _other_subject(sentence, passages)
        or _turned_round(sentence, passages)
    )
    if swapped:
        problems.append(Problem("swapped", 0, swapped))
    apart = _names_apart(sentence, passages)
    if apart:
        problems.append(Problem("apart", 0, apart))
    reason = _unsupported_reason(sentence, passages)
    if reason:
        problems.append(Problem("reason", 0, reason))
    if closest is not None:
        problems += _cut_problem(sentence, closest)
    echo = _PROMPT_ECHO.search(sentence)
    if echo and not any(echo.group(0).lower() in p.lower() for p in passages.sentences):
        problems.append(Problem("meta", 0, echo.group(0)))
    return problems


def _names_apart(sentence: str, passages: Passages) -> str | None:
    """Names a clause of the sentence puts together that no passage has together: a
    relation the passages never state ("When Kriere and Lethla were filled with Rice",
    written from "Kriere and Lethla should fill them" and a sentence about Rice)."""
    texts = [set(words(p)) for p in passages.sentences]
    for clause in _CLAUSE_SPLIT.split(sentence):
        names = set(_names(clause))
        if len(names) < 2:
            continue
        if not any(names <= seen for seen in texts):
            return " + ".join(sorted(names))
    return None


def _swapped_roles(sentence: str, passages: Passages) -> str | None:
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
            verbs = [w[:STEM_PREFIX] for w in between if w not in _CLAIM_STOP]
            if not verbs:
                continue
            forward = reverse = False
            for passage in passages.sentences:
                p = words(passage)
                if a not in p or b not in p:
                    continue
                i, j = p.index(a), p.index(b)
                span = p[min(i, j) + 1 : max(i, j)]
                if not any(w[:STEM_PREFIX] in verbs for w in span):
                    continue
                passive = "by" in span
                if (i < j) != passive:
                    forward = True
                else:
                    reverse = True
            if reverse and not forward:
                return f"{a} ... {b}"
    return None


SUBJECT_WINDOW = 4  # a name this close before a verb is taken as its subject


def _other_subject(sentence: str, passages: Passages) -> str | None:
    """'A <verb>s ...' where the passages have someone else named doing it ('B <verb>s')
    and never A: a swapped name. A verb the passages give no named subject passes."""
    tokens = words(sentence)
    named = _subjects(sentence)
    for name in set(named):
        if name not in tokens:
            continue
        at = tokens.index(name)
        if tokens[at + 1 : at + 2] == ["s"]:
            continue  # "Hoshick's weight": a possessor, not a subject
        after = []
        for w in tokens[at + 1 : at + 1 + SUBJECT_WINDOW]:
            if w in named:
                break  # a name closer to the verb is its subject ("In March, Peter lost")
            if w not in _CLAIM_STOP:
                after.append(w)
        if not after:
            continue
        verb = after[0][:STEM_PREFIX]
        others: set[str] = set()
        supported = False
        for passage in passages.sentences:
            p = words(passage)
            stems = [w[:STEM_PREFIX] for w in p]
            if verb not in stems:
                continue
            v = stems.index(verb)
            before = p[max(0, v - SUBJECT_WINDOW) : v]
            supported |= name in p[:v] or ("by" in p[v:] and name in p[v:])
            others.update(n for n in _subjects(passage) if n in before)
        if not supported and others - {name}:
            return f"{name} {after[0]} (the passages: {sorted(others - {name})[0]})"
    return None


_PASSIVE = re.compile(r"\b(?:was|were|is|are|been|being|be)\s+(?:\w+ly\s+)?(\w+)\s+by\s+"
                      r"((?:\w+\s+){0,2}\w+)", re.IGNORECASE)  # fmt: skip
_BE = frozenset("was were is are been being be".split())


def _turned_round(sentence: str, passages: Passages) -> str | None:
    """'X <verb>ed Y' where the closest passage says 'X was <verb>ed by Y': the doer of
    the passage's passive must come before the verb when the sentence is active."""
    closest = passages.closest(sentence)
    tokens = words(sentence)
    stems = [w[:STEM_PREFIX] for w in tokens]
    for match in _PASSIVE.finditer(closest or ""):
        verb = match.group(1).lower()[:STEM_PREFIX]
        if verb not in stems:
            continue
        v = stems.index(verb)
        if v > 0 and (tokens[v - 1] in _BE or "by" in tokens[v:]):
            continue  # the sentence is passive too
        doers = [w for w in words(match.group(2)) if w not in _CLAIM_STOP]
        if doers and not any(d in tokens[:v] for d in doers):
            return f"{match.group(0)[:40]}"
    return None


def _subjects(passage: str) -> list[str]:
    """Names in a passage, with a capitalised first word that may be one ("Mara found"),
    which `mentions` leaves out (any sentence starts with a capital)."""
    found = _names(passage)
    first = _WORD.match(passage.lstrip("\"“'‘( "))
    if first and first.group()[0].isupper():
        word = _normal(first.group())
        if word not in _NOT_NAMES and word not in _CLAIM_STOP and not word.endswith("ly"):
            found.append(word)
    return found


def _unsupported_reason(sentence: str, passages: Passages) -> str | None:
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


def check_written(answer: str, passages: Sequence[str], grounds: Grounds) -> Verdict:
    """Check an answer written from `passages`: `check`, plus every sentence's claims.
    Sentence-level problems can be mended by dropping the sentence."""
    verdict = check(answer, grounds)
    if _translated(passages, grounds.language):
        # Written in another language than its passages (--language en on a German text):
        # words cannot be compared across languages, so only what `check` holds the answer
        # to stays: its names and numbers must come from the passages.
        return verdict
    indexed = Passages(passages)
    for i, sentence in enumerate(verdict.sentences):
        for problem in claim_problems(sentence, indexed):
            verdict.problems.append(Problem(problem.kind, i, problem.detail))
    return verdict


def _translated(passages: Sequence[str], expected: str) -> bool:
    """Whether an answer is asked for in another language than its passages are in."""
    if expected in ("", language.UNKNOWN):  # nothing asked: no need to read the passages
        return False
    return language.translated(expected, language.detect(" ".join(passages)))


def restored_sentences(verdict: Verdict) -> list[str]:
    """The answer's sentences that passed, with each one refused only for a cut (a copy
    of a passage with words left out that may matter) replaced by that passage as it is:
    what it copied, whole. [] when the whole answer failed."""
    if verdict.whole:
        return []
    kept: list[str] = []
    for i, sentence in enumerate(verdict.sentences):
        problems = [p for p in verdict.problems if p.sentence == i]
        if problems and all(p.kind == "cut" for p in problems):
            sentence = problems[0].detail
        elif problems:
            continue
        if sentence not in kept:
            kept.append(sentence)
    return kept
