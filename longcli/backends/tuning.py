"""Thread settings measured on this machine for a model: `longcli tune`, and what it feeds.

llama.cpp's speed on a CPU swings with the number of decode and prefill threads and with
OpenMP's wait policy, and which is best depends on the machine, the model and what else
runs. The fixed rule (llama.default_threads: half the cores decode, all of them prefill,
passive waiting) is robust; measured on a 2-vCPU VM it came within 0.88-0.94
of the best setting, which was two spinning decode threads when the machine was idle
(bench/run.py). `longcli tune` times a few candidates on a prefill + decode job like a
map call, each in a fresh process (OpenMP reads its policy once, at start), and keeps
the fastest for this machine and model; later runs use it unless --threads is given or
OMP_WAIT_POLICY is set.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from longcli.backends.runtime import policy_in_force
from longcli.calls import Sampling
from longcli.config import available_cores
from longcli.errors import ModelError
from longcli.models.gguf import ModelInfo
from longcli.places import cache_dir
from longcli.storage import read_json_object
from longcli.streams import Streams

TUNING_FILE = "tuning.json"
TUNING_FORMAT = 1
PREFILL_TOKENS = 512
DECODE_TOKENS = 64
ROUNDS = 2  # interleaved, so a noisy moment hits every candidate
CHILD_TIMEOUT_S = 600


@dataclass(frozen=True)
class ThreadChoice:
    threads: int  # decode
    threads_batch: int  # prefill
    omp_policy: str  # PASSIVE or ACTIVE

    def label(self) -> str:
        return f"{self.threads}/{self.threads_batch} {self.omp_policy.lower()}"


def candidates(cores: int) -> list[ThreadChoice]:
    """The fixed rule first, then all cores decoding with either wait policy."""
    half = max(1, cores // 2)
    found: list[ThreadChoice] = []
    for choice in (
        ThreadChoice(half, cores, "PASSIVE"),
        ThreadChoice(cores, cores, "ACTIVE"),
        ThreadChoice(cores, cores, "PASSIVE"),
        ThreadChoice(half, cores, "ACTIVE"),
    ):
        if choice not in found:
            found.append(choice)
    return found


def machine_key() -> str:
    """This CPU, the cores we may use, and the llama.cpp build: what a result depends on."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        llama = version("llama-cpp-python")
    except PackageNotFoundError:
        llama = "?"
    return f"{cpu}|{available_cores()} cores|llama-cpp-python {llama}"


def _path() -> Path:
    return cache_dir() / TUNING_FILE


def _read() -> dict[str, Any]:
    data = read_json_object(_path())
    if data.get("format") != TUNING_FORMAT:
        return {}
    return data


def _key(model: ModelInfo) -> str:
    return f"{machine_key()}|{model.identity}"


def tuned_choice(model: ModelInfo) -> ThreadChoice | None:
    """The setting `longcli tune` found for this machine and model, if it ran.

    When the wait policy is already decided (the user set OMP_WAIT_POLICY, or llama.cpp
    is loaded), the fastest setting measured with that policy: thread counts that are
    best with spinning threads can be the worst with sleeping ones.
    """
    entry = _read().get("results", {}).get(_key(model))
    try:
        measured = [(ThreadChoice(**t["choice"]), float(t["seconds"])) for t in entry["times"]]
    except (TypeError, KeyError, ValueError):
        return None
    policy = policy_in_force()
    usable = [(c, s) for c, s in measured if policy is None or c.omp_policy == policy]
    return min(usable, key=lambda cs: cs[1])[0] if usable else None


