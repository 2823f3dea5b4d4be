import codecs
import io
from pathlib import Path

import pytest

from longcli.errors import InputError, UsageError
from longcli.text.decode import Source, iter_text, resolve_sources


def decode(data: bytes, block: int = 7, **kw) -> str:
    return "".join(iter_text(io.BytesIO(data), "t", block_bytes=block, **kw))


def test_utf8_multibyte_across_blocks():
    text = "héllo wörld — ☃ " * 50
    assert decode(text.encode(), block=3) == text


@pytest.mark.parametrize(
    "bom,codec",
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_bom_is_detected_and_removed(bom, codec):
    text = "Line one\nLine two ☃\n"
    assert decode(bom + text.encode(codec), block=5) == text


def test_crlf_and_cr_are_folded_even_across_blocks():
    data = b"a\r\nb\rc\r\n\r\nd\r"
    for block in range(1, 8):
        assert decode(data, block=block) == "a\nb\nc\n\nd\n"


def test_invalid_utf8_reports_absolute_byte_offset():
    data = b"abcdefghij" * 3 + b"\xff" + b"tail"
    with pytest.raises(InputError, match="offset 30"):
        decode(data, block=4)


def test_invalid_byte_split_from_a_pending_sequence():
    # A lead byte at the end of one block, and a bad continuation in the next.
    data = b"abc\xe2" + b"(xyz"
    with pytest.raises(InputError, match="offset 3"):
        decode(data, block=4)


def test_errors_replace_keeps_going():
    assert decode(b"ok \xff ok", errors="replace") == "ok \ufffd ok"


def test_nul_byte_means_binary():
    with pytest.raises(InputError, match="binary file .*offset 12"):
        decode(b"hello world \x00\x01\x02", block=4)


def test_explicit_encoding():
    assert decode("café".encode("latin-1"), encoding="latin-1") == "café"


def test_unknown_encoding_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown encoding"):
        decode(b"x", encoding="no-such-codec")


def test_resolve_sources(tmp_path: Path):
    f = tmp_path / "a.txt"
    f.write_text("x")
    assert resolve_sources([str(f)], stdin_is_tty=True) == [Source(str(f), f)]
    assert resolve_sources([], stdin_is_tty=False)[0].path is None
    with pytest.raises(UsageError, match="no input"):
        resolve_sources([], stdin_is_tty=True)
    with pytest.raises(InputError, match="no such file"):
        resolve_sources([str(tmp_path / "missing.txt")], stdin_is_tty=True)
    with pytest.raises(InputError, match="is a directory"):
        resolve_sources([str(tmp_path)], stdin_is_tty=True)
    with pytest.raises(UsageError, match="only once"):
        resolve_sources(["-", "-"], stdin_is_tty=False)


RUSSIAN = "Байкал — самое глубокое озеро на Земле. Его глубина составляет 1642 метра. " * 8
FRENCH = "Il était une fois une reine très âgée qui aimait les légumes et les crêpes. " * 8


@pytest.mark.parametrize("text,codec", [(RUSSIAN, "cp1251"), (FRENCH, "cp1252")])
def test_a_legacy_encoding_is_named_in_the_error(text, codec):
    with pytest.raises(InputError) as caught:
        decode(text.encode(codec), block=1 << 16)
    assert caught.value.hint is not None and f"--encoding {codec}" in caught.value.hint


@pytest.mark.parametrize("text,codec", [(RUSSIAN, "cp1251"), (FRENCH, "cp1252")])
def test_encoding_auto_reads_a_legacy_encoding(text, codec):
    assert decode(text.encode(codec), block=1 << 16, encoding="auto") == text


def test_encoding_auto_keeps_utf8_and_boms():
    text = "日本語とEnglish — ☃\n" * 20
    assert decode(text.encode(), block=1 << 16, encoding="auto") == text
    assert decode(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), encoding="AUTO") == text
    # A character cut by the first block's end is no reason to doubt UTF-8.
    assert decode(text.encode(), block=2, encoding="auto") == text


# -- issue 33: hints, codecs that are not text encodings, whole escape sequences -----------

ENGLISH = "The harbour committee met on Monday. The vote passed, and the pier will be rebuilt.\n"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_a_bom_are_named_with_the_encoding_to_use(codec):
    with pytest.raises(InputError) as caught:
        decode(ENGLISH.encode(codec), block=1 << 16)
    assert (
        caught.value.message == f"t: looks like {codec[:6].upper()} text without a byte-order mark"
    )
    assert caught.value.hint == f"use --encoding {codec}"
    assert decode(ENGLISH.encode(codec), encoding=codec) == ENGLISH
    assert decode(ENGLISH.encode(codec), block=1 << 16, encoding="auto") == ENGLISH


