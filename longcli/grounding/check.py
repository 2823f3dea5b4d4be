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

A summary's sentence (map, merge, final) is held to the slots of its inputs
(grounding/support.py): a number given to something else, a quantifier ("both", "every")
they lack, a name said to be what they never call it, a doer they give another name. A
sentence written from a few passages (extract-abstract) is also held to their claims
(`check_written`, by grounding/claims.py): its content words, negations, who did what,
and reasons.

Copying sentences of the input is *not* a failure: it is the most faithful thing a small
model can do. Sentence-level problems can be mended by dropping those sentences; the
caller decides (see grounding/ask.py). The same functions measure finished summaries in
`bench/summarize_quality.py`, so what the bench reports is what the check enforces.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from longcli.grounding.claims import Passages, claim_problems, claim_stems
from longcli.grounding.commentary import assistant_phrase, licence_phrase, meta_phrase, quotations
from longcli.grounding.grounds import Grounds, Vocabulary
from longcli.grounding.shortening import cut_changes_meaning, is_shortening
from longcli.grounding.support import SourceIndex, slot_problems
from longcli.grounding.verdict import Problem, Verdict
from longcli.text import language
from longcli.text.names import mentions
from longcli.text.sentences import split_sentences
from longcli.text.vocabulary import has_cjk, word_count, words

# The check's public face: what summarize/, chat/, the tests and the benches import.
__all__ = [
    "Grounds", "Passages", "Problem", "Verdict", "Vocabulary", "check", "check_written",
    "claim_problems", "claim_stems", "cut_changes_meaning", "entity_precision",
    "is_shortening", "mentions", "meta_sentences", "ngrams", "repeated_phrases",
    "repeating", "restored_sentences", "words",
]  # fmt: skip

INDEXED_SOURCES = 8  # the last texts indexed for the slot checks, kept for the next call
PHRASE_WORDS = 8  # a repeated run of this many words is a loop
# A summary's sentence is also held to its inputs' numbers, quantifiers and who-is-what
# (grounding/support.py); a switch so the bench can measure it side by side.
SLOT_CHECKS = True
SOURCE_GAP = "\n\n"  # between passages: no sentence runs across it
LOOP_SENTENCE_REPEATS = 3  # the same sentence this often: the whole answer loops
LOOP_NGRAM = 4
LOOP_NGRAM_SHARE = 0.35  # this share of repeated 4-grams: the whole answer loops
MIN_WORDS_FOR_LOOP_CHECK = 24
UNCOMPRESSED_SHARE = 0.8  # an answer this long relative to its input, and copied, is no summary
COPIED_SHARE = 0.7  # share of the answer's 8-grams found in the input that counts as copied
MIN_LANGUAGE_CHARS = 40  # a shorter answer's language is not judged
ECHO_SHARE = 0.5  # share of 8-grams taken from the preceding context that is an echo


def ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


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
    length = word_count(answer) if has_cjk(answer) else len(tokens)  # 字 for CJK
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
    if grounds.summary and not verdict.whole and not _translated(grounds.inputs, grounds.language):
        _slots(verdict, [*grounds.inputs, grounds.context or ""])
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
    if not grounds.summary:  # a summary's answers had their slots checked in `check`
        _slots(verdict, passages)
    return verdict


def _slots(verdict: Verdict, texts: Sequence[str]) -> None:
    """Each sentence not yet failing, held to the slots of what it was written from: a
    number given to another thing, a quantifier they lack, another doer, "X is NAME"."""
    if not SLOT_CHECKS:
        return
    source = source_index(SOURCE_GAP.join(t for t in texts if t))
    failing = verdict.failing()
    for i, sentence in enumerate(verdict.sentences):
        if i not in failing:
            for kind, detail in slot_problems(sentence, source):
                verdict.problems.append(Problem(kind, i, detail))


@lru_cache(maxsize=INDEXED_SOURCES)
def source_index(text: str) -> SourceIndex:
    """A text indexed for the support check, once: a retried call, the final summary's
    check and `check_written` after `check` are held to the same inputs."""
    return SourceIndex(text)


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
