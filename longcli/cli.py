"""The command line: typer commands only. Parse, call the core, render; no logic here.

Heavy modules (llama_cpp, rich) are imported inside commands so `--help` stays fast.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(
    name="longcli",
    help=(
        "Summarize text of any length and chat with a memory that never overflows, "
        "on a local GGUF model (SmolLM2-135M by default)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
config_app = typer.Typer(
    help="Show where the config file is and what it holds.", no_args_is_help=True
)
app.add_typer(config_app, name="config")


class Style(StrEnum):
    paragraph = "paragraph"
    bullets = "bullets"
    outline = "outline"


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class Errors(StrEnum):
    strict = "strict"
    replace = "replace"


class BackendName(StrEnum):
    llama = "llama"
    fake = "fake"


MODEL_HELP = (
    "GGUF file path, alias, or model name in the models dir [default: bundled SmolLM2-135M]"
)


def _warn(message: str) -> None:
    sys.stderr.write(f"longcli: warning: {message}\n")


def _settings(overrides: dict[str, Any]) -> Any:
    from longcli.config import load_settings

    settings, warnings = load_settings(overrides)
    for warning in warnings:
        _warn(warning)
    return settings


def _write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    import os

    from longcli.errors import UsageError
    from longcli.storage import atomic_write_text

    if output.is_dir():
        raise UsageError(f"--output {output} is a directory")
    umask = os.umask(0)
    os.umask(umask)
    try:
        atomic_write_text(output, text, mode=0o666 & ~umask)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}") from None


@app.command()
def summarize(
    inputs: list[str] = typer.Argument(
        None, help="Text files to summarize, in order; '-' or nothing reads standard input."
    ),
    words: int = typer.Option(
        None, "--words", "-w", help="Target length of the final summary, in words [default: 250]."
    ),
    style: Style = typer.Option(
        None, "--style", "-s", help="Shape of the final summary [default: paragraph]."
    ),
    instructions: str = typer.Option(
        None, "--instructions", "-i", help='Added to every prompt, e.g. "focus on the money".'
    ),
    fmt: Format = typer.Option(
        Format.text, "--format", "-f", help="Output format; json holds the whole summary tree."
    ),
    output: Path = typer.Option(
        None, "--output", "-o", help="Write the result to this file (atomically) instead of stdout."
    ),
    plan: bool = typer.Option(
        False,
        "--plan",
        help="Show chunks, merge levels, model calls and an ETA; do not run the model.",
    ),
    model: str = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    ctx: int = typer.Option(
        None, "--ctx", help="Context size in tokens [default: the model's, capped by max_ctx 8192]."
    ),
    chunk_tokens: int = typer.Option(
        None, "--chunk-tokens", help="Tokens of text per chunk [default: as many as fit]."
    ),
    gpu_layers: int = typer.Option(
        None,
        "--gpu-layers",
        help="Layers to offload to the GPU [default: all if llama.cpp has a GPU backend].",
    ),
    threads: int = typer.Option(
        None, "--threads", "-t", help="CPU threads [default: chosen for this machine]."
    ),
    prompt_file: str = typer.Option(
        None, "--prompt-file", help="YAML file overriding prompt templates."
    ),
    temperature: float = typer.Option(
        None, "--temperature", help="Sampling temperature [default: 0.2]."
    ),
    top_p: float = typer.Option(None, "--top-p", help="Nucleus sampling [default: 0.9]."),
    top_k: int = typer.Option(None, "--top-k", help="Top-k sampling [default: 40]."),
    repeat_penalty: float = typer.Option(
        None, "--repeat-penalty", help="Penalty for repeating tokens [default: 1.15]."
    ),
    seed: int = typer.Option(
        None,
        "--seed",
        help="Random seed; the same seed and input give the same summary [default: 0].",
    ),
    encoding: str = typer.Option(
        None, "--encoding", help="Input encoding [default: UTF-8, or what a BOM says]."
    ),
    errors: Errors = typer.Option(
        Errors.strict, "--errors", help="On undecodable bytes: stop with an error, or replace them."
    ),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Neither reuse nor store finished model calls."
    ),
    backend: BackendName = typer.Option(
        None, "--backend", hidden=True, help="Model backend (fake: for tests)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Show llama.cpp's log and run details on stderr."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show a traceback on errors."),
) -> None:
    """Summarize text of any length: chunk it, summarize each chunk, merge in order.

    \b
    Examples:
      longcli summarize book.txt
      cat server.log | longcli summarize - --words 150 > summary.md
      longcli summarize a.txt b.md --format json --output out.json
      longcli summarize book.txt --plan
    """
    from longcli import textio
    from longcli.commands import run_plan, run_summarize

    settings = _settings(
        {
            "model": model,
            "ctx": ctx,
            "chunk_tokens": chunk_tokens,
            "gpu_layers": gpu_layers,
            "threads": threads,
            "prompt_file": prompt_file,
            "temperature": temperature,
            "top_p": top_p,
            "top_k": top_k,
            "repeat_penalty": repeat_penalty,
            "seed": seed,
            "words": words,
            "style": style.value if style else None,
            "instructions": instructions,
            "backend": backend.value if backend else None,
            "cache": False if no_cache else None,
        }
    )
    sources = textio.resolve_sources(list(inputs or []), sys.stdin.isatty())
    read = {"encoding": encoding, "errors": errors.value}
    if plan:
        text = run_plan(settings, sources, read, fmt.value, verbose)
    else:
        text = run_summarize(settings, sources, read, fmt.value, quiet, verbose)
    _write_output(text, output)


@config_app.command("path")
def config_path_cmd() -> None:
    """Print where the config file is (it may not exist yet)."""
    from longcli.config import config_path

    typer.echo(str(config_path()))


@config_app.command("show")
def config_show() -> None:
    """Print the settings in effect (defaults < config file < environment), as YAML."""
    import dataclasses

    import yaml

    settings = _settings({})
    typer.echo(yaml.safe_dump(dataclasses.asdict(settings), sort_keys=False).rstrip())
