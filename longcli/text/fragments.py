"""The units of prose a summary may quote: one chunk cut into units, each judged whether a
reader could use it on its own. Pure.

`readable_units(text, at_start)` cuts one chunk into the units extraction may choose:
headings, code, tables, tables of contents and running page headers are structure, never
sentences (text/layout.py; a heading names the section the units after it belong to); a
list item is one unit however it wraps; a word hyphenated across a line end is joined; and
a unit is `readable` only if a reader could use it on its own (see `verdict`). At the start
of a source, its title (and author, or the first sentence of its introduction or abstract)
becomes the `lead`. Every offset is the chunk's: structure is blanked, never removed.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from longcli.text import language
from longcli.text.boilerplate import TITLE_SEARCH_CHARS, blank, heading_word
from longcli.text.layout import (
    ATX,
    ITEM,
    SETEXT,
    SPACE,
    TERMINAL,
    Layout,
    inline,
    is_abstract,
    layout_of,
    lines_of,
)
from longcli.text.marks import Work, menu_like
from longcli.text.sentences import RECORD_START, split_sentences
from longcli.text.vocabulary import FORMAT_CHARS, LETTERS, visible, word_count

MIN_WORDS = 4  # shorter units ("Ambergris.", "Mr. Darcy bowed.") are not summary sentences
MAX_QUOTED_SHARE = 0.5  # a unit mostly inside quotation marks is dialogue, not narration
MIN_LETTER_SHARE = 0.6  # of non-space characters: fewer letters means numbers, code, tables
CODE_SHARE = 0.3  # a unit this much `code` is a command line or a list of names, not prose
TITLE_MAX_WORDS = 14
SAMPLE_CHARS = 2000  # of a source's start: the language its lead is written in

_BYLINE_SENTENCE = re.compile(  # "By ALFRED COPPEL, JR.": a name, no sentence
    r"(?:[Bb]y|BY|(?:[Tt]ranslated|[Ii]llustrated|[Ee]dited) by)\s+[A-Z][\w.'’-]*"
    r"(?:[\s,]+(?:[A-Z][\w.'’-]*|and|&|de|van|von))*\.?$"
)
_BYLINE = re.compile(r"^\s*by\s+(\S.{1,80}?)\s*$", re.IGNORECASE)
_TITLE_FIELD = re.compile(r"^[ \t]*Title:[ \t]*(\S.*)$", re.IGNORECASE | re.MULTILINE)
_AUTHOR_FIELD = re.compile(r"^[ \t]*Author:[ \t]*(\S.*)$", re.IGNORECASE | re.MULTILINE)

_QUOTE_PREFIX = re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE)
_HYPHEN_BREAK = re.compile(r"([^\W\d_]+)-[ \t]*\n[ \t]*([^\W\d_]+)")
_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
_LABEL = re.compile(r"^\s*(\*\*|__)([^*_\n]{1,40}?)\1\s*(:?)\s*(?=\S)")
_BOLD_UNIT = re.compile(r"\s*(\*\*|__)(?=\S)(?:(?!\1)[^\n])+(?<=\S)\1\s*$")
_INNER_END = re.compile(r"[.!?…。！？][\"'”’)\]]*\s")
_KEEP_HYPHEN_BEFORE = frozenset("and or to nor und et ou".split())
_SMALL_WORDS = frozenset("a an and as at but by for in nor of on or the to with from".split())
_ROMAN = re.compile(r"^[IVXLC]+[.,]?$")

_URL = re.compile(r"https?://|www\.\w|\w\.(?:com|org|net|io|edu|gov)/|<\w+@", re.IGNORECASE)
_BOILERPLATE = re.compile(
    r"project gutenberg|gutenberg\.org|gutenberg-tm|pgdp|distributed proofread|"
    r"this e-?text|this e-?book|transcriber|u\.s\. copyright|copyright (?:\d|law|holder)|"
    r"all rights reserved|proofreading team",
    re.IGNORECASE,
)
_REFERENCE = re.compile(
    r"^\[\d{1,3}\]|\bet al\.,?\s*\(?\d{4}|\bdoi:\s*10\.|\barxiv:\s*\d|\bpp\.\s*\d+\s*[-–]\s*\d",
    re.IGNORECASE,
)
# Inline TeX math ("$\\mathbf{x'}$", "$Q$"), as Pandoc tells it from money: the opening $ has
# a non-space after it, the closing one a non-space before it and no digit after ("$5-$10").
_INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?=[^\s$])(?:[^$\n\\]|\\.)*?(?<=[^\s\\])\$(?![\d$])")
_SPEAKER = re.compile(r"\b(?:I|I'\w+|me|my|mine|we|us|our|ours|you|your|yours)\b", re.I)
_CLOSERS = "\"'”’»」』）)]*_`"
_OPENERS = "\"'“‘«「『（([*_"
# What may stand before a sentence's first word: openers, and invisible format characters
# (a zero-width space, a second BOM, a bidi mark never make a sentence start mid-way).
_LEAD_IN = re.compile(rf"^[\"'“‘«「『（(\[*_\s{FORMAT_CHARS}]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def _full_stop(text: str) -> str:
    return "。" if _CJK.search(text) else "."


def joined(sentences: Iterable[str]) -> str:
    """Sentences as one paragraph: a space between them, none after 。！？ before CJK; a
    record (a log line, opening with its stamp) on a line of its own, as it was written."""
    out: list[str] = []
    for sentence in sentences:
        if out and RECORD_START.match(sentence):
            out.append("\n")
        elif out and not (out[-1][-1:] in "。！？" and _CJK.match(sentence)):
            out.append(" ")
        out.append(sentence)
    return "".join(out)


@dataclass(frozen=True)
class Unit:
    """A span of a chunk that extraction may choose, with the text a reader would see."""

    start: int
    end: int
    text: str
    readable: bool  # a reader could use it on its own (verdict() gave no reason against)
    section: str = ""  # the heading it is under, when the chunk shows one
    lead: bool = False  # the document's title, or its introduction's first sentence


def _vocabulary(text: str) -> tuple[set[str], set[str]]:
    lower = text.lower()
    return set(LETTERS.findall(lower)), set(_HYPHENATED.findall(lower))


def _dehyphenated(raw: str, vocabulary: tuple[set[str], set[str]] | None) -> str:
    """A word broken across a line end joined ("exam-\\nple" -> "example"), unless the
    text spells it with the hyphen, or the hyphen is suspended ("pre- and post-war")."""

    def join(match: re.Match[str]) -> str:
        first, second = match.group(1), match.group(2)
        if second.lower() in _KEEP_HYPHEN_BEFORE:
            return f"{first}- {second}"
        if second[0].isupper():
            return f"{first}-{second}"
        words, hyphenated = vocabulary or (set(), set())
        whole = f"{first}{second}"
        if f"{first}-{second}".lower() in hyphenated and whole.lower() not in words:
            return f"{first}-{second}"
        return whole

    return _HYPHEN_BREAK.sub(join, raw)


def _quote_starts(text: str, starts: list[int]) -> list[bool]:
    """For each offset (ascending), whether it lies inside an open quotation. Quotations
    end at a blank line (a speech running on opens each paragraph again)."""
    inside: list[bool] = []
    depth = 0
    marks = re.finditer(r"[“”\"]|\n[ \t]*\n", text)
    mark = next(marks, None)
    for start in starts:
        while mark is not None and mark.start() < start:
            ch = mark.group(0)
            if ch == "“":
                depth = 1
            elif ch == "”":
                depth = 0
            elif ch == '"':
                depth = 1 - depth
            else:
                depth = 0
            mark = next(marks, None)
        inside.append(depth > 0)
    return inside


def verdict(text: str, item: bool = False, inside_quote: bool = False) -> str:
    """Why a unit cannot stand on its own in a summary, or "" when it can."""
    stripped = visible(text)
    if not stripped:
        return "empty"
    if word_count(stripped) < MIN_WORDS:
        return "short"
    if inside_quote and (_SPEAKER.search(stripped) or stripped.rstrip(_CLOSERS)[-1:] in "?!"):
        return "inside a quotation"  # someone's "I" or "you", a question: speech, not story
    head = _LEAD_IN.sub("", stripped, count=1)
    if not head:
        return "no words"
    starts_well = (head[0].isalnum() and not head[0].islower()) or head[0] in "$€£¡¿"
    if not (starts_well or item or stripped.startswith("`")):
        return "starts mid-sentence"
    tail = stripped.rstrip(_CLOSERS)
    whole_line = item or RECORD_START.match(stripped) is not None  # a log line has no stop
    if not tail or (tail[-1] not in TERMINAL and not (whole_line and tail[-1].isalnum())):
        return "unfinished"
    if stripped[0] in "”’»」』" or _unbalanced(stripped):
        return "unbalanced quotes"
    if _quoted_share(stripped) >= MAX_QUOTED_SHARE:
        return "dialogue"
    letters = [ch for ch in stripped if ch.isalpha()]
    cased = [ch for ch in letters if ch.isupper() or ch.islower()]
    if len(cased) >= 4 and all(ch.isupper() for ch in cased):
        return "all capitals"
    said = RECORD_START.sub("", stripped, count=1)  # a log line's stamp is not its content
    shown = sum(1 for ch in said if not ch.isspace())
    if len(letters) < MIN_LETTER_SHARE * shown:
        return "not prose"
    coded = sum(len(m) for m in re.findall(r"`[^`]*`", stripped))
    if "```" in stripped or coded > CODE_SHARE * len(stripped):
        return "code"
    if _URL.search(stripped):
        return "link"
    if _INLINE_MATH.search(stripped):
        return "math"  # "$\\mathbf{x'}$" is markup to a reader, and the formula unread
    if _BOILERPLATE.search(stripped):
        return "boilerplate"
    if _BYLINE_SENTENCE.match(stripped):
        return "byline"
    if _REFERENCE.search(stripped):
        return "reference"
    if _INNER_END.search(stripped) and any(
        word_count(s.text) < MIN_WORDS for s in split_sentences(stripped)
    ):
        return "short"  # "Resume. Every call is cached." holds a one-word sentence
    return ""


def _opens_speech(text: str) -> bool:
    """Whether the text opens a quotation it does not close (it goes on after it)."""
    if text[:1] == "“":
        return text.count("“") == 1 and "”" not in text
    return text[:1] == '"' and text.count('"') == 1


def _unbalanced(text: str) -> bool:
    return (
        text.count("“") != text.count("”")
        or text.count('"') % 2 == 1
        or text.count("‘") > text.count("’")
        or text.count("「") != text.count("」")
        or text.count("(") != text.count(")")
    )


def _quoted_share(text: str) -> float:
    quoted = sum(len(m.group(0)) for m in re.finditer(r"“[^”]*”|\"[^\"]*\"|「[^」]*」", text))
    return quoted / max(len(text), 1)


def _unit_text(raw: str, item: bool, vocabulary: tuple[set[str], set[str]] | None) -> str:
    if item:
        raw = ITEM.sub("", raw, count=1)
    raw = _QUOTE_PREFIX.sub("", raw)
    label = _LABEL.match(raw)
    # "**Resume.** Every call is cached": a label, not part of the sentence
    ends = label is not None and (label.group(3) or label.group(2).rstrip().endswith((".", ":")))
    if label is not None and ends and len(label.group(2).split()) <= 4:
        raw = raw[label.end() :]
    if "-" in raw and "\n" in raw:
        raw = _dehyphenated(raw, vocabulary)
    text = inline(raw)
    if item and text and text.rstrip(_CLOSERS)[-1:].isalnum():
        text += _full_stop(text)  # an item read as a sentence ends like one
    return text


def readable_units(text: str, at_start: bool = False) -> list[Unit]:
    """The units of one chunk, in order; `at_start`: the chunk begins its source, so its
    title, author and introduction are looked for."""
    layout = layout_of(text)
    masked = layout.text
    title = _title(text, layout) if at_start else None
    if title is not None:
        masked = (
            masked[: title.start] + blank(masked[title.start : title.end]) + masked[title.end :]
        )
    found = split_sentences(masked)
    inside = _quote_starts(masked, [s.start for s in found])
    vocabulary = _vocabulary(text) if "-\n" in text or "- \n" in text else None
    units: list[Unit] = []
    heading = 0
    items = _ItemStarts(masked, layout.items)
    lone_numbers = sorted(layout.lone_numbers)
    cut = False  # the unit before stopped mid-clause: a blank line broke its sentence
    for sentence, quoted in zip(found, inside, strict=True):
        while heading < len(layout.headings) and layout.headings[heading][0] <= sentence.start:
            heading += 1
        section = _cased(layout.headings[heading - 1][1]) if heading else ""
        item = items.opens(sentence.start)
        body = _unit_text(masked[sentence.start : sentence.end], item, vocabulary)
        if _opens_speech(body):  # '"The first Strykalski won a medal.' (the speech goes on)
            body, quoted = body[1:].lstrip(), True
        ok = not verdict(body, item, quoted) and not (cut and not item)
        # A step of a numbered list ("1. Convert each word into a query vector.") says
        # what to do at that point of a procedure the summary does not show.
        ok = ok and not (item and items.line_start in layout.steps)
        # "**What it cannot see.** It compares words": a run-in heading, bold as a whole
        ok = ok and not _BOLD_UNIT.match(masked, sentence.start, sentence.end)
        cut = _breaks_off(body)  # "... the ancient city of" | "Kal-Jmar—a city of ..."
        number = bisect_left(lone_numbers, sentence.start)
        if ok and number < len(lone_numbers) and lone_numbers[number] < sentence.end:
            ok = False  # a page number or a superscript inside it: not one the reader can use
        units.append(Unit(sentence.start, sentence.end, body, ok, section))
    return _with_leads(units, title, layout, text) if at_start else units


# Words no sentence or heading ends on: a unit that does was cut by a blank line.
_DANGLING = frozenset(
    "a an the of to in on at by for with from into onto and or but nor than that whose".split()
)


def _breaks_off(text: str) -> bool:
    """Whether a unit stops where no sentence can: on a comma or a dangling word."""
    tail = visible(text).rstrip()
    words = tail.split()
    return tail.endswith(",") or (bool(words) and words[-1] in _DANGLING)


class _ItemStarts:
    """Which sentences open a list item, asked in the order of the text: one scan of it
    (asked afresh, each of the 20,000 sentences of "0. 1. 2. ..." read its line again)."""

    _PREFIX = re.compile(r"[ \t\-*+•0-9.)]*")  # what may stand before an item's words

    def __init__(self, text: str, items: frozenset[int]) -> None:
        self._text, self._items = text, items
        self._line_start, self._scanned, self._bare = 0, 0, True

    @property
    def line_start(self) -> int:
        """Where the line of the sentence last asked about starts."""
        return self._line_start

    def opens(self, start: int) -> bool:
        """Whether a sentence at `start` (not before the last asked) opens a list item:
        its line starts one, and only the item's marker stands before it on the line."""
        line_start = self._text.rfind("\n", self._scanned, start) + 1
        if line_start > self._line_start:
            self._line_start, self._scanned, self._bare = line_start, line_start, True
        if self._line_start not in self._items:
            self._scanned = max(self._scanned, start)
            return False
        if self._bare:  # only marker characters so far: are the ones since still so?
            prefix = self._PREFIX.match(self._text, self._scanned, start)
            self._bare = prefix is not None and prefix.end() == start
        self._scanned = max(self._scanned, start)
        return self._bare


