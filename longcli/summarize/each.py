"""`summarize --each`: one summary per file into a directory, redone only when needed.

Beside the summaries, `.longcli-each.json` (the record) says what made each one: the
input's path and content hash, the model, and every option that changes a summary. A
later run keeps an output only when all of those are the same, and says why it redid one
otherwise; --force redoes all. An output name belongs to one input path, recorded there,
so the same files given in another order, or two `notes.txt` from different directories,
never take each other's summary. The record is written atomically after every file, so a
stopped run resumes where it stopped.

An output that is there without a record (made by a longcli before the record, or by
hand) is kept and said to be unverified: longcli never overwrites a file it cannot tell
it made, unless --force says so.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any

from longcli.config import BackendKind, Settings
from longcli.errors import UsageError
from longcli.streams import Streams
from longcli.summarize.results import SummaryResult
from longcli.summarize.run import Reading, RunInfo, open_for, summarize
from longcli.text.decode import Source

RECORD_NAME = ".longcli-each.json"
RECORD_FORMAT = 1
HASH_CHUNK_BYTES = 1 << 20
NAME_HASH_CHARS = 8  # the last resort for a name: the stem and a hash of the input's path

# The settings that change what a summary says, as their flags name them. Threads, the
# batch size, --parallel or the cache change how fast, not what: they are not recorded.
SUMMARY_SETTINGS = (
    "words", "style", "method", "instructions", "language", "chunk_tokens",
    "max_chunk_tokens", "prompt_file", "ctx", "rope_scaling", "rope_factor", "kv_type",
    "temperature", "top_p", "top_k", "min_p", "repeat_penalty", "seed",
)  # fmt: skip


class EachStatus(StrEnum):
    done = "done"  # summarized now, with no earlier output
    redone = "redone"  # an earlier output replaced: see EachOutcome.why
    kept = "kept"  # an earlier output left as it is: see EachOutcome.why
    failed = "failed"  # see EachOutcome.error


class Why(StrEnum):
    """Why an earlier output was kept or redone."""

    same = "same"  # same input, options and model
    forced = "forced"  # --force
    no_record = "no_record"  # there without a record of what made it
    not_a_file = "not_a_file"  # a pipe or device: its content cannot be compared
    input_changed = "input_changed"
    model_changed = "model_changed"
    options_changed = "options_changed"
    missing = "missing"  # recorded, but the output file is gone


@dataclass(frozen=True)
class Change:
    """One option that differs from the run that made an output."""

    name: str  # the setting's name, e.g. "words"
    was: str
    now: str


@dataclass
class EachOutcome:
    """One file of `summarize --each`: where its summary went, and how it went."""

    source: str
    output: Path
    status: EachStatus
    why: Why | None = None
    changes: list[Change] = field(default_factory=list)  # Why.options_changed
    models: tuple[str, str] = ("", "")  # Why.model_changed: (was, now)
    error: str = ""  # EachStatus.failed: the one-line message, its hint included
    chunks: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class Made:
    """What made one output: the record kept for it."""

    input: str  # the input's resolved path
    sha256: str  # of its bytes; "" for a pipe or device
    model: str  # the backend's identity
    model_name: str
    options: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: object) -> Made | None:
        if not isinstance(data, dict):
            return None
        try:
            options = data["options"]
            if not isinstance(options, dict):
                return None
            return cls(
                str(data["input"]),
                str(data["sha256"]),
                str(data["model"]),
                str(data.get("model_name", "")),
                {str(k): str(v) for k, v in options.items()},
            )
        except KeyError:
            return None


class Record:
    """The record file of an output directory: output name -> what made it."""

    def __init__(self, directory: Path, made: dict[str, Made]) -> None:
        self.path = directory / RECORD_NAME
        self.made = made
        self._lock = threading.Lock()  # files finish on several threads

    @classmethod
    def load(cls, directory: Path, warn: Callable[[str], None]) -> Record:
        """The directory's record; an unreadable one is said and started afresh (its
        outputs are then kept as unverified, never overwritten without --force)."""
        path = directory / RECORD_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(directory, {})
        except (OSError, ValueError) as exc:
            warn(f"{path}: unreadable ({exc}); outputs there count as unrecorded")
            return cls(directory, {})
        if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT:
            warn(f"{path}: not a record this longcli writes; outputs there count as unrecorded")
            return cls(directory, {})
        outputs = data.get("outputs")
        made = {}
        for name, entry in outputs.items() if isinstance(outputs, dict) else []:
            m = Made.from_json(entry)
            if m is not None and "/" not in name and name not in ("", ".", ".."):
                made[name] = m
        return cls(directory, made)

    def save(self, name: str, made: Made, mode: int) -> None:
        """Record one output, rewriting the record atomically."""
        from longcli.storage import atomic_write_text

        with self._lock:
            self.made[name] = made
            entries = {n: m.to_json() for n, m in sorted(self.made.items())}
            text = json.dumps({"format": RECORD_FORMAT, "outputs": entries}, indent=1)
            atomic_write_text(self.path, text + "\n", mode)


def input_key(source: Source) -> str:
    """An input's identity across runs: its resolved path."""
    assert source.path is not None
    return str(source.path.resolve())


