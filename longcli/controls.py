"""Terminal controls: the characters text from a document, a model or a session file may
not carry to a terminal, and the one function that takes them out.

C0 controls other than tab and newline, DEL, and the C1 controls (U+0080-U+009F) can
retitle, clear or script a terminal (ESC starts a sequence; U+009B is a one-character CSI),
so `text.decode` removes them from every document as it is read, and `Streams` removes them
again from everything written to stdout and stderr. Line-break controls become newlines so
the words on either side stay apart: CR LF, a lone CR, form feed and vertical tab (page
breaks in text files) and NEL (U+0085). Everything else is text and is kept as it is:
emoji, right-to-left text and bidi marks, combining marks, CJK, zero-width joiners.

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
