"""llama.cpp's repacked CPU weights, and the one-time probe that decides whether to use them.

When llama.cpp loads a model on a CPU it may copy the weights into layouts made for that
CPU ("extra buffer types": AMX tiles on Intel Xeons, interleaved blocks for AVX2 or
NEON). On Intel Xeons with AMX, at least in VMs, that crashes with SIGSEGV at the first
decode (llama.cpp #20824; Ollama #17006, #17249): every model command died with a bare
exit 139. Loading with `use_extra_bufts = false` (llama.cpp's `--no-repack`) runs
correctly; `Llama()` does not expose it, so `extra_buffers(False)` sets it on the
parameters llama-cpp-python starts from.

With `repack: auto` the first load on a machine runs a probe: a child process loads the
model and decodes a few tokens. A child killed by a crash signal means this machine cannot
use repacked weights, and longcli loads without them from then on. The verdict is kept in
the cache dir (atomically), keyed by llama-cpp-python's version, llama.cpp's CPU features
and the model's quantization (what gets repacked depends on the tensor type), so the
probe costs about a second, once.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from longcli.config import Repack
from longcli.models.gguf import ModelInfo
from longcli.places import cache_dir

REPACK_FILE = "repack.json"
REPACK_FORMAT = 1
PROBE_TIMEOUT_S = 180.0
PROBE_CTX = 256
PROBE_TOKENS = 8
# A child dead by one of these crashed in native code; SIGKILL (the OOM killer, a user)
# or SIGTERM say nothing about repacking.
CRASH_SIGNALS = frozenset(
    {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGABRT, signal.SIGFPE}
)

_patch_lock = threading.Lock()


class ProbeOutcome(StrEnum):
    ok = "ok"  # loaded and decoded with repacked weights
    crashed = "crashed"  # died by a crash signal
    failed = "failed"  # exited with an error: says nothing about repacking
    timed_out = "timed_out"


@dataclass(frozen=True)
class ProbeResult:
    outcome: ProbeOutcome
    seconds: float
    signal: str | None = None  # e.g. SIGSEGV, when it crashed
    detail: str = ""  # the child's last line of output


@dataclass(frozen=True)
class RepackDecision:
    """Whether a load uses repacked weights, and why."""

    enabled: bool
    source: str  # "setting", "probe", "remembered", "gpu" or "unsupported"
    probe: ProbeResult | None = None  # the probe run now, if one ran


def supported() -> bool:
    """Whether this llama-cpp-python lets us turn repacking off (llama_model_params has the
    field since llama.cpp added --no-repack)."""
    from longcli.backends.runtime import load_llama

    llama_cpp = load_llama()
    fields = getattr(llama_cpp.llama_model_params, "_fields_", [])
    return any(name == "use_extra_bufts" for name, *_ in fields)


def system_info() -> str:
    """llama.cpp's CPU features and backends, as it prints them."""
    from longcli.backends.runtime import load_llama

    llama_cpp = load_llama()
    return llama_cpp.llama_print_system_info().decode("utf-8", errors="replace").strip()


def machine_key(model: ModelInfo) -> str:
    """What a verdict depends on: the llama.cpp build, this CPU's features, the weights'
    quantization."""
    from longcli.backends.runtime import load_llama

    version = getattr(load_llama(), "__version__", "?")
    return f"llama-cpp-python {version}|{system_info()}|{model.quantization}"


@contextlib.contextmanager
def extra_buffers(enabled: bool) -> Iterator[None]:
    """Models loaded inside load with (enabled) or without repacked CPU weights."""
    if enabled or not supported():
        yield
        return
    from llama_cpp import llama_cpp as library

    original = library.llama_model_default_params
    with _patch_lock:
        library.llama_model_default_params = _without_extra_buffers(original)
        try:
            yield
        finally:
            library.llama_model_default_params = original


def disable_for_process() -> None:
    """Every later model load in this process goes without repacked weights (for programs
    that build `Llama` themselves, such as llama-cpp-python's server)."""
    if not supported():
        return
    from llama_cpp import llama_cpp as library

    library.llama_model_default_params = _without_extra_buffers(library.llama_model_default_params)


def _without_extra_buffers(original: Callable[[], Any]) -> Callable[[], Any]:
    """llama_model_default_params, with repacking turned off."""

    def params_without() -> Any:
        params = original()
        params.use_extra_bufts = False
        return params

    return params_without


