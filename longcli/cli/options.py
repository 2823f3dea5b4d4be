"""Every command-line option, declared once and shared by the commands that take it.

An option that sets a setting is named after it (`--kv-type` sets `kv_type`) and takes its
help, default and range from `config.Settings`, so `--help`, the config file, the
environment and the README say the same thing. A command hands the settings it was given
to the core as a `config.Flags`, filled field by field; the options summarize and chat
share reach it as one typed `SharedOptions`.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from longcli.config import (
    BackendKind,
    Flags,
    FlashAttn,
    KvType,
    Method,
    Repack,
    RopeScaling,
    Settings,
    Style,
    help_text,
    value_type,
)
from longcli.streams import Streams
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


def repack_choice(flag: bool | None) -> Repack | None:
    """--repack and --no-repack: on and off, never auto; None when neither was given."""
    return None if flag is None else (Repack.on if flag else Repack.off)


# -- options summarize and chat share -------------------------------------------------------


@dataclass(frozen=True)
class SharedOptions:
    """How the model is loaded, how it samples, where it runs, and how the run talks: the
    options summarize and chat both take, as given (None: not given)."""

    input_format: InputFormat = InputFormat.auto
    model: str | None = None
    ctx: int | None = None
    gpu_layers: int | None = None
    threads: int | None = None
    repack: bool | None = None  # --repack / --no-repack
    kv_type: KvType | None = None
    flash_attn: FlashAttn | None = None
    rope_scaling: RopeScaling | None = None
    rope_factor: float | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    repeat_penalty: float | None = None
    seed: int | None = None
    no_cache: bool = False
    backend: BackendKind | None = None
    base_url: str | None = None
    server_model: str | None = None
    verbose: bool = False
    debug: bool = False

    def flags(self, command: Flags) -> Flags:
        """The command's own flags with these added.

        --base-url alone means --backend http; --no-cache means cache: false; --repack and
        --no-repack mean repack: on and off (never auto).
        """
        backend = self.backend
        if self.base_url and backend is None:
            backend = BackendKind.http
        return dataclasses.replace(
            command,
            model=self.model,
            ctx=self.ctx,
            gpu_layers=self.gpu_layers,
            threads=self.threads,
            repack=repack_choice(self.repack),
            kv_type=self.kv_type,
            flash_attn=self.flash_attn,
            rope_scaling=self.rope_scaling,
            rope_factor=self.rope_factor,
            temperature=self.temperature,
            top_p=self.top_p,
            top_k=self.top_k,
            repeat_penalty=self.repeat_penalty,
            seed=self.seed,
            cache=False if self.no_cache else None,
            backend=backend,
            base_url=self.base_url,
            server_model=self.server_model,
        )


# Each shared option's type: its flag, help and range. `shared_options` adds them to a command.
_SHARED_TYPES: dict[str, Any] = {
    "input_format": InputFormatOption,
    "model": Model,
    "ctx": Ctx,
    "gpu_layers": GpuLayers,
    "threads": Threads,
    "repack": RepackOption,
    "kv_type": KvTypeOption,
    "flash_attn": FlashAttnOption,
    "rope_scaling": RopeScalingOption,
    "rope_factor": RopeFactor,
    "temperature": Temperature,
    "top_p": TopP,
    "top_k": TopK,
    "repeat_penalty": RepeatPenalty,
    "seed": Seed,
    "no_cache": NoCache,
    "backend": BackendOption,
    "base_url": BaseUrl,
    "server_model": ServerModel,
    "verbose": Verbose,
    "debug": Debug,
}


def shared_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command the shared options; their values reach it as one `SharedOptions`.

    typer reads a command's options from its signature, so the signature shown to it is the
    command's own parameters (less `shared`) followed by the shared ones.
    """
    own = inspect.signature(command, eval_str=True)
    visible = [p for p in own.parameters.values() if p.name != "shared"]
    added = [
        inspect.Parameter(
            f.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=f.default,
            annotation=_SHARED_TYPES[f.name],
        )
        for f in dataclasses.fields(SharedOptions)
    ]

    @functools.wraps(command)
    def with_shared(**values: Any) -> Any:
        shared = SharedOptions(
            **{f.name: values.pop(f.name) for f in dataclasses.fields(SharedOptions)}
        )
        return command(**values, shared=shared)

    with_shared.__signature__ = own.replace(parameters=[*visible, *added])  # type: ignore[attr-defined]
    return with_shared


def load(flags: Flags, out: Streams) -> Settings:
    """The settings in effect with these flags (defaults < config file < environment <
    flags); what the config file got wrong is warned about, not fatal."""
    from longcli.config import load_settings

    settings, warnings = load_settings(flags)
    for warning in warnings:
        out.warn(warning)
    return settings
