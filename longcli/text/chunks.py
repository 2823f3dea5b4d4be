"""Token-budgeted, structure-aware splitting of a text stream into chunks. Pure: no model calls.

The text is cut into *atoms* at line boundaries, each remembering how strong the boundary
before it is (heading > blank line > line break). An atom over the token budget is refined
at sentence, then word boundaries, then cut hard. Atoms are packed greedily; when the next
atom does not fit, the chunk ends at the strongest boundary in its second half, so chunks
follow chapters and paragraphs where they can. Every chunk's token count is checked exactly
with the real tokenizer, and chunks are contiguous: joined, they are the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from longcli.errors import InputError
from longcli.text.boilerplate import is_attribution, is_heading_line
from longcli.text.layout import CHAPTER_NUMBER
from longcli.text.vocabulary import has_words

CountTokens = Callable[[str], int]  # the model's own tokenizer: text -> tokens

# Boundary strengths: lower is stronger.
HEADING, PARAGRAPH, LINE, SENTENCE, WORD, HARD = range(6)
MIN_FILL = 0.5  # a chunk may end early at a strong boundary once it is this full
MIN_BUDGET_TOKENS = 16
# Streaming: keep at most this many characters per budget token in the buffer.
BUFFER_CHARS_PER_TOKEN = 12
MIN_BUFFER_CHARS = 1 << 16

_HEADING_LINE = re.compile(
    r"(?:#{1,6}\s\S"
    r"|(?:chapter|book|part|act|scene|section|prologue|epilogue)\b[ \t]*[\w.:-]*[ \t]*$"
    r"|[IVXLC]+\.?[ \t]*$"
    r"|(?:\*[ \t]*){3,}$|-{3,}[ \t]*$)",
    re.IGNORECASE,
)
_MAX_HEADING_CHARS = 80
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")
_WORD_END = re.compile(r"\s+")


@dataclass(frozen=True)
class Chunk:
    """A contiguous piece of one source; start/end are character offsets in its text."""

    index: int
    source: int
    start: int
    end: int
    tokens: int
    text: str
    closes: bool = False  # the last chunk of its source: it holds the text's ending


@dataclass(frozen=True)
class _Atom:
    start: int
    end: int
    tokens: int
    strength: int  # of the boundary before this atom


def _line_atoms(text: str) -> list[tuple[int, int, int]]:
    """(start, end, strength) per line; blank lines stay with the line before them."""
    spans: list[tuple[int, int, int]] = []
    pos, n = 0, len(text)
    previous_blank = True
    text_before = ""  # the last line of text
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl + 1
        while end < n and text[end] == "\n":  # swallow the blank lines that follow
            end += 1
        line = text[pos:end].rstrip("\n")
        alone = previous_blank and (end - pos - len(line) > 1 or end == n)  # blank lines round
        heading = spans and len(line) <= _MAX_HEADING_CHARS
        # a chapter's name under its number alone ("CHAPTER III" / "ACROSS THE MOOR") goes
        # with it: a chunk that began at the name left the number's chunk with no name,
        # and The Secret Garden's outline said "Chapter III:" for 9 of 14 chapters
        named = CHAPTER_NUMBER.match(text_before.strip()) is not None and alone
        if heading and _is_heading(line, previous_blank, alone, text_before) and not named:
            strength = HEADING
        elif previous_blank:
            strength = PARAGRAPH
        else:
            strength = LINE
        spans.append((pos, end, strength if spans else HEADING))
        text_before = line if line.strip() else text_before
        previous_blank = end - pos - len(line) > 1 or end == n
        pos = end
    return spans


def _is_heading(line: str, after_blank: bool, alone: bool = False, before: str = "") -> bool:
    """Whether a line is a heading: a Markdown one, a chapter's word or number after a
    blank line, or a line set apart by blank lines that reads as a heading (capitals:
    "DR. JEKYLL WAS QUITE AT EASE", as text/layout.py reads it; a chunk began after it,
    and its sentences were put under the chapter before)."""
    stripped = line.strip()
    if not stripped:
        return False
    if stripped.startswith("#"):
        return _HEADING_LINE.match(stripped) is not None
    if alone and is_heading_line(stripped):
        return not is_attribution(line, before)
    return after_blank and _HEADING_LINE.match(stripped) is not None


def _cut_points(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[int]:
    cuts = [m.end() for m in pattern.finditer(text, start, end) if m.end() < end]
    return [c for c in cuts if c > start]


def _hard_cuts(text: str, start: int, end: int, budget: int, count: CountTokens) -> list[_Atom]:
    """Cut a boundary-free span into pieces of at most `budget` tokens each."""
    atoms: list[_Atom] = []
    pos = start
    chars_per_token = 3.0
    while pos < end:
        remaining = end - pos
        fits, fits_tokens, too_long = 0, 0, remaining + 1
        guess = min(remaining, max(1, int(budget * chars_per_token)))
        for _ in range(12):
            tokens = count(text[pos : pos + guess])
            if tokens <= budget:
                fits, fits_tokens = guess, tokens
                if guess == remaining or tokens >= budget * 0.95:
                    break
            else:
                too_long = guess
            if too_long - fits <= 1:
                break
            scaled = int(guess * budget / max(tokens, 1) * 0.98)
            guess = min(max(scaled, fits + 1), too_long - 1)
        if fits == 0:  # even one character is over budget: cannot happen for sane budgets
            fits, fits_tokens = 1, count(text[pos : pos + 1])
        chars_per_token = max(0.5, fits / max(fits_tokens, 1))
        atoms.append(_Atom(pos, pos + fits, fits_tokens, HARD))
        pos += fits
    return atoms


def _refine(
    text: str, start: int, end: int, strength: int, budget: int, count: CountTokens
) -> list[_Atom]:
    """Atoms for one span, split at ever weaker boundaries until each fits the budget."""
    tokens = count(text[start:end])
    if tokens <= budget:
        return [_Atom(start, end, tokens, strength)]
    for level, pattern in ((SENTENCE, _SENTENCE_END), (WORD, _WORD_END)):
        if level <= strength:
            continue
        cuts = _cut_points(text, start, end, pattern)
        if cuts:
            bounds = [start, *cuts, end]
            atoms: list[_Atom] = []
            for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
                atoms.extend(_refine(text, a, b, strength if i == 0 else level, budget, count))
            return atoms
    hard = _hard_cuts(text, start, end, budget, count)
    return [_Atom(hard[0].start, hard[0].end, hard[0].tokens, strength), *hard[1:]]


def _atoms(text: str, budget: int, count: CountTokens) -> list[_Atom]:
    atoms: list[_Atom] = []
    for start, end, strength in _line_atoms(text):
        atoms.extend(_refine(text, start, end, strength, budget, count))
    return atoms


def _choose_end(atoms: list[_Atom], first: int, stop: int, budget: int) -> int:
    """Where the chunk starting at atom `first` ends, given that atom `stop` no longer fits.

    Among the cuts that leave the chunk at least MIN_FILL full, take the strongest
    boundary, and of equally strong ones the latest.
    """
    if stop >= len(atoms):
        return stop
    best, best_strength, filled = stop, atoms[stop].strength, 0
    for i in range(first + 1, stop):
        filled += atoms[i - 1].tokens
        if filled >= budget * MIN_FILL and atoms[i].strength < best_strength:
            best, best_strength = i, atoms[i].strength
    # A later cut of the same strength keeps more text in this chunk.
    for i in range(stop - 1, best, -1):
        if atoms[i].strength == best_strength:
            return i
    return best


def _pack(text: str, atoms: list[_Atom], budget: int, count: CountTokens) -> list[_Atom]:
    """Group atoms into chunk spans; each span's exact token count is within budget."""
    spans: list[_Atom] = []
    first = 0
    while first < len(atoms):
        total, stop = 0, first
        while stop < len(atoms) and total + atoms[stop].tokens <= budget:
            total += atoms[stop].tokens
            stop += 1
        stop = max(stop, first + 1)
        end = _choose_end(atoms, first, stop, budget)
        while True:
            a, b = atoms[first].start, atoms[end - 1].end
            exact = atoms[first].tokens if end == first + 1 else count(text[a:b])
            if exact <= budget or end == first + 1:
                break
            end -= 1  # the estimate was low: give back the last atom
        spans.append(_Atom(a, b, exact, atoms[first].strength))
        first = end
    return spans


