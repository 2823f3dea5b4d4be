"""The long works of the reader's bench (bench/works.py) and how reader_quality.py reads them:
the manifest, the fixed split, fetching with sha256 checks, one line when the data is
missing, and the reader's checks added for them. No network: files come from tmp_path."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


works = _load("works")
rq = _load("reader_quality")


def _work(tmp_path: Path, body: bytes, name: str = "tiny.txt") -> object:
    (tmp_path / name).write_bytes(body)
    digest = hashlib.sha256(body).hexdigest()
    return works.Work("tiny", "Tiny", "Nobody", "en", "txt", f"https://x.org/{name}", digest)


def test_the_manifest_is_consistent() -> None:
    assert works.manifest_problems() == []
    assert len(works.WORKS) >= 12
    assert len({w.language for w in works.WORKS}) >= 4


def test_the_split_follows_the_recorded_rule_alone() -> None:
    for work in works.WORKS:
        digit = int(hashlib.sha256(work.id.encode()).hexdigest()[0], 16)
        assert work.half == (works.Half.TUNE if digit < 9 else works.Half.HELDOUT)
    assert works.works_in(works.Half.TUNE) and works.works_in(works.Half.HELDOUT)


def test_fetch_from_a_folder_copies_and_checks(tmp_path: Path) -> None:
    source, cache = tmp_path / "src", tmp_path / "cache"
    source.mkdir()
    work = _work(source, b"A tiny work.\n")
    assert works.fetch([work], cache, source) == [cache / "tiny.txt"]
    assert works.cached_path(work, cache).read_bytes() == b"A tiny work.\n"


def test_other_bytes_are_refused_and_nothing_is_left(tmp_path: Path) -> None:
    source, cache = tmp_path / "src", tmp_path / "cache"
    source.mkdir()
    work = _work(source, b"A tiny work.\n")
    (source / "tiny.txt").write_bytes(b"Another text.\n")
    with pytest.raises(works.WorksMissing, match="sha256"):
        works.fetch([work], cache, source)
    assert list(cache.iterdir()) == []


def test_a_changed_cached_file_is_named(tmp_path: Path) -> None:
    work = _work(tmp_path, b"A tiny work.\n")
    (tmp_path / "tiny.txt").write_bytes(b"edited\n")
    with pytest.raises(works.WorksMissing, match="not the manifest's file"):
        works.cached_path(work, tmp_path)


def test_fetch_with_the_data_missing_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = works.main(["fetch", "--cache", str(tmp_path / "c"), "--from", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("works: ")


def test_the_bench_says_in_one_line_when_the_works_are_not_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(works.CACHE_ENV, str(tmp_path))
    monkeypatch.setitem(sys.modules, "longcli_bench_works", works)
    assert rq.cached_work_kinds() == []  # so the default --docs leaves them out
    code = rq.main(["--docs", "works-tune", "--methods", "extractive"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "python bench/works.py fetch" in err


@pytest.mark.parametrize(
    "lead",
    [
        "Effi Briest — Theodor Fontane.",
        "Frankenstein, by Mary Wollstonecraft (Godwin) Shelley.",
        "Don Quijote — Miguel de Cervantes Saavedra.",
        "水浒传 — 施耐庵。",  # names in a script without capitals
        "三四郎 — 夏目漱石。",
    ],
)
def test_a_title_lead_with_its_author_is_not_a_fragment(lead: str) -> None:
    titles = ["Effi Briest", "Frankenstein", "Don Quijote", "水浒传", "三四郎"]
    assert rq.after_title(lead, titles) == ""


def test_a_dash_after_a_title_with_a_sentence_is_still_read() -> None:
    assert rq.after_title("Effi Briest — sie lachte.", ["Effi Briest"]) == "sie lachte."


def test_a_sentence_ending_as_its_source_does_is_whole() -> None:
    """German separable verbs end on "an": the author's end, not a cut."""
    assert rq.fragment_reasons("Wüllersdorf sah Innstetten an.", authored_end=True) == []
    assert rq.fragment_reasons("He was looking at an.") == ["ends on 'an'"]
    index = rq.index_source("Er kam. Wüllersdorf sah Innstetten an. Dann ging er.")
    reading = rq.read_sentence("Wüllersdorf sah Innstetten an.", index, rq.NO_FURNITURE)
    assert reading.fragment == ()


