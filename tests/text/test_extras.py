"""The `docs` extra: every format read when it is installed, and, when a library the reader
uses is missing or broken, the error names that library and the command that installs it,
as it works where this longcli is installed (a clone, or a package)."""

from __future__ import annotations

import importlib.abc
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from longcli.errors import InputError
from longcli.text import documents
from longcli.text.decode import Source
from longcli.text.documents import InputFormat, extra_install, open_document, reader_status
from tests.support.documents import make_docx, make_epub, make_html, make_pdf, make_srt, make_vtt

SENTENCES = [
    "Alice Hart opened a bakery in the old market town last spring.",
    "Her bread became famous across the valley within a few months.",
    "Travellers came from far away to buy her rye loaves.",
    "In winter she taught the village children to bake.",
]
CUES = [(f"00:00:0{n}", f"00:00:0{n + 1}", s) for n, s in enumerate(SENTENCES)]
# What lxml >= 5.2 raises from its lxml.html.clean stub when lxml_html_clean is missing.
LXML_STUB_MESSAGE = (
    "lxml.html.clean module is now a separate project lxml_html_clean.\n"
    "Install lxml[html-clean] or lxml_html_clean directly."
)
MAKERS: dict[str, Callable[[], bytes | str]] = {
    "pdf": lambda: make_pdf([SENTENCES, SENTENCES[::-1]]),
    "epub": lambda: make_epub([("Spring", SENTENCES), ("Winter", SENTENCES[::-1])]),
    "html": lambda: make_html("Bakery", [("Spring", SENTENCES), ("Winter", SENTENCES[::-1])]),
    "docx": lambda: make_docx([("heading", (1, "Bakery"))] + [("paragraph", s) for s in SENTENCES]),
    "srt": lambda: make_srt(CUES),
    "vtt": lambda: make_vtt(CUES),
    "txt": lambda: " ".join(SENTENCES),
    "md": lambda: "# Bakery\n\n" + " ".join(SENTENCES),
}
DOCS = extra_install("docs")  # as this test run's longcli is installed (see the tests below)


