"""Repacked CPU weights (backends/repack.py) and native crashes told in one line
(backends/crashwatch.py).

The probe's child is replaced by one that kills itself with SIGSEGV, as llama.cpp does on
an Intel Xeon with AMX: longcli must then load without repacked weights, remember it, say
so once, and still summarize. The rest runs the real probe and the real bundled model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from longcli.backends import repack
from longcli.config import Flags, Repack, Settings
from longcli.places import cache_dir
from tests.conftest import TEST_DATA

SEGFAULT = "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"
ROOT = Path(__file__).resolve().parents[2]


def probe_is(monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """Make the probe's child run the Python `body`; returns a file counting its runs."""
    counter = cache_dir().parent / "probe-runs"
    code = f"open({str(counter)!r}, 'a').write('x')\n{body}"
    monkeypatch.setattr(
        repack, "probe_command", lambda path, repack=True: [sys.executable, "-c", code]
    )
    return counter


def runs(counter: Path) -> int:
    return len(counter.read_text()) if counter.exists() else 0


def no_verdicts() -> None:
    (cache_dir() / repack.REPACK_FILE).unlink(missing_ok=True)


def test_extra_buffers_turns_repacking_off_only_inside():
    from llama_cpp import llama_cpp as library

    assert repack.supported()
    assert library.llama_model_default_params().use_extra_bufts is True
    with repack.extra_buffers(False):
        assert library.llama_model_default_params().use_extra_bufts is False
    assert library.llama_model_default_params().use_extra_bufts is True
    with repack.extra_buffers(True):
        assert library.llama_model_default_params().use_extra_bufts is True


def test_disable_for_process_covers_programs_that_build_llama_themselves():
    script = (
        "from longcli.backends.repack import disable_for_process; disable_for_process(); "
        "from llama_cpp import llama_cpp as lib; "
        "print(lib.llama_model_default_params().use_extra_bufts)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_a_crashing_probe_turns_repacking_off_and_is_remembered(
    monkeypatch: pytest.MonkeyPatch, bundled_model_info
):
    no_verdicts()
    counter = probe_is(monkeypatch, SEGFAULT)
    notes: list[str] = []
    decision = repack.decide(Repack.auto, bundled_model_info, note=notes.append)
    assert decision.enabled is False and decision.source == "probe"
    assert decision.probe is not None and decision.probe.signal == "SIGSEGV"
    assert len(notes) == 1 and "crashed (SIGSEGV)" in notes[0] and "--repack" in notes[0]
    kept = json.loads((cache_dir() / repack.REPACK_FILE).read_text())
    assert [v["repack"] for v in kept["verdicts"].values()] == [False]
    # Remembered: no second probe, no second note.
    again = repack.decide(Repack.auto, bundled_model_info, note=notes.append)
    assert again.enabled is False and again.source == "remembered"
    assert runs(counter) == 1 and len(notes) == 1