# -- the lead: title, author, introduction -------------------------------------------------


@dataclass(frozen=True)
class _Title:
    start: int
    end: int
    title: str
    author: str
    introduced: bool  # a Markdown title or an Abstract: its first sentence leads too


def _title(text: str, layout: Layout) -> _Title | None:
    """The document's title (and author), from a first heading or short line with a byline
    under it (a title page from metadata has that shape: text/marks.title_page), Gutenberg's
    Title: and Author: lines, or a first heading or short line alone; with the text's own
    repetition of it right after (a title page's title again, set over lines) left out."""
    head = text[:TITLE_SEARCH_CHARS]
    opening = _opening_title(head, layout)
    found = opening if opening is not None and opening.author else _field_title(head)
    found = found or opening
    return _with_repetition(head, found) if found is not None else None


def title_of(text: str) -> Work | None:
    """The title and author the start of a source shows, as its lead names them."""
    head = text[:TITLE_SEARCH_CHARS]
    found = _title(head, layout_of(head))
    return Work(found.title, found.author) if found is not None else None


def _field_title(head: str) -> _Title | None:
    """The title of Gutenberg's "Title:" line, with its "Author:" line if near."""
    field = _TITLE_FIELD.search(head)
    if field is None:
        return None
    author = _AUTHOR_FIELD.search(head, field.end())
    end = author.end() if author and author.start() - field.end() < 400 else field.end()
    name = author.group(1).strip() if author and end == author.end() else ""
    return _Title(field.start(), end, _cased(field.group(1)), _cased(name), False)


