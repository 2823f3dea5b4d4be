"""`longcli summarize`: parse the options, call summarize.run, render what it returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from longcli.cli import options as o
from longcli.cli.output import deliver, streams
from longcli.config import Flags
from longcli.errors import UsageError

if TYPE_CHECKING:
    from longcli.config import Settings
    from longcli.streams import Streams
    from longcli.summarize.each import Change, EachOutcome
    from longcli.summarize.eta import Recalibration
    from longcli.summarize.run import Reading, RunInfo, SummaryResult
    from longcli.summarize.shortfall import Shortfall
    from longcli.text.decode import Source


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class Errors(StrEnum):
    strict = "strict"
    replace_them = "replace"  # (a member named `replace` would hide str.replace)


@o.shared_options
def summarize(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILES",
            help="Files to summarize together, in order: text, Markdown, PDF, EPUB, HTML, DOCX, "
            "SRT or WebVTT; '-' or nothing reads standard input. An http:// or https:// URL is "
            "fetched (its Content-Type picks the reader, its charset the decoding; at most "
            "100 MiB, redirects followed): longcli's one network access besides 'models pull'.",
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
            help="Summarize every file on its own, into --output-dir. A summary already there "
            "is kept only if the same input, options and model made it (recorded in "
            "DIR/.longcli-each.json), so a stopped run resumes; others are redone.",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="With --each: redo every summary, even one kept."),
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
    shared: o.SharedOptions,
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

    out = streams(quiet, shared.verbose, shared.debug)
    own = Flags(
        words=words,
        style=style,
        method=method,
        instructions=instructions,
        chunk_tokens=chunk_tokens,
        prompt_file=prompt_file,
        language=language,
        parallel=parallel,
    )
    settings = o.load(shared.flags(own), out)
    sources = resolve_sources(list(inputs or []), out.stdin_isatty)
    reading = Reading(encoding, errors.value, shared.input_format)
    if each or output_dir is not None:
        how = _EachHow(each, output_dir, output, fmt, cite, force)
        _summarize_each(settings, sources, reading, how, out)
        return
    if force:
        raise UsageError("--force redoes the summaries of --each; without it there is none kept")
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
    given = {"language": language, "words": words, "method": method, "instructions": instructions}
    for unmet in info.shortfalls:
        if given[unmet.asked] is not None:  # an ask the user made, not a default
            out.warn(shortfall_line(unmet))
    if info.speed is not None and info.speed.worth_saying():
        out.note(recalibrated_line(info.model.name, info.speed))


def shortfall_line(unmet: Shortfall) -> str:
    """One line on an option the summary could not honour, and what was printed instead."""
    from longcli.summarize.shortfall import Asked, Instead
    from longcli.text.language import name

    why = {
        Instead.own_sentences: "the text's own sentences were printed (extractive picks "
        "them as written; --method abstractive writes anew)",
        Instead.all_refused: f"all {unmet.refused} sentences the model wrote were refused by "
        "the check, so the text's own key sentences were printed (try --method abstractive "
        "or a larger model)",
        Instead.all_fell_back: "every answer of the model failed the check, so the text's own "
        "sentences were printed (try a larger model)",
        Instead.length: "",
        Instead.whole_text: "no sentence of the text has its words, so the summary printed "
        "is of the whole text, not an answer",
    }[unmet.instead]
    if unmet.asked == Asked.language:
        return f"--language {unmet.wanted}: the summary is in {name(unmet.got)}: {why}"
    if unmet.asked == Asked.method:
        return f"--method {unmet.wanted}: not what was printed: {why}"
    if unmet.asked == Asked.instructions and unmet.instead == Instead.whole_text:
        return f"-i {unmet.wanted!r}: {why}"
    if unmet.asked == Asked.instructions:
        return f"-i was not followed: {why}"
    wanted, got = int(unmet.wanted), int(unmet.got)
    shorter = got < wanted and unmet.text_words < wanted
    why = f" (the text itself has only {unmet.text_words})" if shorter else ""
    unit = (
        "characters (--words counts characters in Chinese and Japanese)"
        if unmet.characters
        else "words"
    )
    return f"--words {wanted}: the summary has {got} {unit}{why}"


def recalibrated_line(model: str, speed: Recalibration) -> str:
    """One line on why --plan's ETAs for this model will differ from now on."""
    before = 1.0 if speed.was is None else speed.was
    ratio = before / speed.now  # speed factors: below 1 is slower than the guess
    pace = f"{ratio:.1f}x slower" if ratio >= 1 else f"{1 / ratio:.1f}x faster"
    than = "than the rough guess" if speed.was is None else "than its last measured run"
    return f"ETAs for {model} now use its measured speed: this run was {pace} {than}"