def decide(
    setting: Repack,
    model: ModelInfo,
    *,
    gpu_layers: int = 0,
    note: Callable[[str], None] | None = None,
) -> RepackDecision:
    """Whether to load `model` with repacked weights: the setting, else what a probe on
    this machine found (running it now if none did)."""
    if setting != Repack.auto:
        return RepackDecision(setting == Repack.on, "setting")
    if gpu_layers < 0:
        return RepackDecision(True, "gpu")  # every layer on the GPU: nothing to repack
    if not supported():
        return RepackDecision(True, "unsupported")
    key = machine_key(model)
    known = remembered().get(key)
    if isinstance(known, dict) and isinstance(known.get("repack"), bool):
        return RepackDecision(known["repack"], "remembered")
    result = run_probe(model.path)
    if result.outcome == ProbeOutcome.crashed:
        _remember(key, False, result)
        if note is not None:
            note(
                f"llama.cpp crashed ({result.signal}) running weights repacked for this CPU; "
                "loading without repacking from now on (remembered; --repack forces it, "
                "`longcli doctor` shows more)"
            )
        return RepackDecision(False, "probe", result)
    if result.outcome == ProbeOutcome.ok:
        _remember(key, True, result)
        return RepackDecision(True, "probe", result)
    if result.outcome == ProbeOutcome.timed_out:
        if note is not None:
            note(
                f"the repack probe did not finish in {PROBE_TIMEOUT_S:.0f} s; loading "
                "without repacking this time"
            )
        return RepackDecision(False, "probe", result)
    # The child failed on its own (no memory, a bad file): the load itself will say why.
    return RepackDecision(True, "probe", result)


def probe_command(model_path: Path, repack: bool = True) -> list[str]:
    """The child that loads the model (with or without repacked weights) and decodes a few
    tokens."""
    flag = [] if repack else ["--no-repack"]
    return [sys.executable, "-m", "longcli.backends.repack", str(model_path), *flag]


def run_probe(
    model_path: Path, timeout_s: float | None = None, *, repack: bool = True
) -> ProbeResult:
    """Run the probe child and say how it ended (`longcli doctor` also runs it without
    repacking, to see whether the model works at all)."""
    timeout_s = PROBE_TIMEOUT_S if timeout_s is None else timeout_s
    started = time.monotonic()
    # Its own session: a Ctrl-C meant for us does not make the probe look like a crash.
    child = subprocess.Popen(
        probe_command(model_path, repack),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = child.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return ProbeResult(ProbeOutcome.timed_out, time.monotonic() - started)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    seconds = time.monotonic() - started
    lines = output.decode("utf-8", errors="replace").strip().splitlines()
    detail = lines[-1].strip() if lines else ""
    code = child.returncode
    if code == 0:
        return ProbeResult(ProbeOutcome.ok, seconds, detail=detail)
    if code < 0 and -code in CRASH_SIGNALS:
        return ProbeResult(ProbeOutcome.crashed, seconds, signal.Signals(-code).name, detail)
    return ProbeResult(ProbeOutcome.failed, seconds, detail=detail)


def remembered() -> dict[str, Any]:
    """The verdicts kept on this machine, by machine key."""
    from longcli.storage import read_json_object

    data = read_json_object(_path())
    if data.get("format") != REPACK_FORMAT or not isinstance(data.get("verdicts"), dict):
        return {}
    return data["verdicts"]


def forget() -> None:
    """Drop every verdict: the next load probes again."""
    with contextlib.suppress(FileNotFoundError):
        _path().unlink()


def _remember(key: str, enabled: bool, result: ProbeResult) -> None:
    from longcli.storage import atomic_write_text, ensure_private_dir

    verdicts = remembered()
    verdicts[key] = {
        "repack": enabled,
        "probe": {**asdict(result), "outcome": result.outcome.value},
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    try:
        ensure_private_dir(cache_dir())
        atomic_write_text(_path(), json.dumps({"format": REPACK_FORMAT, "verdicts": verdicts}))
    except OSError:
        pass  # not remembered: the next run probes again, nothing worse


def _path() -> Path:
    return cache_dir() / REPACK_FILE


def _probe_child(model_path: str, repack: bool) -> None:
    """Load (by default with repacked weights, as llama.cpp does) and decode a few tokens."""
    from longcli.backends.runtime import load_llama

    llama_cpp = load_llama()
    with extra_buffers(repack):
        llm = llama_cpp.Llama(model_path=model_path, n_ctx=PROBE_CTX, n_batch=64, verbose=False)
    prompt = llm.tokenize(b"Once upon a time, in a small town by the sea,", add_bos=True)
    llm.eval(prompt)
    for _ in range(PROBE_TOKENS):
        llm.eval([llm.sample(temp=0.0)])
    print("decoded", PROBE_TOKENS, "tokens")


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    _probe_child(sys.argv[1], repack="--no-repack" not in sys.argv[2:])
