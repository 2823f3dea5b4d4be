"""`summarize --each`: what made each output is recorded, so a kept summary is the right one."""

from __future__ import annotations

import json
from pathlib import Path

FAKE = ["--backend", "fake"]
STORY = "Alice met Bob at the harbour on Monday. They talked about the boats and the nets. "
VOTE = "The committee voted on Tuesday. The budget passed with a large majority of members. "


def each(run, *args: str):
    return run("summarize", "--each", *args, *FAKE)


def test_a_changed_option_redoes_the_file_and_kept_says_why(run, tmp_path: Path):
    f = tmp_path / "bakery.txt"
    f.write_text(STORY * 30)
    out = tmp_path / "out"
    first = each(run, str(f), "--output-dir", str(out), "--words", "60")
    assert first.returncode == 0, first.stderr
    before = (out / "bakery.md").read_text()
    again = each(run, str(f), "--output-dir", str(out), "--words", "60")
    assert "bakery.txt: kept: same input, options and model" in again.stderr
    changed = each(run, str(f), "--output-dir", str(out), "--words", "20", "--style", "bullets")
    assert changed.returncode == 0, changed.stderr
    assert "redone: changed --style paragraph -> bullets, --words 60 -> 20" in changed.stderr
    assert (out / "bakery.md").read_text() != before and "- " in (out / "bakery.md").read_text()
    assert " redone " in changed.stdout


def test_a_changed_input_redoes_the_file(run, tmp_path: Path):
    f = tmp_path / "notes.txt"
    f.write_text(STORY * 10)
    out = tmp_path / "out"
    assert each(run, str(f), "--output-dir", str(out)).returncode == 0
    f.write_text(VOTE * 10)
    r = each(run, str(f), "--output-dir", str(out))
    assert "notes.txt: redone: the input changed" in r.stderr
    assert "committee" in (out / "notes.md").read_text()


def test_force_redoes_every_file(run, tmp_path: Path):
    f = tmp_path / "notes.txt"
    f.write_text(STORY * 10)
    out = tmp_path / "out"
    assert each(run, str(f), "--output-dir", str(out)).returncode == 0
    r = each(run, str(f), "--output-dir", str(out), "--force")
    assert r.returncode == 0 and "notes.txt: redone: --force" in r.stderr


def test_force_without_each_is_a_usage_error(run, tmp_path: Path):
    f = tmp_path / "notes.txt"
    f.write_text(STORY)
    r = run("summarize", str(f), "--force", *FAKE)
    assert r.returncode == 2 and "--each" in r.stderr


def test_an_output_without_a_record_is_kept_with_a_note(run, tmp_path: Path):
    f = tmp_path / "notes.txt"
    f.write_text(STORY * 10)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.md").write_text("my own notes, by hand\n")
    r = each(run, str(f), "--output-dir", str(out))
    assert r.returncode == 0 and "kept: no record of what made it" in r.stderr
    assert "--force" in r.stderr
    assert (out / "notes.md").read_text() == "my own notes, by hand\n"


def test_same_files_in_another_order_keep_their_own_outputs(run, tmp_path: Path):
    a, b = tmp_path / "ea" / "notes.txt", tmp_path / "eb" / "notes.txt"
    for path, text in ((a, STORY), (b, VOTE)):
        path.parent.mkdir()
        path.write_text(text * 10)
    out = tmp_path / "eo"
    assert each(run, str(a), str(b), "--output-dir", str(out)).returncode == 0
    r = each(run, str(b), str(a), "--output-dir", str(out))
    assert r.returncode == 0 and r.stdout.count(" kept ") == 2
    for path, word in ((a, "harbour"), (b, "committee")):
        line = next(x for x in r.stdout.splitlines() if x.startswith(str(path)))
        output = Path(line.split()[-1])
        text = output.read_text()
        assert text.startswith(f"# Summary of {path}") and word in text
    names = sorted(p.name for p in out.iterdir())
    assert names == [".longcli-each.json", "ea-notes.md", "eb-notes.md"]
    record = json.loads((out / ".longcli-each.json").read_text())
    assert record["format"] == 1
    assert record["outputs"]["ea-notes.md"]["input"] == str(a.resolve())


def test_a_file_that_cannot_be_read_names_itself_once_and_keeps_its_hint(run, tmp_path: Path):
    f = tmp_path / "voina-i-mir.txt"
    f.write_bytes(("Князь Андрей вышел на улицу. Было холодно и темно. " * 20).encode("cp1251"))
    r = each(run, str(f), "--output-dir", str(tmp_path / "out"))
    assert r.returncode == 2
    line = next(x for x in r.stderr.splitlines() if "invalid utf-8" in x)
    assert line.count("voina-i-mir.txt") == 1 and "--encoding cp1251" in line


def test_an_unreadable_record_is_said_and_nothing_is_overwritten(run, tmp_path: Path):
    f = tmp_path / "notes.txt"
    f.write_text(STORY * 10)
    out = tmp_path / "out"
    assert each(run, str(f), "--output-dir", str(out)).returncode == 0
    (out / ".longcli-each.json").write_text("{not json")
    before = (out / "notes.md").read_text()
    r = each(run, str(f), "--output-dir", str(out))
    assert r.returncode == 0 and ".longcli-each.json: unreadable" in r.stderr
    assert (out / "notes.md").read_text() == before


def test_each_and_output_dir_say_what_is_missing(run, tmp_path: Path):
    """Each wrong pairing of --each, --output-dir and --output names what was given."""
    f = tmp_path / "notes.txt"
    f.write_text(STORY * 3)
    not_a_dir = tmp_path / "plain.txt"
    not_a_dir.write_text("a file")
    cases = [
        (["--each", str(f)], "say where with --output-dir DIR"),
        ([str(f), "--output-dir", str(tmp_path / "out")], "add --each"),
        (["--each", str(f), "--output-dir", str(tmp_path / "o"), "-o", str(tmp_path / "x")],
         "into --output-dir, not --output"),
        (["--each", str(f), "--output-dir", str(not_a_dir)], "is not a directory"),
    ]  # fmt: skip
    for args, said in cases:
        r = run("summarize", *args, *FAKE)
        assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
        assert said in r.stderr, r.stderr
    assert not_a_dir.read_text() == "a file"