def split_text(text: str, budget: int, count: CountTokens) -> list[tuple[int, int, int]]:
    """Split a whole text into (start, end, tokens) spans of at most `budget` tokens."""
    if budget < MIN_BUDGET_TOKENS:
        raise ValueError(f"chunk budget must be at least {MIN_BUDGET_TOKENS} tokens")
    if not text:
        return []
    return [
        (s.start, s.end, s.tokens) for s in _pack(text, _atoms(text, budget, count), budget, count)
    ]


def chunk_stream(
    blocks: Iterable[str],
    budget: int,
    count: CountTokens,
    source: int = 0,
    first_index: int = 0,
) -> Iterator[Chunk]:
    """Chunk a stream of text blocks, holding only a bounded window of text in memory."""
    if budget < MIN_BUDGET_TOKENS:
        raise ValueError(f"chunk budget must be at least {MIN_BUDGET_TOKENS} tokens")
    high_water = max(MIN_BUFFER_CHARS, budget * BUFFER_CHARS_PER_TOKEN)
    buffer, base, index = "", 0, first_index
    for block in blocks:
        buffer += block
        while len(buffer) >= high_water:
            # Chunk a bounded window; keep its last chunk, which may continue in what follows.
            window = buffer[:high_water]
            spans = split_text(window, budget, count)
            keep_from = spans[-1][0] if len(spans) > 1 else len(window)
            for start, end, tokens in spans[:-1] if len(spans) > 1 else spans:
                yield Chunk(index, source, base + start, base + end, tokens, window[start:end])
                index += 1
            buffer = buffer[keep_from:]
            base += keep_from
    for start, end, tokens in split_text(buffer, budget, count):
        yield Chunk(index, source, base + start, base + end, tokens, buffer[start:end])
        index += 1


