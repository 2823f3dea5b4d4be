"""What in a text is not its own prose, and the units of prose a summary may quote. Pure.

Two stages. Both keep every character offset: what they drop becomes spaces (line breaks
kept), so citations and page marks still point into the source.

- `without_boilerplate(blocks)` filters a whole source as it streams, holding a bounded
  window: a Project Gutenberg header (everything before `*** START OF ...`, except its
  Title: and Author: lines) and footer (from `*** END OF ...` on), scan credits,
  transcriber's notes, [Illustration: ...] and [Footnote: ...] blocks, and front or back
  matter (Contents, Preface, List of Illustrations, Index, References ...) up to the
  next heading. None of it is the book, for the model either.
- `readable_units(text, at_start)` cuts one chunk into the units extraction may choose:
  headings, code, tables, tables of contents and running page headers are structure,
  never sentences (a heading names the section the units after it belong to); a list
  item is one unit however it wraps; a word hyphenated across a line end is joined; and
  a unit is `readable` only if a reader could use it on its own (see `verdict`). At the
  start of a source, its title (and author, or the first sentence of its introduction or
  abstract) becomes the `lead`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from longcli.text.sentences import split_sentences

MIN_WORDS = 4  # shorter units ("Ambergris.", "Mr. Darcy bowed.") are not summary sentences
MAX_QUOTED_SHARE = 0.5  # a unit mostly inside quotation marks is dialogue, not narration
MIN_LETTER_SHARE = 0.6  # of non-space characters: fewer letters means numbers, code, tables
CODE_SHARE = 0.3  # a unit this much `code` is a command line or a list of names, not prose
FOOTER_MAX_CHARS = 25_000  # a Project Gutenberg licence footer is about 19,000
HEADER_HOLD_CHARS = 100_000  # how far to look for a Project Gutenberg START line
HEADER_PROBE_CHARS = 8_000  # a source not naming Project Gutenberg by then is not held
BRACKET_MAX_CHARS = 5_000  # an [Illustration: ...] not closed by then was not one
MATTER_MAX_CHARS = 120_000  # front or back matter masked at most this far without a heading
LONG_LINE_CHARS = 1 << 16  # a line longer than this is passed on as it is
TITLE_MAX_WORDS = 14
REPEATED_LINE_TIMES = 3  # a short line seen this often in a chunk is a page header or footer
TITLE_SEARCH_CHARS = 6_000  # a title is looked for this far into a source

_START = re.compile(
    r"^\s*\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG|^\s*\*END\*THE SMALL PRINT",
    re.IGNORECASE,
)
_END = re.compile(
    r"^\s*(?:\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG"
    r"|END OF (?:THE |THIS )?PROJECT GUTENBERG'?S?\b)",
    re.IGNORECASE,
)
_KEPT_HEADER_LINE = re.compile(r"^\s*(?:Title|Author):\s*\S", re.IGNORECASE)
_CREDITS = re.compile(r"^\s*(?:Produced by|E-?text prepared by|This e-?text was)\b", re.I)
_RUNS_ON = (",", " and", " the", " by", " at", " Online", " of")
_CREDIT_WORDS = re.compile(
    r"proofread|pgdp|gutenberg|https?://|www\.|\bteam\b|archive|produced from", re.I
)
_BRACKET = re.compile(
    r"\[(?:Illustration|Footnote|Transcriber|Sidenote|Decoration|Image|Frontispiece|Note:)",
    re.IGNORECASE,
)
# Headings of a listing (its lines are titles, not prose) ...
_LISTINGS = frozenset(
    (
        "contents", "table of contents", "list of illustrations", "illustrations", "index",
        "目录", "目次", "inhalt", "inhaltsverzeichnis", "índice", "table des matières",
        "содержание", "목차",
    )
)  # fmt: skip
# ... and of all front or back matter, listings included: none of it is the text itself.
_MATTER = _LISTINGS | frozenset(
    (
        "preface", "foreword", "dedication", "acknowledgements", "acknowledgments",
        "bibliography", "references", "works cited", "further reading", "colophon",
        "transcriber's note", "transcriber's notes", "transcriber’s note",
        "transcriber’s notes", "参考文献",
        # the reference-list headings of the main other languages
        "literatur", "literaturverzeichnis", "quellen", "einzelnachweise", "weblinks",
        "bibliografía", "referencias", "bibliographie", "références", "bibliografia",
        "riferimenti", "referências", "литература", "список литературы", "источники",
        "参考資料", "참고 문헌", "참고문헌",
    )
)  # fmt: skip
_PROSE_LINE = re.compile(r"\w[.!?]\s+[A-Z]\w*\s+\w+")  # a sentence ends and another begins
_HEADING_WORD = re.compile(
    r"^\s*(?:#{1,6}\s+\S.*"
    r"|(?:chapter|book|part|act|scene|section|prologue|epilogue|appendix|stave|canto|letter)"
    r"\b\s*[\w.:—–-]*(?:\s*[.:—–-]\s*.{0,60})?"
    r"|[IVXLC]+\.?)\s*$",
    re.IGNORECASE,
)
_SENTENCE_TAIL = re.compile(r"[:.—–-]\s*(?:\S+\s+){4,}\S*[.!?][\"'”’)]*\s*$")


def _heading_word(line: str) -> bool:
    """Whether a line is a heading by its first word ("Chapter I. The Storm", "PART TWO"),
    not a sentence that starts like one ("Part 3: Alice met Bob in town and they talked.")."""
    return _HEADING_WORD.match(line) is not None and not _SENTENCE_TAIL.search(line)


_CHAPTER_INSIDE = re.compile(r"\b(?:chapter|book|part|stave)\s+[\w.]+", re.IGNORECASE)

_ATX = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_SETEXT = re.compile(r"^[ \t]{0,3}(?:={3,}|-{3,})[ \t]*$")
_RULE = re.compile(r"^[ \t]{0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_FENCE = re.compile(r"^[ \t]{0,3}(?:```|~~~)")
_TABLE = re.compile(  # | a | b |, a | b | c, |---|:--|, +---+---+
    r"^[ \t]*(?:\|.*\||\+[-=+:]{3,}\+?|:?-{3,}:?(?:[ \t]*\|[ \t]*:?-{3,}:?)+\|?)[ \t]*$"
    r"|^[^|\n]*\s\|\s[^|\n]*\s\|\s"
)
_TOC_LINE = re.compile(r"\S.*?(?:\s{3,}|\.{4,}\s*)(?:\d{1,4}|[ivxlcdm]{1,7})\s*$", re.I)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:page|p\.)\s*\d+(?:\s*(?:of|/)\s*\d+)?|\d{1,4}|[-–—]\s*\d{1,4}\s*[-–—])\s*$",
    re.IGNORECASE,
)
_TAG_LINE = re.compile(r"^\s*(?:<[^>\n]*>\s*)+$|^\s*<!--.*-->\s*$")
_LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*\S+")
_BYLINE_SENTENCE = re.compile(  # "By ALFRED COPPEL, JR.": a name, no sentence
    r"(?:[Bb]y|BY|(?:[Tt]ranslated|[Ii]llustrated|[Ee]dited) by)\s+[A-Z][\w.'’-]*"
    r"(?:[\s,]+(?:[A-Z][\w.'’-]*|and|&|de|van|von))*\.?$"
)
_BYLINE = re.compile(r"^\s*by\s+(\S.{1,80}?)\s*$", re.IGNORECASE)
_TITLE_FIELD = re.compile(r"^[ \t]*Title:[ \t]*(\S.*)$", re.IGNORECASE | re.MULTILINE)
_AUTHOR_FIELD = re.compile(r"^[ \t]*Author:[ \t]*(\S.*)$", re.IGNORECASE | re.MULTILINE)
_ABSTRACT = frozenset({"abstract", "summary", "摘要", "overview", "introduction"})

_ITEM = re.compile(r"^[ \t]*(?:[-*+•][ \t]+|\d{1,3}[.)][ \t]+)")
_QUOTE_PREFIX = re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE)
_HYPHEN_BREAK = re.compile(r"([^\W\d_]+)-[ \t]*\n[ \t]*([^\W\d_]+)")
_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
_WORD = re.compile(r"[^\W\d_]+")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)")
_STRONG = re.compile(r"(?<![\w*])(?:\*\*|__)(?=\S)|(?<=\S)(?:\*\*|__)(?![\w*])")
_CODE_SPAN = re.compile(r"`+[^`\n]+?`+")
_EMPHASIS = re.compile(r"(?<![\w*])[*_](?=[^\s*_])|(?<=[^\s*_])[*_](?![\w*])")
_SPACE = re.compile(r"\s+")
_LABEL = re.compile(r"^\s*(\*\*|__)([^*_\n]{1,40}?)\1\s*(:?)\s*(?=\S)")
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
_SPEAKER = re.compile(r"\b(?:I|I'\w+|me|my|mine|we|us|our|ours|you|your|yours)\b", re.I)
_TERMINAL = "。！？.!?…"
_CLOSERS = "\"'”’»」』）)]*_`"
_OPENERS = "\"'“‘«「『（([*_"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def _full_stop(text: str) -> str:
    return "。" if _CJK.search(text) else "."


def joined(sentences: Iterable[str]) -> str:
    """Sentences as one paragraph: a space between them, none after 。！？ before CJK."""
    out: list[str] = []
    for sentence in sentences:
        if out and not (out[-1][-1:] in "。！？" and _CJK.match(sentence)):
            out.append(" ")
        out.append(sentence)
    return "".join(out)


def blank(text: str) -> str:
    """`text` with every character but a line break turned into a space."""
    return re.sub(r"[^\n]", " ", text)


def word_count(text: str) -> int:
    """Words, with each Chinese or Japanese character counted as one (they use no spaces)."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(text.split())
    return cjk + sum(1 for token in text.split() if not _CJK.search(token))


