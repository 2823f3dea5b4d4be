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
from longcli.text.boilerplate import blank
from longcli.text.layout import (
    ITEM,
    PART_NUMBER,
    TERMINAL,
    Layout,
    inline,
    is_abstract,
    layout_of,
)
from longcli.text.sentences import RECORD_START, split_sentences
from longcli.text.titles import BOILERPLATE, URL, Title, cased, find_title, spellings
from longcli.text.titles import title_of as title_of  # tests and callers import it here
from longcli.text.vocabulary import FORMAT_CHARS, LETTERS, STOPWORDS, visible, word_count

MIN_WORDS = 4  # shorter units ("Ambergris.", "Mr. Darcy bowed.") are not summary sentences
MAX_QUOTED_SHARE = 0.5  # a unit mostly inside quotation marks is dialogue, not narration
MIN_LETTER_SHARE = 0.6  # of non-space characters: fewer letters means numbers, code, tables
CODE_SHARE = 0.3  # a unit this much `code` is a command line or a list of names, not prose
SAMPLE_CHARS = 2000  # of a source's start: the language its lead is written in

_BYLINE_SENTENCE = re.compile(  # "By ALFRED COPPEL, JR.": a name, no sentence
    r"(?:[Bb]y|BY|(?:[Tt]ranslated|[Ii]llustrated|[Ee]dited) by)\s+[A-Z][\w.'’-]*"
    r"(?:[\s,]+(?:[A-Z][\w.'’-]*|and|&|de|van|von))*\.?$"
)

_QUOTE_PREFIX = re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE)
_HYPHEN_BREAK = re.compile(r"([^\W\d_]+)-[ \t]*\n[ \t]*([^\W\d_]+)")
_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
_LABEL = re.compile(r"^\s*(\*\*|__)([^*_\n]{1,40}?)\1\s*(:?)\s*(?=\S)")
_BOLD_UNIT = re.compile(r"\s*(\*\*|__)(?=\S)(?:(?!\1)[^\n])+(?<=\S)\1\s*$")
_INNER_END = re.compile(r"[.!?…。！？][\"'”’)\]]*\s")
# A bracketed numeral or letter before a sentence: a list's "(1)", "(iv)", "(a)", or a
# dialogue's speaker mark ("(I)", "(H.)"); the sentence after it reads on its own.
_MARKER = re.compile(r"^\s*\((?:\d{1,3}|[IVXLCivxlc]{1,5}|[^\W\d_]\.?)\)[ \t]+(?=\S)")
# A chapter's first word set in capitals, the rest of the sentence not ("IN this way I
# became one among the Beast People", "THE cabin in which I found myself was small"): a
# function word so set before a word in lower case opens the sentence as any other does
# (an acronym, "NASA launched", is no function word).
_DROP_CAP = re.compile(r"^([\"“‘(]?[A-Z])([A-Z]+)(?=[ \t]+[a-z])")
# "Page 55: «enfanfs» par «enfants»": a note keyed to a page or a line, in any language.
_KEYED_NOTE = re.compile(r"^[^\W\d_]+\.?[ \t]+\d{1,4}[ \t]*:")
# A chapter:verse mark before a verse's first word ("1:2 And the earth was without form").
_VERSE_REF = re.compile(r"(?<![\w:])(\d{1,3}):(\d{1,3})[ \t]+(?=[^\W\d_])")
_MIN_VERSES = 3
# Two columns side by side ("tout à fait,          heelemaal."): a glossary or a table.
_COLUMN_GAP = re.compile(r"\S[ \t]{3,}\S")
_KEEP_HYPHEN_BEFORE = frozenset("and or to nor und et ou".split())

