"""`longcli chat`: one message or the REPL, over a session directory."""

from __future__ import annotations

from typing import Annotated

import typer

from longcli.cli import options as o
from longcli.cli.output import streams
from longcli.config import Flags


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
    shared: o.SharedOptions,
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

    out = streams(verbose=shared.verbose, debug=shared.debug)
    if message is not None and message_option is not None:
        raise UsageError("give the message once: as an argument or with --message")
    one_shot = message if message is not None else message_option
    if one_shot is not None and not one_shot.strip():
        raise UsageError("the message is empty")
    # --system is the new session's prompt (open_chat), not the setting for every session.
    settings = o.load(shared.flags(Flags(language=language)), out)
    doc_sources = resolve_sources(list(files), True) if files else []
    if one_shot is None and not interactive and not out.stdin_isatty:
        one_shot = out.stdin.read()
        if not one_shot.strip() and not doc_sources:
            raise UsageError("no message on standard input")
    with open_chat(settings, resolve_session_path(memory), system, out) as conversation:
        for name in add_documents(
            conversation, settings, doc_sources, shared.input_format, out.warn
        ):
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