# -- the stream: boilerplate ---------------------------------------------------------------


class _Boilerplate:
    """The state of one source's filter: which line is masked, decided line by line."""

    def __init__(self) -> None:
        self.held: list[str] | None = []  # lines before a possible START line; None: past it
        self.held_chars = 0
        self.gutenberg = False  # the held lines name Project Gutenberg
        self.previous_blank = True
        self.footer = False
        self.footer_chars = 0
        self.bracket_depth = 0
        self.bracket_chars = 0
        self.matter_chars = -1  # inside front or back matter: characters masked so far
        self.listing = False  # that matter is a list (contents, index): prose ends it
        self.credits = False  # a "Produced by ..." line runs on into the next
        self.seen = 0

    def feed(self, line: str) -> str:
        """The line as it should pass on (masked or not); "" while it is held back."""
        if self.held is not None:
            if _START.match(line):
                out = "".join(h if _KEPT_HEADER_LINE.match(h) else blank(h) for h in self.held)
                self.held = None
                self.seen += len(line)
                return out + blank(line)
            self.held.append(line)
            self.held_chars += len(line)
            self.gutenberg = self.gutenberg or "gutenberg" in line.lower()
            limit = HEADER_HOLD_CHARS if self.gutenberg else HEADER_PROBE_CHARS
            if self.held_chars < limit:
                return ""
            return self.release()
        return self._line(line)

    def release(self) -> str:
        """The held lines, judged as ordinary lines (no START line came)."""
        held, self.held = self.held or [], None
        return "".join(self._line(line) for line in held)

    def _line(self, line: str) -> str:
        after_blank = self.previous_blank
        self.previous_blank = not line.strip()
        self.seen += len(line)
        if self.footer or _END.match(line):
            return self._footer(line)
        if self.bracket_depth:
            return self._in_bracket(line, 0)
        found = _BRACKET.search(line)
        if found:
            return line[: found.start()] + self._in_bracket(line, found.start())
        stripped = line.strip()
        credits = self.credits and stripped != "" and _CREDIT_WORDS.search(line) is not None
        if credits or (self.seen < TITLE_SEARCH_CHARS * 2 and _CREDITS.match(line)):
            self.credits = stripped.endswith(_RUNS_ON)
            return blank(line)
        self.credits = False
        if self.matter_chars >= 0:
            if _is_heading_line(stripped) and _matter_name(stripped) is None:
                self.matter_chars = -1
                return line
            if self.listing and _PROSE_LINE.search(stripped):
                self.matter_chars = -1  # a table of contents ends where sentences begin
                return line
            self.matter_chars += len(line)
            if self.matter_chars > MATTER_MAX_CHARS:
                self.matter_chars = -1
            return blank(line)
        name = _matter_name(stripped) if after_blank else None
        if name is not None:
            self.matter_chars = 0
            self.listing = name in _LISTINGS
            return blank(line)
        return line

    def _footer(self, line: str) -> str:
        """A line from an END line on: masked, until the licence could have ended.

        A Gutenberg footer is about 19,000 characters. Text past FOOTER_MAX_CHARS, or a new
        START line (files joined into one), is read again: an END line quoted inside a text
        must never blank the rest of it."""
        if self.footer and _START.match(line):
            self.footer, self.footer_chars = False, 0
            return blank(line)
        self.footer = True
        self.footer_chars += len(line)
        if self.footer_chars > FOOTER_MAX_CHARS:
            self.footer, self.footer_chars = False, 0
        return blank(line)

    def _in_bracket(self, line: str, start: int) -> str:
        """The rest of `line` from `start`, masked up to where the bracket closes."""
        for i in range(start, len(line)):
            ch = line[i]
            if ch == "[":
                self.bracket_depth += 1
            elif ch == "]":
                self.bracket_depth -= 1
                if self.bracket_depth == 0:
                    inside = line[start : i + 1]
                    if self.matter_chars >= 0 and _CHAPTER_INSIDE.search(inside):
                        self.matter_chars = -1  # "[Illustration: Chapter I.]" starts the book
                    self.bracket_chars = 0
                    return blank(inside) + self._line_rest(line[i + 1 :])
        self.bracket_chars += len(line) - start
        if self.matter_chars >= 0 and _CHAPTER_INSIDE.search(line, start):
            self.matter_chars = -1
        if self.bracket_chars > BRACKET_MAX_CHARS:
            self.bracket_depth, self.bracket_chars = 0, 0
        return blank(line[start:])

    def _line_rest(self, rest: str) -> str:
        if not rest.strip():
            return rest
        self.seen -= len(rest)  # counted again by _line
        return self._line(rest)


