"""Title and author (issue 31): from the document's own metadata (EPUB, PDF, DOCX, an HTML
page's <h1> or <title>), else the first lines that read as a title, in any language; said
once, as the summary's lead; never a menu; in the JSON output too."""

from __future__ import annotations

import io
import json
from pathlib import Path

from longcli.text.decode import Source
from longcli.text.documents import open_document
from longcli.text.fragments import readable_units, title_of
from longcli.text.layout import layout_of
from longcli.text.marks import Work, work_from
from longcli.text.markup import without_page_number
from longcli.text.titles import find_title
from tests.support.documents import make_epub, make_pdf

STORY = [
    "Call me Ishmael, a sailor who went to sea whenever the town grew grim and damp.",
    "Queequeg was a harpooneer from a far island, and he shared the bed at the inn.",
    "The Pequod sailed from Nantucket on a cold Christmas day with Captain Ahab aboard.",
    "Ahab had sworn to hunt the white whale that had taken his leg off Japan years ago.",
]
COUNCIL = [
    "The council approved the new budget for the harbour after a long debate on Monday.",
    "The mayor said the money would repair the old pier before the storms of winter came.",
]


def summary(run, path: Path, *args: str) -> str:
    result = run("summarize", str(path), "--method", "extractive", "--words", "80", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def read(path: Path, encoding: str | None = None) -> tuple[str, Work | None]:
    document = open_document(Source(str(path), path), encoding=encoding)
    text = "".join(document.blocks)
    return text, document.work


def test_an_epub_whose_text_opens_with_its_title_and_byline_leads_with_both(run, tmp_path: Path):
    # The text's own title page (a heading, a byline, then chapter 1's heading) gave no
    # lead at all: the heading alone was too short, and a heading followed it.
    chapters = [("Moby-Dick", ["by Herman Melville"]), ("CHAPTER 1. Loomings.", STORY)]
    book = tmp_path / "moby.epub"
    book.write_bytes(make_epub(chapters, title="Moby-Dick", author="Melville, Herman"))
    out = summary(run, book)
    assert out.startswith("Moby-Dick, by Herman Melville. Call me Ishmael")
    assert out.count("Moby-Dick") == 1 and "Melville, Herman" not in out


def test_a_pdf_title_from_its_metadata_leads_and_its_title_page_is_not_a_sentence(
    run, tmp_path: Path
):
    pages = [
        ["Einführung in die", "Topologie", "2. Auflage, 31. Dezember 2016", "Martin Thoma"],
        [
            "Ein topologischer Raum ist eine Menge mit einer Familie offener Teilmengen, "
            "die bestimmte Axiome erfüllt.",
            "Jede metrische Menge bildet auf natürliche Weise einen topologischen Raum "
            "mit den offenen Kugeln.",
        ],
    ]
    info = {"Title": "Einführung in die Topologie", "Author": "Martin Thoma"}
    lecture = tmp_path / "lecture.pdf"
    lecture.write_bytes(make_pdf(pages, info))
    out = summary(run, lecture)
    # German text: no English "by" in it
    assert out.startswith("Einführung in die Topologie — Martin Thoma. Ein topologischer")
    assert "Auflage" not in out and out.count("Einführung") == 1


def test_a_docx_title_and_author_from_its_core_properties_lead(run, tmp_path: Path):
    import docx

    document = docx.Document()
    document.core_properties.title = "Harbour Budget 2024"
    document.core_properties.author = "Ann Reed"
    for paragraph in COUNCIL:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    report = tmp_path / "report.docx"
    report.write_bytes(buffer.getvalue())
    assert read(report)[1] == Work("Harbour Budget 2024", "Ann Reed")
    assert summary(run, report).startswith("Harbour Budget 2024, by Ann Reed. The council")


def test_html_navigation_is_never_the_lead_and_the_h1_is(run, tmp_path: Path):
    body = "".join(f"<p>{p}</p>" for p in COUNCIL)
    for n, (head, menu) in enumerate(
        [
            ("<title>Budget | City News</title>", "<nav>Home | About</nav>"),
            ("", "<nav>Home | About</nav>"),
            ("", "<div>Home | About</div>"),  # a menu not marked as one
        ]
    ):
        page = tmp_path / f"page{n}.html"
        page.write_text(
            f"<!DOCTYPE html><html><head>{head}</head><body>{menu}<h1>Budget</h1>{body}"
            "<footer><h1>Home | About | Contact</h1></footer></body></html>"
        )
        out = summary(run, page)
        assert out.startswith("Budget: The council approved"), out
        assert "Home" not in out and out.count("Budget") == 1


def test_an_html_title_stands_in_for_a_missing_h1(tmp_path: Path):
    page = tmp_path / "page.html"
    body = "".join(f"<p>{p}</p>" for p in COUNCIL)
    page.write_text(f"<html><head><title>Harbour Budget - City News</title></head><body>{body}")
    text, work = read(page)
    assert work == Work("Harbour Budget") and text.startswith("Harbour Budget\n\nThe council")


def test_a_russian_novel_names_its_title_not_its_author_as_the_title(run, tmp_path: Path):
    novel = tmp_path / "war.txt"
    text = (
        "Лев Николаевич Толстой\nВойна и мир\n\nТОМ ПЕРВЫЙ\n\nЧАСТЬ ПЕРВАЯ\n\n"
        "Князь Андрей приехал в Петербург поздно вечером и долго говорил с Пьером о войне.\n\n"
        "Наташа Ростова танцевала на первом балу и была счастлива весь вечер до утра.\n\n"
        "Пьер Безухов получил наследство отца и стал одним из богатейших людей России.\n"
    )
    novel.write_bytes(text.encode("cp1251"))
    out = summary(run, novel, "--encoding", "cp1251")
    assert out.startswith("Война и мир — Лев Николаевич Толстой. Князь Андрей"), out
    assert read(novel, "cp1251")[1] == Work("Война и мир", "Лев Николаевич Толстой")


def test_a_name_under_a_title_is_its_author_and_a_title_over_a_date_is_not():
    assert title_of("Emma\nJane Austen\n\nEmma Woodhouse was handsome.") == Work(
        "Emma", "Jane Austen"
    )
    assert title_of("Weekly Report\nMarch 2024\n\nSales rose.") == Work("Weekly Report")
    assert title_of("Home | About\n\nThe council met.") is None


def test_the_json_output_names_the_title_and_author(run, tmp_path: Path):
    book = tmp_path / "moby.epub"
    book.write_bytes(make_epub([("Loomings", STORY)], title="Moby-Dick", author="Herman Melville"))
    result = run("summarize", str(book), "--method", "extractive", "--format", "json", "-q")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["title"], data["author"]) == ("Moby-Dick", "Herman Melville")
    assert data["works"] == [{"title": "Moby-Dick", "author": "Herman Melville"}]
    assert data["summary"].startswith("Moby-Dick, by Herman Melville.")