def _opening_title(head: str, layout: Layout) -> _Title | None:
    """The title the first lines show: a first heading, or a short line under or over a
    byline, a name, or a blank line."""
    first = [(pos, line) for pos, line in lines_of(head) if line.strip()][:4]
    if not first:
        return None
    pos, line = first[0]
    heading = layout.headings[0] if layout.headings else None
    if heading is not None and heading[0] == pos:
        atx = ATX.match(line.rstrip("\n"))
        end = pos + len(line)
        if atx is not None and len(atx.group(1)) == 1:
            return _with_byline(head, _Title(pos, end, heading[1], "", True), first)
        if atx is not None and _names_the_work(heading[1]) and not _has_h1(head, layout):
            # "## Extending an LLM's memory" first, and no "# " anywhere: the author's title
            return _with_byline(head, _Title(pos, end, heading[1], "", True), first)
        underline = head[end:].split("\n", 1)[0]
        if atx is None and SETEXT.match(underline):  # a setext title: its underline goes too
            title = _Title(pos, end + len(underline), heading[1], "", True)
            return _with_byline(head, title, first)
    candidate = inline(line.strip())
    if not _title_like(candidate):
        return None
    titled = _with_byline(head, _Title(pos, pos + len(line), _cased(candidate), "", False), first)
    if titled.author:
        return titled
    next_line = head[pos + len(line) :].split("\n", 1)[0]
    if len(first) > 1 and not next_line.strip():
        return titled  # then a blank line
    second = inline(first[1][1].strip()) if len(first) > 1 else ""
    if not _title_like(second):
        return None
    end = first[1][0] + len(first[1][1])
    if _name_like(candidate) and not _name_like(second) and not _DIGIT.search(second):
        # "Лев Толстой" over "Война и мир" (not "Weekly Report" over "March 2024")
        return _Title(pos, end, _cased(second), _cased(candidate), False)
    if _name_like(second) and not _name_like(candidate):  # "Emma" over "Jane Austen"
        return _Title(pos, end, _cased(candidate), _cased(second), False)
    return titled  # then a date, a place


