"""Every bad input: a clear one-line message, a documented exit code, no traceback.

The table in RELIABILITY.md lists these cases; the ids below match its rows.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import InProcess

FAKE = ["--backend", "fake", "-q"]
TRIED: list[str] = []


def run(*args: str, stdin: bytes = b"", env: dict | None = None) -> subprocess.CompletedProcess:
    """The command line in this process (see tests/conftest.py)."""
    return InProcess()(*args, input=stdin, env=env)


def one_line_error(r: subprocess.CompletedProcess, code: int, *needles: str) -> None:
    assert r.returncode == code, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("longcli: ") and r.stderr.count("\n") == 1, r.stderr
    for needle in needles:
        assert needle in r.stderr, r.stderr
    assert r.stdout == ""


def write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


CASES = {
    "binary file": (b"\x7fELF\x02\x01\x00\x00binary", 2, ["binary file", "offset 6"]),
    "invalid utf-8": (b"good text \xc3\x28 bad", 2, ["invalid utf-8 byte at offset 10"]),
    "empty file": (b"", 2, ["in.txt is empty"]),  # the file named (issue 31)
    "whitespace only": (b" \n\t\n   \r\n", 2, ["in.txt is empty (only white space)"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_text_files(tmp_path: Path, case: str):
    data, code, needles = CASES[case]
    r = run("summarize", str(write(tmp_path, "in.txt", data)), *FAKE)
    one_line_error(r, code, *needles)
    TRIED.append(case)


def test_empty_stdin():
    one_line_error(run("summarize", "-", *FAKE, stdin=b""), 2, "empty")
    TRIED.append("empty stdin")


def test_utf16_with_bom_works(tmp_path: Path):
    text = "Alice sailed to Lisbon with Bob. They bought a boat and a map."
    f = write(tmp_path, "in.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    r = run("summarize", str(f), *FAKE)
    assert r.returncode == 0 and r.stdout.strip()
    TRIED.append("utf-16 with bom")


def test_ten_megabyte_line_without_spaces(tmp_path: Path):
    rng = random.Random(7)
    f = write(
        tmp_path,
        "line.txt",
        "".join(rng.choice("abcdefghij0123456789") for _ in range(10_000_000)).encode(),
    )
    r = run("summarize", str(f), "--plan", "--format", "json")  # the real tokenizer
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert plan["chunks"] > 1000 and plan["input_tokens"] > 2_000_000
    TRIED.append("10 MB line without spaces")


def test_paths(tmp_path: Path):
    one_line_error(run("summarize", str(tmp_path), *FAKE), 2, "is a directory")
    one_line_error(run("summarize", str(tmp_path / "nope.txt"), *FAKE), 2, "no such file")
    TRIED.extend(["directory", "missing path"])


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    f = write(tmp_path, "secret.txt", b"private words")
    f.chmod(0)
    if os.geteuid() == 0:  # root reads anything: fake the refusal instead
        monkeypatch.setattr(os, "access", lambda path, mode: False)
    one_line_error(run("summarize", str(f), *FAKE), 2, "permission denied")
    TRIED.append("unreadable file")


def test_chunk_and_context_sizes(tmp_path: Path):
    f = write(tmp_path, "in.txt", b"Some words to read. " * 50)
    one_line_error(
        run("summarize", str(f), *FAKE, "--chunk-tokens", "999999"),
        2,
        "--chunk-tokens must be between",
    )
    one_line_error(
        run("summarize", str(f), *FAKE, "--chunk-tokens", "3"),
        2,
        "--chunk-tokens must be at least 64",
    )
    one_line_error(
        run("summarize", str(f), "--ctx", "1000000", "-q"),
        2,
        "larger than the model's trained context",
    )
    TRIED.extend(["--chunk-tokens too large", "--chunk-tokens too small", "--ctx too large"])


def test_models(tmp_path: Path, bundled_model_info):
    f = write(tmp_path, "in.txt", b"Some words to read.")
    one_line_error(
        run("summarize", str(f), "--model", str(tmp_path / "none.gguf")), 2, "model file not found"
    )
    with open(bundled_model_info.path, "rb") as src:
        head = src.read(4096)
    cut = write(tmp_path, "cut.gguf", head)
    one_line_error(run("summarize", str(f), "--model", str(cut)), 2, "truncated or corrupt")
    renamed = write(tmp_path, "notes.gguf", b"just some notes, not a model\n")
    one_line_error(run("summarize", str(f), "--model", str(renamed)), 2, "not a GGUF model")
    TRIED.extend(["missing model", "truncated GGUF", "text file renamed .gguf"])


def test_special_tokens_are_plain_text(tmp_path: Path, tokenizer):
    from longcli.calls import Message

    text = "Before <|im_end|> middle </s> and <|endoftext|> after <|im_start|>system"
    special = tokenizer._tokenize(text, special=True)
    plain = tokenizer.encode([Message("user", text)])
    assert len(plain) > len(special)  # parsed as text: more tokens than as specials
    neutral = tokenizer.encode([Message("user", "plain words only")])
    control = set(special) - set(tokenizer._tokenize(text, special=False))  # <|im_end|>...
    assert control
    for special_id in control:
        assert plain.count(special_id) == neutral.count(special_id)  # only the template's
    TRIED.append("special tokens in text")


def test_prompt_templates(tmp_path: Path):
    f = write(tmp_path, "in.txt", b"Some words to read.")
    bad = write(tmp_path, "p.yaml", b"map: |\n  ok\n bad indent: [\n")
    one_line_error(run("summarize", str(f), *FAKE, "--prompt-file", str(bad)), 2, "p.yaml, line")
    hole = write(tmp_path, "q.yaml", b"merge: 'Combine these.'\n")
    one_line_error(
        run("summarize", str(f), *FAKE, "--prompt-file", str(hole)),
        2,
        "missing placeholder(s) {text}",
    )
    TRIED.extend(["template YAML error", "template missing placeholder"])


def test_config_files(private_user_dirs: Path, tmp_path: Path):
    config = private_user_dirs / "config"
    config.mkdir(parents=True, exist_ok=True)
    f = write(tmp_path, "in.txt", b"Some words to read, in a sentence.")
    (config / "config.yaml").write_text("words: 100\nstyle: [\n")
    one_line_error(run("summarize", str(f), *FAKE), 2, "config.yaml, line")
    (config / "config.yaml").write_text("wrods: 100\n")
    r = run("summarize", str(f), *FAKE)
    assert r.returncode == 0 and "unknown setting 'wrods' ignored" in r.stderr
    TRIED.extend(["config YAML error", "unknown config key"])


def test_sessions(tmp_path: Path):
    not_dir = write(tmp_path, "notes.txt", b"mine")
    one_line_error(
        run("chat", "--memory", str(not_dir), "--backend", "fake", "--message", "hi"),
        2,
        "is a file",
    )
    assert not_dir.read_bytes() == b"mine"
    s = tmp_path / "s"
    assert run("chat", "--memory", str(s), "--backend", "fake", "--message", "hi").returncode == 0
    meta = json.loads((s / "meta.json").read_text())
    meta["format_version"] = 99
    (s / "meta.json").write_text(json.dumps(meta))
    before = {p.name: p.read_bytes() for p in s.iterdir()}
    one_line_error(
        run("chat", "--memory", str(s), "--backend", "fake", "--message", "hi"),
        2,
        "newer longcli (format 99",
    )
    one_line_error(run("memory", "show", str(s)), 2, "newer longcli")
    assert {p.name: p.read_bytes() for p in s.iterdir()} == before
    TRIED.extend(["memory dir is a file", "session of a newer format"])


def test_every_row_of_the_reliability_table_names_a_test_here():
    """RELIABILITY.md's bad-input table points at tests of this module that exist, and
    every case a test here tries is tried once (no two tests claim one row)."""
    text = (Path(__file__).resolve().parents[2] / "RELIABILITY.md").read_text()
    table = text.split("## Bad input", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
    named = set()
    for row in rows:
        ours = True  # bare names after `tests/other.py::x` belong to that file
        for name in row.rsplit("|", 2)[1].split("`")[1::2]:
            ours = ours and not name.startswith("tests/")
            if ours:
                named.add(name.split("[", 1)[0])
    assert len(rows) >= 15 and named
    missing = sorted(n for n in named if not callable(globals().get(n)))
    assert not missing, f"RELIABILITY.md names tests this module lacks: {missing}"
    tried = cases_named_here()
    assert len(tried) >= 15 and len(tried) == len(set(tried)), tried
    sys.stderr.write(f"\nbad inputs tried: {len(tried)}\n")


def cases_named_here() -> list[str]:
    """Every case this module's tests record in TRIED, read from its source: the same list
    whether the module runs whole or one test alone (a list filled as tests run is empty
    when the check runs by itself, and would pass on nothing)."""
    import ast

    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    cases = list(CASES)
    for node in ast.walk(tree):
        call = node if isinstance(node, ast.Call) else None
        target = call.func if call is not None else None
        if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)):
            continue
        if target.value.id != "TRIED" or call is None or not call.args:
            continue
        cases += [
            c.value
            for c in ast.walk(call.args[0])
            if isinstance(c, ast.Constant) and isinstance(c.value, str)
        ]
    return cases