def test_cyrillic_utf16_without_a_bom_is_named_too():
    with pytest.raises(InputError, match="looks like UTF-16 text"):
        decode(RUSSIAN.encode("utf-16-le"), block=1 << 16)


def test_a_binary_file_is_not_said_to_be_utf16_nor_longcli_to_read_text_only():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06" * 40
    for data in (png, b"hello world \x00\x01\x02"):
        with pytest.raises(InputError) as caught:
            decode(data, block=1 << 16)
        assert "binary file (NUL byte at offset" in caught.value.message
        assert "text only" not in caught.value.message
        assert caught.value.hint == "it reads text, Markdown, PDF, EPUB, HTML, DOCX, SRT and WebVTT"


@pytest.mark.parametrize("codec", ["rot13", "base64", "zlib", "hex", "bz2"])
def test_a_codec_that_is_no_text_encoding_is_one_line(run, tmp_path: Path, codec: str):
    path = tmp_path / "notes.txt"
    path.write_text(ENGLISH)
    r = run("summarize", str(path), "--encoding", codec, "--method", "extractive")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        f"longcli: {codec} is not a text encoding (name the text's character encoding, "
        "e.g. --encoding cp1252, or --encoding auto)\n"
    )


@pytest.mark.parametrize("suffix", ["txt", "srt", "vtt"])
def test_an_invalid_utf8_byte_is_the_same_line_in_text_and_subtitles(
    run, tmp_path: Path, suffix: str
):
    body = "1\n00:00:01,000 --> 00:00:02,000\nCaf\xe9 opened on Monday.\n"
    if suffix == "vtt":
        body = "WEBVTT\n\n" + body.replace(",", ".")
    path = tmp_path / f"cues.{suffix}"
    path.write_bytes(body.encode("latin-1"))
    r = run("summarize", str(path), "--method", "extractive")
    assert (r.returncode, r.stdout) == (2, "")
    offset = body.encode("latin-1").index(b"\xe9")
    assert r.stderr.startswith(f"longcli: {path}: invalid utf-8 byte at offset {offset} (")
    assert "--encoding" in r.stderr and r.stderr.count("\n") == 1


COLOURED_LOG = (
    "\x1b[32mINFO\x1b[0m The server started on port 8080 at noon.\n"
    "\x1b[1;31mERROR\x1b[0m The disk filled up before the backup ran.\n"
    "\x1b]0;build #12\x07\x1b]8;;https://example.org/run\x1b\\the run log\x1b]8;;\x1b\\ is kept.\n"
    "\x9b33mWARN\x9bm A C1 introducer \x1b(Bstarts a sequence too.\n"
)
CLEAN_LOG = (
    "INFO The server started on port 8080 at noon.\n"
    "ERROR The disk filled up before the backup ran.\n"
    "the run log is kept.\n"
    "WARN A C1 introducer starts a sequence too.\n"
)


@pytest.mark.parametrize("block", [1, 2, 3, 5, 8, 13, 1 << 16])
def test_escape_sequences_go_whole_even_across_blocks(block: int):
    assert decode(COLOURED_LOG.encode(), block=block) == CLEAN_LOG


def test_an_unfinished_sequence_loses_only_its_introducer():
    # Never a page lost to an escape that does not end: only ESC goes.
    text = "before \x1b]0;a title that never ends\nThe next line stays.\n"
    assert (
        decode(text.encode(), block=4)
        == "before ]0;a title that never ends\nThe next line stays.\n"
    )


def test_a_coloured_log_piped_in_is_summarized_without_residue(run):
    r = run("summarize", "-", "--method", "extractive", input=COLOURED_LOG)
    assert r.returncode == 0, r.stderr
    assert "INFO The server started" in r.stdout
    assert "[32m" not in r.stdout and "[0m" not in r.stdout and "]0;" not in r.stdout


def test_replaced_bytes_that_leave_no_letter_point_at_the_encoding(run, tmp_path: Path):
    """--errors replace on a cp1251 file turns every letter into U+FFFD: the error says the
    bytes are not UTF-8 and how to find their encoding (the hint was lost)."""
    f = tmp_path / "voina.txt"
    f.write_bytes("Война и мир. Князь Андрей вернулся домой.\n".encode("cp1251"))
    r = run("summarize", str(f), "--errors", "replace", "--method", "extractive")
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "has no readable text" in r.stderr and "--encoding auto" in r.stderr