def each_outputs(sources: list[Source], directory: Path, suffix: str, record: Record) -> list[Path]:
    """DIR/<name><suffix> for every input: the name recorded for its path, else its stem;
    inputs sharing a stem are told apart by their directories. The names depend on the set
    of inputs and the record, never on their order."""
    keys = [input_key(s) for s in sources]
    owner = {name: m.input for name, m in record.made.items()}
    named: dict[str, str] = {}
    for name, m in sorted(record.made.items()):
        if name.endswith(suffix) and m.input in keys:
            named.setdefault(m.input, name)
    stems: dict[str, int] = {}
    for key in set(keys):
        stems[Path(key).stem] = stems.get(Path(key).stem, 0) + 1
    for key in sorted(set(keys) - set(named)):
        path = Path(key)
        for candidate in _candidates(path, clash=stems[path.stem] > 1):
            name = candidate + suffix
            if owner.get(name, key) == key:
                named[key] = name
                owner[name] = key
                break
    return [directory / named[key] for key in keys]


def _candidates(path: Path, clash: bool) -> list[str]:
    """Names for an input, shortest first: its stem (unless another input has it), then
    its parent directories before it, then the stem with a hash of the whole path."""
    parents = [p for p in reversed(path.parent.parts) if p not in ("/", "")]
    names = [] if clash else [path.stem]
    for depth in range(1, len(parents) + 1):
        names.append("-".join([*reversed(parents[:depth]), path.stem]))
    digest = hashlib.sha256(str(path).encode("utf-8", "surrogateescape")).hexdigest()
    names.append(f"{path.stem}-{digest[:NAME_HASH_CHARS]}")
    return names