@pytest.mark.model
def test_after_a_crashing_probe_the_model_loads_without_repacking_and_works(
    monkeypatch: pytest.MonkeyPatch, run, tmp_path: Path
):
    """The whole command, as on an AMX machine: one line on stderr, a summary on stdout."""
    no_verdicts()
    counter = probe_is(monkeypatch, SEGFAULT)
    text = tmp_path / "story.txt"
    text.write_text((TEST_DATA / "shakespeare-excerpt.txt").read_text()[:3000])
    r = run("summarize", str(text), "--words", "40", "--method", "hybrid", "-q",
            "--format", "json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert runs(counter) == 1
    crash_lines = [line for line in r.stderr.splitlines() if "crashed" in line]
    assert len(crash_lines) == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["model"]["repack"] is False
    assert out["summary"].strip()


@pytest.mark.parametrize("setting", [Repack.on, Repack.off])
def test_on_and_off_never_probe(setting: Repack, monkeypatch: pytest.MonkeyPatch,
                                bundled_model_info):  # fmt: skip
    no_verdicts()
    counter = probe_is(monkeypatch, SEGFAULT)
    decision = repack.decide(setting, bundled_model_info)
    assert decision.enabled is (setting == Repack.on) and decision.source == "setting"
    assert runs(counter) == 0


def test_no_repack_flag_reaches_the_setting(run, monkeypatch: pytest.MonkeyPatch):
    from longcli.cli import options

    assert options.SharedOptions(repack=False).flags(Flags()).repack == Repack.off
    assert options.SharedOptions(repack=True).flags(Flags()).repack == Repack.on
    assert options.SharedOptions().flags(Flags()).repack is None
    r = run("config", "show", env={"LONGCLI_REPACK": "off"})
    assert "repack: 'off'" in r.stdout  # YAML quotes it: a bare off would read as false
    bad = run("config", "show", env={"LONGCLI_REPACK": "sometimes"})
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_a_failing_probe_says_nothing_about_repacking(
    monkeypatch: pytest.MonkeyPatch, bundled_model_info
):
    """A child that exits with an error (no memory, a bad file) is no verdict: the load
    itself will say what is wrong, and the next run probes again."""
    no_verdicts()
    counter = probe_is(monkeypatch, "raise SystemExit(3)")
    assert repack.decide(Repack.auto, bundled_model_info).enabled is True
    assert repack.decide(Repack.auto, bundled_model_info).enabled is True
    assert runs(counter) == 2
    assert not (cache_dir() / repack.REPACK_FILE).exists()


def test_a_probe_that_hangs_is_stopped_and_not_remembered(
    monkeypatch: pytest.MonkeyPatch, bundled_model_info
):
    no_verdicts()
    probe_is(monkeypatch, "import time; time.sleep(60)")
    monkeypatch.setattr(repack, "PROBE_TIMEOUT_S", 1.0)
    notes: list[str] = []
    decision = repack.decide(Repack.auto, bundled_model_info, note=notes.append)
    assert decision.enabled is False and decision.probe is not None
    assert decision.probe.outcome == repack.ProbeOutcome.timed_out
    assert len(notes) == 1 and not (cache_dir() / repack.REPACK_FILE).exists()


def test_the_real_probe_on_this_machine(bundled_model_info):
    """The real child: it decodes (most CPUs) or crashes (Intel AMX); either way the
    verdict is kept and matches what happened."""
    no_verdicts()
    decision = repack.decide(Repack.auto, bundled_model_info)
    assert decision.probe is not None
    assert decision.probe.outcome in (repack.ProbeOutcome.ok, repack.ProbeOutcome.crashed)
    assert decision.enabled is (decision.probe.outcome == repack.ProbeOutcome.ok)
    key = repack.machine_key(bundled_model_info)
    assert repack.remembered()[key]["repack"] is decision.enabled
    assert bundled_model_info.quantization in key and "llama-cpp-python" in key


def test_verdicts_are_per_quantization(monkeypatch: pytest.MonkeyPatch, bundled_model_info):
    import dataclasses

    no_verdicts()
    counter = probe_is(monkeypatch, SEGFAULT)
    repack.decide(Repack.auto, bundled_model_info)
    other = dataclasses.replace(bundled_model_info, quantization="Q8_0")
    repack.decide(Repack.auto, other)
    assert runs(counter) == 2


def test_engine_hands_the_verdict_to_the_load(monkeypatch, bundled_model_info):
    from longcli.backends.engine import load_options

    no_verdicts()
    probe_is(monkeypatch, SEGFAULT)
    assert load_options(Settings(), bundled_model_info).repack is False
    assert load_options(Settings(repack=Repack.on), bundled_model_info).repack is True
    assert load_options(Settings(), bundled_model_info, probe=False).repack is None


# -- a native crash anyway: one line, never a bare 139 ---------------------------------------


def crash_script(body: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(body)]


def test_a_native_crash_is_told_in_one_line():
    done = subprocess.run(
        crash_script("""
            from longcli.backends import crashwatch
            crashwatch.enable()
            crashwatch.arm("SmolLM2 (model.gguf, repack on)")
            import os, signal
            os.kill(os.getpid(), signal.SIGSEGV)
        """),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == -signal.SIGSEGV
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "llama.cpp crashed (segmentation fault)" in lines[0]
    assert "SmolLM2 (model.gguf, repack on)" in lines[0] and "--no-repack" in lines[0]
    assert "longcli doctor" in lines[0]


@pytest.mark.parametrize("ending", ["print('done')", "import os; os.kill(os.getpid(), 9)",
                                    "raise SystemExit(2)"])  # fmt: skip
def test_no_crash_no_line(ending: str):
    done = subprocess.run(
        crash_script(f"""
            from longcli.backends import crashwatch
            crashwatch.enable()
            crashwatch.arm("SmolLM2")
            {ending}
        """),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "crashed" not in done.stderr


def test_not_armed_outside_the_command_line():
    """A program that imports longcli (or a test runner) keeps its own fault handler."""
    done = subprocess.run(
        crash_script("""
            import faulthandler
            from longcli.backends import crashwatch
            crashwatch.arm("SmolLM2")
            print(faulthandler.is_enabled())
        """),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "False"


@pytest.mark.model
def test_a_crash_during_a_real_command_names_the_model_and_setting(tmp_path: Path):
    """The real entry point and the real model load; the crash is injected in the first
    generation, where llama.cpp's AMX crash happens."""
    text = tmp_path / "in.txt"
    text.write_text("Alice met Bob in Paris. They talked about the weather. " * 20)
    script = crash_script(f"""
        import os, signal, sys
        from longcli.backends import llama
        def crash(self, *args, **kwargs):
            os.kill(os.getpid(), signal.SIGSEGV)
        llama.LlamaBackend.complete = crash
        llama.LlamaBackend.stream = crash
        sys.argv = ["longcli", "summarize", {str(text)!r}, "--method", "abstractive",
                    "--no-repack", "--no-cache", "-q"]
        from longcli.__main__ import run
        run()
    """)
    done = subprocess.run(
        script, capture_output=True, text=True, timeout=300, cwd=ROOT, env=dict(os.environ)
    )
    assert done.returncode == -signal.SIGSEGV
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "llama.cpp crashed" in lines[0] and "repack off" in lines[0]
    assert "smollm2" in lines[0].lower()  # the model named, as its display name spells it
