"""A document's title and author, as the start of its text shows them. Pure.

`find_title(text, layout)` looks, in order, for a first heading or short line with a
byline under it (a title page from metadata has that shape: text/marks.title_page),
Gutenberg's Title: and Author: lines, or a first heading or short line alone. A line of
prose is never a title: one that holds a sentence end with more words after it, or a long
line of hard-wrapped prose that the next line continues.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from longcli.text.boilerplate import TITLE_SEARCH_CHARS, heading_word
from longcli.text.layout import (
    ATX,
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
from longcli.text.sentences import RECORD_START, SHORT_LINE_CHARS, split_sentences
from longcli.text.vocabulary import visible, word_count

TITLE_MAX_WORDS = 14
MIN_SENTENCE_WORDS = 4  # a sentence a reader could use (text/fragments.MIN_WORDS)
_BYLINE = re.compile(r"^\s*by\s+(\S.{1,80}?)\s*$", re.IGNORECASE)
# A Chinese book's first line: its 《title》, then the author after the label 作者 ("author")
_LABELLED_TITLE = re.compile(r"^《([^《》\n]{1,40})》\s*(?:作者|著者)\s*[：:；;，,]?\s*(\S{1,20})$")
_TITLE_FIELD = re.compile(r"^[ \t]*Title:[ \t]*(\S.*)$", re.IGNORECASE | re.MULTILINE)
_AUTHOR_FIELD = re.compile(r"^[ \t]*Author:[ \t]*(\S.*)$", re.IGNORECASE | re.MULTILINE)
_SMALL_WORDS = frozenset("a an and as at but by for in nor of on or the to with from".split())
# A Roman numeral up to CCCXCIX as written ("II.", "STAVE II:": A Christmas Carol's parts
# were "Stave Ii:"), not a word of its letters ("CIVIL DISOBEDIENCE" was "CIVIL ...")
_ROMAN = re.compile(r"^(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})[.,:;]?$")
URL = re.compile(r"https?://|www\.\w|\w\.(?:com|org|net|io|edu|gov)/|<\w+@", re.IGNORECASE)
BOILERPLATE = re.compile(
    r"project gutenberg|gutenberg\.org|gutenberg-tm|pgdp|distributed proofread|"
    r"this e-?text|this e-?book|transcriber|u\.s\. copyright|copyright (?:\d|law|holder)|"
    r"all rights reserved|proofreading team|"
    # a printed document's empty page: "This page has been left blank intentionally."
    # closed a NIST report's summary once its last sentence did (pool.Pool._closing)
    r"(?:page|side)\s+(?:has\s+been\s+|is\s+|was\s+)?(?:intentionally\s+)?left\s+blank",
    re.IGNORECASE,
)
OPENERS = "\"'“‘«「『（([*_"


@dataclass(frozen=True)
class Title:
    """Where a document's title (with its author and title block) stands, and what it says."""

    start: int
    end: int
    title: str
    author: str
    introduced: bool  # a Markdown title or an Abstract: its first sentence leads too


def find_title(text: str, layout: Layout) -> Title | None:
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
    found = find_title(head, layout_of(head))
    return Work(found.title, found.author) if found is not None else None


def _field_title(head: str) -> Title | None:
    """The title of Gutenberg's "Title:" line, with its "Author:" line if near."""
    field = _TITLE_FIELD.search(head)
    if field is None:
        return None
    author = _AUTHOR_FIELD.search(head, field.end())
    end = author.end() if author and author.start() - field.end() < 400 else field.end()
    name = author.group(1).strip() if author and end == author.end() else ""
    return Title(field.start(), end, cased(field.group(1)), cased(name), False)