def measure(model: ModelInfo, choice: ThreadChoice, repack: bool = True) -> float:
    """Seconds for the job with this setting, in a fresh process."""
    job = {
        "model": str(model.path),
        "repack": repack,
        "threads": choice.threads,
        "threads_batch": choice.threads_batch,
    }
    env = {**os.environ, "OMP_WAIT_POLICY": choice.omp_policy}
    done = subprocess.run(
        [sys.executable, "-m", "longcli.backends.tuning", json.dumps(job)],
        capture_output=True,
        text=True,
        env=env,
        timeout=CHILD_TIMEOUT_S,
    )
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise ModelError(f"tuning run {choice.label()} failed: {detail[0]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def tune(
    model: ModelInfo,
    report: Callable[[ThreadChoice, float], None] | None = None,
    rounds: int = ROUNDS,
    repack: bool = True,
) -> tuple[ThreadChoice, dict[ThreadChoice, float]]:
    """Time every candidate `rounds` times, keep the fastest (by its best time), save it."""
    from longcli.storage import atomic_write_text, ensure_private_dir

    times: dict[ThreadChoice, float] = {}
    for _ in range(max(1, rounds)):
        for choice in candidates(available_cores()):
            seconds = measure(model, choice, repack)
            times[choice] = min(seconds, times.get(choice, seconds))
            if report is not None:
                report(choice, seconds)
    best = min(times, key=lambda c: times[c])
    data = _read() or {"format": TUNING_FORMAT, "results": {}}
    data.setdefault("results", {})[_key(model)] = {
        "best": asdict(best),
        "times": [{"choice": asdict(c), "seconds": round(t, 4)} for c, t in times.items()],
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    ensure_private_dir(cache_dir())
    atomic_write_text(_path(), json.dumps(data, indent=1))
    return best, times


def forget() -> None:
    """Drop every tuning result (back to the fixed rule)."""
    with contextlib.suppress(FileNotFoundError):
        _path().unlink()


def _child(job: dict[str, Any]) -> float:
    """Load the model with the given threads and time one call like a map call: prefill
    a prompt, then sample through llama-cpp-python's own loop with longcli's sampling
    settings (the Python work between tokens competes with spinning OpenMP threads, so
    a bare decode loop would favour spinning unfairly). The end of text is banned, so
    every setting generates the same number of tokens."""
    import llama_cpp

    from longcli.backends.repack import extra_buffers

    prefill = int(job.get("prefill", PREFILL_TOKENS))
    decode = int(job.get("decode", DECODE_TOKENS))
    with extra_buffers(bool(job.get("repack", True))):
        llm = llama_cpp.Llama(
            model_path=job["model"],
            n_ctx=prefill + decode + 64,
            n_batch=min(512, prefill),
            n_threads=job["threads"],
            n_threads_batch=job["threads_batch"],
            flash_attn=True,
            verbose=False,
        )
    words = "the river ran past the old mill where seven people met each night to talk "
    prompt = llm.tokenize((words * (prefill // 8 + 8)).encode(), add_bos=True)[:prefill]
    started = time.perf_counter()
    llm.create_completion(
        prompt,
        **{**Sampling().params(), "max_tokens": decode},
        logit_bias={llm.token_eos(): -1e9},
    )
    return time.perf_counter() - started


@dataclass(frozen=True)
class TuningReport:
    """What `longcli tune` found: every setting's best time, the fastest, the fixed rule."""

    model: str
    machine: str
    seconds: dict[ThreadChoice, float]  # each setting's best of its rounds
    best: ThreadChoice
    fixed_rule: ThreadChoice

    @property
    def fixed_rule_vs_best(self) -> float:
        """The fixed rule's speed as a share of the fastest setting's."""
        return self.seconds[self.best] / self.seconds[self.fixed_rule]


def tune_and_report(
    model: ModelInfo, rounds: int, streams: Streams, repack: bool = True
) -> TuningReport:
    """Time thread settings for the model on this machine and keep the fastest; each
    timing is reported on stderr as it comes."""
    count = len(candidates(available_cores()))
    streams.note(
        f"timing {count} thread settings x {rounds} for {model.name} (a fresh process each)"
    )

    def progress(choice: ThreadChoice, seconds: float) -> None:
        streams.plain(f"  {choice.label():16} {seconds:6.2f} s")

    best, times = tune(model, progress, rounds=rounds, repack=repack)
    rule = candidates(available_cores())[0]
    return TuningReport(model.name, machine_key(), times, best, rule)


if __name__ == "__main__":
    print(json.dumps({"seconds": _child(json.loads(sys.argv[1]))}))
