"""Bytes in, clean text out: where an input's bytes come from (a file, a pipe, standard
input, a URL), encodings, BOMs, binary sniffing, newline folding, streaming.

Every input is read exactly once: its format is sniffed from the first bytes of the very
stream its reader then goes on reading (`peek`, then `open_binary`), since a pipe, a FIFO,
a process substitution (/dev/fd/N) or standard input cannot be opened or rewound again.

Text is read in fixed-size blocks through an incremental decoder, so memory does not grow
with the size of the input. Offsets reported elsewhere are character offsets into the
*normalised* text (CRLF and CR folded to LF, BOM removed, terminal escape sequences and
controls removed and form feeds made newlines: see `longcli.controls`).
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from longcli.controls import strip_escapes, unfinished_escape
from longcli.errors import InputError, UsageError
from longcli.text.fetch import Page, check_url, fetch, is_url

BLOCK_BYTES = 1 << 16
STDIN_NAME = "-"
AUTO = "auto"  # --encoding auto: the encoding charset-normalizer finds likeliest
GUESS_BYTES = 1 << 16  # the bytes an encoding is guessed from
CHAOS_SLACK = 0.02  # a common encoding this close to the likeliest is preferred to it
WIDE_TEXT_SHARE = 0.95  # printable characters, of a sample decoded as UTF-16/32 without BOM
WIDE_NUL_SHARE = 0.1  # code units with a zero high byte, at least, in UTF-16 text without BOM
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


class _Reading:
    """How far an input has been read: the stream its format was sniffed from, until its
    reader takes it; whether a reader has; the page a URL gave."""

    def __init__(self) -> None:
        self.pending: _ReadAhead | None = None
        self.taken = False
        self.page: Page | None = None


@dataclass(frozen=True)
class Source:
    """One input: a file path, a web address or standard input."""

    name: str  # as the user wrote it; "-" for stdin
    path: Path | None  # None for stdin and a URL
    url: str | None = None  # http(s), fetched when first read
    reading: _Reading = field(default_factory=_Reading, init=False, repr=False, compare=False)

    @property
    def label(self) -> str:
        return "<stdin>" if self.path is None and self.url is None else self.name

    @property
    def rereadable(self) -> bool:
        """Whether it can be read again from its start: a regular file (not a pipe, a FIFO,
        a device, standard input or a URL)."""
        return self.path is not None and self.path.is_file()


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
        elif is_url(name):
            sources.append(Source(name, None, check_url(name)))
        elif _OTHER_SCHEME.match(name) and not Path(name).exists():
            scheme = name.split(":", 1)[0]
            raise InputError(
                f"{name}: longcli reads http:// and https:// addresses, not {scheme}://"
            )
        else:
            sources.append(Source(name, _check_readable(Path(name))))
    if sum(1 for s in sources if s.path is None and s.url is None) > 1:
        raise UsageError("standard input ('-') can be given only once")
    return sources


_OTHER_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")  # ftp://, file://: an address


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


def text_encoding(encoding: str | None) -> str | None:
    """--encoding as given, once it is known to name a text encoding (or "auto")."""
    if not encoding or encoding.lower() == AUTO:
        return encoding
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise UsageError(f"unknown encoding: {encoding}") from None
    # What str.encode and bytes.decode check too: base64, zlib, rot13 and the like are
    # codecs, but of bytes to bytes or text to text.
    if not getattr(info, "_is_text_encoding", True):
        raise UsageError(
            f"{encoding} is not a text encoding",
            hint="name the text's character encoding, e.g. --encoding cp1252, or --encoding auto",
        )
    return encoding


def _chosen_encoding(encoding: str | None, head: bytes) -> str:
    if encoding and encoding.lower() != AUTO:
        return encoding
    bom = detect_encoding(head)
    if bom or not encoding:
        return bom or "utf-8"
    wide = wide_without_bom(head)
    if wide:
        return wide
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


def wide_without_bom(sample: bytes) -> str | None:
    """The UTF-16 or UTF-32 byte order that reads `sample` (which has no BOM) as text, or
    None: text of those encodings holds NUL bytes, which make it look binary."""
    for encoding in ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"):
        width = 4 if "32" in encoding else 2
        whole = sample[: len(sample) - len(sample) % width]
        if width == 2 and not _nuls_in_step(whole, high=1 if encoding.endswith("le") else 0):
            continue  # UTF-32 decoding is strict enough alone; UTF-16's is not
        try:
            text = whole.decode(encoding)
        except UnicodeDecodeError:
            continue
        readable = sum(c.isprintable() or c in "\t\n\r" for c in text)
        if text and readable >= WIDE_TEXT_SHARE * len(text):
            return encoding
    return None


def _nuls_in_step(sample: bytes, high: int) -> bool:
    """Whether the NULs fall on the high byte of UTF-16 code units, as in text whose spaces,
    digits and Latin or Cyrillic letters have a zero high byte; an 8-bit file with a stray
    NUL, or a binary one, has them anywhere."""
    units = len(sample) // 2
    in_step = sample[high::2].count(0)
    out_of_step = sample[1 - high :: 2].count(0)
    return units > 0 and in_step >= WIDE_NUL_SHARE * units and out_of_step * 10 <= in_step


def _binary(label: str, offset: int, sample: bytes) -> InputError:
    """The error for a NUL byte: UTF-16 or UTF-32 text without a BOM is named as such."""
    wide = wide_without_bom(sample)
    if wide:
        kind = wide[:6].upper()
        return InputError(
            f"{label}: looks like {kind} text without a byte-order mark",
            hint=f"use --encoding {wide}",
        )
    return InputError(
        f"{label}: looks like a binary file (NUL byte at offset {offset}), "
        "not text or a document longcli reads",
        hint="it reads text, Markdown, PDF, EPUB, HTML, DOCX, SRT and WebVTT",
    )


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
    chosen = _chosen_encoding(text_encoding(encoding), head)
    decoder = codecs.getincrementaldecoder(chosen)(errors=errors)
    # NUL bytes are normal in UTF-16/32; in 8-bit encodings they mean binary data.
    wide = codecs.lookup(chosen).name.startswith(("utf-16", "utf-32"))
    normaliser = _Normaliser()
    consumed = 0
    block = head
    unfinished = ""  # an escape sequence cut by the block's end, kept for the next block
    while True:
        final = not block
        if block and not wide:
            nul = block.find(b"\0")
            if nul >= 0:
                raise _binary(label, consumed + nul, block)
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(block, final=final)
        except UnicodeDecodeError as exc:
            offset = consumed - pending + exc.start
            raise _invalid(label, exc, offset, block) from None
        consumed += len(block)
        # After the CR folding, so a CR LF split across two blocks is still one line end.
        text = unfinished + normaliser.feed(text, final)
        cut = len(text) if final else unfinished_escape(text)
        text, unfinished = text[:cut], text[cut:]
        out = strip_escapes(text)
        if out:
            yield out
        if final:
            return
        block = stream.read(block_bytes)


def decode_bytes(data: bytes, label: str, encoding: str | None, errors: str) -> str:
    """A whole document's bytes as normalised text, with the errors `iter_text` gives."""
    return "".join(iter_text(io.BytesIO(data), label, encoding, errors))


