"""Splitting text into sentences with their character offsets. Pure, no model.

Used by extraction (which sentences to keep), the grounding check (which sentences of
an answer to drop) and citations (which source sentences an answer sentence comes from).

Boundaries, strongest first: blank lines (unless the text runs on across one, from a word
to a lower-case word); line breaks before a list item or heading, after a heading, a
colon, or a short line (verse, speaker labels, log lines); sentence punctuation followed
by a capital of any script, a digit, or a letter of a script without capitals (Korean,
Arabic...), maybe after an opening quote, ¿ or ¡; unless the word before it is a known
abbreviation ("Dr.", "bzw.", "Sra.", "Mme", "проф."), a single letter (an initial, or
part of "z. B.", "d. h.", "т. е."), a German ordinal ("im 19. Jahrhundert") or a
heading's number ("## 3. Scope"). Chinese and Japanese sentences end at 。！？ followed by
anything, except inside a 「」『』“” quotation or before the と, 他说 that goes on after
one. Hard-wrapped prose lines are joined, and so are the lines of a list item, however it
wraps. A sentence longer than `max_words` is cut at semicolons, line breaks, then every
`max_words` words (CJK: at ；，、 past CJK_CHARS_PER_WORD x `max_words` characters, or at
that length where there is none), so one run-on line can never become one giant sentence;
a span of few words but over MAX_SENTENCE_CHARS characters is cut by length too. Format
characters (a zero-width space, a BOM, a bidi mark: Unicode Cf) are invisible: they never
decide where a sentence starts or ends, and never stand at a sentence's edge. Every step is
linear in the text (bench/text_scaling.py measures it on hostile inputs).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from longcli.text.vocabulary import FORMAT_CHARS, invisible

MAX_SENTENCE_WORDS = 60
CJK_CHARS_PER_WORD = 2  # a CJK sentence is cut past this many characters per max word
NUMBERING_CHARS = 24  # "### 12.3.4" and its indent: a heading's number is no longer
SHORT_LINE_CHARS = 50  # a line shorter than this ends its sentence (verse, labels, logs)
# A sentence of few words but more characters than this (a script written without spaces,
# such as Thai, a URL, an encoded blob) is cut by length, so no unit is unboundedly long.
MAX_SENTENCE_CHARS = 1_000
ZWJ = "\u200d"

# Words that end with a period but not a sentence. English, then the main European
# languages (a single letter and a period, as in "z. B.", "d. h.", "p. ej.", "т. е.", is
# always an abbreviation or an initial, so those need no entry).
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr gen col lt capt cmdr cmdre sgt maj adm gov sen rep rev hon
    fr mt ft vs etc al no nos vol vols fig figs ch pp approx inc ltd co corp dept est jan feb
    mar apr jun jul aug sep sept oct nov dec e.g i.e cf viz ca
    bzw usw vgl ggf evtl bspw inkl nr str hr abb abs bd jh jhd mio mrd tsd zb dh ua
    sra srta dra dres pág págs núm ud uds ee uu aprox av avda
    mme mlle mm mgr env chap
    sig sigg dott ing
    г гг др им проф ул стр см млн млрд тыс руб коп акад доц""".split()
)


def is_abbreviation(word: str) -> bool:
    """Whether `word` (without its period) is one of the abbreviations a period does not
    end a sentence after ("Dr", "Mrs", "St", "z"): a title before a name is no name."""
    return word.lower() in _ABBREVIATIONS