_SECTION_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXLC]+\.)(?:\s|$)")


def _names_the_work(heading: str) -> bool:
    """Whether a heading can be the document's title, rather than a numbered section's
    ("1. Background"), an introduction's or a chapter's."""
    return _title_like(heading) and not is_abstract(heading) and not _SECTION_NUMBER.match(heading)


def _has_h1(head: str, layout: Layout) -> bool:
    """Whether the text shows a first-level heading ("# Title", or one underlined with =)."""
    for pos, _ in layout.headings:
        line, _, rest = head[pos:].partition("\n")
        atx = ATX.match(line)
        if atx is not None and len(atx.group(1)) == 1:
            return True
        if atx is None and re.match(r"[ \t]{0,3}={3,}[ \t]*(?:\n|$)", rest):
            return True
    return False


def _with_byline(head: str, title: _Title, first: list[tuple[int, str]]) -> _Title:
    """The title with its author, when a "by" line stands within two lines under it."""
    for next_pos, next_line in first[1:3]:
        byline = _BYLINE.match(next_line)
        if byline:
            name = byline.group(1).strip().rstrip(",")
            return _Title(title.start, next_pos + len(next_line), title.title, _cased(name),
                          title.introduced)  # fmt: skip
    return title


# A person's name, in any script: two to four capitalised words or initials ("Л. Н.
# Толстой", "Jane Austen", "Mary-Ann O'Neil"), nothing else.
_NAME = re.compile(r"^(?:[^\W\d_]\.|[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*)$")


