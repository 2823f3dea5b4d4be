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
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from longcli import __version__

        _write_output(f"longcli {__version__}\n", None)
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        is_eager=True,
        callback=_print_version,
    ),
) -> None:
    """Summarize text of any length and chat with a memory that never overflows."""


models_app = typer.Typer(help="List, describe and name GGUF models.", no_args_is_help=True)
config_app = typer.Typer(
    help="Show where the config file is and what it holds.", no_args_is_help=True
)
app.add_typer(config_app, name="config")
app.add_typer(models_app, name="models")


class Style(StrEnum):
    paragraph = "paragraph"
    bullets = "bullets"
    outline = "outline"


class Method(StrEnum):
    auto = "auto"
    hybrid = "hybrid"
    extractive = "extractive"
    abstractive = "abstractive"


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class Errors(StrEnum):
    strict = "strict"
    replace = "replace"


class BackendName(StrEnum):
    llama = "llama"
    http = "http"
    fake = "fake"


def backend_option() -> Any:
    return typer.Option(
        None,
        "--backend",
        help="llama: run the model in-process [default]; http: send calls to a server "
        "(see --base-url); fake: a stand-in model for tests.",
    )


def base_url_option() -> Any:
    return typer.Option(
        None,
        "--base-url",
        help="Address of an OpenAI-compatible server (llama-server, vLLM), e.g. "
        "http://127.0.0.1:8080; implies --backend http.",
    )


def server_model_option() -> Any:
    return typer.Option(
        None, "--server-model", help="Model name to ask the server for [default: its first]."
    )


def _server_overrides(
    backend: BackendName | None, base_url: str | None, server_model: str | None
) -> dict[str, Any]:
    name = backend.value if backend else None
    if base_url and name is None:
        name = "http"
    return {"backend": name, "base_url": base_url, "server_model": server_model}


MODEL_HELP = (
    "GGUF file path, alias, or model name in the models dir [default: bundled SmolLM2-135M]"
)


class KvType(StrEnum):
    f16 = "f16"
    q8_0 = "q8_0"
    q4_0 = "q4_0"


class FlashAttn(StrEnum):
    auto = "auto"
    on = "on"
    off = "off"


class RopeScaling(StrEnum):
    linear = "linear"
    yarn = "yarn"


def kv_type_option() -> Any:
    return typer.Option(
        None, "--kv-type", help="KV-cache precision: q8_0 halves its memory, q4_0 quarters it."
    )


def flash_attn_option() -> Any:
    return typer.Option(
        None, "--flash-attn", help="Flash attention [default: auto: on for q8_0/q4_0 or a GPU]."
    )


def rope_scaling_option() -> Any:
    return typer.Option(
        None,
        "--rope-scaling",
        help="Stretch a short-context model past its trained context (quality drops).",
    )


def rope_factor_option() -> Any:
    return typer.Option(None, "--rope-factor", help="How far to stretch [default: 2].")


def _context_overrides(
    kv_type: KvType | None,
    flash_attn: FlashAttn | None,
    rope_scaling: RopeScaling | None,
    rope_factor: float | None,
) -> dict[str, Any]:
    return {
        "kv_type": kv_type.value if kv_type else None,
        "flash_attn": flash_attn.value if flash_attn else None,
        "rope_scaling": rope_scaling.value if rope_scaling else None,
        "rope_factor": rope_factor,
    }


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
        import os

        from longcli.errors import OutputClosed, UsageError

        if os.environ.get("LONGCLI_STDOUT_CLOSED"):
            raise UsageError("standard output is closed", hint="use --output FILE")

        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise OutputClosed from None
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
    method: Method = typer.Option(
        None,
        "--method",
        help="extractive: the input's key sentences, no model, instant; hybrid: those "
        "sentences, shortened by the model (only ever by deleting words); abstractive: the "
        "model writes the summary, every answer checked against its input; auto: hybrid "
        "for small models like the bundled one, abstractive from 1 GB [default: auto].",
    ),
    cite: bool = typer.Option(
        False,
        "--cite",
        help="Follow each sentence with [n], the chunk it comes from, and list the chunks' "
        "character ranges at the end.",
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
        None,
        "--ctx",
        help="Context size in tokens [default: the largest that fits in memory, up to "
        "the model's trained context and max_ctx 32768; with a server, what it reports].",
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
    kv_type: KvType = kv_type_option(),
    flash_attn: FlashAttn = flash_attn_option(),
    rope_scaling: RopeScaling = rope_scaling_option(),
    rope_factor: float = rope_factor_option(),
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
    parallel: int = typer.Option(
        None,
        "--parallel",
        "-P",
        help="Model calls at once: as many as the server has slots (--backend http), "
        "or sequences decoded together in-process (helps on a GPU) [default: 1].",
    ),
    backend: BackendName = backend_option(),
    base_url: str = base_url_option(),
    server_model: str = server_model_option(),
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
      longcli summarize report.txt --cite
      longcli summarize huge.log --method extractive
      longcli summarize book.txt --base-url http://127.0.0.1:8080 --parallel 4
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
            "method": method.value if method else None,
            "instructions": instructions,
            "parallel": parallel,
            "cache": False if no_cache else None,
            **_server_overrides(backend, base_url, server_model),
            **_context_overrides(kv_type, flash_attn, rope_scaling, rope_factor),
        }
    )
    sources = textio.resolve_sources(list(inputs or []), sys.stdin.isatty())
    read = {"encoding": encoding, "errors": errors.value}
    if plan:
        text = run_plan(settings, sources, read, fmt.value, verbose)
    else:
        text = run_summarize(settings, sources, read, fmt.value, quiet, verbose, cite)
    _write_output(text, output)


