"""Terminal controls: the characters text from a document, a model or a session file may
not carry to a terminal, and the one function that takes them out.

C0 controls other than tab and newline, DEL, and the C1 controls (U+0080-U+009F) can
retitle, clear or script a terminal (ESC starts a sequence; U+009B is a one-character CSI),
so `text.decode` removes them from every document as it is read, and `Streams` removes them
again from everything written to stdout and stderr. Line-break controls become newlines so
the words on either side stay apart: CR LF, a lone CR, form feed and vertical tab (page
breaks in text files) and NEL (U+0085). Everything else is text and is kept as it is:
emoji, right-to-left text and bidi marks, combining marks, CJK, zero-width joiners.

Documents lose whole escape sequences (`strip_escapes`): a coloured log's `ESC[32mINFO
ESC[0m` is read as `INFO`, not `[32mINFO[0m`. What is written to the terminal loses only the
controls (`strip_controls`): there a sequence's parameters are visible and inert, and a
C1 introducer inside a JSON string cannot swallow the quotes and braces after it.

A leaf: imports nothing of longcli's, so `streams` (a leaf too) and `text` can both use it.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # tab (\x09) and newline (\x0a) stay
_LINE_BREAK = re.compile("\r\n?|[\x0b\x0c\x85]")
# The complement of _CONTROL, as a run: matching it over a whole block is up to twice as fast
# as searching for _CONTROL (ranges, commonest first, against a negated class).
_TEXT_RUN = re.compile("[ -~\xa0-\U0010ffff\t\n]*")
_ASCII_CONTROLS = bytes(c for c in range(128) if _CONTROL.match(chr(c)))
MAX_ESCAPE_CHARS = 4100  # the longest sequence taken out whole (an OSC 8 link and its URL)
# ECMA-48's sequences, each taken out whole: CSI (colours, cursor moves); the strings (OSC
# titles and links, DCS, SOS, PM, APC) up to their BEL or ST, on one line and at most 4 KiB,
# else only their introducer goes (the rest stays as text, never a page lost); and the
# two-character escapes (ESC 7, ESC ( B). Each starts with ESC or a C1 control.
_ESCAPE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]{0,4096}(?:\x07|\x1b\\|\x9c)"
    r"|\x1b(?![\[\]PX^_])[\x20-\x2f]*[\x30-\x7e]"  # not a CSI or string cut short
)
_INTRODUCER = re.compile(r"[\x1b\x90\x98\x9b\x9d\x9e\x9f]")


def has_controls(text: str) -> bool:
    """Whether `text` holds a character that `strip_controls` removes or turns into a newline."""
    if text.isascii():
        # Faster still on an all-ASCII block (the common case): encoding ASCII is a copy,
        # and bytes.translate is a tight C loop.
        return len(text.encode("ascii").translate(None, _ASCII_CONTROLS)) != len(text)
    run = _TEXT_RUN.match(text)
    return run is None or run.end() != len(text)


def strip_controls(text: str) -> str:
    """`text` without terminal controls; CR, CR LF, form feed, VT and NEL become newlines."""
    if not has_controls(text):
        return text
    return _CONTROL.sub("", _LINE_BREAK.sub("\n", text))


def strip_escapes(text: str) -> str:
    """`text` without whole terminal escape sequences, then without controls (for documents)."""
    if not has_controls(text):
        return text
    return strip_controls(_ESCAPE.sub("", text))


def unfinished_escape(text: str) -> int:
    """Where a sequence the next block may still complete starts at the end of `text`, or
    len(text): a block reader keeps that tail for the next block, so that a sequence cut
    by a block's end is taken out whole too."""
    at = max(0, len(text) - MAX_ESCAPE_CHARS)
    while (found := _INTRODUCER.search(text, at)) is not None:
        whole = _ESCAPE.match(text, found.start())
        if whole is None and "\n" not in text[found.start() :]:
            return found.start()  # no sequence spans a line end: this one may yet end
        at = whole.end() if whole is not None else found.start() + 1
    return len(text)