def write(tmp_path: Path, suffix: str) -> Path:
    data = MAKERS[suffix]()
    path = tmp_path / f"doc.{suffix}"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def read_error(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        "".join(open_document(Source(str(path), path)).blocks)
    return caught.value


class Refuse(importlib.abc.MetaPathFinder):
    """Makes importing one module raise the ImportError given (a module present but failing)."""

    def __init__(self, name: str, error: ImportError) -> None:
        self.name, self.error = name, error

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname == self.name:
            raise self.error


def refuse(monkeypatch: pytest.MonkeyPatch, name: str, error: ImportError) -> None:
    monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setattr(sys, "meta_path", [Refuse(name, error), *sys.meta_path])


@pytest.mark.parametrize("suffix", list(MAKERS))
def test_every_format_is_summarized_without_a_model(run, tmp_path: Path, suffix: str):
    r = run("summarize", str(write(tmp_path, suffix)), "--method", "extractive", "-q")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() and "bakery" in r.stdout.lower()


def test_every_reader_imports_here_and_html_includes_what_trafilatura_imports():
    statuses = {s.format: s for s in reader_status()}
    assert set(statuses) == {f for f in InputFormat if f != InputFormat.auto}
    assert all(s.ok and not s.problem for s in statuses.values()), statuses
    assert {"lxml_html_clean", "lxml.html.clean", "trafilatura"} <= set(
        statuses[InputFormat.html].modules
    )


def test_missing_lxml_html_clean_is_named_not_trafilatura(run, tmp_path: Path, monkeypatch):
    monkeypatch.setitem(sys.modules, "lxml_html_clean", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "lxml.html.clean", raising=False)
    r = run("summarize", str(write(tmp_path, "html")), "--method", "extractive")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == (
        "longcli: reading HTML needs lxml_html_clean, which is not installed "
        f"(pip install lxml_html_clean, or {DOCS})\n"
    )
    html = next(s for s in reader_status() if s.format == InputFormat.html)
    assert not html.ok and html.problem == "lxml_html_clean is not installed"
    assert html.project == "lxml_html_clean" and html.install == "pip install lxml_html_clean"
    assert next(s for s in reader_status() if s.format == InputFormat.pdf).ok


def test_lxml_stubs_message_is_read_for_the_project_it_names(tmp_path: Path, monkeypatch):
    refuse(monkeypatch, "lxml.html.clean", ImportError(LXML_STUB_MESSAGE))  # names no module
    error = read_error(write(tmp_path, "html"))
    assert error.message == "reading HTML needs lxml_html_clean, which is not installed"
    assert error.hint == f"pip install lxml_html_clean, or {DOCS}"


def test_a_failure_deep_inside_trafilatura_is_traced_to_its_cause(tmp_path: Path, monkeypatch):
    import trafilatura  # noqa: F401 - every submodule cached, so the test can put them back

    # The check as it was (the top package only) and a fresh import of it, as in a new
    # process: trafilatura -> justext -> lxml.html.clean (lxml's stub) -> lxml_html_clean.
    monkeypatch.setitem(documents.READER_MODULES, InputFormat.html, ("trafilatura",))
    for name in [m for m in sys.modules if m.split(".")[0] in ("trafilatura", "justext")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delitem(sys.modules, "lxml.html.clean", raising=False)
    monkeypatch.setitem(sys.modules, "lxml_html_clean", None)
    error = read_error(write(tmp_path, "html"))
    assert error.message == "reading HTML needs lxml_html_clean, which is not installed"


@pytest.mark.parametrize(
    ("suffix", "blocked", "needs"),
    [
        ("docx", "docx", "DOCX needs python-docx"),
        ("pdf", "pypdfium2", "PDF needs pypdfium2"),
        ("srt", "webvtt", "SRT subtitles needs webvtt-py"),
        ("epub", "lxml.html", "EPUB needs lxml"),
    ],
)
def test_a_missing_library_is_named_with_its_pip_name(
    tmp_path: Path, monkeypatch, suffix: str, blocked: str, needs: str
):
    path = write(tmp_path, suffix)
    monkeypatch.setitem(sys.modules, blocked, None)  # as if not installed
    error = read_error(path)
    project = needs.rsplit(" ", 1)[1]
    assert error.message == f"reading {needs}, which is not installed"
    assert error.hint == f"pip install {project}, or {DOCS}"


def test_an_installed_library_that_fails_to_import_says_so(tmp_path: Path, monkeypatch):
    broken = ImportError("libpdfium.so: cannot open shared object file: No such file")
    refuse(monkeypatch, "pypdfium2", broken)
    error = read_error(write(tmp_path, "pdf"))
    assert error.message == (
        "reading PDF needs pypdfium2, which fails to import "
        "(libpdfium.so: cannot open shared object file: No such file)"
    )
    assert error.hint == f"pip install --force-reinstall pypdfium2, or {DOCS}"


def test_a_fresh_process_without_lxml_html_clean_says_what_to_install(cli, tmp_path: Path):
    # A process: in it trafilatura is imported for the first time, as a user's is.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "lxml_html_clean.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'lxml_html_clean'\", name='lxml_html_clean')\n"
    )
    path = write(tmp_path, "html")
    r = cli("summarize", str(path), "--method", "extractive", env={"PYTHONPATH": str(shadow)})
    assert r.returncode == 2, r.stderr
    assert r.stderr == (
        "longcli: reading HTML needs lxml_html_clean, which is not installed "
        f"(pip install lxml_html_clean, or {DOCS})\n"
    )


class Record:
    """A stand-in for an installed distribution's metadata: its direct_url.json or none."""

    def __init__(self, direct_url: dict[str, object] | None) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        if name != "direct_url.json" or self.direct_url is None:
            return None
        return json.dumps(self.direct_url)


def installed_as(monkeypatch: pytest.MonkeyPatch, *records: Record) -> None:
    from importlib import metadata

    monkeypatch.setattr(metadata, "distributions", lambda name=None: iter(records))


def test_an_editable_install_is_told_to_install_the_extra_from_its_clone(monkeypatch):
    clone = {"url": "file:///home/ada/src/long%20cli", "dir_info": {"editable": True}}
    # Run from the clone, its own longcli.egg-info (no direct_url.json) is found first.
    installed_as(monkeypatch, Record(None), Record(clone))
    assert extra_install("docs") == "pip install -e '/home/ada/src/long cli[docs]'"
    assert extra_install("hub") == "pip install -e '/home/ada/src/long cli[hub]'"


@pytest.mark.parametrize(
    "direct_url",
    [
        None,  # from an index
        {"url": "file:///tmp/longcli-0.1.0.whl", "archive_info": {}},
        {"url": "file:///home/ada/src/longcli", "dir_info": {}},  # `pip install .`
        {"url": "file:///home/ada/src/longcli", "dir_info": {"editable": "yes"}},  # not PEP 610
    ],
)
def test_an_installed_package_is_told_to_install_the_extra_by_name(monkeypatch, direct_url):
    installed_as(monkeypatch, Record(direct_url))
    assert extra_install("docs") == "pip install 'longcli[docs]'"


def test_the_reader_error_uses_the_hint_for_this_install(tmp_path: Path, monkeypatch):
    clone = {"url": "file:///work/clone", "dir_info": {"editable": True}}
    installed_as(monkeypatch, Record(clone))
    monkeypatch.setitem(sys.modules, "pypdfium2", None)  # as if not installed
    error = read_error(write(tmp_path, "pdf"))
    assert error.hint == "pip install pypdfium2, or pip install -e '/work/clone[docs]'"


def test_with_the_extra_installed_no_error_says_longcli_reads_text_only(run, tmp_path: Path):
    for suffix in MAKERS:
        assert run("summarize", str(write(tmp_path, suffix)), "-q",
                   "--method", "extractive").returncode == 0  # fmt: skip
    binary = tmp_path / "picture.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    r = run("summarize", str(binary), "--method", "extractive")
    assert r.returncode == 2 and "text only" not in r.stderr
    assert "PDF, EPUB, HTML, DOCX" in r.stderr
