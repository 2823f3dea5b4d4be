"""Documents through the command line: citations by page, --each, --plan, chat --file."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import TEST_DATA
from tests.support.documents import make_docx, make_epub, make_pdf

FAKE = ["--backend", "fake", "--quiet"]
PAGES = [
    [f"On page {n} the baker Alice Hart sold {n} loaves to the traveller Person{n}."]
    + [
        f"Line {k} of page {n} says that the market of Town{n} was quiet that day."
        for k in range(8)
    ]
    for n in range(1, 13)
]


def test_summary_of_a_pdf_cites_pages(run, tmp_path: Path):
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(make_pdf(PAGES))
    r = run("summarize", str(paper), "--method", "extractive", "--words", "60", "--cite", "-q")
    assert r.returncode == 0, r.stderr
    pages = dict(re.findall(r"^(\d+)\. .*paper\.pdf, pp?\. (\d+)", r.stdout, re.M))
    cited = re.findall(r"\[(\d+)\]", r.stdout)
    assert cited and set(cited) == set(pages) and "characters" not in r.stdout
    for sentence, n in re.findall(r"On page (\d+)[^\[]*\[(\d+)\]", r.stdout):
        assert sentence == pages[n]  # each sentence cites the page it is on


def test_json_chunks_say_where_they_come_from(run, tmp_path: Path):
    book = tmp_path / "book.epub"
    book.write_bytes(
        make_epub(
            [
                (f"Chapter {n}", [f"Paragraph {k} of story {n}." * 5 for k in range(40)])
                for n in range(1, 5)
            ]
        )  # fmt: skip
    )
    r = run("summarize", str(book), "--method", "extractive", "-f", "json", "--ctx", "1024", "-q")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    wheres = [c["where"] for c in data["chunks"]]
    assert wheres[0].startswith('chapter "Chapter 1"') and any('"Chapter 4"' in w for w in wheres)
    spans = [s for sentence in data["citations"] for s in sentence]
    assert spans and all(s["where"].startswith("chapter ") for s in spans)


def test_each_writes_one_summary_per_file_and_resumes(run, tmp_path: Path):
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("monday", "tuesday"):
        (notes / f"{name}.docx").write_bytes(
            make_docx([("heading", (1, name.title())), ("paragraph", f"On {name} we met. " * 30)])
        )
    (notes / "broken.docx").write_bytes(b"PK\x03\x04 not really a docx")
    out = tmp_path / "out"
    files = sorted(str(p) for p in notes.iterdir())
    r = run("summarize", "--each", *files, "--output-dir", str(out), *FAKE)
    assert r.returncode == 2 and "1 file(s) could not be summarized" in r.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        ".longcli-each.json",
        "monday.md",
        "tuesday.md",
    ]
    assert "# Summary of" in (out / "monday.md").read_text()
    table = r.stdout.splitlines()
    assert table[0].split()[:2] == ["file", "status"] and len(table) == 4
    assert "failed" in next(line for line in table if "broken" in line)
    again = run("summarize", "--each", *files[1:], "--output-dir", str(out), *FAKE)
    assert again.returncode == 0 and again.stdout.count(" kept ") == 2


def test_each_needs_an_output_dir(run, tmp_path: Path):
    f = tmp_path / "a.txt"
    f.write_text("Alice left.")
    r = run("summarize", "--each", str(f), *FAKE)
    assert r.returncode == 2 and "--output-dir" in r.stderr


def test_plan_reads_documents(run, tmp_path: Path):
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(make_pdf(PAGES))
    r = run("summarize", str(paper), "--plan", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["input_tokens"] > 1000


def test_chat_recalls_document_passages_by_page(run, tmp_path: Path):
    paper = tmp_path / "paper.pdf"
    pages = [["Nothing happens on this page at all."] * 20 for _ in range(6)]
    pages[4] = ["The vault code is 7731, said the clerk."] + ["Routine notes follow."] * 19
    paper.write_bytes(make_pdf(pages))
    s = tmp_path / "s"
    r = run(
        "chat", "--memory", str(s), "--backend", "fake", "--file", str(paper), "What is the code?"
    )
    assert r.returncode == 0, r.stderr
    passages = [json.loads(line) for line in (s / "docs.jsonl").read_text().splitlines()]
    vault = next(p for p in passages if "7731" in p["text"])
    assert vault["where"] in ("p. 5", "p. 4-5", "p. 5-6")  # the page it is on


def test_bad_documents_are_one_line_errors(run, tmp_path: Path):
    for name in ("imagemagick-images.pdf", "libreoffice-writer-password.pdf"):
        r = run("summarize", str(TEST_DATA / name), *FAKE)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    forced = tmp_path / "x.txt"
    forced.write_text("just words")
    r = run("summarize", str(forced), "--input-format", "pdf", *FAKE)
    assert r.returncode == 2 and "is not a readable PDF" in r.stderr
