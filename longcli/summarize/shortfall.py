"""What a summary could not do of what was asked: --language, --words, --method, -i (a
question none of whose words the text's own sentences chosen for it hold is not answered).

A run never fails for these (the summary printed is still grounded in the text), but it
must not fall short in silence: the CLI says each in one line on stderr, from the typed
values here, for the options the user gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from longcli.config import Method
from longcli.summarize.results import SummaryResult
from longcli.text import language, retrieval
from longcli.text.sentences import split_sentences
from longcli.text.vocabulary import has_cjk, word_count

# --words is missed when the summary is outside these shares of it: the methods aim at it
# within a sentence, so a summary this far off says the text or the method could not.
WORDS_SHORT_SHARE = 0.5
WORDS_LONG_SHARE = 1.5


class Asked(StrEnum):
    language = "language"
    words = "words"
    method = "method"
    instructions = "instructions"


class Instead(StrEnum):
    """What was printed instead."""

    own_sentences = "own_sentences"  # the text's own sentences, as extractive picks them
    all_refused = "all_refused"  # extract-abstract: every written sentence refused
    all_fell_back = "all_fell_back"  # every model answer failed its check
    length = "length"  # a summary of another length (see Shortfall.got)
    whole_text = "whole_text"  # -i: no sentence matches the question: the whole text's


@dataclass(frozen=True)
class Shortfall:
    """One option not honoured: what was asked, what the summary is, and why."""

    asked: Asked
    wanted: str  # the option's value: "en", "100", "abstractive", the instructions
    got: str  # what the summary is: its language code, its length, the method used
    instead: Instead
    refused: int = 0  # sentences the model wrote that the check refused
    text_words: int = 0  # Asked.words: the length of the whole text, in the same unit
    characters: bool = False  # Asked.words: lengths counted in CJK characters, not words


def shortfalls(
    result: SummaryResult,
    target: str,
    words: int,
    method: Method,
    instructions: str | None,
    text_words: int,
    by_meaning: bool = False,
) -> list[Shortfall]:
    """The asks this result did not meet. `target` is the language asked ('' for auto);
    `by_meaning`: -i's passages were found by an embedding model too (pool.py)."""
    found: list[Shortfall] = []
    s = result.stats
    none_written = result.method == Method.extractive or (
        result.method == Method.extract_abstract and s.written == 0
    )
    if result.method == Method.extract_abstract and s.written == 0 and s.refused:
        instead = Instead.all_refused
    elif s.calls and s.fallbacks >= s.calls:
        instead, none_written = Instead.all_fell_back, True
    else:
        instead = Instead.own_sentences
    if target and language.known(target):
        got = language.detect(result.summary)
        if language.known(got) and got != target:
            found.append(Shortfall(Asked.language, target, got, instead, s.refused))
    if method not in (Method.auto, Method.extractive) and none_written:
        found.append(Shortfall(Asked.method, str(method), str(result.method), instead, s.refused))
    if instructions and none_written and instead != Instead.own_sentences:
        found.append(Shortfall(Asked.instructions, instructions, "", instead, s.refused))
    elif (
        instructions
        and (none_written or result.method == Method.hybrid)
        and _unanswered(instructions, result.summary, by_meaning)
    ):  # the text's own words (hybrid deletes some): they can be looked for
        found.append(Shortfall(Asked.instructions, instructions, "", Instead.whole_text))
    length = word_count(result.summary)
    if not WORDS_SHORT_SHARE * words <= length <= WORDS_LONG_SHARE * words:
        cjk = has_cjk(result.summary)
        found.append(
            Shortfall(Asked.words, str(words), str(length), Instead.length, 0, text_words, cjk)
        )
    return found


def _unanswered(instructions: str, summary: str, by_meaning: bool = False) -> bool:
    """Whether -i is a question that names something (not "what happens in the story?")
    and no sentence of the summary has a word of it: the sentences were chosen to answer
    it, so none does where the text has no passage a search for its words finds. A
    question that names no one, answered by meaning (`by_meaning`), is answered in other
    words than its own ("describe the setting": "the colony on the third moon")."""
    q = retrieval.query(instructions)
    if not q.question or not q.terms or (by_meaning and not q.names):
        return False
    return not retrieval.answers(q, [s.text for s in split_sentences(summary)])