def content_hash(source: Source) -> str:
    """The sha256 of a regular file's bytes; "" for a pipe or device (read only once)."""
    if not source.rereadable or source.path is None:
        return ""
    digest = hashlib.sha256()
    with source.path.open("rb") as f:
        while block := f.read(HASH_CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def summary_options(settings: Settings, reading: Reading, output: dict[str, str]) -> dict[str, str]:
    """Every setting that changes what a summary says, as text, with how the inputs are
    read and how the output is written (--cite, the format)."""
    options = {name: _text(getattr(settings, name)) for name in SUMMARY_SETTINGS}
    if settings.prompt_file:
        options["prompt_file"] += f" ({_file_hash(settings.prompt_file)})"
    options.update(
        encoding=_text(reading.encoding), errors=reading.errors, input_format=str(reading.format)
    )
    options.update(output)
    return options


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _file_hash(name: str) -> str:
    try:
        return hashlib.sha256(Path(name).expanduser().read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"


def verdict(made: Made | None, now: Made, output_exists: bool) -> tuple[bool, EachOutcome]:
    """Whether an output can be kept, and why (the outcome's source and output unset)."""
    outcome = EachOutcome("", Path(), EachStatus.kept)
    if not output_exists:
        outcome.why = None if made is None else Why.missing
        return False, outcome
    if made is None:
        outcome.why = Why.no_record
        return True, outcome
    if not now.sha256:
        outcome.why = Why.not_a_file
    elif made.input != now.input or made.sha256 != now.sha256:
        outcome.why = Why.input_changed
    elif made.model != now.model:
        outcome.why = Why.model_changed
        outcome.models = (made.model_name or made.model, now.model_name or now.model)
    elif made.options != now.options:
        outcome.why = Why.options_changed
        names = sorted(set(made.options) | set(now.options))
        outcome.changes = [
            Change(n, made.options.get(n, ""), now.options.get(n, ""))
            for n in names
            if made.options.get(n) != now.options.get(n)
        ]
    else:
        outcome.why = Why.same
        return True, outcome
    return False, outcome


def summarize_each(
    settings: Settings,
    sources: list[Source],
    reading: Reading,
    directory: Path,
    render: Callable[[SummaryResult, RunInfo], str],
    suffix: str,
    streams: Streams,
    *,
    output: dict[str, str] | None = None,
    force: bool = False,
    report: Callable[[int, int, EachOutcome], None] | None = None,
) -> list[EachOutcome]:
    """Summarize every source on its own into `directory`, one file each, written
    atomically, and record what made it (see the module's doc). A document that cannot be
    read is reported and the others go on. With a server, up to --parallel files are
    summarized at once, keeping its slots busy. `output` names the output's own options
    (--cite, the format); `report` hears of each file as it ends, in order."""
    from longcli.errors import InputError, one_line
    from longcli.storage import ensure_private_dir, umask_file_mode
    from longcli.summarize.parallel import pool_for

    if any(s.path is None for s in sources):
        raise UsageError("--each summarizes files; standard input or a URL cannot be one")
    record = Record.load(directory, streams.warn)
    outputs = each_outputs(sources, directory, suffix, record)
    _refuse_inputs_as_outputs(sources, outputs, directory)
    ensure_private_dir(directory)
    new_file_mode = umask_file_mode()  # read here, before the pool's threads write files
    at_once = settings.parallel if settings.backend == BackendKind.http else 1
    one_at_a_time = dataclasses.replace(settings, parallel=1)
    engine = open_for(one_at_a_time, streams)
    options = summary_options(settings, reading, output or {})
    model_name = engine.describe().name
    started: set[Path] = set()  # one input given twice is summarized once
    started_lock = threading.Lock()

    def one(source: Source, target: Path) -> EachOutcome:
        try:
            now = Made(input_key(source), content_hash(source), engine.backend.identity,
                       model_name, options)  # fmt: skip
        except OSError as exc:
            return EachOutcome(source.label, target, EachStatus.failed, error=one_line(exc))
        existed = target.exists()
        keep, outcome = verdict(record.made.get(target.name), now, existed)
        outcome.source, outcome.output = source.label, target
        with started_lock:
            twice = target in started
            started.add(target)
        if twice:
            return dataclasses.replace(outcome, status=EachStatus.kept, why=Why.same)
        if keep and not force:
            return outcome
        if not existed:
            outcome.status, outcome.why = EachStatus.done, None
        else:
            outcome.status = EachStatus.redone
            outcome.why = Why.forced if force and keep else outcome.why
        clock = time.monotonic()
        try:
            result, run = summarize(one_at_a_time, [source], reading, streams, None, engine)
        except InputError as exc:
            return EachOutcome(source.label, target, EachStatus.failed, error=one_line(exc))
        _write_each(target, render(result, run), new_file_mode)
        try:
            record.save(target.name, now, new_file_mode)
        except OSError as exc:
            _cannot_write(record.path, exc)
        outcome.chunks, outcome.seconds = len(result.chunks), time.monotonic() - clock
        return outcome

    outcomes: list[EachOutcome] = []
    with pool_for(at_once) as pool:
        futures = [pool.submit(partial(one, s, o)) for s, o in zip(sources, outputs, strict=True)]
        for n, future in enumerate(futures, 1):
            outcome = future.result()
            outcomes.append(outcome)
            if report is not None:
                report(n, len(sources), outcome)
    return outcomes


def _refuse_inputs_as_outputs(sources: list[Source], outputs: list[Path], directory: Path) -> None:
    """Refuse, before any work, an --output-dir where a summary would be one of the inputs."""
    from longcli.storage import overwrites_input

    inputs = [s.path for s in sources if s.path is not None]
    for output in [*outputs, directory / RECORD_NAME]:
        if overwrites_input(output, inputs):
            raise UsageError(
                f"--output-dir {directory}: {output.name} is one of the inputs; "
                "write the summaries elsewhere"
            )


def _write_each(output: Path, text: str, new_file_mode: int) -> None:
    """One summary of --each, ending its last line as a text file does; a failed write
    stops the run (a full disk fails every file)."""
    from longcli.storage import write_output

    if not text.endswith("\n"):  # `cat` of several summaries, `wc -l`, diff: whole lines
        text += "\n"
    try:
        write_output(output, text, new_file_mode)
    except OSError as exc:
        _cannot_write(output, exc)


def _cannot_write(path: Path, exc: OSError) -> None:
    from longcli.errors import OutputError
    from longcli.storage import write_failed

    error = OutputError if write_failed(exc) else UsageError
    raise error(f"cannot write {path}: {exc.strerror or exc}") from None
