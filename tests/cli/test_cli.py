"""The command line through a real subprocess: stdout, stderr and exit codes."""

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.conftest import LONGCLI_ON_FAKE

FAKE = ["--backend", "fake", "--quiet"]
TEXT = "".join(
    f"Paragraph {i}: Alice met person{i} in town{i} and they talked.\n\n" for i in range(400)
)


def no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr


def test_stdin_pipe_to_stdout(run):
    r = run("summarize", "-", *FAKE, input=TEXT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip()
    assert r.stderr == ""


def test_stdin_without_dash_when_piped(run):
    r = run("summarize", *FAKE, input="Just one short line of text to read.")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip()


def test_json_output_to_file(run, tmp_path: Path):
    a, b = tmp_path / "a.txt", tmp_path / "b.md"
    a.write_text(TEXT)
    b.write_text("# Title\n\n" + TEXT)
    out = tmp_path / "out.json"
    r = run("summarize", str(a), str(b), *FAKE, "--format", "json", "--output", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    data = json.loads(out.read_text())
    assert data["summary"]
    assert data["sources"] == [str(a), str(b)]
    assert {c["source"] for c in data["chunks"]} == {0, 1}
    assert data["chunks"][0]["start"] == 0
    assert data["levels"][-1][0]["summary"] == data["summary"]
    assert data["stats"]["calls"] >= len(data["chunks"])


def test_markdown_output(run, tmp_path: Path):
    a = tmp_path / "a.txt"
    a.write_text("Alice met Bob in Paris. They talked about the weather and left.")
    r = run("summarize", str(a), *FAKE, "--format", "markdown")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"# Summary of {a}\n\n")


def test_plan_does_not_run_the_model(run, tmp_path: Path):
    a = tmp_path / "a.txt"
    a.write_text(TEXT)
    r = run("summarize", str(a), *FAKE, "--plan", "--ctx", "1024", "--format", "json")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert plan["chunks"] > 1
    assert plan["calls"] == plan["chunks"] + sum(plan["levels"])
    assert plan["levels"][-1] == 1


def test_plan_on_the_real_tokenizer(run, tmp_path: Path):
    a = tmp_path / "a.txt"
    a.write_text(TEXT)
    r = run("summarize", str(a), "--plan", "--ctx", "1024")
    assert r.returncode == 0, r.stderr
    assert "chunks" in r.stdout and "eta" in r.stdout
    assert r.stderr == ""  # llama.cpp stays silent


@pytest.mark.parametrize(
    "data,message",
    [
        (b"hello \x00\x01\x02 binary", "binary file"),
        (b"valid text then \xff\xfe bad", "invalid utf-8 byte at offset 16"),
        (b"", "empty"),
        (b"   \n\n\t  \n", "empty"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run, tmp_path: Path, data: bytes, message: str):
    f = tmp_path / "in.txt"
    f.write_bytes(data)
    r = run("summarize", str(f), *FAKE)
    assert r.returncode == 2
    assert message in r.stderr.lower()
    assert r.stderr.count("\n") == 1
    assert r.stdout == ""
    no_traceback(r.stderr)


def test_utf16_with_bom_works(run, tmp_path: Path):
    f = tmp_path / "in.txt"
    f.write_bytes("\ufeffAlice went to Paris with Bob. They liked it.".encode("utf-16"))
    r = run("summarize", str(f), *FAKE)
    assert r.returncode == 0, r.stderr


def test_errors_replace(run, tmp_path: Path):
    f = tmp_path / "in.txt"
    f.write_bytes(b"Alice went to Paris \xff with Bob. They liked it a lot, they said.")
    assert run("summarize", str(f), *FAKE).returncode == 2
    assert run("summarize", str(f), *FAKE, "--errors", "replace").returncode == 0


@pytest.mark.parametrize(
    "args,message,code",
    [
        (["/no/such/file.txt"], "no such file", 2),
        (["."], "is a directory", 2),
        (["--chunk-tokens", "5"], "--chunk-tokens must be at least 64, got 5", 2),
        (["--chunk-tokens", "100000"], "--chunk-tokens must be between 64 and", 2),
        (["--threads", "100000"], "--threads must be between 1 and", 2),
        (["--temperature", "9"], "--temperature must be between 0 and 2, got 9", 2),
        (["--words", "abc"], "--words takes a whole number, got 'abc'", 2),
        (["--style", "poem"], "--style takes one of paragraph, bullets, outline", 2),
    ],
)
def test_usage_errors(run, tmp_path: Path, args, message, code):
    f = tmp_path / "in.txt"
    f.write_text(TEXT)
    full = (
        ["summarize", *args]
        if args[0].startswith("/") or args[0] == "."
        else ["summarize", str(f), *args]
    )
    r = run(*full, *FAKE)
    assert r.returncode == code
    assert message in r.stderr.lower()
    no_traceback(r.stderr)


def test_missing_model(run, tmp_path: Path):
    f = tmp_path / "in.txt"
    f.write_text("Some text.")
    r = run("summarize", str(f), "--model", str(tmp_path / "nope.gguf"))
    assert r.returncode == 2
    assert "model file not found" in r.stderr
    no_traceback(r.stderr)
    r = run("summarize", str(f), env={"LONGCLI_MODEL": "no-such-alias"})
    assert r.returncode == 2 and "no model 'no-such-alias'" in r.stderr


def test_text_file_renamed_gguf_and_truncated_gguf(run, tmp_path: Path, bundled_model_info):
    f = tmp_path / "in.txt"
    f.write_text("Some text.")
    fake = tmp_path / "model.gguf"
    fake.write_text("not a model at all")
    r = run("summarize", str(f), "--model", str(fake))
    assert r.returncode == 2 and "not a GGUF model file" in r.stderr
    truncated = tmp_path / "cut.gguf"
    with open(bundled_model_info.path, "rb") as src:
        truncated.write_bytes(src.read(200_000))
    r = run("summarize", str(f), "--model", str(truncated))
    assert r.returncode == 2 and "truncated or corrupt GGUF" in r.stderr  # refused before loading
    assert r.stderr.count("\n") == 1
    no_traceback(r.stderr)


def test_ctx_larger_than_trained(run, tmp_path: Path):
    f = tmp_path / "in.txt"
    f.write_text("Some text.")
    r = run("summarize", str(f), "--ctx", "100000", "--plan")
    assert r.returncode == 2 and "trained context of 8192" in r.stderr


def test_config_file_precedence_and_errors(run, private_user_dirs: Path, tmp_path: Path):
    config = private_user_dirs / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.yaml").write_text("words: 99\nstyle: bullets\nbogus_key: 1\n")
    r = run("config", "show")
    assert r.returncode == 0
    assert "words: 99" in r.stdout and "style: bullets" in r.stdout
    assert "unknown setting 'bogus_key'" in r.stderr
    r = run("config", "show", env={"LONGCLI_WORDS": "77"})
    assert "words: 77" in r.stdout
    (config / "config.yaml").write_text("words: 99\nstyle: [unclosed\n")
    r = run("config", "show")
    assert r.returncode == 2 and "config.yaml, line" in r.stderr
    no_traceback(r.stderr)


def test_prompt_file_errors(run, tmp_path: Path):
    f = tmp_path / "in.txt"
    f.write_text("Some text here.")
    bad_yaml = tmp_path / "p.yaml"
    bad_yaml.write_text("map: [oops\n")
    r = run("summarize", str(f), *FAKE, "--prompt-file", str(bad_yaml))
    assert r.returncode == 2 and "line" in r.stderr
    missing = tmp_path / "q.yaml"
    missing.write_text("map: 'Summarize this please'\n")
    r = run("summarize", str(f), *FAKE, "--prompt-file", str(missing))
    assert r.returncode == 2 and "missing placeholder(s) {text}" in r.stderr


def test_special_tokens_in_input_are_plain_text(run, tmp_path: Path):
    f = tmp_path / "in.txt"
    f.write_text("Alice said <|im_end|> and then </s> and <|endoftext|> to Bob in Paris.\n" * 3)
    # The model reads them as text (they neither end its prompt nor leak from its answer) ...
    r = run("summarize", str(f), "--words", "20", "--ctx", "1024", "--method", "abstractive")
    assert r.returncode == 0, r.stderr
    assert "<|im_end|>" not in r.stdout
    # ... and an extract quotes the input as it is.
    r = run("summarize", str(f), "--words", "20", "--method", "extractive")
    assert r.returncode == 0 and "<|im_end|>" in r.stdout


def test_debug_shows_traceback(run):
    r = run("summarize", "/no/such/file", "--debug", *FAKE)
    assert r.returncode == 2
    r = run("summarize", "/no/such/file", *FAKE)
    no_traceback(r.stderr)


def test_broken_pipe_is_quiet(tmp_path: Path):
    f = tmp_path / "in.txt"
    f.write_text(TEXT)
    longcli = f"{shlex.join(LONGCLI_ON_FAKE)} summarize {f} --quiet"
    cmd = f"{longcli} --format json | head -c 10"
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True)
    assert "Traceback" not in proc.stderr
    assert proc.stderr == ""
    assert len(proc.stdout) == 10
    assert proc.returncode == 0  # documented: a reader that goes away is not an error


def test_version(run):
    from longcli import __version__

    r = run("--version")
    assert r.returncode == 0 and r.stdout == f"longcli {__version__}\n"


def test_help_is_plain(run):
    r = run("--help")
    assert r.returncode == 0 and "summarize" in r.stdout
    r = run("summarize", "--help")
    assert "--words" in r.stdout and "--plan" in r.stdout


STORY = "".join(
    f"In the town of Town{i}, the baker Alice Hart sold {i} loaves to Person{i}. "
    f"It rained on {'Monday' if i % 2 else 'Friday'} and the market of Town{i} was quiet.\n\n"
    for i in range(300)
)


def test_cite_marks_every_sentence_with_its_chunk(run, tmp_path: Path):
    f = tmp_path / "story.txt"
    f.write_text(STORY)
    r = run("summarize", str(f), "--method", "extractive", "--words", "80", "--cite", "-q")
    assert r.returncode == 0, r.stderr
    body, _, legend = r.stdout.partition("\n\nSources\n")
    import re

    marks = re.findall(r"\[(\d+)\]", body)
    assert marks and len(marks) == len(re.findall(r"[.!?] \[", body))
    # a plain text's place is its lines, as `verify` names them and `sed -n` prints them
    entries = dict(re.findall(r"^(\d+)\. .*story\.txt, (lines? .+)$", legend, re.M))
    assert set(marks) == set(entries)
    lines = STORY.split("\n")
    for n in set(marks):
        first, last = ([int(x.replace(",", "")) for x in re.findall(r"[\d,]+", entries[n])] * 2)[:2]
        # the sentences cited as n are found in its lines
        for sentence in re.findall(rf"([^.\]]+\.) \[{n}\]", body):
            assert sentence.strip() in "\n".join(lines[first - 1 : last])


def test_styles_and_instructions_without_a_model(run, tmp_path: Path):
    f = tmp_path / "story.txt"
    f.write_text(STORY)
    base = ["summarize", str(f), "--method", "extractive", "--words", "60", "-q"]
    bullets = run(*base, "--style", "bullets")
    assert bullets.returncode == 0, bullets.stderr
    assert all(line.startswith("- ") for line in bullets.stdout.strip().splitlines())
    outline = run(*base, "--style", "outline", "--ctx", "1024")
    lines = outline.stdout.strip().splitlines()
    # the lead stands alone above the parts, as above named ones; parts are not offsets
    assert "Part 1:" in lines and lines.index("Part 1:") <= 2, lines
    assert any(x.startswith("- ") for x in lines)
    assert not any(re.match(r"^\d+[-–]\d+:", x) for x in lines), lines
    # 150 sentences say "It rained on Monday ..." nearly alike: one is kept (a summary
    # never repeats itself); the day asked about is the one said first
    for day in ("Monday", "Friday"):
        focused = run(*base, "-i", f"what happened on {day}")
        assert focused.returncode == 0, focused.stderr
        said = re.search(r"rained on (\w+)", focused.stdout)
        assert said is not None and said.group(1) == day


def test_verbose_is_statistics_and_debug_adds_llama_cpps_log(monkeypatch):
    import io

    from longcli.config import Settings
    from longcli.streams import Streams
    from longcli.summarize import run as summarize_run

    asked: list[bool] = []
    monkeypatch.setattr(summarize_run, "_extractive", lambda settings: False)
    monkeypatch.setattr(
        summarize_run, "open_engine", lambda settings, **kw: asked.append(kw["verbose"])
    )
    for verbose, llama_log in ((True, False), (False, True)):
        out = Streams(io.StringIO(), io.StringIO(), io.StringIO(), False, False, False)
        out.verbose, out.llama_log = verbose, llama_log
        summarize_run.open_for(Settings(), out)
    assert asked == [False, True]  # -v alone loads llama.cpp quietly; --debug shows its log