def test_near_duplicates_are_counted_once_each() -> None:
    summary = [
        "It attracted Mr. Lorry's eyes to Carton's face, which was turned to the fire.",
        "Lucie crossed the Channel to Paris.",
        "Mr. Lorry's eyes were again attracted to his face.",
    ]
    assert rq.near_duplicates(summary) == [summary[2]]
    assert rq.near_duplicates(summary[:2]) == []


def test_sentences_sharing_only_the_main_names_are_not_near_duplicates() -> None:
    summary = [
        "Frau von Briest sah, daß Effi erschöpft war und zu schlafen schien.",
        "Frau von Briest schwieg.",
    ]
    assert rq.near_duplicates(summary, ["Effi", "Frau", "Briest"]) == []


def test_the_author_is_named_by_the_last_word_of_the_name() -> None:
    assert rq.author_named("Effi Briest, a novel by Fontane.", "Theodor Fontane") is True
    assert rq.author_named("Effi Briest.", "Theodor Fontane") is False
    assert rq.author_named("Effi Briest.", None) is None


def test_tenths_are_of_the_work_not_of_its_licence() -> None:
    body = "Chapter one. " * 50 + "The end came at last."
    text = (
        "Title: X\n*** START OF THIS PROJECT GUTENBERG EBOOK X ***\n"
        + body
        + "\n*** END OF THIS PROJECT GUTENBERG EBOOK X ***\n"
        + "Licence words. " * 200
    )
    begin, end = rq.body_span(text)
    assert text[begin:end].strip() == body
    score = rq.score_summary("The end came at last.", text, words=5)
    assert score.tenths == [9]
    assert rq.body_span("No markers here.") == (0, 16)


def test_the_manifest_holds_chinese_japanese_pdf_and_html_works() -> None:
    """Issue 31's development data: Chinese and Japanese works, long PDFs, HTML with
    navigation, besides the novels; each in both halves where the kind has two works."""
    by_kind = {(w.language, w.format) for w in works.WORKS}
    assert ("zh", "txt") in by_kind and ("ja", "txt") in by_kind
    assert {"pdf", "html"} <= {w.format for w in works.WORKS}
    for fmt in ("pdf", "html"):
        assert {w.half for w in works.WORKS if w.format == fmt} == set(works.Half)


def test_legacy_encodings_are_named_for_longcli() -> None:
    """A GB18030 or Shift_JIS file read as UTF-8 fails: the manifest names the encoding
    the bench passes as --encoding, and every work has a licence line."""
    for work in works.WORKS:
        assert work.licence.strip()
        if work.language in ("zh", "ja"):
            assert work.encoding in ("gb18030", "shift_jis"), work.id
    problems = works.manifest_problems([_manifest_work(encoding="no-such-codec")])
    assert "tiny: unknown encoding no-such-codec" in problems


def _manifest_work(**changes: str) -> object:
    fields = {
        "id": "tiny",
        "title": "Tiny",
        "author": "",
        "language": "en",
        "format": "txt",
        "url": "https://raw.githubusercontent.com/o/r/" + "a" * 40 + "/tiny.txt",
        "sha256": "0" * 64,
        **changes,
    }
    return works.Work(**fields)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"url": "https://raw.githubusercontent.com/o/r/master/tiny.txt"}, "not a commit"),
        ({"format": "pdf"}, "a pdf work's URL ends otherwise"),
        ({"licence": " "}, "no licence line"),
    ],
)
def test_an_unpinned_or_mislabelled_work_is_a_manifest_problem(
    changes: dict[str, str], problem: str
) -> None:
    found = works.manifest_problems([_manifest_work(**changes), _manifest_work(id="b")])
    assert any(problem in p for p in found), found
    assert works.manifest_problems([_manifest_work(), _manifest_work(id="b")]) == [
        "one half is empty"
    ]