@dataclass(frozen=True)
class _EachHow:
    """The options of --each: where the summaries go and how they are written."""

    each: bool
    output_dir: Path | None
    output: Path | None
    fmt: Format
    cite: bool
    force: bool


def _summarize_each(
    settings: Settings, sources: list[Source], reading: Reading, how: _EachHow, out: Streams
) -> None:
    from longcli.cli.render import render_each, render_summary
    from longcli.summarize.each import EachStatus, summarize_each

    if not how.each:
        raise UsageError("--output-dir is where --each writes one summary per file: add --each")
    if how.output is not None:
        raise UsageError("--each writes one summary per file into --output-dir, not --output")
    if how.output_dir is None:
        raise UsageError("--each writes one summary per file: say where with --output-dir DIR")
    if how.output_dir.exists() and not how.output_dir.is_dir():
        raise UsageError(f"--output-dir {how.output_dir} is not a directory")
    suffix = ".json" if how.fmt == Format.json else ".md"
    style = Format.markdown if how.fmt == Format.text else how.fmt

    def render(result: SummaryResult, info: RunInfo) -> str:
        return render_summary(result, style.value, result.sources, info, how.cite)

    def report(n: int, total: int, outcome: EachOutcome) -> None:
        line = each_line(outcome)
        if outcome.status == EachStatus.failed:
            out.warn(f"[{n}/{total}] {line}")
        else:
            out.note(f"[{n}/{total}] {line}")

    made = {"format": style.value, "cite": "on" if how.cite else "off"}
    outcomes = summarize_each(
        settings, sources, reading, how.output_dir, render, suffix, out,
        output=made, force=how.force, report=report,
    )  # fmt: skip
    out.result(render_each(outcomes))
    failed = sum(o.status == EachStatus.failed for o in outcomes)
    if failed:
        raise UsageError(f"{failed} file(s) could not be summarized (see above)")


def each_line(outcome: EachOutcome) -> str:
    """One file's line of --each: what happened, and why; an error names the file once."""
    from longcli.summarize.each import EachStatus, Why

    whys = {
        Why.same: "same input, options and model",
        Why.forced: "--force",
        Why.no_record: "no record of what made it (an older longcli, or by hand), so not "
        "checked against these options; --force redoes it",
        Why.not_a_file: "not a regular file, so it cannot be compared",
        Why.input_changed: "the input changed",
        Why.missing: "its output was gone",
    }
    if outcome.status == EachStatus.failed:
        error = outcome.error
        return error if error.startswith(f"{outcome.source}: ") else f"{outcome.source}: {error}"
    said = f"{outcome.source}: {outcome.status}"
    if outcome.status == EachStatus.done:
        return f"{said}, {outcome.seconds:.0f} s"
    if outcome.why == Why.options_changed:
        why = "changed " + ", ".join(_change(c) for c in outcome.changes)
    elif outcome.why == Why.model_changed:
        why = f"another model ({outcome.models[1]}; it was {outcome.models[0]})"
    else:
        why = whys[outcome.why] if outcome.why is not None else ""
    took = f"; {outcome.seconds:.0f} s" if outcome.status == EachStatus.redone else ""
    return f"{said}: {why}{took}" if why else f"{said}{took}"


def _change(change: Change) -> str:
    flag = "--" + change.name.replace("_", "-")
    return f"{flag} {change.was or '(unset)'} -> {change.now or '(unset)'}"