def _matter_name(stripped: str) -> str | None:
    """The name of a front- or back-matter heading ("Contents", "PREFACE."), else None."""
    if not stripped or len(stripped) > 40:
        return None
    name = stripped.lstrip("#").strip().rstrip(".:").strip().lower()
    return name if name in _MATTER else None


def _is_heading_line(stripped: str) -> bool:
    if not stripped or len(stripped) > 90:
        return False
    if _heading_word(stripped):
        return True
    letters = [ch for ch in stripped if ch.isalpha()]
    return (
        len(letters) >= 3
        and all(ch.isupper() for ch in letters)
        and len(stripped.split()) <= 8
        and not stripped.endswith((":", ","))
        and not any(ch in stripped for ch in '"“”«»')  # a quoted signature, a shout
    )


def without_boilerplate(blocks: Iterable[str]) -> Iterator[str]:
    """A source's text with its Gutenberg header and footer, credits, notes, illustration
    blocks and front matter turned into spaces; the same length, read as a stream."""
    state = _Boilerplate()
    pending = ""
    for block in blocks:
        pending += block
        lines = pending.split("\n")
        pending = lines.pop()
        if len(pending) > LONG_LINE_CHARS:
            lines.append(pending)  # a line this long is passed on whole, without its end
            pending = ""
            out = "".join(state.feed(line + "\n") for line in lines[:-1])
            out += state.feed(lines[-1])
        else:
            out = "".join(state.feed(line + "\n") for line in lines)
        if out:
            yield out
    tail = state.feed(pending) if pending else ""
    tail += state.release() if state.held is not None else ""
    if tail:
        yield tail