def test_fetch_from_a_folder_finds_a_file_by_its_own_non_ascii_name(tmp_path: Path) -> None:
    """水浒传.txt is percent-encoded in its URL; --from DIR looks for the name itself."""
    source, cache = tmp_path / "src", tmp_path / "cache"
    source.mkdir()
    body = "《水浒传》作者；施耐庵\n".encode("gb18030")
    (source / "水浒传.txt").write_bytes(body)
    url = "https://raw.githubusercontent.com/o/r/" + "a" * 40 + "/%E6%B0%B4%E6%B5%92%E4%BC%A0.txt"
    work = works.Work(
        "shuihu", "水浒传", "施耐庵", "zh", "txt", url, hashlib.sha256(body).hexdigest(), "gb18030"
    )
    assert work.source_name == "水浒传.txt"
    assert works.fetch([work], cache, source) == [cache / "shuihu.txt"]


def test_a_pdf_title_that_is_a_file_name_is_not_a_title_to_look_for() -> None:
    """NIST SP 800-84's metadata title is "Microsoft Word - SP800-84.doc"."""
    assert rq.usable_title("Microsoft Word - SP800-84.doc") is None
    assert rq.usable_title("report-final.pdf") is None
    assert rq.usable_title("Guide to Security for Full Virtualization") == (
        "Guide to Security for Full Virtualization"
    )
    assert rq.usable_title(" ") is None


def test_aozora_ruby_and_editor_notes_are_markup_but_a_chinese_title_mark_is_not() -> None:
    """Aozora Bunko texts carry 漢字《かんじ》 readings and ［＃notes］; 《水浒传》 is a title."""
    assert "markup" in rq.debris_kinds("三四郎は与次郎の技倆《ぎりょう》に感服した。")
    assert "markup" in rq.debris_kinds("［＃５字下げ］一［＃「一」は中見出し］")
    assert rq.debris_kinds("《水浒传》作者；施耐庵。") == []


def test_a_chinese_download_sites_notice_is_licence_debris() -> None:
    assert "licence" in rq.debris_kinds("强烈建议广大读者购买正版图书！")
    assert rq.debris_kinds("宋江回到忠义堂上，再与吴用等众头领商量。") == []


@pytest.mark.parametrize(
    "tail", ["Archived from the original (PDF) on 21 May 2017.", "Retrieved 8 September 2016."]
)
def test_a_wikipedia_citations_tail_is_reference_debris(tail: str) -> None:
    assert "reference" in rq.debris_kinds(tail)


def test_retrieving_in_a_story_is_no_reference() -> None:
    assert rq.debris_kinds("Retrieved 8 bottles from the cellar, he sat down.") == []


def test_cjk_text_has_no_main_names_by_capitals() -> None:
    """Capitals find names in Latin scripts; in Japanese they found 'Geschehen《ゲシェーヘン'."""
    text = "彼は Geschehen《ゲシェーヘン》 という語を使った。 美禰子は 三四郎 を見た。" * 20
    assert rq.top_names(text) == []


def test_cjk_sentences_sharing_only_a_phrase_are_not_near_duplicates() -> None:
    """Single characters are shared by most Chinese sentences; character pairs say more."""
    different = ["两个公人那里敢再开口。", "两个公人听了。", "那两个公人也吃。", "起两个公人来。"]
    assert rq.near_duplicates(different) == []
    repeated = ["宋江和两个公人来到庄院前敲门。", "宋江和两个公人来到庄院前。"]
    assert rq.near_duplicates(repeated) == [repeated[1]]
