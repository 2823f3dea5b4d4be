"""Files longcli writes for the user end as text files do: with a final newline."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.documents import make_epub

STORY = [
    "The council approved the new budget for the harbour after a long debate on Monday.",
    "The mayor said the money would repair the old pier before the storms of winter came.",
]


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_every_file_of_output_dir_ends_with_a_newline(run, tmp_path: Path, fmt: str):
    (tmp_path / "notes.txt").write_text("Harbour Notes\n\n" + "\n\n".join(STORY))
    (tmp_path / "book.epub").write_bytes(make_epub([("Budget", STORY)], title="Harbour"))
    out = tmp_path / "out"
    result = run(
        "summarize", "notes.txt", "book.epub", "--each", "--output-dir", str(out),
        "--method", "extractive", "--format", fmt, "-q", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    written = sorted(out.iterdir())
    assert len(written) >= 2
    for path in written:
        data = path.read_bytes()
        assert data.endswith(b"\n") and not data.endswith(b"\n\n\n"), path
