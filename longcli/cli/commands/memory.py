"""`longcli memory ...`: list, look at, export, reset or delete chat sessions."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from longcli.cli import options as o
from longcli.cli.output import confirm, deliver, streams

app = typer.Typer(
    help="List, look at, export, reset or delete chat sessions.", no_args_is_help=True
)


class ExportFormat(StrEnum):
    md = "md"
    json = "json"


@app.command("show")
def memory_show(session: o.SessionArgument, as_json: o.Json = False) -> None:
    """Show the running summary, the fact ledger, the window, and turn counts."""
    from longcli.chat.run import read_memory
    from longcli.chat.session import resolve_session_path
    from longcli.cli.render import render_memory, render_memory_json

    out = streams()
    view, _, warnings = read_memory(resolve_session_path(session))
    for warning in warnings:
        out.warn(warning)
    if as_json:
        out.result(render_memory_json(view))
    else:
        render_memory(view, out.stdout)


@app.command("facts")
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
    from longcli.chat.run import forget_fact, read_memory
    from longcli.chat.session import resolve_session_path
    from longcli.cli.render import fact_lines, render_facts_json

    out = streams()
    path = resolve_session_path(session)
    for fact_id in forget or []:
        fact = forget_fact(path, fact_id)
        out.note(f'forgot fact {fact.id}: "{fact.text}"')
    view, _, warnings = read_memory(path)
    for warning in warnings:
        out.warn(warning)
    if as_json:
        out.result(render_facts_json(view.facts))
    elif forget is None:
        out.result((fact_lines(view.facts) or "(no facts yet)") + "\n")


@app.command("export")
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


@app.command("reset")
def memory_reset(session: o.SessionArgument, yes: o.Yes = False) -> None:
    """Forget a session's conversation (journal, summary, documents); keeps its system prompt."""
    from longcli.chat.run import reset_session
    from longcli.chat.session import resolve_session_path

    out = streams()
    confirm(yes, out, "memory reset", f"Forget the whole conversation in {session}?")
    reset_session(resolve_session_path(session))
    out.note(f"{session} reset")


@app.command("list")
def memory_list(as_json: o.Json = False) -> None:
    """List the named sessions (those made with --memory NAME) in the data directory."""
    from longcli.chat.session import list_sessions, sessions_dir
    from longcli.cli.render import render_sessions_json

    out = streams()
    rows = list_sessions()
    if as_json:
        out.result(render_sessions_json(rows))
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


@app.command("rm")
def memory_rm(session: o.SessionArgument, yes: o.Yes = False) -> None:
    """Delete a session and everything in it (asks first; --yes for scripts)."""
    from longcli.chat.session import remove_session, resolve_session_path

    out = streams()
    path = resolve_session_path(session)
    confirm(yes, out, "memory rm", f"Delete the session {path} and all its turns?")
    remove_session(path)
    out.note(f"{path} deleted")