def _name_like(line: str) -> bool:
    """Whether a line is a person's name alone (a title has a small word, or one word)."""
    words = line.split()
    return 2 <= len(words) <= 4 and all(_name_word(word) for word in words)


def _name_word(word: str) -> bool:
    if len(word) == 2 and word[1] == ".":  # an initial
        return word[0].isupper()
    return _NAME.match(word) is not None and word[0].isupper() and not word.isupper()


_DIGIT = re.compile(r"\d")
_TITLE_BLOCK_CHARS = 400  # a title block under a title is a few short lines


def _with_repetition(head: str, title: _Title) -> _Title:
    """The title with its repetition right after it in the text: the title again, over one
    or more lines or as a heading, with the short lines of its title block under it
    (author, byline, edition, date) when a blank line ends them (lines running on into
    prose are the prose's); as it was when none follows."""
    wanted, author = _letters(title.title), _letters(title.author)
    if not wanted:
        return title
    end, block_end, seen = title.end, 0, ""
    lines = [(title.end + pos, line) for pos, line in lines_of(head[title.end :])]
    for at, line in lines:
        if not line.strip():
            if block_end:
                return _Title(title.start, block_end, title.title, title.author, title.introduced)
            if end > title.end:
                break  # the title again, then a blank line
            continue
        if end == title.end:  # still matching the title, line by line
            seen += _letters(ATX.sub(r"\2", line.rstrip("\n")))
            if seen == wanted:
                end = at + len(line)  # matched: now the block under it
                continue
            if not wanted.startswith(seen):
                break
            continue
        words = _letters(line)
        if words == author or _BYLINE.match(line) or _title_block_line(line):
            block_end = at + len(line)
            if block_end - end > _TITLE_BLOCK_CHARS:
                break
        else:
            break
    return _Title(title.start, end, title.title, title.author, title.introduced)


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _title_block_line(line: str) -> bool:
    """A line of a title page under its title: short, no sentence ("2. Auflage, 31.
    Dezember 2016", "Martin Thoma", "Universität Karlsruhe")."""
    stripped = line.strip()
    return 0 < len(stripped.split()) <= 8 and len(stripped) <= 48 and stripped[-1:] not in TERMINAL


