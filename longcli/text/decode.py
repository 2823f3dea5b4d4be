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
AUTO = "auto"  # --encoding auto: the encoding charset-normalizer finds likeliest
GUESS_BYTES = 1 << 16  # the bytes an encoding is guessed from
CHAOS_SLACK = 0.02  # a common encoding this close to the likeliest is preferred to it
# The encodings people use, most used first (among equals, the first wins).
_COMMON = tuple(
    """utf_8 cp1252 cp1251 gb18030 gbk big5 shift_jis cp932 euc_jp euc_kr cp949 latin_1
    iso8859_15 cp1250 iso8859_2 koi8_r koi8_u iso8859_5 cp1253 cp1254 cp1255 cp1256 cp1257
    gb2312 utf_16 utf_32""".split()
)

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


def guess_encoding(sample: bytes) -> str | None:
    """The likeliest encoding of some bytes (charset-normalizer, MIT), or None."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        return None
    matches = list(from_bytes(sample[:GUESS_BYTES]))
    if not matches:
        return None
    # Short Western text reads alike in a dozen code pages; the one people use wins.
    best = matches[0]
    close = [m.encoding for m in matches if m.chaos <= best.chaos + CHAOS_SLACK]
    common = sorted((_COMMON.index(e), e) for e in close if e in _COMMON)
    return codecs.lookup(common[0][1] if common else best.encoding).name


def _chosen_encoding(encoding: str | None, head: bytes) -> str:
    if encoding and encoding.lower() != AUTO:
        return encoding
    bom = detect_encoding(head)
    if bom or not encoding:
        return bom or "utf-8"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut by the block's end
            return "utf-8"
    return guess_encoding(head) or "utf-8"


def _invalid(label: str, exc: UnicodeDecodeError, offset: int, sample: bytes) -> InputError:
    """The error for undecodable bytes, naming the likely encoding when one is found."""
    guess = guess_encoding(sample) if exc.encoding.replace("-", "") == "utf8" else None
    if guess and guess.replace("-", "") != "utf8":
        hint = f"it looks like {guess}: use --encoding {guess} (or --encoding auto)"
    else:
        hint = "use --encoding to name the right encoding, or --errors replace"
    return InputError(f"{label}: invalid {exc.encoding} byte at offset {offset}", hint=hint)


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
    chosen = _chosen_encoding(encoding, head)
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
            raise _invalid(label, exc, offset, block) from None
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