_REFERENCE = re.compile(
    r"^\[\d{1,3}\]|\bet al\.,?\s*\(?\d{4}|\bdoi:\s*10\.|\barxiv:\s*\d|\bpp\.\s*\d+\s*[-–]\s*\d",
    re.IGNORECASE,
)
# Inline TeX math ("$\\mathbf{x'}$", "$Q$"), as Pandoc tells it from money: the opening $ has
# a non-space after it, the closing one a non-space before it and no digit after ("$5-$10").
_INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?=[^\s$])(?:[^$\n\\]|\\.)*?(?<=[^\s\\])\$(?![\d$])")
_SPEAKER = re.compile(r"\b(?:I|I'\w+|me|my|mine|we|us|our|ours|you|your|yours)\b", re.I)
_CLOSERS = "\"'”’»」』）)]*_`"
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
    with_case = [ch for ch in letters if ch.isupper() or ch.islower()]
    if len(with_case) >= 4 and all(ch.isupper() for ch in with_case):
        return "all capitals"
    said = RECORD_START.sub("", stripped, count=1)  # a log line's stamp is not its content
    shown = sum(1 for ch in said if not ch.isspace())
    if len(letters) < MIN_LETTER_SHARE * shown:
        return "not prose"
    coded = sum(len(m) for m in re.findall(r"`[^`]*`", stripped))
    if "```" in stripped or coded > CODE_SHARE * len(stripped):
        return "code"
    if URL.search(stripped):
        return "link"
    if _INLINE_MATH.search(stripped):
        return "math"  # "$\\mathbf{x'}$" is markup to a reader, and the formula unread
    if BOILERPLATE.search(stripped):
        return "boilerplate"
    if _BYLINE_SENTENCE.match(stripped):
        return "byline"
    if _REFERENCE.search(stripped):
        return "reference"
    if _KEYED_NOTE.match(stripped):
        return "note"
    if _POINTS_AWAY.search(stripped):
        return "points elsewhere"  # "The words of one of these songs are given below."
    if _PLACEHOLDER.search(stripped):
        return "placeholder"  # a template's "[insert exercise name]": a form, not a text
    if _bare_list(stripped):
        return "a list"  # "关胜，秦明，朱仝，李应。": names, no sentence
    if _INNER_END.search(stripped) and any(
        word_count(s.text) < MIN_WORDS for s in split_sentences(stripped)
    ):
        return "short"  # "Resume. Every call is cached." holds a one-word sentence
    return ""


# A sentence that hands the reader to the text next to it, which a summary does not hold
# (English): "The words of the song are given below.", "... as follows:", "see above".
_POINTS_AWAY = re.compile(
    r"\b(?:given|shown|listed|quoted|printed|reproduced|described|set (?:out|forth)|"
    r"illustrated|presented|copied)\s+(?:below|above(?!\s+all\b)|herewith)\b|\bas follows\W*$|"
    r"\b(?:see|cf\.?)\s+(?:below|above)\b",
    re.IGNORECASE,
)


# A template's blank to fill in: "[insert exercise name]", "<enter date>", "[Agency Name]".
_PLACEHOLDER = re.compile(
    # an editor's "[your father]" in a quotation is text; "[your name]" is a blank
    r"[\[<{]\s*(?i:insert|enter|add|type|fill in|specify|describe|name of"
    r"|your (?:name|company|organi[sz]ation|address|e-?mail|title|agency))\b"
    r"[^\]>}\n]{0,60}[\]>}]"
    r"|\[(?:[A-Z][\w-]*\s+){0,3}(?:Name|Date|Number|Title|Address)\]"
)
_LIST_SEPARATOR = re.compile(r"[，、；]")
MIN_LIST_PARTS = 4
LIST_PART_CJK = 4  # 鲁智深: a name or a word


def _bare_list(text: str) -> bool:
    """Whether a CJK unit is a bare list of names or words, no clause among them ("关胜，
    秦明，朱仝，李应。"). A list in a spaced language keeps its "and" and reads as a
    sentence ("Reuben, Simeon, Levi, and Judah"), the text's own."""
    parts = [p.strip(_CLOSERS + "。！？… ") for p in _LIST_SEPARATOR.split(text)]
    if len(parts) < MIN_LIST_PARTS or not all(parts) or not _CJK.search(text):
        return False
    return all(len(part) <= LIST_PART_CJK and _CJK.match(part) for part in parts)


def _opens_speech(text: str) -> bool:
    """Whether the text opens a quotation it does not close (it goes on after it)."""
    if text[:1] == "“":
        return text.count("“") == 1 and "”" not in text
    return text[:1] == '"' and text.count('"') == 1


# A single quote closing a speech at the sentence's end ("Perhaps no one to hear. . . .'"
# in Heart of Darkness, a new user's walk), and one that opens a quotation: at the start,
# or after a space or an opening bracket or dash (not an apostrophe: "the men's", "'em")
_CLOSES_SINGLE = re.compile(r"[.!?…,;:—-]\s*['’]\s*$")
_OPENS_SINGLE = re.compile(r"(?:^|[\s(\[—-])['‘](?=\w)")


def _unbalanced(text: str) -> bool:
    return (
        (_CLOSES_SINGLE.search(text) is not None and _OPENS_SINGLE.search(text) is None)
        or text.count("“") != text.count("”")
        or text.count("«") != text.count("»")  # »so« and «so» alike
        or text.count('"') % 2 == 1
        or text.count("‘") > text.count("’")
        or text.count("「") != text.count("」")
        or text.count("(") != text.count(")")
    )


def _quoted_share(text: str) -> float:
    quotes = r"“[^”]*”|\"[^\"]*\"|「[^」]*」|«[^»]*»|»[^«]*«"
    quoted = sum(len(m.group(0)) for m in re.finditer(quotes, text))
    return quoted / max(len(text), 1)


