"""No silent refusals: an option the summary could not honour is one line on stderr."""

from __future__ import annotations

from pathlib import Path

from longcli.cli.commands.summarize import recalibrated_line, shortfall_line
from longcli.summarize.eta import Recalibration
from longcli.summarize.shortfall import Asked, Instead, Shortfall

GERMAN = (
    "Die Stadt liegt am Fluss und hat viele alte Häuser. Im Sommer kommen viele Touristen in "
    "die Altstadt. Der Bürgermeister hat einen neuen Park geplant, der im nächsten Jahr "
    "eröffnet werden soll. Die Bewohner sind mit dem Plan zufrieden und freuen sich sehr. "
)


def german(tmp_path: Path) -> Path:
    f = tmp_path / "stadt.txt"
    f.write_text(GERMAN * 6, encoding="utf-8")
    return f


def test_a_language_the_summary_is_not_in_is_said(run, tmp_path: Path):
    f = german(tmp_path)
    r = run("summarize", str(f), "--language", "en", "--method", "extractive", "--backend", "fake")
    assert r.returncode == 0 and "Die Stadt" in r.stdout
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("longcli: warning: --language en: ")
    assert "German" in lines[0] and "own sentences" in lines[0]


def test_quiet_still_says_it(run, tmp_path: Path):
    f = german(tmp_path)
    r = run("summarize", str(f), "--language", "en", "--method", "extractive", "-q",
            "--backend", "fake")  # fmt: skip
    assert "--language en" in r.stderr


def test_no_line_when_nothing_was_asked(run, tmp_path: Path):
    f = german(tmp_path)
    r = run("summarize", str(f), "--method", "extractive", "--backend", "fake")
    assert r.returncode == 0 and r.stderr == ""


def test_words_out_of_reach_is_said_with_the_texts_length(run, tmp_path: Path):
    f = tmp_path / "short.txt"
    f.write_text("Alice met Bob at the harbour. They talked about boats.\n")
    r = run("summarize", str(f), "--words", "300", "--method", "extractive", "--backend", "fake")
    assert r.returncode == 0
    assert "--words 300: the summary has 10 words (the text itself has only 10)" in r.stderr


def test_every_written_sentence_refused_names_what_was_printed():
    line = shortfall_line(Shortfall(Asked.language, "en", "de", Instead.all_refused, 8))
    assert line.startswith("--language en: the summary is in German: all 8 sentences")
    assert "refused" in line and "key sentences were printed" in line
    method = shortfall_line(Shortfall(Asked.method, "extract-abstract", "extract-abstract",
                                      Instead.all_refused, 8))  # fmt: skip
    assert method.startswith("--method extract-abstract: ")


def test_a_recalibrated_eta_says_why():
    first = Recalibration(None, 0.3)
    assert first.worth_saying()
    assert recalibrated_line("qwen", first) == (
        "ETAs for qwen now use its measured speed: this run was 3.3x slower than the rough guess"
    )
    assert "than its last measured run" in recalibrated_line("qwen", Recalibration(0.3, 0.9))
    assert not Recalibration(0.3, 0.35).worth_saying()


def test_a_chinese_length_is_said_in_characters(run, tmp_path: Path):
    """--words counts characters in Chinese: the warning says so, never '12 words'."""
    f = tmp_path / "zh.txt"
    f.write_text("会议在星期一举行。预算获得通过。\n", encoding="utf-8")
    r = run("summarize", str(f), "--words", "300", "--method", "extractive", "--backend", "fake")
    assert r.returncode == 0, r.stderr
    assert "--words 300: the summary has 14 characters" in r.stderr
    assert "has 14 words" not in r.stderr
