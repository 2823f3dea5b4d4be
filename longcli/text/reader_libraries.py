"""The libraries each document reader uses: imported deepest first before the reader runs,
so that a failure names the module really at fault, with the pip command that installs
it; every format's status for `longcli doctor`; and the command that installs one of
longcli's extras where this longcli is installed.
"""

from __future__ import annotations

import importlib
import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from urllib.parse import unquote, urlsplit

from longcli.errors import InputError
from longcli.text.marks import InputFormat

# Every module a reader uses, deepest first, so that a failure names the module really at
# fault rather than the one that happened to import it.
READER_MODULES: dict[InputFormat, tuple[str, ...]] = {
    InputFormat.text: (),
    InputFormat.pdf: ("pypdfium2",),
    InputFormat.epub: ("lxml.etree", "lxml.html"),
    InputFormat.html: (
        "lxml.etree",
        "lxml.html",
        "lxml_html_clean",  # imported by lxml.html.clean, which justext imports
        "lxml.html.clean",
        "justext",  # imported by trafilatura, for pages its own extractor finds thin
        "trafilatura",
    ),
    InputFormat.docx: ("lxml.etree", "docx"),
    InputFormat.srt: ("webvtt",),
    InputFormat.vtt: ("webvtt",),
}
FORMAT_NAMES = {
    InputFormat.text: "text",
    InputFormat.pdf: "PDF",
    InputFormat.epub: "EPUB",
    InputFormat.html: "HTML",
    InputFormat.docx: "DOCX",
    InputFormat.srt: "SRT subtitles",
    InputFormat.vtt: "WebVTT subtitles",
}
# pip's name for the project that provides a module, where it is not the module's own.
_PROJECTS = {
    "lxml.html.clean": "lxml_html_clean",  # lxml >= 5.2 keeps only a stub importing it
    "docx": "python-docx",
    "webvtt": "webvtt-py",
    "pypdfium2_raw": "pypdfium2",
    "pypdfium2_cfg": "pypdfium2",
    "charset_normalizer": "charset-normalizer",
    "dateutil": "python-dateutil",
}
# Messages that name a missing module, when the ImportError itself does not (lxml's stub
# raises "lxml.html.clean module is now a separate project lxml_html_clean" without a name).
_MISSING_IN_MESSAGE = (
    re.compile(r"separate project (\w+)"),
    re.compile(r"No module named '([\w.]+)'"),
)


@dataclass(frozen=True)
class ReaderStatus:
    """Whether a format's reader can run here: every module it uses imports, or which not."""

    format: InputFormat
    modules: tuple[str, ...]  # every module the reader uses, in the order they are imported
    ok: bool
    problem: str = ""  # "lxml_html_clean is not installed", "lxml fails to import (...)"
    project: str = ""  # what to install or repair, by pip's name: "lxml_html_clean"
    install: str = ""  # the command that does it: "pip install lxml_html_clean"


def reader_status() -> list[ReaderStatus]:
    """Every format's reader, checked by importing each module it uses (for `doctor`)."""
    return [_status(fmt) for fmt in READER_MODULES]


def _status(fmt: InputFormat) -> ReaderStatus:
    modules = READER_MODULES[fmt]
    failure = _first_failure(modules)
    if failure is None:
        return ReaderStatus(fmt, modules, ok=True)
    project, which, install = _diagnose(*failure)
    return ReaderStatus(fmt, modules, False, f"{project} {which}", project, install)


def _first_failure(modules: tuple[str, ...]) -> tuple[str, Exception] | None:
    """The first module that does not import, with what it raised; None when all do."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # ImportError, or whatever a broken library raises on import
            return name, exc
    return None


def _diagnose(name: str, exc: Exception) -> tuple[str, str, str]:
    """(project at fault, what is wrong with it, the pip command that fixes it) when
    importing `name` raised `exc`: the missing module the exception, or one it arose from,
    names; else `name` itself, installed but broken."""
    missing = _missing_module(exc)
    if missing is not None:
        project = _project(missing)
        return project, "is not installed", f"pip install {project}"
    project = _project(exc.name if isinstance(exc, ImportError) and exc.name else name)
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return project, f"fails to import ({detail})", f"pip install --force-reinstall {project}"


def _missing_module(exc: BaseException) -> str | None:
    """The module an import failure says is not installed, or None for another failure.
    An ImportError that names no module (lxml's stub, a library's wrapper) is looked
    through to the one it arose from."""
    link: BaseException | None = exc
    seen: list[BaseException] = []
    while isinstance(link, ImportError) and link not in seen:
        if link.name:
            return link.name if isinstance(link, ModuleNotFoundError) else None
        for pattern in _MISSING_IN_MESSAGE:
            found = pattern.search(str(link))
            if found:
                return found.group(1)
        seen.append(link)
        link = link.__cause__ or link.__context__
    return None


def _project(module: str) -> str:
    top = module.split(".")[0]
    return _PROJECTS.get(module) or _PROJECTS.get(top) or top


def extra_install(extra: str) -> str:
    """The pip command that adds one of longcli's extras to this install: from a clone
    installed in editable mode, `pip install -e '<the clone>[docs]'` (there is no package
    named longcli to download in its place); else `pip install 'longcli[docs]'`."""
    # Every record of longcli: run from its clone, the clone's own longcli.egg-info comes
    # first on sys.path, and only the install's record says how it was installed.
    for record in metadata.distributions(name="longcli"):
        clone = _editable_from(record.read_text("direct_url.json") or "")
        if clone:
            return f"pip install -e {shlex.quote(f'{clone}[{extra}]')}"
    return f"pip install 'longcli[{extra}]'"


def _editable_from(direct_url: str) -> str | None:
    """The directory an editable install was made from (PEP 610's direct_url.json), or None."""
    try:
        origin = json.loads(direct_url) if direct_url else {}
    except ValueError:
        return None
    where = urlsplit(str(origin.get("url", ""))) if isinstance(origin, dict) else None
    info = origin.get("dir_info") if isinstance(origin, dict) else None
    if where is None or where.scheme != "file" or not isinstance(info, dict):
        return None
    return unquote(where.path) if info.get("editable") is True else None


def require(fmt: InputFormat) -> None:
    """Raise an InputError naming the module that stops `fmt`'s reader, and its install."""
    failure = _first_failure(READER_MODULES[fmt])
    if failure is None:
        return
    project, which, install = _diagnose(*failure)
    raise InputError(
        f"reading {FORMAT_NAMES[fmt]} needs {project}, which {which}",
        hint=f"{install}, or {extra_install('docs')}",
    )


def checked(fmt: InputFormat, blocks: Iterator[str]) -> Iterator[str]:
    """A reader's blocks, once every module it uses imports (checked on the first block)."""
    require(fmt)
    yield from blocks
