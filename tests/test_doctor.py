"""`longcli doctor`: real checks, a typed report, exit 1 when something needed is broken."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from longcli.backends import repack
from longcli.text import documents


@pytest.mark.model
def test_doctor_on_a_working_install(run):
    r = run("doctor")
    assert r.returncode == 0, r.stdout + r.stderr
    for section in ("versions", "paths", "llama.cpp", "model", "extras", "memory"):
        assert f"\n{section}\n" in f"\n{r.stdout}"
    assert "loads and decodes" in r.stdout and "all good" in r.stdout
    report = json.loads(run("doctor", "--json").stdout)
    assert report["healthy"] is True
    assert report["versions"]["llama-cpp-python"] not in ("", "not installed")
    names = {(c["area"], c["name"]): c["status"] for c in report["checks"]}
    assert names[("model", "loads and decodes")] == "ok"
    assert names[("model", "repack")] in ("ok", "info")
    assert {("extras", f) for f in ("pdf", "epub", "html", "docx", "srt", "vtt")} <= set(names)


def test_doctor_without_a_model_fails_in_one_place(run, tmp_path: Path):
    r = run("doctor", "--model", str(tmp_path / "missing.gguf"), "--json")
    assert r.returncode == 1
    report = json.loads(r.stdout)
    failed = [c for c in report["checks"] if c["status"] == "fail"]
    assert [(c["area"], c["name"]) for c in failed] == [("model", "found")]


def test_doctor_reports_a_model_that_crashes(run, monkeypatch: pytest.MonkeyPatch):
    crash = "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"
    monkeypatch.setattr(
        repack, "probe_command", lambda path, repack=True: [sys.executable, "-c", crash]
    )
    (Path(repack.cache_dir()) / repack.REPACK_FILE).unlink(missing_ok=True)
    r = run("doctor")
    assert r.returncode == 1
    line = next(x for x in r.stdout.splitlines() if "loads and decodes" in x)
    assert "FAIL" in line and "llama.cpp crashed (SIGSEGV)" in line
    assert "off (probed now; the probe crashed (SIGSEGV))" in r.stdout


def test_doctor_names_a_broken_reader_and_its_fix(run, monkeypatch: pytest.MonkeyPatch):
    broken = documents.ReaderStatus(
        documents.InputFormat.html,
        ("trafilatura", "lxml.html.clean"),
        False,
        "lxml_html_clean is not installed",
        "lxml_html_clean",
        "pip install lxml_html_clean",
    )
    monkeypatch.setattr(documents, "reader_status", lambda: [broken])
    r = run("doctor", "--no-load")
    assert r.returncode == 1
    assert "lxml_html_clean is not installed" in r.stdout
    assert "-> pip install lxml_html_clean" in r.stdout
