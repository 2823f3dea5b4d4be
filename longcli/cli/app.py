"""The command line: the typer app, joined from one module per command or group.

Each command parses its options, calls the core and renders what it returns (commands/);
options are declared once (options.py); output leaves through the run's Streams
(output.py). Heavy modules (llama_cpp, rich) are imported inside commands so `--help`
stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from longcli.cli.commands import chat, memory, models, setup, summarize, verify
from longcli.cli.output import streams

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
app.add_typer(setup.config_app, name="config")
app.add_typer(models.app, name="models")
app.add_typer(memory.app, name="memory")


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


app.command()(summarize.summarize)
app.command()(chat.chat)
app.command()(verify.verify)
app.command()(setup.doctor)
app.command()(setup.tune)