def _unit_text(raw: str, item: bool, vocabulary: tuple[set[str], set[str]] | None) -> str:
    if item:
        raw = ITEM.sub("", raw, count=1)
    raw = _QUOTE_PREFIX.sub("", raw)
    raw = _MARKER.sub("", raw, count=1)  # "(I)  There were...": a numeral or a speaker's mark
    label = _LABEL.match(raw)
    # "**Resume.** Every call is cached": a label, not part of the sentence
    ends = label is not None and (label.group(3) or label.group(2).rstrip().endswith((".", ":")))
    if label is not None and ends and len(label.group(2).split()) <= 4:
        raw = raw[label.end() :]
    if "-" in raw and "\n" in raw:
        raw = _dehyphenated(raw, vocabulary)
    text = inline(raw)
    capped = _DROP_CAP.match(text)
    if capped and capped.group().lstrip('"“‘(').lower() in STOPWORDS:
        text = capped.group(1) + capped.group(2).lower() + text[capped.end() :]
    if text.startswith("[") and "]" not in text:  # a play's stage direction: "[Princess
        text = text[1:].lstrip()  # drops the ball, ..." opens a bracket it never closes
    if item and text and text.rstrip(_CLOSERS)[-1:].isalnum():
        text += _full_stop(text)  # an item read as a sentence ends like one
    return text


@dataclass(frozen=True)
class Reading:
    """One chunk read: its units, and every heading it shows, in order (a part's heading
    with no sentence of its own under it too: "PART II." before "CHAPTER I.")."""

    units: list[Unit]
    headings: tuple[str, ...]


def readable_units(text: str, at_start: bool = False) -> list[Unit]:
    """The units of one chunk, in order (see `read_chunk`)."""
    return read_chunk(text, at_start).units


# A footnote's marker left in a heading: "CHAPTER III. THE LAURISTON GARDEN MYSTERY [6]"
_FOOTNOTE_MARK = re.compile(r"\s*\[(?:\d{1,3}|[*†‡])\]")


# A part's word and number in capitals before a name that is not: "PART II. The Country"
_NUMBER_IN_CAPITALS = re.compile(rf"^{PART_NUMBER}\.?(?=\s)", re.IGNORECASE)


def _heading(text: str, spelled: dict[str, str]) -> str:
    """A heading as a reader sees it: cased, without its markup or a footnote's marker
    ("PART II. _The Country of the Saints._" is "Part II. The Country of the Saints.")."""
    text = inline(_FOOTNOTE_MARK.sub("", text).strip() or text)
    number = _NUMBER_IN_CAPITALS.match(text)
    if number is not None and number.group().isupper():
        return f"{cased(number.group(), spelled)} {cased(text[number.end() :], spelled)}"
    return cased(text, spelled)


def read_chunk(text: str, at_start: bool = False) -> Reading:
    """The units of one chunk, in order, and its headings; `at_start`: the chunk begins
    its source, so its title, author and introduction are looked for."""
    layout = layout_of(text)
    masked = layout.text
    title = find_title(text, layout) if at_start else None
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
    previous_end = 0
    verses = _verse_numbered(masked)
    capitals = any(name.isupper() for _, name in layout.headings)
    spelled = spellings(masked) if capitals else {}  # "MCDERMOTT" is "McDermott" here
    for sentence, quoted in zip(found, inside, strict=True):
        while heading < len(layout.headings) and layout.headings[heading][0] <= sentence.start:
            heading += 1
        section = _heading(layout.headings[heading - 1][1], spelled) if heading else ""
        item = items.opens(sentence.start)
        body = _unit_text(masked[sentence.start : sentence.end], item, vocabulary)
        if verses:
            body = _VERSE_REF.sub("", body)  # "1:2 Reuben, Simeon, 1:3 Issachar": no words
        if _opens_speech(body):  # '"The first Strykalski won a medal.' (the speech goes on)
            body, quoted = body[1:].lstrip(), True
        ok = not verdict(body, item, quoted) and not (cut and not item)
        ok = ok and not _in_columns(masked, sentence.start, sentence.end)
        # A step of a numbered list ("1. Convert each word into a query vector.") says
        # what to do at that point of a procedure the summary does not show.
        ok = ok and not (item and items.line_start in layout.steps)
        # "**What it cannot see.** It compares words": a run-in heading, bold as a whole
        ok = ok and not _BOLD_UNIT.match(masked, sentence.start, sentence.end)
        ok = ok and not _speech_tag(masked, previous_end, sentence.start, body)
        previous_end = sentence.end
        cut = _breaks_off(body)  # "... the ancient city of" | "Kal-Jmar—a city of ..."
        number = bisect_left(lone_numbers, sentence.start)
        if ok and number < len(lone_numbers) and lone_numbers[number] < sentence.end:
            ok = False  # a page number or a superscript inside it: not one the reader can use
        units.append(Unit(sentence.start, sentence.end, body, ok, section))
    headings = tuple(_heading(h, spelled) for _, h in layout.headings)
    return Reading(_with_leads(units, title, layout, text) if at_start else units, headings)