def _opening_title(head: str, layout: Layout) -> Title | None:
    """The title the first lines show: a first heading, or a short line under or over a
    byline, a name, or a blank line."""
    # not a kept "Author:" field: where Gutenberg's "Title:" line ran into the notice
    # before it ("...www.gutenberg.orgTitle: The Yellow Wallpaper") that field stood first,
    # and "Author: Charlotte Perkins Gilman, by Charlotte Perkins Gilman." led the summary
    first = [
        (pos, line)
        for pos, line in lines_of(head)
        if line.strip() and not _AUTHOR_FIELD.match(line)
    ][:4]
    if not first:
        return None
    pos, line = first[0]
    labelled = _LABELLED_TITLE.match(line.strip())
    if labelled is not None:  # "《水浒传》作者；施耐庵": the author after a label, like "by"
        return Title(pos, pos + len(line), labelled.group(1), labelled.group(2), False)
    heading = layout.headings[0] if layout.headings else None
    if heading is not None and heading[0] == pos:
        atx = ATX.match(line.rstrip("\n"))
        end = pos + len(line)
        if atx is not None and len(atx.group(1)) == 1:
            return _with_byline(head, _headed(pos, end, heading[1]), first)
        if atx is not None and _names_the_work(heading[1]) and not _has_h1(head, layout):
            # "## Extending an LLM's memory" first, and no "# " anywhere: the author's title
            return _with_byline(head, _headed(pos, end, heading[1]), first)
        underline = head[end:].split("\n", 1)[0]
        if atx is None and SETEXT.match(underline):  # a setext title: its underline goes too
            return _with_byline(head, _headed(pos, end + len(underline), heading[1]), first)
    # Gutenberg's "Title:" line first, its notice blanked before it: the title is the
    # field's value ("Title: The Gift of the Magi, by O. Henry." led a summary)
    field = _TITLE_FIELD.match(line)
    candidate = inline((field.group(1) if field else line).strip())
    if not _title_like(candidate):
        return None
    titled = _with_byline(head, Title(pos, pos + len(line), cased(candidate), "", False), first)
    if titled.author:
        return titled
    next_line = head[pos + len(line) :].split("\n", 1)[0]
    if len(first) > 1 and not next_line.strip():
        return titled  # then a blank line
    second = inline(first[1][1].strip()) if len(first) > 1 else ""
    if len(candidate) >= SHORT_LINE_CHARS and len(second) >= SHORT_LINE_CHARS:
        return None  # a long line the next long one goes on from: hard-wrapped prose
    if not _title_like(second):
        return None
    end = first[1][0] + len(first[1][1])
    if _name_like(candidate) and not _name_like(second) and not _DIGIT.search(second):
        # "Лев Толстой" over "Война и мир" (not "Weekly Report" over "March 2024")
        return Title(pos, end, cased(second), cased(candidate), False)
    if _name_like(second) and not _name_like(candidate):  # "Emma" over "Jane Austen"
        return Title(pos, end, cased(candidate), cased(second), False)
    return titled  # then a date, a place


_SECTION_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXLC]+\.)(?:\s|$)")


def _headed(start: int, end: int, heading: str) -> Title:
    """A title heading, with the author it may name first ("Franz Kafka: Ein Landarzt")."""
    name, colon, rest = heading.partition(":")
    if colon and rest.strip() and _name_like(name.strip()):
        return Title(start, end, rest.strip(), cased(name.strip()), True)
    return Title(start, end, heading, "", True)


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


def _with_byline(head: str, title: Title, first: list[tuple[int, str]]) -> Title:
    """The title with its author, when a "by" line stands within two lines under it."""
    for next_pos, next_line in first[1:3]:
        name = _byline_name(next_line)
        if name:
            return Title(title.start, next_pos + len(next_line), title.title, cased(name),
                          title.introduced)  # fmt: skip
    return title


def _byline_name(line: str) -> str:
    """The name a byline gives: "by Herman Melville", or in any language one lower-case
    word before a name alone ("von Franz Kafka", "par Victor Hugo", "door Jan Smit")."""
    byline = _BYLINE.match(line)
    if byline:
        return byline.group(1).strip().rstrip(",")
    word, _, rest = line.strip().partition(" ")
    if word.isalpha() and word.islower() and _name_like(rest.strip().rstrip(",")):
        return rest.strip().rstrip(",")
    return ""


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