# A sentence may end with these, and does when a capital follows: "... usw. Dann".
# ("и т. д." and "и т. п." too: _FINAL_ABBREVIATION.)
_FINAL_ABBREVIATIONS = frozenset("etc usw".split())
# German writes ordinals with a period ("im 19. Jahrhundert", "am 3. Oktober").
_ORDINAL_NEXT = re.compile(
    r"\s+(?:Jahrhunderts?|Jh|Januar|Februar|März|April|Mai|Juni|Juli|August|September"
    r"|Oktober|November|Dezember|Mal|Platz|Stock|Klasse)\b"
)
_ORDINAL_BEFORE = re.compile(r"(?<![\d.,])\d{1,2}$")
_NUMBERING = re.compile(r"[ \t]*(?:#{1,6}[ \t]*)?\d{1,3}(?:\.\d{1,3})*")
_UNIT_AFTER_NUMBER = re.compile(r"\d\s?[^\W\d_]$")  # "250 g.", "40 м." end sentences
_FINAL_ABBREVIATION = re.compile(r"(?:\bт\.\s?[дп]|\bи\s+др)$")
# Closing quotes after the end: English ” ’, German “ ‘, French » (after a space), brackets,
# Markdown's closing emphasis ("**Nothing is lost.** The cache..."), and invisible format
# characters. The run of marks is matched whole, from its first mark (lookbehind,
# possessive): tried at each of 100,000 periods it was quadratic.
_SENTENCE_END = re.compile(rf"(?<![.!?…])[.!?…]++(?:[\"'”’“‘»)\]*_{FORMAT_CHARS}]|\s[»”])*(?=\s)")
# What may open a sentence before its first letter: quotes of every language, ¿ ¡, brackets.
# Format characters (a zero-width space, a BOM, a bidi mark) are invisible: skipped too.
_OPENERS = re.compile(rf"\s+(?:[\"'“‘„‚«»‹(\[¿¡「『—–{FORMAT_CHARS}-]\s?)*")
_CJK_END = re.compile(r"[。！？．｡]+[」』”’）)〉》]*|(?<![!?])[!?]++(?=[\u3040-\u9fff])")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_CLAUSE_MARKS = "；，、;,"
_CJK_QUOTE_CLOSERS = "」』”’"
# Japanese and Chinese go on after a quotation that ends with 。: 「…。」と話します、“…。”他说.
_QUOTE_GOES_ON = re.compile(r"と|って|とい|他说|她说|他问|她问|说|道|问")
_CJK_OPENERS = {"「": "」", "『": "』", "“": "”"}
QUOTE_REACH_CHARS = 200  # an opening CJK quote this far back, still open, holds a 。
_LIST_OR_HEADING = re.compile(r"[ \t]*(?:[-*•+][ \t]|\d{1,3}[.)][ \t]|#{1,6}[ \t]|>)")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*•+][ \t]|\d{1,3}[.)][ \t])")
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]")
_UNDERLINE = re.compile(r"[ \t]{0,3}(?:={3,}|-{3,})[ \t]*(?:\n|$)")
_VISIBLE = re.compile(rf"[^\s{FORMAT_CHARS}]")
# a line that opens with a date, a time or an epoch stamp ("2024-05-01", "12:00:01",
# "01/05/24", "1700000000") is a record; a version or address ("3.11.2", "10.0.0.1") is not
RECORD_START = re.compile(
    r"[ \t]*(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}:\d{2}(?::\d{2})?|\d{9,})"
    r"(?=[\sT,\]]|$)"
)
_MARK_RUN = re.compile(r"([^\w\s])\1{3,}")  # "......", "-----": a run of one mark
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Sentence:
    """One sentence: its offsets in the text it came from, and its text on one line."""

    start: int
    end: int
    text: str


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the period at `dot` ends an abbreviation or an initial, not a sentence."""
    match = _WORD_BEFORE.search(text, max(0, dot - 12), dot)
    if not match:
        return False
    word = match.group(1)
    last = word.rsplit(".", 1)[-1] if not word.endswith(".") else word
    if (
        len(last) == 1
        and last.isalpha()
        and not _UNIT_AFTER_NUMBER.search(text, max(0, dot - 3), dot)
    ):
        # An initial ("J. Smith", "I.V. Hendricks") or one letter of "z. B.", "т. е.";
        # but "и т. д." and "и т. п." may close a sentence.
        return not _FINAL_ABBREVIATION.search(text, max(0, dot - 8), dot)
    reach = max(0, dot - NUMBERING_CHARS)  # a number that starts its line, not far back
    line_start = text.rfind("\n", reach, dot) + 1 or (0 if reach == 0 else dot)
    if line_start < dot and _NUMBERING.fullmatch(text, line_start, dot):
        return True  # "## 3. Core ideas", "2.1. Scope": a heading's or list's number
    if word.isdigit() and _ORDINAL_BEFORE.search(word) and _ORDINAL_NEXT.match(text, dot + 1):
        return True  # "im 19. Jahrhundert"
    lowered = word.lower().rstrip(".")
    if lowered in _FINAL_ABBREVIATIONS:
        return False
    return is_abbreviation(lowered) or is_abbreviation(last)


def _ends_abbreviation(block: str, nl: int) -> bool:
    """Whether the line ending at `nl` ends with an abbreviation ("ca." before "70 %")."""
    dot = nl - 1
    while dot > 0 and block[dot] in " \t":
        dot -= 1
    return dot > 0 and block[dot] == "." and _is_abbreviation(block, dot)


def _starts_sentence(text: str, pos: int, lowercase_starts: bool) -> bool:
    """Whether what follows `pos` (space, then maybe quotes, ¿, a dash) opens a sentence:
    a capital, a digit, or a letter of a script without case (Korean, Arabic, Thai...)."""
    opened = _OPENERS.match(text, pos)
    if opened is None or opened.end() == pos or opened.end() >= len(text):
        return False
    first = text[opened.end()]
    if lowercase_starts:
        return first.isalnum()
    return (
        first.isupper() or first.isdigit() or (first.isalpha() and first.lower() == first.upper())
    )


def _inside_cjk_quote(block: str, pos: int) -> bool:
    """Whether `pos` lies inside a 「」, 『』 or “” quotation that closes further on."""
    start = max(0, pos - QUOTE_REACH_CHARS)
    for opener, closer in _CJK_OPENERS.items():
        opened = block.rfind(opener, start, pos)
        still_open = opened >= 0 and block.find(closer, opened, pos) < 0
        if still_open and block.find(closer, pos, pos + QUOTE_REACH_CHARS) >= 0:
            return True
    return False


def _line_cuts(block: str, base: int) -> Iterator[int]:
    """Offsets where a single line break inside a paragraph ends a sentence."""
    pos = 0
    in_item = False  # the line belongs to a list item, whose wrapped lines are one unit
    ahead: re.Match[str] | None = None
    line = ""  # the line before, once the loop has moved on
    while True:
        nl = block.find("\n", pos)
        if nl < 0:
            return
        before, line = line, block[pos:nl].strip()
        in_item = in_item or _LIST_ITEM.match(block, pos) is not None
        if ahead is None or ahead.start() <= nl:  # else the lines up to it are all space:
            ahead = _VISIBLE.search(block, nl + 1)  # searched again, quadratic in them
        following = ahead.group(0) if ahead else ""
        cut = False
        if line and following:
            starts_unit = _LIST_OR_HEADING.match(block, nl + 1) is not None
            if _HEADING.match(block, pos) or _UNDERLINE.match(block, pos):
                cut = True  # a heading (or its underline) is never part of a sentence
            elif _UNDERLINE.match(block, nl + 1):
                cut = True
            elif in_item and not starts_unit and (block[nl + 1] in " \t" or following.islower()):
                cut = False  # an indented (or lower-case) line goes on with its list item
            else:
                breaks = (
                    starts_unit
                    or line.endswith(":")
                    or (
                        len(line) < SHORT_LINE_CHARS and not _wrapped_short(block, line, before, nl)
                    )
                    or (following.isdigit() and _starts_record(block, line, nl))
                )
                joins = following.islower() and not line.endswith(":")
                cut = breaks and not joins
        if cut:
            in_item = False
            yield base + nl + 1
        pos = nl + 1
        if ahead is None:
            return  # nothing visible follows: no line break can end a sentence


def _wrapped_short(block: str, line: str, before: str, nl: int) -> bool:
    """Whether a short line is prose wrapped early, not verse or a label: it stops on a
    word, between two long lines of its paragraph ("...wartet.\\nEr ist mächtig. Ein Mann
    geht vom\\nLande zum Tor und bittet um Eintritt...")."""
    if not line[-1:].isalnum() or len(before) < SHORT_LINE_CHARS:
        return False
    after = block.find("\n", nl + 1)
    return len(block[nl + 1 : after if after >= 0 else len(block)].strip()) >= SHORT_LINE_CHARS


def _starts_record(block: str, line: str, nl: int) -> bool:
    """Whether the line after `nl`, which opens with a digit, is a record of its own (a log
    line) rather than wrapped prose ("Bring a\n1-8B model", "as records show,\n42 ships"):
    it opens with a date, time or epoch stamp, or the line before did (a run of records),
    or the line before ended a sentence or clause (. ! ? : ;)."""
    if _ends_abbreviation(block, nl):
        return False
    return (
        RECORD_START.match(block, nl + 1) is not None
        or RECORD_START.match(line) is not None
        or line[-1] in ".!?:;"
    )


def _punctuation_cuts(block: str, base: int, lowercase_starts: bool) -> Iterator[int]:
    for match in _SENTENCE_END.finditer(block):
        end = match.end()
        if not _starts_sentence(block, end, lowercase_starts):
            continue
        lone_dot = block[match.start()] == "." and match.end() - match.start() == 1
        if lone_dot and _is_abbreviation(block, match.start()):
            continue
        yield base + end
    for match in _CJK_END.finditer(block):
        end = match.end()
        if end >= len(block) or _inside_cjk_quote(block, end):
            continue
        if block[end - 1] in _CJK_QUOTE_CLOSERS and _QUOTE_GOES_ON.match(block, end):
            continue
        yield base + end


def _runs_on(text: str, before: int, after: int) -> bool:
    """Whether a blank line between `before` and `after` falls inside a sentence: the text
    before ends on a word or comma, not on a heading or list item, and goes on in lower case."""
    if after >= len(text) or not text[after].islower():
        return False
    while before > 0 and text[before - 1] in " \t":
        before -= 1
    if before == 0 or not (text[before - 1].isalnum() or text[before - 1] == ","):
        return False
    line_start = text.rfind("\n", 0, before) + 1
    return _LIST_OR_HEADING.match(text, line_start) is None


def _spans(text: str, lowercase_starts: bool) -> list[tuple[int, int]]:
    cuts = {0, len(text)}
    pos = 0
    for gap in [*_BLANK_LINES.finditer(text), None]:
        stop = gap.start() if gap else len(text)
        block = text[pos:stop]
        cuts.update(_line_cuts(block, pos))
        cuts.update(_punctuation_cuts(block, pos, lowercase_starts))
        if gap:
            if not _runs_on(text, gap.start(), gap.end()):
                cuts.add(gap.start())
                cuts.add(gap.end())
            pos = gap.end()
    ordered = sorted(cuts)
    return list(zip(ordered, ordered[1:], strict=False))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without white space or format characters at its edges: a zero-width space
    or a bidi mark opening a paragraph is no part of its first sentence."""
    while start < end and invisible(text[start]):
        start += 1
    while end > start and invisible(text[end - 1]):
        end -= 1
    return start, end


def _cut_long(text: str, start: int, end: int, max_words: int) -> Iterator[tuple[int, int]]:
    """A run-on span cut at semicolons, then line breaks, then every max_words words
    (Chinese and Japanese: at clause marks, every CJK_CHARS_PER_WORD x max_words characters)."""
    if len(text[start:end].split()) <= max_words:
        if _CJK_CHAR.search(text, start, end) and end - start > CJK_CHARS_PER_WORD * max_words:
            yield from _cut_cjk(text, start, end, CJK_CHARS_PER_WORD * max_words)
        elif end - start > MAX_SENTENCE_CHARS:
            yield from _cut_by_length(text, start, end)
        else:
            yield start, end
        return
    for separator in ("; ", "\n"):
        pieces = text[start:end].split(separator)
        if len(pieces) > 1:
            pos = start
            for piece in pieces:
                piece_end = pos + len(piece) + (len(separator) if separator == "; " else 0)
                piece_end = min(piece_end, end)
                s, e = _trimmed(text, pos, piece_end)
                if e > s:
                    yield from _cut_long(text, s, e, max_words)
                pos = pos + len(piece) + len(separator)
            return
    words = list(re.finditer(r"\S+", text[start:end]))
    for i in range(0, len(words), max_words):
        group = words[i : i + max_words]
        yield start + group[0].start(), start + group[-1].end()


def _cut_by_length(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A span of few words but many characters cut where a run of one mark repeated
    starts (its first mark ends what stands before it: "Monday" and 100,000 periods is
    "Monday."), then after a clause mark or a space, at most MAX_SENTENCE_CHARS apart."""
    pos = start
    for run in [*_MARK_RUN.finditer(text, start, end), None]:
        stop = run.start() + 1 if run else end
        s, e = _trimmed(text, pos, stop)
        if e - s > MAX_SENTENCE_CHARS:
            yield from _cut_cjk(text, s, e, MAX_SENTENCE_CHARS, _CJK_CLAUSE_MARKS + " ")
        elif e > s:
            yield s, e
        if run:
            pos = run.end()


def _cut_cjk(
    text: str, start: int, end: int, limit: int, marks: str = _CJK_CLAUSE_MARKS
) -> Iterator[tuple[int, int]]:
    """A long CJK span cut after ；，、 so that each piece is at most about `limit` chars;
    with no such mark, cut at `limit` chars (27,000 characters written without punctuation
    are still read as units a summary can choose), never inside a grapheme."""
    piece, mark = start, -1
    for i in range(start, end):
        if text[i] in marks:
            mark = i + 1
        if i + 1 - piece > limit and mark <= piece and _grapheme_boundary(text, i + 1):
            mark = i + 1
        if i + 1 - piece > limit and mark > piece:
            s, e = _trimmed(text, piece, mark)
            if e > s:
                yield s, e
            piece = mark
    s, e = _trimmed(text, piece, end)
    if e > s:
        yield s, e


def _grapheme_boundary(text: str, pos: int) -> bool:
    """Whether a cut at `pos` leaves every character with its marks and joiners: what
    follows is no combining mark and neither side is a zero-width joiner."""
    if pos >= len(text):
        return True
    following = text[pos]
    joined = following == ZWJ or text[pos - 1] == ZWJ or "\ufe00" <= following <= "\ufe0f"
    return not joined and unicodedata.category(following)[0] != "M"


def split_sentences(
    text: str, *, max_words: int = MAX_SENTENCE_WORDS, lowercase_starts: bool = False
) -> list[Sentence]:
    """The sentences of `text`, in order, with offsets into `text`.

    `lowercase_starts`: also end a sentence before a lower-case word (chat messages,
    where "my cat is Tom. i live in Oslo" is two statements).
    """
    sentences: list[Sentence] = []
    for raw_start, raw_end in _spans(text, lowercase_starts):
        start, end = _trimmed(text, raw_start, raw_end)
        if end <= start:
            continue
        for s, e in _cut_long(text, start, end, max_words):
            body = _SPACE.sub(" ", text[s:e]).strip()
            if any(ch.isalnum() for ch in body):
                sentences.append(Sentence(s, e, body))
    return sentences
