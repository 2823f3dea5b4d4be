"""What in a source is not its own prose, filtered as the source streams. Pure.

`without_boilerplate(blocks)` holds a bounded window and turns into spaces (line breaks
kept, so every character offset still points into the source): a Project Gutenberg header
(everything before `*** START OF ...`, except its Title: and Author: lines) and footer
(from `*** END OF ...` on), scan credits, transcriber's notes, [Illustration: ...] and
[Footnote: ...] blocks, and front or back matter (Contents, Preface, List of
Illustrations, Index, References ...) up to the next heading. None of it is the book, for
the model either. What may stand in a summary is text/fragments.py's question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

FOOTER_MAX_CHARS = 25_000  # a Project Gutenberg licence footer is about 19,000
HEADER_HOLD_CHARS = 100_000  # how far to look for a Project Gutenberg START line
HEADER_PROBE_CHARS = 8_000  # a source not naming Project Gutenberg by then is not held
BRACKET_MAX_CHARS = 5_000  # an [Illustration: ...] not closed by then was not one
MATTER_MAX_CHARS = 120_000  # front or back matter masked at most this far without a heading
LONG_LINE_CHARS = 1 << 16  # a line longer than this is passed on as it is
TITLE_SEARCH_CHARS = 6_000  # a title is looked for this far into a source

# (an HTML edition read as Markdown writes its stars escaped: "\*\*\* START OF ...", and
# Common Sense's summary ended on the licence's "See paragraph 1.E below.")
_START = re.compile(
    r"^\s*(?:\\?\*){3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG|^\s*\*END\*THE SMALL PRINT",
    re.IGNORECASE,
)
_END = re.compile(
    r"^\s*(?:(?:\\?\*){3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG"
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
    r"\b\s*(?:the\s+)?[\w.:—–-]*(?:\s*[.:—–-]\s*.{0,60})?"
    r"|[IVXLC]+\.?)\s*$",
    re.IGNORECASE,
)
_SENTENCE_TAIL = re.compile(r"[:.—–-]\s*(?:\S+\s+){4,}\S*[.!?][\"'”’)]*\s*$")


def heading_word(line: str) -> bool:
    """Whether a line is a heading by its first word ("Chapter I. The Storm", "PART TWO"),
    not a sentence that starts like one ("Part 3: Alice met Bob in town and they talked.").
    A name in capitals is a heading however long ("CHAPTER VI. TOBIAS GREGSON SHOWS WHAT
    HE CAN DO.", A Study in Scarlet's, was read as a sentence and its chapter lost)."""
    if _HEADING_WORD.match(line) is None:
        return False
    return not _SENTENCE_TAIL.search(line) or in_capitals(line)


def in_capitals(line: str) -> bool:
    """Whether every letter of `line` is a capital (at least a few of them)."""
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


_CHAPTER_INSIDE = re.compile(r"\b(?:chapter|book|part|stave)\s+[\w.]+", re.IGNORECASE)


def blank(text: str) -> str:
    """`text` with every character but a line break turned into a space."""
    return re.sub(r"[^\n]", " ", text)


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
            if is_heading_line(stripped) and _matter_name(stripped) is None:
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


def matter_heading(line: str) -> bool:
    """Whether a line names front or back matter ("Contents", "Index"), not a work."""
    return _matter_name(line.strip()) is not None


# A chapter's numeral and its name on one line: "I. The Period", "XII. An Hour and a Half"
_NUMERAL_NAME = re.compile(r"^[IVXLC]{1,7}\.\s+[^\W\d_][^.!?;:]{0,60}\.?$")
NUMERAL_NAME_WORDS = 8


def is_heading_line(stripped: str) -> bool:
    """Whether a line standing alone (a blank line after it) is a heading: a heading
    word's ("Chapter I. The Storm", "Book the First--Recalled to Life"), a numeral and a
    name ("I. The Period", A Tale of Two Cities' chapters), or a short line in capitals."""
    if not stripped or len(stripped) > 90:
        return False
    if heading_word(stripped):
        return True
    if _NUMERAL_NAME.match(stripped) and len(stripped.split()) <= NUMERAL_NAME_WORDS + 1:
        return stripped.split()[1][0].isupper()
    return (
        in_capitals(stripped)
        and len(stripped.split()) <= 8
        and not stripped.endswith((":", ","))
        and not any(ch in stripped for ch in '"“”«»')  # a quoted signature, a shout
        # ... nor a line of a programme or a list with its leader dots ("ADDRESS. . . BY
        # TOAD", the bill of Toad's banquet in The Wind in the Willows, stood as the last
        # chapter's heading in a new user's outline)
        and _LEADER_DOTS.search(stripped) is None
    )


_LEADER_DOTS = re.compile(r"\.\s\.\s\.")


ATTRIBUTION_WORDS = 4  # an epigraph's author: "LOWELL.", "OMAR KHAYYAM (FITZGERALD)."


def is_attribution(line: str, before: str) -> bool:
    """Whether `line`, in capitals and indented, signs the indented lines `before` it (the
    last line of text before it): an epigraph's author under its verse ("  LOWELL." under
    "    Keeping watch above His own."), no heading. The Souls of Black Folk's outline
    named each chapter after the poet its epigraph quotes (a new user's walk)."""
    stripped = line.strip()
    return (
        line[:1] in " \t"
        and before[:1] in " \t"
        and in_capitals(stripped)
        and not heading_word(stripped)
        and len(stripped.split()) <= ATTRIBUTION_WORDS
    )


# A site's notice set between two rules: "----" / "更多TXT电子书下载,请访问..." /
# "版权声明：..." / "----". A rule, a few lines holding a link or a word of licence, a rule.
_RULE_LINE = re.compile(r"^\s*(?:[-=*_~─━]\s*){20,}$")
_NOTICE_WORDS = re.compile(
    r"https?://|www\.|copyright|all rights reserved|licen[cs]e|download|e-?book|"
    r"版权|下载|电子书|正版|著作権|ダウンロード",
    re.IGNORECASE,
)
NOTICE_MAX_LINES = 16
NOTICE_LINE_CHARS = 80  # a notice's line: a link, a banner (a paragraph is longer)
NOTICE_SHARE = 0.5  # of the text between the rules, in notice lines
LONG_RULE_CHARS = 40


def _a_notice(lines: list[str]) -> bool:
    """Whether the lines between two rules are a notice: most of their text, by length,
    stands in short lines holding a link or a word of licence (a paragraph of prose that
    mentions a download or a licence fee between two rules is the text's)."""
    filled = [line.strip() for line in lines if line.strip()]
    noticed = sum(
        len(line)
        for line in filled
        if _NOTICE_WORDS.search(line) and len(line) <= NOTICE_LINE_CHARS
    )
    return noticed > 0 and noticed >= NOTICE_SHARE * sum(len(line) for line in filled)


class _Notices:
    """Holds the lines after a rule until the next rule: a notice between them (a link, a
    word of licence) is turned into spaces, any other lines pass on as they were."""

    def __init__(self) -> None:
        self.held: list[str] = []
        # the line before: a rule under a line of text underlines it as a heading, unless
        # it is longer than a heading's underline would be
        self.previous = ""

    def feed(self, line: str) -> list[str]:
        if not self.held:
            rule = _RULE_LINE.match(line) is not None
            opens = rule and (not self.previous.strip() or len(line.strip()) >= LONG_RULE_CHARS)
            self.previous = line
            if opens:
                self.held = [line]
                return []
            return [line]
        self.held.append(line)
        if _RULE_LINE.match(line):
            held, self.held = self.held, []
            self.previous = line
            notice = _a_notice(held[1:-1])
            return [blank(h) for h in held] if notice else held
        if len(self.held) > NOTICE_MAX_LINES:
            return self.flush()
        return []

    def flush(self) -> list[str]:
        held, self.held = self.held, []
        self.previous = held[-1] if held else self.previous
        return held


# The line that closes a book ("THE END.", "FINIS", "Ende"): what follows it up to the end of
# the file, or up to a Gutenberg footer, is a publisher's list of other books, not the text.
_FINIS = re.compile(r"^\s*(?:the\s+end|finis|fin|ende|конец|终|完)\s*[.!]?\s*$", re.IGNORECASE)
FINIS_HOLD_CHARS = 30_000  # more than this after it: another story follows (a collection)


class _Finis:
    """Holds the lines after a book's closing line: they are blanked when the file or its
    Gutenberg footer ends within FINIS_HOLD_CHARS (advertisements, "Selections from ...'s
    Books for Girls"), passed on as they were when more text or a chapter heading follows
    (a collection's next story)."""

    def __init__(self) -> None:
        self.held: list[str] | None = None
        self.held_chars = 0

    def feed(self, line: str) -> list[str]:
        if self.held is None:
            if _FINIS.match(line):
                self.held, self.held_chars = [], 0
            return [line]
        if _END.match(line) or _START.match(line):
            return self.flush(at_end=True) + [line]
        if heading_word(line) and not _FINIS.match(line):
            return self.flush(at_end=False) + [line]
        self.held.append(line)
        self.held_chars += len(line)
        return self.flush(at_end=False) if self.held_chars > FINIS_HOLD_CHARS else []

    def flush(self, at_end: bool) -> list[str]:
        held, self.held = self.held or [], None
        return [blank(h) for h in held] if at_end else held


def without_boilerplate(blocks: Iterable[str]) -> Iterator[str]:
    """A source's text with its Gutenberg header and footer, credits, notes, illustration
    blocks, a site's notices, front matter and a publisher's list after "THE END" turned
    into spaces; the same length, read as a stream."""
    state = _Boilerplate()
    notices = _Notices()
    finis = _Finis()

    def feed(line: str) -> str:
        return "".join(
            state.feed(after) for kept in notices.feed(line) for after in finis.feed(kept)
        )

    pending = ""
    for block in blocks:
        pending += block
        lines = pending.split("\n")
        pending = lines.pop()
        if len(pending) > LONG_LINE_CHARS:
            lines.append(pending)  # a line this long is passed on whole, without its end
            pending = ""
            out = "".join(feed(line + "\n") for line in lines[:-1])
            out += feed(lines[-1])
        else:
            out = "".join(feed(line + "\n") for line in lines)
        if out:
            yield out
    tail = feed(pending) if pending else ""
    tail += "".join(state.feed(after) for held in notices.flush() for after in finis.feed(held))
    tail += "".join(state.feed(held) for held in finis.flush(at_end=True))
    tail += state.release() if state.held is not None else ""
    if tail:
        yield tail