def test_metadata_that_names_no_work_is_not_a_title():
    for junk in ("Microsoft Word - notes.docx", "untitled", "Home | About", "   ", "12"):
        assert work_from(junk, "Ann Reed") is None
    assert work_from("Moby-Dick", "Melville, Herman, 1819-1891") == Work(
        "Moby-Dick", "Herman Melville"
    )


def test_epub_chapter_titles_lose_the_page_numbers_a_contents_page_gave_them(tmp_path: Path):
    chapters = [("CHAPTER 1. Loomings. 7", STORY[:2]), ("CHAPTER 2. The Carpet-Bag. 12", STORY[2:])]
    book = tmp_path / "moby.epub"
    book.write_bytes(make_epub(chapters))
    document = open_document(Source(str(book), book))
    text = "".join(document.blocks)
    labels = [m.label for m in document.marks if m.kind == "chapter"]
    assert labels == ['1 "CHAPTER 1. Loomings."', '2 "CHAPTER 2. The Carpet-Bag."']
    assert "# CHAPTER 1. Loomings.\n" in text and "Carpet-Bag. 12" not in text
    sections = {u.section for u in readable_units(text, at_start=True) if u.section}
    # (a chapter's word and number in capitals before a name that is not are cased alike)
    assert sections == {"Chapter 1. Loomings.", "Chapter 2. The Carpet-Bag."}
    for title in ("Chapter 7", "Part 2", "Chapter 12. 1984", "Section 3.2"):  # their own
        assert without_page_number(title) == title
    assert without_page_number("Loomings ........ 7") == "Loomings"


def test_prose_right_under_a_repeated_title_stays_whole():
    text = (
        "Einführung in die Topologie\nby Martin Thoma\n\nEinführung in die\nTopologie\n"
        "Ein topologischer Raum ist eine Menge mit\neiner Familie offener Teilmengen.\n"
    )
    units = [u.text for u in readable_units(text, at_start=True) if u.readable]
    assert units == [
        "Einführung in die Topologie — Martin Thoma.",
        "Ein topologischer Raum ist eine Menge mit einer Familie offener Teilmengen.",
    ]


def test_a_gutenberg_title_field_run_into_the_notice_leaves_no_author_field_as_title(
    run, tmp_path: Path
):
    # A new user's walk (The Yellow Wallpaper, GITenberg): "...www.gutenberg.orgTitle: The
    # Yellow Wallpaper" hid the Title: field, and the summary opened "Author: Charlotte
    # Perkins Gilman, by Charlotte Perkins Gilman."
    story = tmp_path / "yellow.txt"
    story.write_text(
        "Project Gutenberg's The Yellow Wallpaper, by Charlotte Perkins Gilman\n\n"
        "This eBook is for the use of anyone anywhere at no cost and with\n"
        "re-use it under the terms of the Project Gutenberg License included\n"
        "with this eBook or online at www.gutenberg.orgTitle: The Yellow Wallpaper\n\n"
        "Author: Charlotte Perkins Gilman\n\nRelease Date: November 25, 2008 [EBook #1952]\n\n"
        "*** START OF THIS PROJECT GUTENBERG EBOOK THE YELLOW WALLPAPER ***\n\n\n"
        "THE YELLOW WALLPAPER\n\nBy Charlotte Perkins Gilman\n\n\n"
        "It is very seldom that mere ordinary people like John and myself secure ancestral "
        "halls for the summer.\n\nA colonial mansion, a hereditary estate, I would say a "
        "haunted house, and reach the height of romantic felicity.\n\n"
        "Still I will proudly declare that there is something queer about it.\n",
        encoding="utf-8",
    )
    out = summary(run, story)
    assert out.startswith("The Yellow Wallpaper, by Charlotte Perkins Gilman."), out


def test_gutenbergs_title_field_first_gives_its_value_not_its_label():
    # a new user's walk (The Gift of the Magi, its notice blanked as boilerplate): the
    # summary opened "Title: The Gift of the Magi, by O. Henry."
    head = (
        f"{' ' * 60}\n\n{' ' * 40}\n\nTitle: The Gift of the Magi\n\nAuthor: O. Henry\n\n"
        f"{' ' * 30}\n\nTHE GIFT OF THE MAGI\n\nby O. Henry\n\n"
        "One dollar and eighty-seven cents. That was all.\n"
    )
    found = find_title(head, layout_of(head))
    assert found is not None
    assert (found.title, found.author) == ("The Gift of the Magi", "O. Henry")