class WordWatch:
    """Chunks passed on as they come, noting whether any holds a word (a letter or a digit
    of any script): a text with none (emoji, symbols) is refused once it has been read
    whole, before a model is asked to summarize nothing; and an empty summary can say why."""

    def __init__(self, chunks: Iterable[Chunk], labels: list[str]) -> None:
        self._chunks = chunks
        self._names = ", ".join(labels) or "the input"
        self.worded = False
        self.replaced = False  # held U+FFFD: bytes --errors replace could not decode

    def __iter__(self) -> Iterator[Chunk]:
        shown = seen = False
        for chunk in self._chunks:
            seen = True
            shown = shown or bool(chunk.text.strip())
            self.worded = self.worded or has_words(chunk.text)
            self.replaced = self.replaced or "\ufffd" in chunk.text
            yield chunk
        if not shown:  # the error names the file, as every other input error does
            raise InputError(f"{self._names} is empty{' (only white space)' if seen else ''}")
        if not self.worded:
            raise self.empty_summary()

    def empty_summary(self) -> InputError:
        """The error for a run that produced no summary: never printed as an empty one.
        Extraction quotes any sentence with a word when nothing better is left, so a text
        with words and no summary has no sentences at all: it is all structure."""
        if not self.worded:
            hint = None
            if self.replaced:  # --errors replace turned every letter into U+FFFD
                hint = "its bytes are not UTF-8: --encoding auto names the likely encoding"
            return InputError(
                f"{self._names} has no readable text (no letters or digits)", hint=hint
            )
        return InputError(
            f"{self._names} has no prose to summarize (only headings, code, tables or "
            "other structure)"
        )
