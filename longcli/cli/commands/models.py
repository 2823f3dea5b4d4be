"""`longcli models ...`: list, describe, name and pull GGUF models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from longcli.cli import options as o
from longcli.cli.output import streams
from longcli.config import Flags

app = typer.Typer(help="List, describe and name GGUF models.", no_args_is_help=True)


@app.command("info")
def models_info(
    model: Annotated[
        str | None,
        typer.Argument(
            metavar="MODEL",
            help="GGUF file path, alias, or model name [default: the bundled model].",
        ),
    ] = None,
    as_json: o.Json = False,
) -> None:
    """Describe a model from its GGUF header, with the memory each context size needs.

    Nothing is loaded: the numbers come from the file's metadata.
    """
    import json

    from longcli.backends.engine import resolve_model_info
    from longcli.cli.render_models import model_json, render_model
    from longcli.models.catalog import describe

    d = describe(resolve_model_info(o.load(Flags(model=model), streams())))
    streams().result(json.dumps(model_json(d), indent=2) + "\n" if as_json else render_model(d))


@app.command("list")
def models_list(as_json: o.Json = False, verbose: o.Verbose = False) -> None:
    """List every model you can use by name: the bundled one, the models dir, aliases, and
    GGUFs that Ollama, LM Studio, llama.cpp or the Hugging Face cache keep (read-only)."""
    import json

    from longcli.cli.render_models import entry_json, render_model_list
    from longcli.models.catalog import list_models

    out = streams(verbose=verbose)
    entries, notes = list_models(o.load(Flags(), streams()))
    for note in notes:
        out.detail(note)
    if as_json:
        out.result(json.dumps([entry_json(e) for e in entries], indent=2) + "\n")
    else:
        out.result(render_model_list(entries))


@app.command("pull")
def models_pull(
    repo: Annotated[
        str, typer.Argument(metavar="REPO", help="A Hugging Face repository: owner/name.")
    ],
    file: Annotated[
        str | None,
        typer.Argument(
            metavar="FILE",
            help="The .gguf file to fetch [default: the one with --quant in its name].",
        ),
    ] = None,
    quant: Annotated[
        str | None,
        typer.Option(
            "--quant", metavar="TYPE", help="Pick the file by its quantization [default: Q4_K_M]."
        ),
    ] = None,
    alias: Annotated[
        str | None, typer.Option("--alias", metavar="NAME", help="Also name it, for --model NAME.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Pull it even if it will not fit in memory here.")
    ] = False,
    embedding: Annotated[
        bool,
        typer.Option(
            "--embedding",
            help="It is a sentence-embedding model: make it the one the chat matches "
            "meanings with (embedding_model: auto).",
        ),
    ] = False,
    quiet: o.Quiet = False,
) -> None:
    """Download a GGUF model from the Hugging Face Hub, into the cache other tools share.

    A stopped download resumes; the file is checked (GGUF header, the hub's sha256); a
    split model is fetched whole. HF_TOKEN is used when set (gated or private models).

    \b
    Examples:
      longcli models pull Qwen/Qwen2.5-3B-Instruct-GGUF --quant Q4_K_M --alias qwen
      longcli models pull bartowski/Llama-3.2-3B-Instruct-GGUF Llama-3.2-3B-Instruct-Q4_K_M.gguf
      longcli models pull Qwen/Qwen3-Embedding-0.6B-GGUF Qwen3-Embedding-0.6B-Q8_0.gguf --embedding
    """
    from longcli.backends.engine import ram_budget
    from longcli.cli.render import DownloadProgress
    from longcli.models.catalog import add_alias
    from longcli.models.footprint import format_bytes
    from longcli.models.hub import plan_pull, pull, refuse_too_big
    from longcli.models.locate import place_embedding_model

    out = streams(quiet)
    settings = o.load(Flags(), out)
    plan = plan_pull(repo, file, quant)
    refuse_too_big(plan, ram_budget(settings, offloaded=False), force)
    names = ", ".join(f.path for f in plan.files)
    out.note(f"pulling {repo}: {names} ({format_bytes(plan.total_bytes)})")
    with DownloadProgress(out) as progress:
        path = pull(plan, progress)
    out.note(f"{plan.files[0].path} is ready and checked")
    if alias:
        add_alias(alias, path)
        out.note(f"'{alias}' now means {path}")
    if embedding:
        placed = place_embedding_model(path)
        out.note(f"the chat now matches meanings with {placed.name} (embedding_model: auto)")
        if settings.embedding_model not in (None, "", "auto"):
            out.warn(f"embedding_model is set to {settings.embedding_model}: auto is not used")
    out.result(f"{path}\n")


@app.command("recommend")
def models_recommend(
    as_json: o.Json = False,
    embedding: Annotated[
        bool,
        typer.Option("--embedding", help="Only the sentence-embedding models (for chat memory)."),
    ] = False,
) -> None:
    """A short list of current small instruct models that summarize and chat well, with
    the languages each writes, the RAM each needs at an 8k context, whether it fits this
    machine, and the line that pulls it; then the sentence-embedding models the chat's
    memory can match meanings with."""
    import json

    from longcli.backends.embedding import find_embedding_model
    from longcli.backends.engine import ram_budget
    from longcli.cli.render_models import (
        embedding_json,
        recommendation_json,
        render_embedding,
        render_recommended,
    )
    from longcli.errors import ModelError
    from longcli.models.catalog import embedding_recommended, recommended

    out = streams()
    settings = o.load(Flags(), out)
    embedders = embedding_recommended()
    try:
        found = find_embedding_model(settings.embedding_model)
        in_use = str(found) if found is not None else None
    except ModelError as exc:  # a setting naming no GGUF: said here, not a failure
        in_use = f"none: {exc.message}"
    if embedding:
        if as_json:
            out.result(json.dumps([embedding_json(r) for r in embedders], indent=2) + "\n")
        else:
            out.result(render_embedding(embedders, in_use))
        return
    rows = recommended(settings.batch, ram_budget(settings, offloaded=False))
    if as_json:
        out.result(json.dumps([recommendation_json(r) for r in rows], indent=2) + "\n")
    else:
        out.result(render_recommended(rows) + "\n" + render_embedding(embedders, in_use))


@app.command("alias")
def models_alias(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Short name to use with --model.")],
    path: Annotated[Path, typer.Argument(metavar="PATH", help="Path to a .gguf file.")],
) -> None:
    """Give a GGUF file a short name: longcli models alias qwen ~/models/qwen.gguf"""
    from longcli.models.catalog import add_alias

    streams().note(f"'{name}' now means {add_alias(name, path)}")


@app.command("unalias")
def models_unalias(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Alias to forget.")],
) -> None:
    """Forget an alias made with `longcli models alias`."""
    from longcli.models.catalog import remove_alias

    remove_alias(name)
    streams().note(f"alias '{name}' removed")


@app.command("dir")
def models_dir_cmd() -> None:
    """Print the models directory: .gguf files dropped there are usable by file stem."""
    from longcli.models.locate import models_dir

    streams().result(f"{models_dir()}\n")
