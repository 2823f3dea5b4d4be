"""Aozora Bunko's plain-text format (青空文庫), read as its documented layout says: a title
line and an author line, a block between rules of dashes explaining the marks used, the
text, then the colophon from 底本： (the source edition, who typed and proofread it). In the
text, 《...》 gives the reading (ruby) of the word before it, ｜ marks where that word
starts, and ［＃...］ is an editor's note (a heading, an indent, a character the encoding
lacks after ※). None of it is the text a reader reads: the title and author become the
title page, the rest goes, and a note marking a heading (［＃「一」は中見出し］) becomes a
heading line. Pure.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from longcli.text.marks import Work

HEADER_MAX_LINES = 8  # the title lines before the first rule: title, subtitle, author...
NOTATION_MAX_LINES = 60  # the block explaining the marks is about 20 lines
_RULE = re.compile(r"^\s*-{10,}\s*$")
_RUBY = re.compile(r"《[^《》\n]*》")
_NOTE = re.compile(r"※?［＃[^［］\n]*(?:［[^［］\n]*］[^［］\n]*)*］")
_HEADING_NOTE = re.compile(r"［＃「([^」\n]+)」は(大|中|小)見出し］")
_HEADING_LEVEL = {"大": 2, "中": 3, "小": 4}  # under the title page's own title
_COLOPHON = re.compile(r"^\s*底本[：:]")
_TRANSLATOR = ("訳", "訳者", "翻訳")
COLOPHON_MAX_CHARS = 3_000  # the colophon is a dozen lines; more after 底本： is text


@dataclass(frozen=True)
class AozoraText:
    """An Aozora Bunko file's work, and where its text starts (after the notation block)."""

    work: Work
    body_start: int  # offset in the head where the text after the notation block starts


def aozora_text(head: str) -> AozoraText | None:
    """The work an Aozora Bunko file names, when its first lines have the format's shape:
    a few short title lines, then a rule, an explanation naming the ruby mark 《》, and a
    rule again; None for any other text."""
    lines = head.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    first = next((n for n, line in enumerate(lines[: HEADER_MAX_LINES + 1]) if _RULE.match(line)),
                 None)  # fmt: skip
    if first is None:
        return None
    names = [clean(line).strip() for line in lines[:first] if line.strip()]
    window = lines[first + 1 : first + 1 + NOTATION_MAX_LINES]
    second = next((n for n, line in enumerate(window) if _RULE.match(line)), None)
    if not names or second is None or not any("《》" in line for line in window[:second]):
        return None
    return AozoraText(_work(names), offsets[first + 2 + second])


def _work(names: list[str]) -> Work:
    """Title first; the author is the second line, or with more lines (a subtitle, an
    original title, a translator) the last that is not the translator's."""
    authors = [name for name in names[1:] if not name.endswith(_TRANSLATOR)]
    return Work(names[0], authors[-1] if authors else "")


def clean(line: str) -> str:
    """A line of Aozora text without its marks: ruby, ｜, and editor's notes; a note that
    marks a heading turns the line into a heading."""
    heading = _HEADING_NOTE.search(line)
    if heading is not None:
        end = "\n" if line.endswith("\n") else ""
        return "#" * _HEADING_LEVEL[heading.group(2)] + " " + heading.group(1) + end
    return _NOTE.sub("", _RUBY.sub("", line.replace("｜", "")))


def aozora_body(head: str, found: AozoraText, blocks: Iterator[str]) -> Iterator[str]:
    """The text of an Aozora file, from the head already read and the blocks after it,
    without the title lines, the notation block, the marks and the colophon; line by line
    (a mark never spans lines). A 底本： line starts the colophon only where the file ends
    within COLOPHON_MAX_CHARS of it: one inside the text is the text's."""
    pending = head[found.body_start :]
    colophon: list[str] = []  # held from a 底本： line on, until the file ends or goes on
    for block in itertools.chain([""], blocks):  # "": the head's own lines first
        pending += block
        lines = pending.split("\n")
        pending = lines.pop()
        out: list[str] = []
        for line in lines:
            if colophon or _COLOPHON.match(line):
                colophon.append(line + "\n")
                if sum(map(len, colophon)) > COLOPHON_MAX_CHARS:
                    out.extend(clean(held) for held in colophon)
                    colophon = []
                continue
            out.append(clean(line + "\n"))
        if out:
            yield "".join(out)
    if pending and not colophon and not _COLOPHON.match(pending):
        yield clean(pending)
