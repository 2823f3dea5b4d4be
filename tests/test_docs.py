"""The docs point at tests that exist: every `tests/...py` path and `::test_name` that
RELIABILITY.md, ARCHITECTURE.md, the benches (README and scripts) and the code's comments
name is a real file with that test, so a promise cannot lose its test when tests move."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ["RELIABILITY.md", "ARCHITECTURE.md", "README.md", "bench/README.md", "tests/data/README.md"]
# `tests/chat/test_facts.py::test_x`, then bare `test_y` names in the same cell belong to it
_PATH = re.compile(r"tests/(?:[\w]+/)*test_\w+\.py")
_CELL_NAMES = re.compile(
    r"`(tests/(?:[\w]+/)*test_\w+\.py)(?:::(test_\w+))?[^`]*`|`(test_\w+)[^`]*`"
)


def _tests_in(path: Path) -> set[str]:
    """The test functions of a file: at its top level and in its test classes."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    scopes = [tree.body] + [n.body for n in tree.body if isinstance(n, ast.ClassDef)]
    return {
        n.name
        for body in scopes
        for n in body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_every_test_path_the_docs_and_code_name_exists():
    sources = [ROOT / d for d in DOCS]
    sources += sorted((ROOT / "longcli").rglob("*.py")) + sorted((ROOT / "longcli").rglob("*.yaml"))
    sources += sorted((ROOT / "bench").glob("*.py"))
    named = {(src, m) for src in sources for m in _PATH.findall(src.read_text(encoding="utf-8"))}
    assert len(named) >= 30
    missing = sorted(
        f"{src.relative_to(ROOT)}: {m}" for src, m in named if not (ROOT / m).is_file()
    )
    assert not missing, missing


def test_every_test_name_in_reliability_md_exists_in_the_file_its_row_names():
    text = (ROOT / "RELIABILITY.md").read_text(encoding="utf-8")
    checked, missing = 0, []
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        cell = line.rstrip().rstrip("|").rsplit("|", 1)[-1]
        current: str | None = None
        for match in _CELL_NAMES.finditer(cell):
            path, name, bare = match.groups()
            if path:
                current = path
            name = name or bare
            if name and current and (ROOT / current).is_file():
                checked += 1
                if name not in _tests_in(ROOT / current):
                    missing.append(f"{current}::{name}")
    assert checked >= 30
    assert not missing, missing