class _ReadAhead(io.RawIOBase):
    """An input's stream whose first bytes were read ahead, to sniff its format, and are
    read again first: what a pipe gives cannot be read twice, so it is read once."""

    def __init__(self, inner: BinaryIO, owned: bool) -> None:
        super().__init__()
        self._inner = inner
        self._owned = owned  # closed with this stream (not standard input)
        self._ahead = bytearray()

    def ahead(self, size: int) -> bytes:
        """The first `size` bytes (fewer when the stream is shorter), read once."""
        while len(self._ahead) < size:
            block = _read1(self._inner, size - len(self._ahead))
            if not block:
                break
            self._ahead += block
        return bytes(self._ahead[:size])

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        if self._ahead:
            size = min(len(view), len(self._ahead))
            view[:size] = self._ahead[:size]
            del self._ahead[:size]
            return size
        if self._inner.closed:
            return 0  # read to its end already
        data = _read1(self._inner, len(view))
        view[: len(data)] = data
        if not data and self._owned:
            self._inner.close()  # at its end: a URL's temp file or a pipe is let go at once
        return len(data)

    def close(self) -> None:
        if not self.closed and self._owned:
            self._inner.close()
        super().close()


def _read1(stream: BinaryIO, size: int) -> bytes:
    # What is there, up to `size`: a pipe's reader is not kept waiting for a full block.
    read1 = getattr(stream, "read1", None)
    return bytes(read1(size) if read1 is not None else stream.read(size))


def _open_raw(source: Source) -> _ReadAhead:
    if source.url is not None:
        source.reading.page = fetch(source.url)
        return _ReadAhead(source.reading.page.body, owned=True)
    if source.path is None:
        return _ReadAhead(sys.stdin.buffer, owned=False)
    try:
        return _ReadAhead(open(source.path, "rb"), owned=True)  # noqa: SIM115
    except OSError as exc:
        raise unreadable(source.path, exc) from None


def _pending(source: Source) -> _ReadAhead:
    """The stream a reader of `source` is to take, opened now if it is not yet."""
    reading = source.reading
    if reading.pending is None:
        if reading.taken and not source.rereadable:
            raise InputError(
                f"{source.label} was read already, and cannot be read twice",
                hint="save it to a file first",
            )
        reading.pending = _open_raw(source)
    return reading.pending


def peek(source: Source, size: int) -> bytes:
    """The first `size` bytes of a source (fewer when it is shorter), read from the stream
    its reader then takes, from its start (nothing is read twice)."""
    return _pending(source).ahead(size)


def open_binary(source: Source) -> BinaryIO:
    """The source's bytes from its start: the stream its format was sniffed from, or a
    new one. Read it to its end or close it."""
    stream = _pending(source)
    source.reading.pending, source.reading.taken = None, True
    return io.BufferedReader(stream, BLOCK_BYTES)


def let_go(source: Source) -> None:
    """Close the stream the sniffing opened, for a reader that opens the file itself."""
    if source.reading.pending is not None:
        source.reading.pending.close()
        source.reading.pending = None


def page(source: Source) -> Page | None:
    """What a URL's headers say its body is (fetching it now if not yet); None for a file."""
    if source.url is None:
        return None
    if source.reading.page is None:
        _pending(source)
    return source.reading.page


def iter_source_text(
    source: Source, encoding: str | None = None, errors: str = "strict"
) -> Iterator[str]:
    """Stream one source's normalised text, closing its stream when done."""
    with open_binary(source) as stream:
        yield from iter_text(stream, source.label, encoding, errors)