# A quotation that ends on ? or ! ('"Who?"', '»Wer?«'), and the space after it.
_QUOTED_CALL = re.compile(r"[?!…][\"”’»«“]\s*$")
_TAG_MAX_WORDS = 4  # "Katrine asked", "the old man said": a speaker and a verb


def _speech_tag(text: str, previous_end: int, start: int, body: str) -> bool:
    """Whether a unit is the tag of the quotation before it ('"Do you mean me?" Katrine
    asked, smiling.'): that quotation ends on ? or ! in the same paragraph, right before
    it, and the unit's first clause is a speaker and a verb. Without its quotation it
    tells of speech the summary does not show."""
    gap = text[previous_end:start]
    if not previous_end or gap.strip() or gap.count("\n") > 1:
        return False  # not right after it, in the same paragraph
    if not _QUOTED_CALL.search(text, max(0, previous_end - 3), start):
        return False
    clause = re.split(r"[,;:—–]", body, maxsplit=1)[0]
    return word_count(clause) <= _TAG_MAX_WORDS


def _verse_numbered(text: str) -> bool:
    """Whether the text numbers its verses ("1:1 In the beginning... 1:2 And the earth"):
    most of its chapter:verse marks follow the one before (the next verse, or a chapter's
    first). A log's times ("12:00", "12:05") do not count on so."""
    marks = [(int(m.group(1)), int(m.group(2))) for m in _VERSE_REF.finditer(text)]
    following = sum(
        1
        for (chapter, verse), after in zip(marks, marks[1:], strict=False)
        if after in ((chapter, verse + 1), (chapter + 1, 1))
    )
    return len(marks) >= _MIN_VERSES and following * 2 >= len(marks)


def _in_columns(text: str, start: int, end: int) -> bool:
    """Whether a unit's lines hold two columns side by side: a glossary's row ("Quel vent
    désagréable!          Wat 'n nare wind!"), a table set in spaces, a two-column page."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return (
        _COLUMN_GAP.search(text, line_start, line_end if line_end >= 0 else len(text)) is not None
    )


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

_SALUTATION = re.compile(r"(?:dear|hi|hello|hey)\b", re.IGNORECASE)  # an English hint


def _lead_line(title: Title, text: str) -> str:
    """The title said once, with its author: "Moby-Dick, by Herman Melville." in English
    text, "Война и мир — Лев Толстой." in any other (no word of one language in another)."""
    # "Ein Landarzt. Kleine Erzählungen": one title, said as one sentence
    parts = [s.text for s in split_sentences(title.title.rstrip())] or [title.title.rstrip()]
    name = ": ".join([*(part.rstrip(".") for part in parts[:-1]), parts[-1]])
    if not title.author:
        line = name
    elif language.detect(text[:SAMPLE_CHARS]) == language.ENGLISH:
        line = f"{name}, by {title.author}"
    else:
        line = f"{name.rstrip('.:;,')} — {title.author}"
    return line if line.endswith(tuple(TERMINAL)) else f"{line}{_full_stop(line)}"


def _with_leads(
    units: list[Unit], title: Title | None, layout: Layout, source: str = ""
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
            # a heading between them: that sentence belongs to its section, and the title
            # leads alone ("THE AWAKENING" over "I" led no summary of the novel)
            return [Unit(title.start, title.end, text, True, "", True), *units]
        intro, start = at, units[at].start
    if intro is not None and word_count(text) < MIN_WORDS:
        # "longcli" alone is no sentence: it introduces its introduction instead.
        first = units[intro]
        colon = "：" if _CJK.search(name) else ": "
        merged = f"{name.rstrip('.:')}{colon}{first.text}"
        if _letters(first.text).startswith(_letters(name)):
            merged = first.text  # "Vor dem Gesetz steht ein Türhüter.": it names itself
        lead = Unit(start, first.end, merged, True, first.section, True)
        return [lead, *units[:intro], *units[intro + 1 :]]
    leads = [Unit(title.start, title.end, text, True, "", True)]
    if intro is not None:
        first = units[intro]
        units = [*units[:intro], Unit(first.start, first.end, first.text, True, "", True),
                 *units[intro + 1 :]]  # fmt: skip
    return [*leads, *units]


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _introduction(units: list[Unit], title: Title, layout: Layout) -> int | None:
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
