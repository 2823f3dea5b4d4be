"""What a newcomer reads: `--help` pages and the one line a bad value gets."""

import pytest

COMMANDS = [
    ["summarize"], ["chat"], ["tune"], ["doctor"], ["models", "pull"], ["models", "info"],
    ["models", "list"], ["models", "recommend"], ["models", "alias"], ["memory", "show"],
    ["memory", "facts"], ["memory", "export"], ["config", "show"],
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_pages_speak_plainly(run, command):
    r = run(*command, "--help")
    assert r.returncode == 0, r.stderr
    page = r.stdout
    for leak in ("list[", "<str>", "<int>", "<float>", "<path>", " range>", "x>=", "x<="):
        assert leak not in page, (leak, page)


def test_files_and_choices_are_shown_as_a_reader_expects(run):
    page = run("summarize", "--help").stdout
    assert "[FILES]..." in page and "\n  FILES...  " in page
    assert "--style <paragraph|bullets|outline>" in page
    assert "--words N" in page and "between 10 and 100000" in " ".join(page.split())
    assert "--rounds N" in run("tune", "--help").stdout
    assert "at least 1" in run("tune", "--help").stdout


@pytest.mark.parametrize(
    "args,line",
    [
        (["--words", "abc"], "--words takes a whole number, got 'abc'"),
        (["--temperature", "warm"], "--temperature takes a number, got 'warm'"),
        (
            ["--style", "bullet"],
            "--style takes one of paragraph, bullets, outline, got 'bullet'; "
            "did you mean 'bullets'?",
        ),
        (["--format", "jsn"], "got 'jsn'; did you mean 'json'?"),
        (["--words", "5"], "--words must be between 10 and 100000, got 5"),
    ],
)
def test_a_bad_value_is_one_line_in_longclis_words(run, tmp_path, args, line):
    f = tmp_path / "in.txt"
    f.write_text("Some text.")
    r = run("summarize", str(f), "--plan", *args)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("longcli: ") and r.stderr.count("\n") == 1, r.stderr
    assert line in r.stderr
    for leak in ("Input should be", "Value error", "Invalid value for"):
        assert leak not in r.stderr


def test_a_range_below_its_floor_is_said_in_words(run):
    r = run("tune", "--rounds", "0")
    assert r.returncode == 2 and "--rounds must be at least 1, got 0" in r.stderr
