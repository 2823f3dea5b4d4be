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
