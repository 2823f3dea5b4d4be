"""Every command-line option, declared once and shared by the commands that take it.

An option that sets a setting is named after it (`--kv-type` sets `kv_type`) and takes its
help, default and range from `config.Settings`, so `--help`, the config file, the
environment and the README say the same thing. A command's parameters are named like
the settings they set, so `flags(locals())` collects them without naming each again.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from longcli.config import (
    FIELDS,
    BackendKind,
    FlashAttn,
    KvType,
    Method,
    Repack,
    RopeScaling,
    Style,
    help_text,
    value_type,
)
from longcli.text.documents import InputFormat

# What a setting's value is called in --help where its type alone would not say it.
_METAVARS = {"model": "MODEL", "base_url": "URL", "prompt_file": "FILE", "server_model": "NAME"}


def _metavar(name: str) -> str | None:
    """`N`, `NUMBER` or `TEXT` for a setting's flag; None for a choice, whose values show."""
    kind = value_type(name)
    if issubclass(kind, Enum):
        return None
    return _METAVARS.get(name) or {int: "N", float: "NUMBER"}.get(kind, "TEXT")


def _option(name: str, *short: str) -> Any:
    flag = "--" + name.replace("_", "-")
    return typer.Option(
        flag, *short, help=help_text(name), show_default=False, metavar=_metavar(name)
    )


Model = Annotated[str | None, _option("model", "-m")]
Ctx = Annotated[int | None, _option("ctx")]
GpuLayers = Annotated[int | None, _option("gpu_layers")]
Threads = Annotated[int | None, _option("threads", "-t")]
KvTypeOption = Annotated[KvType | None, _option("kv_type")]
FlashAttnOption = Annotated[FlashAttn | None, _option("flash_attn")]
RopeScalingOption = Annotated[RopeScaling | None, _option("rope_scaling")]
RopeFactor = Annotated[float | None, _option("rope_factor")]
RepackOption = Annotated[
    bool | None,
    typer.Option("--repack/--no-repack", help=help_text("repack"), show_default=False),
]
Temperature = Annotated[float | None, _option("temperature")]
TopP = Annotated[float | None, _option("top_p")]
TopK = Annotated[int | None, _option("top_k")]
RepeatPenalty = Annotated[float | None, _option("repeat_penalty")]
Seed = Annotated[int | None, _option("seed")]
BackendOption = Annotated[BackendKind | None, _option("backend")]
BaseUrl = Annotated[str | None, _option("base_url")]
ServerModel = Annotated[str | None, _option("server_model")]
Parallel = Annotated[int | None, _option("parallel", "-P")]
Words = Annotated[int | None, _option("words", "-w")]
StyleOption = Annotated[Style | None, _option("style", "-s")]
MethodOption = Annotated[Method | None, _option("method")]
Instructions = Annotated[str | None, _option("instructions", "-i")]
ChunkTokens = Annotated[int | None, _option("chunk_tokens")]
PromptFile = Annotated[str | None, _option("prompt_file")]
System = Annotated[str | None, _option("system")]
Language = Annotated[
    str | None, typer.Option("--language", metavar="CODE", help=help_text("language"))
]

NoCache = Annotated[
    bool, typer.Option("--no-cache", help="Neither reuse nor store finished model calls.")
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no notes.")]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show the run's statistics on stderr.")
]
Debug = Annotated[
    bool, typer.Option("--debug", help="Show llama.cpp's own log, and a traceback on errors.")
]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
Output = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write the result to this file (atomically) instead of stdout.",
    ),
]
SessionArgument = Annotated[
    str,
    typer.Argument(metavar="SESSION", help="Session directory, or the name of a named session."),
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
InputFormatOption = Annotated[
    InputFormat,
    typer.Option(
        "--input-format",
        help="Read the input as this format instead of recognising it from its first bytes "
        "(pdf, epub, html, docx, srt, vtt need: pip install 'longcli[docs]').",
    ),
]


def flags(params: dict[str, Any]) -> dict[str, Any]:
    """The settings a command's parameters set: those named like a setting, and not None.

    --base-url alone means --backend http; --no-cache means cache: false; --repack and
    --no-repack mean repack: on and off.
    """
    given = {k: v for k, v in params.items() if k in FIELDS and v is not None}
    if given.get("base_url") and "backend" not in given:
        given["backend"] = BackendKind.http
    if params.get("no_cache"):
        given["cache"] = False
    if isinstance(given.get("repack"), bool):  # --repack/--no-repack: on or off, never auto
        given["repack"] = Repack.on if given["repack"] else Repack.off
    return given


# -- options summarize and chat share -------------------------------------------------------

# (type, default) of each: how the model is loaded, how it samples, where it runs, and how
# the run talks. Declared once; `shared_options` adds them to a command.
SHARED: dict[str, tuple[Any, Any]] = {
    "input_format": (InputFormatOption, InputFormat.auto),
    "model": (Model, None),
    "ctx": (Ctx, None),
    "gpu_layers": (GpuLayers, None),
    "threads": (Threads, None),
    "repack": (RepackOption, None),
    "kv_type": (KvTypeOption, None),
    "flash_attn": (FlashAttnOption, None),
    "rope_scaling": (RopeScalingOption, None),
    "rope_factor": (RopeFactor, None),
    "temperature": (Temperature, None),
    "top_p": (TopP, None),
    "top_k": (TopK, None),
    "repeat_penalty": (RepeatPenalty, None),
    "seed": (Seed, None),
    "no_cache": (NoCache, False),
    "backend": (BackendOption, None),
    "base_url": (BaseUrl, None),
    "server_model": (ServerModel, None),
    "verbose": (Verbose, False),
    "debug": (Debug, False),
}


def shared_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command the SHARED options; their values reach it as one `shared` dict.

    typer reads a command's options from its signature, so the signature shown to it is the
    command's own parameters (less `shared`) followed by the shared ones.
    """
    own = inspect.signature(command, eval_str=True)
    visible = [p for p in own.parameters.values() if p.name != "shared"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
        for name, (kind, default) in SHARED.items()
    ]

    @functools.wraps(command)
    def with_shared(**values: Any) -> Any:
        shared = {name: values.pop(name) for name in SHARED}
        return command(**values, shared=shared)

    with_shared.__signature__ = own.replace(parameters=[*visible, *added])  # type: ignore[attr-defined]
    return with_shared
