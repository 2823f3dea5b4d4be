"""The command line: typer commands only. Parse, call the core, render; no logic here.

Options are declared once in options.py; output leaves through the run's Streams
(output.py). Heavy modules (llama_cpp, rich) are imported inside commands so `--help`
stays fast.
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from longcli.cli import options as o
from longcli.cli.output import deliver, streams

app = typer.Typer(
    name="longcli",
    help=(
        "Summarize text of any length and chat with a memory that never overflows, "
        "on a local GGUF model (smollm2 135M by default)."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
models_app = typer.Typer(help="List, describe and name GGUF models.", no_args_is_help=True)
config_app = typer.Typer(
    help="Show where the config file is and what it holds.", no_args_is_help=True
)
memory_app = typer.Typer(
    help="List, look at, export, reset or delete chat sessions.", no_args_is_help=True
)
app.add_typer(config_app, name="config")
app.add_typer(models_app, name="models")
app.add_typer(memory_app, name="memory")


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class Errors(StrEnum):
    strict = "strict"
    replace_them = "replace"  # (a member named `replace` would hide str.replace)


class ExportFormat(StrEnum):
    md = "md"
    json = "json"


def _print_version(value: bool) -> None:
    if value:
        from longcli import __version__

        streams().result(f"longcli {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """Summarize text of any length and chat with a memory that never overflows."""


def _settings(params: dict[str, Any]) -> Any:
    from longcli.config import load_settings

    settings, warnings = load_settings(o.flags(params))
    for warning in warnings:
        streams().warn(warning)
    return settings


@app.command()
@o.shared_options
def summarize(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILES",
            help="Files to summarize together, in order: text, Markdown, PDF, EPUB, HTML, DOCX, "
            "SRT or WebVTT; '-' or nothing reads standard input.",
            show_default=False,
        ),
    ] = None,
    words: o.Words = None,
    style: o.StyleOption = None,
    method: o.MethodOption = None,
    cite: Annotated[
        bool,
        typer.Option(
            "--cite",
            help="Follow each sentence with [n], the passage of the input it comes from "
            "([2, 5] for several, at most 3), and end with a list 'Sources': each n with its "
            "file and place (pages 'pp. 7–9' in a PDF, the chapter's title in an EPUB, the "
            "section heading in HTML, DOCX or Markdown, cue times '00:01:02–00:01:30' in "
            "subtitles, else 'characters 0–1,180'). Passages are numbered in input order; "
            "JSON holds them as 'references' and 'cites'.",
        ),
    ] = False,
    instructions: o.Instructions = None,
    fmt: Annotated[
        Format,
        typer.Option("--format", "-f", help="Output format; json holds the whole summary tree."),
    ] = Format.text,
    output: o.Output = None,
    each: Annotated[
        bool,
        typer.Option(
            "--each",
            help="Summarize every file on its own, into --output-dir (files already there are "
            "kept, so a stopped run resumes).",
        ),
    ] = False,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            metavar="DIR",
            help="With --each: where the summaries go, one <name>.md (or .json).",
        ),
    ] = None,
    plan: Annotated[
        bool,
        typer.Option(
            "--plan", help="Show chunks, merge levels, model calls and an ETA; run no model."
        ),
    ] = False,
    chunk_tokens: o.ChunkTokens = None,
    prompt_file: o.PromptFile = None,
    language: o.Language = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            metavar="NAME",
            help="Input encoding; 'auto' guesses it [default: UTF-8, or what a BOM says].",
        ),
    ] = None,
    errors: Annotated[
        Errors,
        typer.Option("--errors", help="On undecodable bytes: stop with an error, or replace them."),
    ] = Errors.strict,
    parallel: o.Parallel = None,
    quiet: o.Quiet = False,
    *,
    shared: dict[str, Any],
) -> None:
    """Summarize text of any length: chunk it, summarize each chunk, merge in order.

    \b
    Examples:
      longcli summarize book.txt
      cat server.log | longcli summarize - --words 150 > summary.md
      longcli summarize a.txt b.md --format json --output out.json
      longcli summarize book.txt --plan
      longcli summarize paper.pdf --cite
      longcli summarize --each notes/*.docx --output-dir out/
      longcli summarize huge.log --method extractive
      longcli summarize book.txt --base-url http://127.0.0.1:8080 --parallel 4
    """
    from longcli.summarize.run import Reading
    from longcli.text.decode import resolve_sources

    out = streams(quiet, shared["verbose"], shared["debug"])
    settings = _settings({**locals(), **shared})
    sources = resolve_sources(list(inputs or []), out.stdin_isatty)
    reading = Reading(encoding, errors.value, shared["input_format"])
    if each or output_dir is not None:
        _summarize_each(settings, sources, reading, each, output_dir, output, fmt, cite, out)
        return
    from longcli.cli.output import refuse_input_as_output

    refuse_input_as_output(output, [s.path for s in sources], out)
    if plan:
        from longcli.cli.render import render_plan
        from longcli.summarize.run import plan as make_plan

        deliver(render_plan(make_plan(settings, sources, reading), fmt.value), output, out)
        return
    from longcli.cli.render import Progress, render_summary
    from longcli.summarize.run import summarize as run

    with Progress(out) as progress:
        result, info = run(settings, sources, reading, out, progress)
    deliver(render_summary(result, fmt.value, result.sources, info, cite), output, out)


def _summarize_each(
    settings: Any,
    sources: list[Any],
    reading: Any,
    each: bool,
    output_dir: Path | None,
    output: Path | None,
    fmt: Format,
    cite: bool,
    out: Any,
) -> None:
    from longcli.cli.render import render_each, render_summary
    from longcli.errors import UsageError
    from longcli.summarize.run import summarize_each

    if not each or output_dir is None or output is not None:
        raise UsageError("--each writes one summary per file: give it --output-dir, not --output")
    suffix = ".json" if fmt == Format.json else ".md"
    style = Format.markdown if fmt == Format.text else fmt

    def render(result: Any, info: Any) -> str:
        return render_summary(result, style.value, result.sources, info, cite)

    outcomes = summarize_each(settings, sources, reading, output_dir, render, suffix, out)
    out.result(render_each(outcomes))
    if any(o.status not in ("done", "kept") for o in outcomes):
        raise UsageError(f"{sum(o.status not in ('done', 'kept') for o in outcomes)} file(s) "
                         "could not be summarized (see above)")  # fmt: skip


@app.command()
@o.shared_options
def chat(
    memory: Annotated[
        str,
        typer.Option(
            "--memory",
            metavar="DIR|NAME",
            help="Session directory (created if missing), or a bare name for one in the data dir.",
        ),
    ],
    message: Annotated[
        str | None,
        typer.Argument(
            metavar="MESSAGE",
            help="Ask this, print the answer, save the turn and exit (the same as --message).",
            show_default=False,
        ),
    ] = None,
    message_option: Annotated[
        str | None, typer.Option("--message", metavar="TEXT", help="Ask one question and exit.")
    ] = None,
    system: o.System = None,
    language: o.Language = None,
    files: Annotated[
        list[str] | None,
        typer.Option(
            "--file",
            metavar="FILE",
            help="A long document to talk about (text, PDF, EPUB, HTML, DOCX, subtitles): "
            "summarized into memory, indexed for recall.",
        ),
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive", help="Run the REPL even when standard input is not a terminal."
        ),
    ] = False,
    *,
    shared: dict[str, Any],
) -> None:
    """Chat with a memory that never outgrows the context, saved in a directory.

    Old turns are folded into a running summary; relevant ones are recalled verbatim when
    you ask about them. With a MESSAGE (or piped input), answers it and exits.

    \b
    Examples:
      longcli chat --memory ./session
      longcli chat --memory ./session "Remind me of my name"
      echo "What did we decide about X?" | longcli chat --memory ./session
      longcli chat --memory ./notes --file report.txt
    """
    from longcli.chat.run import add_documents, open_chat
    from longcli.chat.session import resolve_session_path
    from longcli.errors import UsageError
    from longcli.text.decode import resolve_sources

    out = streams(verbose=shared["verbose"], debug=shared["debug"])
    if message is not None and message_option is not None:
        raise UsageError("give the message once: as an argument or with --message")
    one_shot = message if message is not None else message_option
    if one_shot is not None and not one_shot.strip():
        raise UsageError("the message is empty")
    # --system is the new session's prompt, not the setting for every session.
    settings = _settings({**{k: v for k, v in locals().items() if k != "system"}, **shared})
    doc_sources = resolve_sources(list(files), True) if files else []
    if one_shot is None and not interactive and not out.stdin_isatty:
        one_shot = out.stdin.read()
        if not one_shot.strip() and not doc_sources:
            raise UsageError("no message on standard input")
    with open_chat(settings, resolve_session_path(memory), system, out) as conversation:
        for name in add_documents(conversation, settings, doc_sources, shared["input_format"]):
            out.note(f"added {name} to the session's memory")
        if one_shot is not None:
            if one_shot.strip():
                if advice := conversation.language_advice(one_shot):
                    out.warn(advice)
                reply = conversation.ask(one_shot)
                out.result(reply.text + "\n")
                conversation.settle()
            return
        from longcli.cli.repl import Repl

        Repl(conversation, out, lambda q: typer.confirm(q, err=True)).run()


@memory_app.command("show")
def memory_show(session: o.SessionArgument, as_json: o.Json = False) -> None:
    """Show the running summary, the fact ledger, the window, and turn counts."""
    import json

    from longcli.chat.run import read_memory
    from longcli.chat.session import resolve_session_path
    from longcli.cli.render import render_memory

    out = streams()
    view, _, warnings = read_memory(resolve_session_path(session))
    for warning in warnings:
        out.warn(warning)
    if as_json:
        out.result(json.dumps(view.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        render_memory(view, out.stdout)


@memory_app.command("facts")
def memory_facts(
    session: o.SessionArgument,
    forget: Annotated[
        list[int] | None,
        typer.Option(
            "--forget",
            metavar="N",
            help="Stop using fact N (repeatable); the turn it came from stays in the journal.",
        ),
    ] = None,
    as_json: o.Json = False,
) -> None:
    """List the facts longcli keeps from what you said (the fact ledger), or forget some.

    Facts are read from your messages without a model ("my locker code is 4471", "I was
    born in Quarrendale"), kept word for word, and shown to the model beside the question
    they answer, however long ago they were said.
    """
    import json

    from longcli.chat.run import forget_fact, read_memory
    from longcli.chat.session import resolve_session_path
    from longcli.cli.render import fact_lines

    out = streams()
    path = resolve_session_path(session)
    for fact_id in forget or []:
        fact = forget_fact(path, fact_id)
        out.note(f'forgot fact {fact.id}: "{fact.text}"')
    view, _, warnings = read_memory(path)
    for warning in warnings:
        out.warn(warning)
    if as_json:
        facts = [dataclasses.asdict(f) for f in view.facts]
        out.result(json.dumps(facts, indent=2, ensure_ascii=False) + "\n")
    elif forget is None:
        out.result((fact_lines(view.facts) or "(no facts yet)") + "\n")


@memory_app.command("export")
def memory_export(
    session: o.SessionArgument,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="md or json.")
    ] = ExportFormat.md,
    output: o.Output = None,
) -> None:
    """Export every turn, the running summary and the fact ledger, as Markdown or JSON."""
    from longcli.chat.run import read_memory
    from longcli.chat.session import resolve_session_path
    from longcli.cli.output import refuse_input_as_output
    from longcli.cli.render import export_json, export_markdown

    out = streams()
    path = resolve_session_path(session)
    view, exchanges, warnings = read_memory(path)
    for warning in warnings:
        out.warn(warning)
    session_files: list[Path | None] = list(path.iterdir()) if path.is_dir() else []
    refuse_input_as_output(output, session_files, out, what="the export")
    export = export_json if fmt == ExportFormat.json else export_markdown
    deliver(export(view, exchanges), output, out)


@memory_app.command("reset")
def memory_reset(session: o.SessionArgument, yes: o.Yes = False) -> None:
    """Forget a session's conversation (journal, summary, documents); keeps its system prompt."""
    from longcli.chat.run import reset_session
    from longcli.chat.session import resolve_session_path

    out = streams()
    _confirm(yes, out, "memory reset", f"Forget the whole conversation in {session}?")
    reset_session(resolve_session_path(session))
    out.note(f"{session} reset")


@memory_app.command("list")
def memory_list(as_json: o.Json = False) -> None:
    """List the named sessions (those made with --memory NAME) in the data directory."""
    import json

    from longcli.chat.session import list_sessions, sessions_dir

    out = streams()
    rows = list_sessions()
    if as_json:
        out.result(json.dumps([r.to_json() for r in rows], indent=2) + "\n")
        return
    if not rows:
        out.result(f"no named sessions in {sessions_dir()}\n")
        return
    lines = [f"{'name':<24} {'turns':>6}  {'updated':<25} path"]
    for r in rows:
        note = f"  ({r.error})" if r.error is not None else ""
        turns = "?" if r.turns is None else r.turns
        lines.append(f"{r.name:<24} {turns:>6}  {r.updated:<25} {r.path}{note}")
    out.result("\n".join(lines) + "\n")


@memory_app.command("rm")
def memory_rm(session: o.SessionArgument, yes: o.Yes = False) -> None:
    """Delete a session and everything in it (asks first; --yes for scripts)."""
    from longcli.chat.session import remove_session, resolve_session_path

    out = streams()
    path = resolve_session_path(session)
    _confirm(yes, out, "memory rm", f"Delete the session {path} and all its turns?")
    remove_session(path)
    out.note(f"{path} deleted")


def _confirm(yes: bool, out: Any, command: str, question: str) -> None:
    from longcli.errors import UsageError

    if yes:
        return
    if not out.stdin_isatty:
        raise UsageError(f"{command} asks for confirmation; pass --yes in scripts")
    if not typer.confirm(question, err=True):
        raise typer.Exit(1)


@models_app.command("info")
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

    d = describe(resolve_model_info(_settings({"model": model})))
    streams().result(json.dumps(model_json(d), indent=2) + "\n" if as_json else render_model(d))


@models_app.command("list")
def models_list(as_json: o.Json = False, verbose: o.Verbose = False) -> None:
    """List every model you can use by name: the bundled one, the models dir, aliases, and
    GGUFs that Ollama, LM Studio, llama.cpp or the Hugging Face cache keep (read-only)."""
    import json

    from longcli.cli.render_models import entry_json, render_model_list
    from longcli.models.catalog import list_models

    out = streams(verbose=verbose)
    entries, notes = list_models(_settings({}))
    for note in notes:
        out.detail(note)
    if as_json:
        out.result(json.dumps([entry_json(e) for e in entries], indent=2) + "\n")
    else:
        out.result(render_model_list(entries))


@models_app.command("pull")
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
    quiet: o.Quiet = False,
) -> None:
    """Download a GGUF model from the Hugging Face Hub, into the cache other tools share.

    A stopped download resumes; the file is checked (GGUF header, the hub's sha256); a
    split model is fetched whole. HF_TOKEN is used when set (gated or private models).

    \b
    Examples:
      longcli models pull Qwen/Qwen2.5-3B-Instruct-GGUF --quant Q4_K_M --alias qwen
      longcli models pull bartowski/Llama-3.2-3B-Instruct-GGUF Llama-3.2-3B-Instruct-Q4_K_M.gguf
    """
    from longcli.backends.engine import ram_budget
    from longcli.cli.render import DownloadProgress
    from longcli.models.catalog import add_alias
    from longcli.models.footprint import format_bytes
    from longcli.models.hub import plan_pull, pull, refuse_too_big

    out = streams(quiet)
    settings = _settings({})
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
    out.result(f"{path}\n")


@models_app.command("recommend")
def models_recommend(as_json: o.Json = False) -> None:
    """A short list of current small instruct models that summarize and chat well, with
    the languages each writes, the RAM each needs at an 8k context, whether it fits this
    machine, and the line that pulls it."""
    import json

    from longcli.backends.engine import ram_budget
    from longcli.cli.render_models import recommendation_json, render_recommended
    from longcli.models.catalog import recommended

    settings = _settings({})
    rows = recommended(settings.batch, ram_budget(settings, offloaded=False))
    if as_json:
        streams().result(json.dumps([recommendation_json(r) for r in rows], indent=2) + "\n")
    else:
        streams().result(render_recommended(rows))


@models_app.command("alias")
def models_alias(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Short name to use with --model.")],
    path: Annotated[Path, typer.Argument(metavar="PATH", help="Path to a .gguf file.")],
) -> None:
    """Give a GGUF file a short name: longcli models alias qwen ~/models/qwen.gguf"""
    from longcli.models.catalog import add_alias

    streams().note(f"'{name}' now means {add_alias(name, path)}")


@models_app.command("unalias")
def models_unalias(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Alias to forget.")],
) -> None:
    """Forget an alias made with `longcli models alias`."""
    from longcli.models.catalog import remove_alias

    remove_alias(name)
    streams().note(f"alias '{name}' removed")


@models_app.command("dir")
def models_dir_cmd() -> None:
    """Print the models directory: .gguf files dropped there are usable by file stem."""
    from longcli.models.locate import models_dir

    streams().result(f"{models_dir()}\n")


@config_app.command("path")
def config_path_cmd() -> None:
    """Print where the config file is (it may not exist yet)."""
    from longcli.config import config_path

    streams().result(f"{config_path()}\n")


@config_app.command("show")
def config_show() -> None:
    """Print the settings in effect (defaults < config file < environment), as YAML."""
    import yaml

    from longcli.config import SECRET_SETTINGS

    shown = _settings({}).plain()
    for name in SECRET_SETTINGS:
        if shown.get(name):
            shown[name] = "(set, hidden)"
    streams().result(yaml.safe_dump(shown, sort_keys=False))


@app.command()
def doctor(
    model: o.Model = None,
    repack: o.RepackOption = None,
    no_load: Annotated[
        bool, typer.Option("--no-load", help="Do not load the model (a few seconds faster).")
    ] = False,
    as_json: o.Json = False,
) -> None:
    """Check this installation and machine: what a bug report needs.

    Prints the versions of longcli, Python and llama-cpp-python; llama.cpp's CPU features
    and GPU backend; whether weights are repacked for this CPU and why; the model that
    would be used, and whether it loads and decodes (in a separate process, so a crash is
    reported rather than suffered); every document reader and extra, imported for real;
    the config, data and cache paths; and the memory budget. Exits 1 when something you
    need is broken.

    \b
    Examples:
      longcli doctor
      longcli doctor --model ~/models/qwen2.5-3b-q4_k_m.gguf
      longcli doctor --json > report.json
    """
    from longcli.cli.doctor import render_doctor
    from longcli.doctor import diagnose
    from longcli.errors import ExitCode

    out = streams()
    report = diagnose(_settings({"model": model, "repack": repack}), load_model=not no_load)
    out.result(render_doctor(report, as_json))
    if not report.healthy:
        raise typer.Exit(int(ExitCode.RUNTIME))


@app.command()
def tune(
    model: o.Model = None,
    rounds: Annotated[
        int,
        typer.Option(
            "--rounds", metavar="N", help="Times to run each setting (best counts).", min=1
        ),
    ] = 2,
    reset: Annotated[
        bool, typer.Option("--reset", help="Forget every tuning result and exit.")
    ] = False,
    repack: o.RepackOption = None,
    as_json: o.Json = False,
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

    from longcli.backends import tuning
    from longcli.cli.render_models import render_tuning, tuning_json

    out = streams()
    if reset:
        tuning.forget()
        out.result("longcli: tuning results removed; the fixed rule applies\n")
        return
    from longcli.backends.engine import resolve_model_info
    from longcli.backends.repack import decide

    settings = _settings({"model": model, "repack": repack})
    info = resolve_model_info(settings)
    with_repack = decide(settings.repack, info, note=out.warn).enabled
    report = tuning.tune_and_report(info, rounds, out, repack=with_repack)
    text = json.dumps(tuning_json(report), indent=2) + "\n" if as_json else render_tuning(report)
    out.result(text)