_SALUTATION = re.compile(r"(?:dear|hi|hello|hey)\b", re.IGNORECASE)  # an English hint


def _title_like(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= TITLE_MAX_WORDS
        and not line.endswith((".", ",", ";", ":"))
        and any(ch.isalpha() for ch in line)
        and not line.lstrip(_OPENERS)[:1].islower()
        and not _BYLINE.match(line)
        and not heading_word(line)
        and not _URL.search(line)
        and not menu_like(line)
        and not _BOILERPLATE.search(line)
        and not RECORD_START.match(line)  # a log's first line is a record, not its title
    )


def _cased(text: str) -> str:
    """An all-capitals title or name in title case ("RETIEF OF THE RED-TAPE MOUNTAIN")."""
    text = visible(SPACE.sub(" ", text))  # a zero-width space or a BOM before it: gone
    letters = [ch for ch in text if ch.isalpha()]
    cased = [ch for ch in letters if ch.isupper() or ch.islower()]
    # "扩展LLM的记忆" is Han with an acronym in it, not a title set in capitals
    if not letters or len(cased) * 2 < len(letters) or not all(ch.isupper() for ch in cased):
        return text
    words = []
    for i, word in enumerate(text.split()):
        if _ROMAN.match(word) and len(word) > 1 and word.rstrip(".,") not in {"I", "C", "L"}:
            words.append(word)
        elif i and word.lower() in _SMALL_WORDS:
            words.append(word.lower())
        else:
            words.append("-".join(p[:1].upper() + p[1:].lower() for p in word.split("-")))
    return " ".join(words)


