"""Small documents the tests build themselves: PDF, EPUB, DOCX, HTML, SRT and WebVTT."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _info_string(text: str) -> str:
    """A document information string: UTF-16 with its byte order mark when not ASCII."""
    return _pdf_string(text) if text.isascii() else f"<FEFF{text.encode('utf-16-be').hex()}>"


def _pdf_line(line: str | tuple[str, int]) -> str:
    """A line set in 11 pt, or (text, size) set in that size (a cover's title), moved down
    by its own size first, so that it does not reach up into the line above."""
    if isinstance(line, str):
        return f"{_pdf_string(line)} Tj"
    text, size = line
    return f"/F1 {size} Tf {size} TL T* {_pdf_string(text)} Tj /F1 11 Tf 14 TL"


def make_pdf(
    pages: Sequence[Sequence[str | tuple[str, int]]], info: dict[str, str] | None = None
) -> bytes:
    """A PDF with one page per entry, each line set in Helvetica (a real text layer; a
    (text, size) line in that size), and `info` (Title, Author) as its document information."""
    objects: list[bytes] = []
    page_ids = []
    font_id = 3 + 2 * len(pages)
    for n, lines in enumerate(pages):
        page_id, content_id = 3 + 2 * n, 4 + 2 * n
        page_ids.append(page_id)
        body = " T* ".join(_pdf_line(line) for line in lines)
        stream = f"BT /F1 11 Tf 14 TL 72 740 Td {body} ET".encode("latin-1")
        objects.append(
            f"{page_id} 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Contents {content_id} 0 R /Resources << /Font << /F1 {font_id} 0 R >> >> >> "
            "endobj\n".encode()
        )
        objects.append(
            f"{content_id} 0 obj << /Length {len(stream)} >> stream\n".encode()
            + stream
            + b"\nendstream endobj\n"
        )
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    head = [
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n",
        f"2 0 obj << /Type /Pages /Kids [{kids}] /Count {len(pages)} >> endobj\n".encode(),
    ]
    font = f"{font_id} 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n"
    fields = " ".join(f"/{k} {_info_string(v)}" for k, v in (info or {}).items())
    info_id = font_id + 1
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    info_obj = f"{info_id} 0 obj << {fields} >> endobj\n".encode()
    for obj in [*head, *objects, font.encode(), info_obj]:
        offsets.append(len(out))
        out += obj
    xref = len(out)
    out += f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    trailer = f"trailer << /Size {len(offsets) + 1} /Root 1 0 R /Info {info_id} 0 R >>"
    out += f"{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def make_epub(chapters: list[tuple[str, list[str]]], title: str = "", author: str = "") -> bytes:
    """An EPUB 3 with a nav document naming each chapter; spine in the given order; the
    book's `title` and `author` in its package metadata when given."""
    metadata = (f"<dc:title>{title}</dc:title>" if title else "") + (
        f"<dc:creator>{author}</dc:creator>" if author else ""
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        z.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" '
            'media-type="application/oebps-package+xml"/></rootfiles></container>',
        )
        items, refs, links = [], [], []
        for n, (title, paragraphs) in enumerate(chapters, 1):
            body = "".join(f"<p>{p}</p>" for p in paragraphs)
            z.writestr(
                f"OEBPS/text/ch{n}.xhtml",
                '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
                f"<title>{title}</title><style>p {{ color: red }}</style></head><body>"
                f"<h1>{title}</h1>{body}</body></html>",
            )
            items.append(
                f'<item id="c{n}" href="text/ch{n}.xhtml" media-type="application/xhtml+xml"/>'
            )
            refs.append(f'<itemref idref="c{n}"/>')
            links.append(f'<li><a href="text/ch{n}.xhtml">{title}</a></li>')
        z.writestr(
            "OEBPS/nav.xhtml",
            '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml" '
            'xmlns:epub="http://www.idpf.org/2007/ops"><body><nav epub:type="toc"><ol>'
            + "".join(links)
            + "</ol></nav></body></html>",
        )
        z.writestr(
            "OEBPS/content.opf",
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">' + metadata + "</metadata>"
            '<manifest><item id="nav" href="nav.xhtml" properties="nav" '
            'media-type="application/xhtml+xml"/>'
            + "".join(items)
            + "</manifest><spine>"
            + "".join(refs)
            + "</spine></package>",
        )
    return buffer.getvalue()


def make_docx(blocks: list[tuple[str, object]]) -> bytes:
    """A DOCX from ("heading", (level, text)), ("paragraph", text), ("table", rows)."""
    import docx

    document = docx.Document()
    for kind, value in blocks:
        if kind == "heading":
            level, text = value  # type: ignore[misc]
            document.add_heading(text, level=level)
        elif kind == "paragraph":
            document.add_paragraph(str(value))
        else:
            rows = value  # type: ignore[assignment]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))  # type: ignore[arg-type]
            for r, row in enumerate(rows):  # type: ignore[arg-type]
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_html(title: str, sections: list[tuple[str, list[str]]]) -> str:
    """A web page: navigation, a script and a footer around the article."""
    article = "".join(
        f"<h2>{heading}</h2>" + "".join(f"<p>{p}</p>" for p in paragraphs)
        for heading, paragraphs in sections
    )
    return (
        "<!DOCTYPE html><html><head><title>Site</title><script>var tracking = "
        '"SECRET-SCRIPT";</script><style>body { color: red }</style></head><body>'
        '<nav><a href="/">Home</a> <a href="/shop">Shop menu item</a></nav>'
        f"<main><article><h1>{title}</h1>{article}</article></main>"
        "<footer>Copyright footer text and cookie notice</footer></body></html>"
    )


def make_vtt(cues: list[tuple[str, str, str]]) -> str:
    lines = ["WEBVTT", ""]
    for n, (start, end, text) in enumerate(cues, 1):
        lines += [f"cue-{n}", f"{start}.000 --> {end}.000", text, ""]
    return "\n".join(lines)


def make_srt(cues: list[tuple[str, str, str]]) -> str:
    lines = []
    for n, (start, end, text) in enumerate(cues, 1):
        lines += [str(n), f"{start},000 --> {end},000", text, ""]
    return "\n".join(lines)


def make_gguf(name: str = "tiny", context: int = 4096, padding: int = 0) -> bytes:
    """A valid GGUF v3 header with a name, an architecture and a context (no tensors)."""
    import struct

    def text(value: str) -> bytes:
        data = value.encode()
        return struct.pack("<Q", len(data)) + data

    pairs = [
        (text("general.architecture"), struct.pack("<I", 8) + text("llama")),
        (text("general.name"), struct.pack("<I", 8) + text(name)),
        (text("llama.context_length"), struct.pack("<I", 4) + struct.pack("<I", context)),
    ]
    head = b"GGUF" + struct.pack("<IQQ", 3, 0, len(pairs))
    return head + b"".join(k + v for k, v in pairs) + b"\0" * padding