def _with_repetition(head: str, title: Title) -> Title:
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
                return Title(title.start, block_end, title.title, title.author, title.introduced)
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
    return Title(title.start, end, title.title, title.author, title.introduced)


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _title_block_line(line: str) -> bool:
    """A line of a title page under its title: short, no sentence ("2. Auflage, 31.
    Dezember 2016", "Martin Thoma", "Universität Karlsruhe")."""
    stripped = line.strip()
    return 0 < len(stripped.split()) <= 8 and len(stripped) <= 48 and stripped[-1:] not in TERMINAL


def _holds_sentence(line: str) -> bool:
    """Whether a line opens with a whole sentence and goes on after it ("Vor dem Gesetz steht
    ein Türhüter. Zu diesem..."), where a title's full stop ends a word or two ("Ein
    Landarzt. Kleine Erzählungen", "Dr. Jekyll and Mr. Hyde")."""
    sentences = split_sentences(line)
    return len(sentences) > 1 and word_count(sentences[0].text) >= MIN_SENTENCE_WORDS


def _title_like(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= TITLE_MAX_WORDS
        and not line.endswith((".", ",", ";", ":"))
        and any(ch.isalpha() for ch in line)
        and not line.lstrip(OPENERS)[:1].islower()
        and not _BYLINE.match(line)
        and not heading_word(line)
        and not URL.search(line)
        and not menu_like(line)
        and not BOILERPLATE.search(line)
        and not RECORD_START.match(line)  # a log's first line is a record, not its title
        and not _holds_sentence(line)
    )


def spellings(text: str) -> dict[str, str]:
    """The text's own spelling of its words cased inside ("McDermott", "iPhone"), by their
    case-folded form: what title case cannot guess from "MCDERMOTT"."""
    return {
        word.casefold(): word
        for word in _WORD.findall(text)
        if not word.isupper() and word != word.capitalize() and not word.islower()
    }


_WORD = re.compile(r"[^\W\d_][\w'’]*")


def cased(text: str, spelled: Mapping[str, str] | None = None) -> str:
    """An all-capitals title or name in title case ("RETIEF OF THE RED-TAPE MOUNTAIN"); a
    word `spelled` (text/titles.spellings) otherwise in the text keeps that spelling."""
    text = visible(SPACE.sub(" ", text))  # a zero-width space or a BOM before it: gone
    letters = [ch for ch in text if ch.isalpha()]
    with_case = [ch for ch in letters if ch.isupper() or ch.islower()]
    # "扩展LLM的记忆" is Han with an acronym in it, not a title set in capitals
    if (
        not letters
        or len(with_case) * 2 < len(letters)
        or not all(ch.isupper() for ch in with_case)
    ):
        return text
    words: list[str] = []
    known = spelled or {}
    for i, word in enumerate(text.split()):
        core = word.strip(".,:;!?")
        # a small word opening the title, or its part after a stop ("Chapter II. The Wonder")
        opening = i == 0 or words[-1].endswith((".", ":", "!", "?"))
        if core.casefold() in known:
            words.append(word.replace(core, known[core.casefold()]))
        elif _ROMAN.match(word) and len(word) > 1 and word.rstrip(".,:;") not in {"I", "C", "L"}:
            words.append(word)
        elif not opening and word.lower() in _SMALL_WORDS:
            words.append(word.lower())
        else:
            words.append("-".join(_capitalised(p) for p in word.split("-")))
    return " ".join(words)


def _capitalised(word: str) -> str:
    """`word` in lower case but its first letter, after any mark opening it ("‘Like" of
    "‘LIKE SUMMER TEMPESTS CAME HIS TEARS’", a chapter of The Wind in the Willows)."""
    lead = len(word) - len(word.lstrip("‘“\"'«(["))
    return word[:lead] + word[lead : lead + 1].upper() + word[lead + 1 :].lower()