def _lead_line(title: _Title, text: str) -> str:
    """The title said once, with its author: "Moby-Dick, by Herman Melville." in English
    text, "Война и мир — Лев Толстой." in any other (no word of one language in another)."""
    name = title.title.rstrip()
    if not title.author:
        line = name
    elif language.detect(text[:SAMPLE_CHARS]) == language.ENGLISH:
        line = f"{name}, by {title.author}"
    else:
        line = f"{name.rstrip('.:;,')} — {title.author}"
    return line if line.endswith(tuple(TERMINAL)) else f"{line}{_full_stop(line)}"


def _with_leads(
    units: list[Unit], title: _Title | None, layout: Layout, source: str = ""
) -> list[Unit]:
    """The units with the lead first: the title line (with its author), and for a Markdown
    title or an abstract, the first readable sentence of the introduction."""
    at = next((n for n, unit in enumerate(units) if unit.readable), None)  # the first one
    if title is None:
        if at is None:
            return units
        lead = units[at]
        return [*units[:at], Unit(lead.start, lead.end, lead.text, True, lead.section, True),
                *units[at + 1 :]]  # fmt: skip
    intro = _introduction(units, title, layout)
    name = title.title.rstrip()
    text = _lead_line(title, source)
    start = title.start
    if intro is None and word_count(text) < MIN_WORDS:
        # a short title alone is no sentence: it introduces the sentence right under it
        # instead, cited where that stands ("PDF Example Document: Beautiful is better than
        # ugly."), but not a letter's greeting ("Dear Anna")
        if at is None or _SALUTATION.match(name):
            return units
        if any(title.end <= pos < units[at].start for pos, _ in layout.headings):
            return units  # a heading between them: it belongs to that section
        intro, start = at, units[at].start
    if intro is not None and word_count(text) < MIN_WORDS:
        # "longcli" alone is no sentence: it introduces its introduction instead.
        first = units[intro]
        colon = "：" if _CJK.search(name) else ": "
        merged = f"{name.rstrip('.:')}{colon}{first.text}"
        lead = Unit(start, first.end, merged, True, first.section, True)
        return [lead, *units[:intro], *units[intro + 1 :]]
    leads = [Unit(title.start, title.end, text, True, "", True)]
    if intro is not None:
        first = units[intro]
        units = [*units[:intro], Unit(first.start, first.end, first.text, True, "", True),
                 *units[intro + 1 :]]  # fmt: skip
    return [*leads, *units]


def _introduction(units: list[Unit], title: _Title, layout: Layout) -> int | None:
    """The first readable unit of the introduction or abstract, if the document marks one."""
    abstract = next((pos for pos, name in layout.headings if is_abstract(name)), None)
    if abstract is None and not title.introduced:
        return None
    after = abstract if abstract is not None else title.end
    following = [pos for pos, _ in layout.headings if pos > after]
    limit = following[0] if following else None
    for n, unit in enumerate(units):
        if unit.start < after:
            continue
        if limit is not None and unit.start > limit:
            return None
        if unit.readable:
            return n
    return None
