"""Bytes in, clean text out: encodings, BOMs, binary sniffing, newline folding, streaming.

Text is read in fixed-size blocks through an incremental decoder, so memory does not grow
with the size of the input. Offsets reported elsewhere are character offsets into the
*normalised* text (CRLF and CR folded to LF, BOM removed, terminal controls removed and
form feeds made newlines: see `longcli.controls`).
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from longcli.controls import strip_controls
from longcli.errors import InputError, UsageError

BLOCK_BYTES = 1 << 16
STDIN_NAME = "-"

# Longest BOM first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


@dataclass(frozen=True)
class Source:
    """One input: a file path or standard input."""

    name: str  # as the user wrote it; "-" for stdin
    path: Path | None  # None for stdin

    @property
    def label(self) -> str:
        return "<stdin>" if self.path is None else self.name


def resolve_sources(names: list[str], stdin_is_tty: bool) -> list[Source]:
    """Turn command-line arguments into sources; no arguments means stdin when it is piped."""
    if not names:
        if stdin_is_tty:
            raise UsageError(
                "no input given",
                hint="pass a file, or pipe text in: cat file | longcli summarize -",
            )
        return [Source(STDIN_NAME, None)]
    sources: list[Source] = []
    for name in names:
        if name == STDIN_NAME:
            if stdin_is_tty:
                raise UsageError("'-' reads standard input, but standard input is a terminal")
            sources.append(Source(name, None))
        else:
            sources.append(Source(name, _check_readable(Path(name))))
    if sum(1 for s in sources if s.path is None) > 1:
        raise UsageError("standard input ('-') can be given only once")
    return sources


def unreadable(path: Path, exc: OSError) -> InputError:
    """The one-line error for a file that cannot be read."""
    if isinstance(exc, FileNotFoundError):
        return InputError(f"no such file: {path}")
    if isinstance(exc, PermissionError):
        return InputError(f"permission denied: {path}")
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{path} is a directory, not a text file")
    return InputError(f"cannot read {path}: {exc.strerror}")


def _check_readable(path: Path) -> Path:
    try:
        st = path.stat()
    except OSError as exc:
        raise unreadable(path, exc) from None
    if stat.S_ISDIR(st.st_mode):
        raise unreadable(path, IsADirectoryError())
    if not os.access(path, os.R_OK):
        raise unreadable(path, PermissionError())
    return path


def detect_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark announces, or None."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return None


class _Normaliser:
    """Folds CRLF and lone CR to LF across block boundaries."""

    def __init__(self) -> None:
        self._pending_cr = False

    def feed(self, text: str, final: bool) -> str:
        if self._pending_cr:
            text = "\r" + text
            self._pending_cr = False
        if text.endswith("\r") and not final:
            text = text[:-1]
            self._pending_cr = True
        return text.replace("\r\n", "\n").replace("\r", "\n")


def iter_text(
    stream: BinaryIO,
    label: str,
    encoding: str | None = None,
    errors: str = "strict",
    block_bytes: int = BLOCK_BYTES,
) -> Iterator[str]:
    """Decode a binary stream block by block into normalised text."""
    head = stream.read(block_bytes)
    chosen = encoding or detect_encoding(head) or "utf-8"
    try:
        decoder = codecs.getincrementaldecoder(chosen)(errors=errors)
    except LookupError:
        raise UsageError(f"unknown encoding: {chosen}") from None
    # NUL bytes are normal in UTF-16/32; in 8-bit encodings they mean binary data.
    wide = codecs.lookup(chosen).name.startswith(("utf-16", "utf-32"))
    normaliser = _Normaliser()
    consumed = 0
    block = head
    while True:
        final = not block
        if block and not wide:
            nul = block.find(b"\0")
            if nul >= 0:
                raise InputError(
                    f"{label}: looks like a binary file (NUL byte at offset {consumed + nul}); "
                    "longcli reads text only"
                )
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(block, final=final)
        except UnicodeDecodeError as exc:
            offset = consumed - pending + exc.start
            raise InputError(
                f"{label}: invalid {exc.encoding} byte at offset {offset}",
                hint="use --encoding to name the right encoding, or --errors replace",
            ) from None
        consumed += len(block)
        # After the CR folding, so a CR LF split across two blocks is still one line end.
        out = strip_controls(normaliser.feed(text, final))
        if out:
            yield out
        if final:
            return
        block = stream.read(block_bytes)


def open_binary(source: Source) -> BinaryIO:
    if source.path is None:
        return sys.stdin.buffer
    try:
        return open(source.path, "rb")  # noqa: SIM115 - closed by the caller's context
    except OSError as exc:
        raise unreadable(source.path, exc) from None


def iter_source_text(
    source: Source, encoding: str | None = None, errors: str = "strict"
) -> Iterator[str]:
    """Stream one source's normalised text, closing the file when done."""
    stream = open_binary(source)
    try:
        yield from iter_text(stream, source.label, encoding, errors)
    finally:
        if source.path is not None:
            stream.close()
