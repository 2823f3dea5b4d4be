"""`longcli verify`: check any summary against its sources, sentence by sentence."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from longcli.cli import options as o
from longcli.cli.output import deliver, refuse_input_as_output, streams
from longcli.config import Flags
from longcli.errors import ExitCode, UsageError
from longcli.grounding.support import MIN_COVERAGE
from longcli.text.documents import InputFormat

if TYPE_CHECKING:
    from longcli.backends.embedding import Embedder
    from longcli.streams import Streams

PROGRESS_EVERY_S = 5.0  # a line on stderr this often while sentences are checked
LONG_SOURCES_CHARS = 2_000_000  # sources this long are said before they are indexed
SHORT_SUMMARY_CHARS = 2_000  # a summary shorter than this is never said to be too long


class VerifyFormat(StrEnum):
    text = "text"
    json = "json"


def verify(
    summary: Annotated[
        str,
        typer.Argument(
            metavar="SUMMARY",
            help="The summary to check: any file longcli reads, '-' for standard input, or a URL.",
            show_default=False,
        ),
    ],
    sources: Annotated[
        list[str],
        typer.Argument(
            metavar="SOURCE",
            help="What the summary is of, in order: text, Markdown, PDF, EPUB, HTML, DOCX, SRT "
            "or WebVTT, '-' (once, for the summary or one source) or a URL.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        VerifyFormat,
        typer.Option(
            "--format",
            "-f",
            help="json: a list of objects with sentence, supported, evidence (each with "
            "source, place and text), why and coverage.",
        ),
    ] = VerifyFormat.text,
    min_coverage: Annotated[
        float,
        typer.Option(
            "--min-coverage",
            min=0.0,
            max=1.0,
            metavar="SHARE",
            help="How much of a sentence's content (its words, weighted by rarity) the "
            "evidence must hold. Lower passes more paraphrase and more invention; README's "
            "curve shows the trade-off.",
        ),
    ] = MIN_COVERAGE,
    output: o.Output = None,
    input_format: o.InputFormatOption = InputFormat.auto,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding", metavar="NAME", help="Encoding of text inputs ('auto' guesses)."
        ),
    ] = None,
    quiet: o.Quiet = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Say on stderr whether meaning is used.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Tracebacks on errors.")] = False,
) -> None:
    """Check each sentence of SUMMARY against SOURCE: the place that supports it, or why none does.

    A sentence is supported when the sources hold its content words together (in one to
    three sentences) and its names, numbers, negations, quantifiers ("both", "every") and
    who-did-what agree with theirs. With the sentence-embedding model installed (the
    chat's `embedding_model` setting), a sentence is compared where the sources say what it
    means, and a close paraphrase needs fewer of their words; no other model is used. Exit
    status 0 when every sentence is supported, 5 when any is not, 2 for bad input.

    \b
    Examples:
      longcli verify summary.md book.epub
      longcli summarize report.pdf | longcli verify - report.pdf
      longcli verify notes.txt lecture.srt --format json
    """
    from longcli.errors import InputError
    from longcli.grounding.verify import Read, read_source
    from longcli.grounding.verify import verify as check
    from longcli.text.decode import resolve_sources

    out = streams(quiet, verbose, debug)
    if not sources:
        raise UsageError("give the sources the summary is of: longcli verify SUMMARY SOURCE...")
    resolved = resolve_sources([summary, *sources], out.stdin_isatty)
    refuse_input_as_output(output, [s.path for s in resolved], out, "the verdicts")
    reads: list[Read] = []
    for source in resolved:
        read, warnings = read_source(source, input_format, encoding, "strict")
        for warning in warnings:
            out.warn(warning)
        reads.append(read)
    text, read_sources = reads[0].text, reads[1:]
    if not text.strip():
        raise InputError(f"{reads[0].label} is empty: there is no summary to check")
    size = sum(len(r.text) for r in read_sources)
    if len(text) > max(size, SHORT_SUMMARY_CHARS):  # a new user checked a book against
        # their 5 lines, 913 sentences, before seeing what was what
        out.warn(
            f"the summary ({reads[0].label}, {len(text):,} characters) is longer than its "
            f"sources ({size:,}): the summary comes first, longcli verify SUMMARY SOURCE..."
        )
    if size >= LONG_SOURCES_CHARS:  # indexing a long book takes seconds before any sentence
        out.note(f"indexing {size:,} characters of sources")
    progress = _progress(out)
    result = check(text, read_sources, min_coverage, progress, _meaning(out))
    from longcli.cli.render_verify import render_verification

    deliver(render_verification(result, fmt.value), output, out)
    total = len(result.sentences)
    noun = "sentence" if total == 1 else "sentences"
    if result.unsupported:
        out.note(f"{result.unsupported} of {total} {noun} not supported by the sources")
        raise typer.Exit(int(ExitCode.UNSUPPORTED))
    said = "the sentence is" if total == 1 else f"all {total} sentences are"
    out.note(f"{said} supported by the sources")


def _meaning(out: Streams) -> Embedder | None:
    """The sentence-embedding model the settings name or the data dir holds, loaded (said
    under -v); None without one, or when it fails to load (said): words alone, as before."""
    from longcli.backends.embedding import find_embedding_model, open_or_say
    from longcli.errors import ModelError

    settings = o.load(Flags(), out)
    try:
        path = find_embedding_model(settings.embedding_model)
    except ModelError as exc:  # a setting that names no GGUF
        out.warn(f"{exc}; sentences are compared where their words are")
        return None
    if path is None:
        out.detail("embedding model: none (sentences are compared where their words are)")
        return None
    return open_or_say(
        path,
        out,
        serves="sentences compared where the sources say what they mean",
        without="sentences are compared where their words are",
    )


def _progress(out: Streams) -> Callable[[int, int], None]:
    """A line on stderr every PROGRESS_EVERY_S while sentences are checked (a long summary
    against a long book takes a while)."""
    last = [time.monotonic()]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S and done < total:
            last[0] = now
            out.note(f"checking sentences {done}/{total}")

    return progress