# -- the chunk: units ----------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A span of a chunk that extraction may choose, with the text a reader would see."""

    start: int
    end: int
    text: str
    readable: bool  # a reader could use it on its own (verdict() gave no reason against)
    section: str = ""  # the heading it is under, when the chunk shows one
    lead: bool = False  # the document's title, or its introduction's first sentence


@dataclass(frozen=True)
class _Layout:
    """A chunk with its structure blanked out, and what that structure said."""

    text: str  # the chunk, structure turned into spaces
    headings: list[tuple[int, str]]  # (offset, heading text)
    items: frozenset[int]  # offsets of lines that start a list item
    # offsets of a number alone on a line inside a paragraph: a page number pasted into a
    # sentence, or a superscript ("csc\n3\nx dx"); no one can tell which, so the sentence
    # holding it is not read as one
    lone_numbers: frozenset[int] = frozenset()


def _lines(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for line in text.splitlines(keepends=True):
        yield pos, line
        pos += len(line)


def _layout(text: str) -> _Layout:
    """Blank out headings, code, tables, rules, tables of contents, page numbers (a number
    alone on the first or last line of a paragraph, that is of a page; one inside a
    paragraph is noted in `lone_numbers`) and running headers; keep headings' text and
    where list items start."""
    lines = list(_lines(text))
    repeated = _repeated_lines(lines)
    out: list[str] = []
    headings: list[tuple[int, str]] = []
    items: set[int] = set()
    lone: set[int] = set()
    fenced = False
    previous_blank = True
    for n, (pos, line) in enumerate(lines):
        stripped = line.strip()
        following = lines[n + 1][1] if n + 1 < len(lines) else ""
        structure = True
        if _FENCE.match(line):
            fenced = not fenced
        elif fenced:
            pass
        elif atx := _ATX.match(line.rstrip("\n")):
            headings.append((pos, _inline(atx.group(2))))
        elif stripped and _SETEXT.match(following) and not _ITEM.match(line):
            headings.append((pos, _inline(stripped)))
        elif _SETEXT.match(line) or _RULE.match(line):
            pass
        elif _is_abstract(stripped) or (
            previous_blank
            and stripped
            and (_heading_word(stripped) or (_is_heading_line(stripped) and not following.strip()))
        ):
            headings.append((pos, stripped))
        elif not (
            _TABLE.match(line)
            or _TAG_LINE.match(line)
            or _LINK_DEFINITION.match(line)
            or (_PAGE_NUMBER.match(line) and (previous_blank or not following.strip()))
            or (len(stripped) < 100 and _TOC_LINE.match(stripped))
            or n in repeated
        ):
            structure = False
        if structure and stripped:
            out.append(blank(line))
        else:
            out.append(line)
            if _ITEM.match(line):
                items.add(pos)
            if not fenced and _PAGE_NUMBER.match(line):
                lone.add(pos)
        previous_blank = not stripped
    return _Layout("".join(out), headings, frozenset(items), frozenset(lone))


def _is_abstract(stripped: str) -> bool:
    return len(stripped) < 20 and stripped.lstrip("#").strip(" .:").lower() in _ABSTRACT


def _key(stripped: str) -> str:
    return re.sub(r"\d+", "#", stripped)


def _repeated_lines(lines: list[tuple[int, str]]) -> set[int]:
    """Which lines are running heads or feet: short, not sentences, first or last in their
    paragraph (a page's), and recurring in the chunk."""
    keys: dict[int, str] = {}
    for n, (_, line) in enumerate(lines):
        s = line.strip()
        before = lines[n - 1][1].strip() if n else ""
        after = lines[n + 1][1].strip() if n + 1 < len(lines) else ""
        edge = not before or not after
        short = s and len(s) <= 80 and not s.endswith((":", *_TERMINAL))
        if edge and short and not _ITEM.match(line):
            keys[n] = _key(s)
    counts = Counter(keys.values())
    return {n for n, key in keys.items() if counts[key] >= REPEATED_LINE_TIMES}


def _inline(text: str) -> str:
    """Markdown inline markup removed: images, link targets, emphasis markers; a code span
    (`like_this`) is kept as written."""
    spans: list[str] = []

    def hold(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"\x00{len(spans) - 1}\x00"

    text = _CODE_SPAN.sub(hold, text)  # controls are gone from the text by now
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _STRONG.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = re.sub("\x00(\\d+)\x00", lambda m: spans[int(m.group(1))], text)
    return _SPACE.sub(" ", text).strip()


def _vocabulary(text: str) -> tuple[set[str], set[str]]:
    lower = text.lower()
    return set(_WORD.findall(lower)), set(_HYPHENATED.findall(lower))


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
    stripped = text.strip()
    if not stripped:
        return "empty"
    if word_count(stripped) < MIN_WORDS:
        return "short"
    if inside_quote and (_SPEAKER.search(stripped) or stripped.rstrip(_CLOSERS)[-1:] in "?!"):
        return "inside a quotation"  # someone's "I" or "you", a question: speech, not story
    head = stripped.lstrip(_OPENERS)
    if not head:
        return "no words"
    starts_well = (head[0].isalnum() and not head[0].islower()) or head[0] in "$€£¡¿"
    if not (starts_well or item or stripped.startswith("`")):
        return "starts mid-sentence"
    tail = stripped.rstrip(_CLOSERS)
    if not tail or (tail[-1] not in _TERMINAL and not (item and tail[-1].isalnum())):
        return "unfinished"
    if stripped[0] in "”’»」』" or _unbalanced(stripped):
        return "unbalanced quotes"
    if _quoted_share(stripped) >= MAX_QUOTED_SHARE:
        return "dialogue"
    letters = [ch for ch in stripped if ch.isalpha()]
    cased = [ch for ch in letters if ch.isupper() or ch.islower()]
    if len(cased) >= 4 and all(ch.isupper() for ch in cased):
        return "all capitals"
    visible = sum(1 for ch in stripped if not ch.isspace())
    if len(letters) < MIN_LETTER_SHARE * visible:
        return "not prose"
    coded = sum(len(m) for m in re.findall(r"`[^`]*`", stripped))
    if "```" in stripped or coded > CODE_SHARE * len(stripped):
        return "code"
    if _URL.search(stripped):
        return "link"
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
        raw = _ITEM.sub("", raw, count=1)
    raw = _QUOTE_PREFIX.sub("", raw)
    label = _LABEL.match(raw)
    # "**Resume.** Every call is cached": a label, not part of the sentence
    ends = label is not None and (label.group(3) or label.group(2).rstrip().endswith((".", ":")))
    if label is not None and ends and len(label.group(2).split()) <= 4:
        raw = raw[label.end() :]
    if "-" in raw and "\n" in raw:
        raw = _dehyphenated(raw, vocabulary)
    text = _inline(raw)
    if item and text and text.rstrip(_CLOSERS)[-1:].isalnum():
        text += _full_stop(text)  # an item read as a sentence ends like one
    return text


def readable_units(text: str, at_start: bool = False) -> list[Unit]:
    """The units of one chunk, in order; `at_start`: the chunk begins its source, so its
    title, author and introduction are looked for."""
    layout = _layout(text)
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
    for sentence, quoted in zip(found, inside, strict=True):
        while heading < len(layout.headings) and layout.headings[heading][0] <= sentence.start:
            heading += 1
        section = _cased(layout.headings[heading - 1][1]) if heading else ""
        line_start = masked.rfind("\n", 0, sentence.start) + 1
        item = line_start in layout.items and not masked[line_start : sentence.start].strip(
            " \t-*+•0123456789.)"
        )
        body = _unit_text(masked[sentence.start : sentence.end], item, vocabulary)
        if _opens_speech(body):  # '"The first Strykalski won a medal.' (the speech goes on)
            body, quoted = body[1:].lstrip(), True
        ok = not verdict(body, item, quoted)
        if ok and any(sentence.start <= n < sentence.end for n in layout.lone_numbers):
            ok = False  # a page number or a superscript inside it: not one the reader can use
        units.append(Unit(sentence.start, sentence.end, body, ok, section))
    return _with_leads(units, title, layout) if at_start else units


# -- the lead: title, author, introduction -------------------------------------------------


@dataclass(frozen=True)
class _Title:
    start: int
    end: int
    title: str
    author: str
    introduced: bool  # a Markdown title or an Abstract: its first sentence leads too


def _title(text: str, layout: _Layout) -> _Title | None:
    """The document's title (and author), from Gutenberg's Title: and Author: lines, a
    first heading, or a first short line with a byline under it."""
    head = text[:TITLE_SEARCH_CHARS]
    field = _TITLE_FIELD.search(head)
    if field:
        author = _AUTHOR_FIELD.search(head, field.end())
        end = author.end() if author and author.start() - field.end() < 400 else field.end()
        name = author.group(1).strip() if author and end == author.end() else ""
        return _Title(field.start(), end, _cased(field.group(1)), _cased(name), False)
    first = [(pos, line) for pos, line in _lines(head) if line.strip()][:4]
    if not first:
        return None
    pos, line = first[0]
    heading = layout.headings[0] if layout.headings else None
    if heading is not None and heading[0] == pos:
        atx = _ATX.match(line.rstrip("\n"))
        if atx is not None and len(atx.group(1)) == 1:
            return _Title(pos, pos + len(line), heading[1], "", True)
        underline = head[pos + len(line) :].split("\n", 1)[0]
        if atx is None and _SETEXT.match(underline):  # a setext title: its underline goes too
            return _Title(pos, pos + len(line) + len(underline), heading[1], "", True)
    candidate = _inline(line.strip())
    if not _title_like(candidate):
        return None
    for next_pos, next_line in first[1:3]:
        byline = _BYLINE.match(next_line)
        if byline:
            name = byline.group(1).strip().rstrip(",")
            return _Title(pos, next_pos + len(next_line), _cased(candidate), _cased(name), False)
    next_line = head[pos + len(line) :].split("\n", 1)[0]
    if len(first) > 1 and not next_line.strip():
        return _Title(pos, pos + len(line), _cased(candidate), "", False)  # then a blank line
    if len(first) > 1 and _title_like(_inline(first[1][1].strip())):
        return _Title(pos, pos + len(line), _cased(candidate), "", False)  # then name, date
    return None


_SALUTATION = re.compile(r"(?:dear|hi|hello|hey)\b", re.IGNORECASE)  # an English hint


def _title_like(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= TITLE_MAX_WORDS
        and not line.endswith((".", ",", ";", ":"))
        and any(ch.isalpha() for ch in line)
        and not line.lstrip(_OPENERS)[:1].islower()
        and not _BYLINE.match(line)
        and not _heading_word(line)
        and not _URL.search(line)
        and not _BOILERPLATE.search(line)
    )


def _cased(text: str) -> str:
    """An all-capitals title or name in title case ("RETIEF OF THE RED-TAPE MOUNTAIN")."""
    text = _SPACE.sub(" ", text).strip()
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or not all(ch.isupper() for ch in letters if ch.isupper() or ch.islower()):
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


def _with_leads(units: list[Unit], title: _Title | None, layout: _Layout) -> list[Unit]:
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
    text = f"{name}, by {title.author}" if title.author else name
    text = text if text.endswith(tuple(_TERMINAL)) else f"{text}{_full_stop(text)}"
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


def _introduction(units: list[Unit], title: _Title, layout: _Layout) -> int | None:
    """The first readable unit of the introduction or abstract, if the document marks one."""
    abstract = next((pos for pos, name in layout.headings if _is_abstract(name)), None)
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