@config_app.command("path")
def config_path_cmd() -> None:
    """Print where the config file is (it may not exist yet)."""
    from longcli.config import config_path

    _write_output(f"{config_path()}\n", None)


@config_app.command("show")
def config_show() -> None:
    """Print the settings in effect (defaults < config file < environment), as YAML."""
    import dataclasses

    import yaml

    shown = dataclasses.asdict(_settings({}))
    if shown.get("api_key"):
        shown["api_key"] = "(set, hidden)"
    _write_output(yaml.safe_dump(shown, sort_keys=False), None)


memory_app = typer.Typer(
    help="List, look at, export, reset or delete chat sessions.", no_args_is_help=True
)
app.add_typer(memory_app, name="memory")


class ExportFormat(StrEnum):
    md = "md"
    json = "json"


@app.command()
def chat(
    memory: str = typer.Option(
        ...,
        "--memory",
        help="Session directory (created if missing), or a bare name for one in the data dir.",
    ),
    message: str = typer.Option(None, "--message", "-m", help="Ask one question and exit."),
    system: str = typer.Option(None, "--system", help="System prompt, stored with the session."),
    files: list[str] = typer.Option(
        None,
        "--file",
        help="A long document to talk about: summarized into memory, indexed for recall.",
    ),
    interactive: bool = typer.Option(
        False, "--interactive", help="Run the REPL even when standard input is not a terminal."
    ),
    model: str = typer.Option(None, "--model", help=MODEL_HELP),
    ctx: int = typer.Option(
        None,
        "--ctx",
        help="Context size in tokens [default: the largest that fits in memory, up to "
        "the model's trained context and max_ctx 32768; with a server, what it reports].",
    ),
    gpu_layers: int = typer.Option(None, "--gpu-layers", help="Layers to offload to the GPU."),
    threads: int = typer.Option(None, "--threads", "-t", help="CPU threads."),
    kv_type: KvType = kv_type_option(),
    flash_attn: FlashAttn = flash_attn_option(),
    rope_scaling: RopeScaling = rope_scaling_option(),
    rope_factor: float = rope_factor_option(),
    temperature: float = typer.Option(
        None, "--temperature", help="Sampling temperature [default: 0.2]."
    ),
    seed: int = typer.Option(None, "--seed", help="Random seed [default: 0]."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not cache --file summaries."),
    backend: BackendName = backend_option(),
    base_url: str = base_url_option(),
    server_model: str = server_model_option(),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show llama.cpp's log on stderr."),
    debug: bool = typer.Option(False, "--debug", help="Show a traceback on errors."),
) -> None:
    """Chat with a memory that never outgrows the context, saved in a directory.

    Old turns are folded into a running summary; relevant ones are recalled verbatim when
    you ask about them. With -m or piped input, answers one message and exits.

    \b
    Examples:
      longcli chat --memory ./session
      echo "What did we decide about X?" | longcli chat --memory ./session
      longcli chat --memory ./session -m "Remind me of my name"
      longcli chat --memory ./notes --file report.txt
    """
    from longcli import textio
    from longcli.commands import add_documents, open_chat
    from longcli.errors import UsageError

    settings = _settings(
        {
            "model": model,
            "ctx": ctx,
            "gpu_layers": gpu_layers,
            "threads": threads,
            "temperature": temperature,
            "seed": seed,
            "cache": False if no_cache else None,
            **_server_overrides(backend, base_url, server_model),
            **_context_overrides(kv_type, flash_attn, rope_scaling, rope_factor),
        }
    )
    doc_sources = textio.resolve_sources(list(files), True) if files else []
    one_shot = message
    if one_shot is None and not interactive and not sys.stdin.isatty():
        one_shot = sys.stdin.read()
        if not one_shot.strip() and not doc_sources:
            raise UsageError("no message on standard input")
    from longcli.session import resolve_session_path

    session_path = resolve_session_path(memory)
    with open_chat(settings, session_path, system, verbose, _warn) as session_chat:
        for name in add_documents(session_chat, settings, doc_sources):
            sys.stderr.write(f"longcli: added {name} to the session's memory\n")
        if one_shot is not None:
            if one_shot.strip():
                reply = session_chat.ask(one_shot)
                _write_output(reply.text + "\n", None)
                session_chat.settle()
            return
        from longcli.repl import Repl

        Repl(session_chat, sys.stdin.isatty(), lambda q: typer.confirm(q, err=True)).run()


@memory_app.command("show")
def memory_show(
    memory: str = typer.Argument(..., help="Session directory, or the name of a named session."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show the running summary, the window, and turn counts."""
    import json

    from longcli.commands import read_session_view
    from longcli.repl import render_memory
    from longcli.session import resolve_session_path

    view, _ = read_session_view(resolve_session_path(memory))
    for warning in view.pop("warnings"):
        _warn(warning)
    if as_json:
        _write_output(json.dumps(view, indent=2, ensure_ascii=False) + "\n", None)
    else:
        render_memory(view, sys.stdout)


@memory_app.command("export")
def memory_export(
    memory: str = typer.Argument(..., help="Session directory, or the name of a named session."),
    fmt: ExportFormat = typer.Option(ExportFormat.md, "--format", "-f", help="md or json."),
    output: Path = typer.Option(None, "--output", "-o", help="Write to a file instead of stdout."),
) -> None:
    """Export every turn and the running summary, as Markdown or JSON."""
    from longcli.commands import read_session_view
    from longcli.repl import export_json, export_markdown
    from longcli.session import resolve_session_path

    view, exchanges = read_session_view(resolve_session_path(memory))
    for warning in view.pop("warnings"):
        _warn(warning)
    text = (
        export_json(view, exchanges)
        if fmt == ExportFormat.json
        else export_markdown(view, exchanges)
    )
    _write_output(text, output)


@memory_app.command("reset")
def memory_reset(
    memory: str = typer.Argument(..., help="Session directory, or the name of a named session."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Forget a session's conversation (journal, summary, documents); keeps its system prompt."""
    from longcli.commands import reset_session
    from longcli.errors import UsageError

    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("memory reset asks for confirmation; pass --yes in scripts")
        if not typer.confirm(f"Forget the whole conversation in {memory}?", err=True):
            raise typer.Exit(1)
    from longcli.session import resolve_session_path

    reset_session(resolve_session_path(memory))
    sys.stderr.write(f"longcli: {memory} reset\n")


@models_app.command("info")
def models_info(
    model: str = typer.Argument(None, help=MODEL_HELP),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Describe a model from its GGUF header, with the memory each context size needs.

    Nothing is loaded: the numbers come from the file's metadata.
    """
    import json

    from longcli.commands import describe_model_memory

    info = describe_model_memory(_settings({"model": model}))
    if as_json:
        _write_output(json.dumps(info, indent=2) + "\n", None)
        return
    lines = [f"{k:16} {v}" for k, v in info.items() if k not in ("memory", "kv_types")]
    if info["memory"]:
        lines += ["", "KV cache by context size and --kv-type (add weights and buffers):"]
        lines.append(f"{'context':>10} " + " ".join(f"{t:>12}" for t in info["kv_types"]))
        for row in info["memory"]:
            cells = " ".join(f"{row[t]:>12}" for t in info["kv_types"])
            lines.append(f"{row['n_ctx']:>10} {cells}")
    _write_output("\n".join(lines) + "\n", None)


@models_app.command("list")
def models_list(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List the bundled model, the .gguf files in the models dir, and aliases."""
    import json

    from longcli.commands import list_models

    rows = list_models(_settings({}))
    if as_json:
        _write_output(json.dumps(rows, indent=2) + "\n", None)
        return
    lines = [
        f"{'name':<20} {'kind':<10} {'size':>10} {'arch':<10} {'quant':<8} {'ctx':>7} "
        f"{'template':<8} path"
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['name']:<20} {r['kind']:<10} {'':>10} unusable: {r['error']}")
            continue
        lines.append(
            f"{r['name']:<20} {r['kind']:<10} {r['size']:>10} {r['architecture']:<10} "
            f"{r['quantization']:<8} {r['trained_ctx'] or '?':>7} "
            f"{'yes' if r['chat_template'] else 'no':<8} {r['path']}"
        )
    _write_output("\n".join(lines) + "\n", None)


@models_app.command("alias")
def models_alias(
    name: str = typer.Argument(..., help="Short name to use with --model."),
    path: Path = typer.Argument(..., help="Path to a .gguf file."),
) -> None:
    """Give a GGUF file a short name: longcli models alias qwen ~/models/qwen.gguf"""
    from longcli.commands import add_alias

    target = add_alias(name, path)
    sys.stderr.write(f"longcli: '{name}' now means {target}\n")


@models_app.command("unalias")
def models_unalias(name: str = typer.Argument(..., help="Alias to forget.")) -> None:
    """Forget an alias made with `longcli models alias`."""
    from longcli.commands import remove_alias

    remove_alias(name)
    sys.stderr.write(f"longcli: alias '{name}' removed\n")


@models_app.command("dir")
def models_dir_cmd() -> None:
    """Print the models directory: .gguf files dropped there are usable by file stem."""
    from longcli.models import models_dir

    _write_output(f"{models_dir()}\n", None)


@app.command()
def tune(
    model: str = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    rounds: int = typer.Option(2, "--rounds", help="Times to run each setting (best counts)."),
    reset: bool = typer.Option(False, "--reset", help="Forget every tuning result and exit."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Find the fastest CPU thread settings for a model on this machine, and keep them.

    Times a prefill and decode job with a few thread counts and OpenMP wait policies,
    each in a fresh process (about 10 s per setting for the bundled model). Later runs of
    that model use the fastest, unless --threads or OMP_WAIT_POLICY is given.

    \b
    Examples:
      longcli tune
      longcli tune --model qwen --rounds 3
      longcli tune --reset
    """
    import json

    from longcli.commands import run_tune

    if reset:
        from longcli.tuning import forget

        forget()
        _write_output("longcli: tuning results removed; the fixed rule applies\n", None)
        return
    settings = _settings({"model": model})
    result, text = run_tune(settings, rounds, sys.stderr.write)
    _write_output(json.dumps(result, indent=2) + "\n" if as_json else text, None)


@memory_app.command("list")
def memory_list(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List the named sessions (those made with --memory NAME) in the data directory."""
    import json

    from longcli.session import list_sessions, sessions_dir

    rows = list_sessions()
    if as_json:
        _write_output(json.dumps(rows, indent=2) + "\n", None)
        return
    if not rows:
        _write_output(f"no named sessions in {sessions_dir()}\n", None)
        return
    lines = [f"{'name':<24} {'turns':>6}  {'updated':<25} path"]
    for r in rows:
        turns = r.get("turns", "?")
        note = f"  ({r['error']})" if "error" in r else ""
        lines.append(f"{r['name']:<24} {turns:>6}  {r['updated']:<25} {r['path']}{note}")
    _write_output("\n".join(lines) + "\n", None)


@memory_app.command("rm")
def memory_rm(
    memory: str = typer.Argument(..., help="Session directory, or the name of a named session."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a session and everything in it (asks first; --yes for scripts)."""
    from longcli.errors import UsageError
    from longcli.session import remove_session, resolve_session_path

    path = resolve_session_path(memory)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("memory rm asks for confirmation; pass --yes in scripts")
        if not typer.confirm(f"Delete the session {path} and all its turns?", err=True):
            raise typer.Exit(1)
    remove_session(path)
    sys.stderr.write(f"longcli: {path} deleted\n")
