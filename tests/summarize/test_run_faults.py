"""A summarize run's own faults: a broken cache warns once, --threads follows the machine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TEXT = "".join(f"Line {i}: Carol paid bill{i} in town{i}.\n\n" for i in range(300))


@pytest.mark.parametrize("broken", ["a file", "read-only"])
def test_a_cache_that_cannot_be_written_is_one_warning(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
):
    cache = tmp_path / "cache"
    if broken == "a file":
        cache.write_text("not a directory")
    else:
        cache.mkdir()
        cache.chmod(0o500)
        if os.access(cache, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
    monkeypatch.setenv("LONGCLI_CACHE_DIR", str(cache))
    f = tmp_path / "in.txt"
    f.write_text(TEXT)
    r = run("summarize", str(f), "--ctx", "1024", "--method", "abstractive", "--backend", "fake")
    if cache.is_dir():
        cache.chmod(0o700)  # let pytest clean it up
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip()
    warnings = [line for line in r.stderr.splitlines() if "call cache" in line]
    assert len(warnings) == 1, r.stderr
    assert str(cache) in warnings[0] and "--no-cache" in warnings[0]


def test_threads_may_go_up_to_the_machines_cpus(monkeypatch: pytest.MonkeyPatch):
    from longcli import config

    monkeypatch.setattr(config, "available_cores", lambda: 2)  # a container's affinity
    monkeypatch.setattr(config.os, "cpu_count", lambda: 32)
    assert config._max_threads() == 32
    monkeypatch.setattr(config, "available_cores", lambda: 64)
    assert config._max_threads() == 256
    monkeypatch.setattr(config, "available_cores", lambda: 1000)
    assert config._max_threads() == config.MAX_LLAMA_THREADS


def test_threads_flag_accepts_more_than_eight_on_a_bigger_machine(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from longcli import config

    monkeypatch.setattr(config, "available_cores", lambda: 2)
    monkeypatch.setattr(config.os, "cpu_count", lambda: 16)
    f = tmp_path / "in.txt"
    f.write_text(TEXT)
    r = run("summarize", str(f), "-t", "16", "--plan", "--backend", "fake")
    assert r.returncode == 0, r.stderr
    refused = run("summarize", str(f), "-t", "100000", "--plan", "--backend", "fake")
    assert refused.returncode == 2 and "between 1 and 16" in refused.stderr
