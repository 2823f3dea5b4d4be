"""The JSON records a session directory holds, read with every field's type checked.

A session file may be edited by hand: a field of the wrong type ("window_start": "3",
"tokens": 1e999, a journal line that is `[1, 2]` or `null`) raises Malformed naming the
field, which session.py turns into one line naming the file, never a traceback and never
a value silently made up from it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from longcli.chat.exchange import Author, Exchange, FoldState
from longcli.chat.facts import Fact, Ledger
from longcli.chat.labels import split_labels

FORMAT_VERSION = 1
# Journal lines: 1 had the reply as one text; 2 keeps the model's words ("assistant",
# "by") apart from what longcli added ("note"). Lines of both versions are read.
JOURNAL_VERSION = 2

T = TypeVar("T")
_KIND_NAMES = {str: "a string", int: "a whole number", bool: "true or false", dict: "an object"}


class Malformed(ValueError):
    """A record that is not what longcli writes; the message says which field."""


class NewerRecord(Exception):
    """A record written by a newer longcli (a version above the one this one reads)."""

    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


@dataclass(frozen=True)
class Passage:
    """A piece of a document added with --file, kept for recall."""

    source: str
    start: int
    end: int
    text: str
    where: str = ""  # the pages, chapter or times it covers, for documents that have them

    def label(self) -> str:
        place = self.where or f"characters {self.start}-{self.end}"
        return f"[{self.source}, {place}]"


@dataclass
class Meta:
    format_version: int = FORMAT_VERSION
    created: str = ""
    model: str = ""
    system: str | None = None
    files: dict[str, str] = field(default_factory=dict)  # name -> sha256 of its text
    # Optional (absent from sessions written before it): the one line suggesting a model
    # for the language of the user's messages was shown in this session.
    language_advised: bool = False


def record(data: object) -> dict[str, Any]:
    """A JSON value that must be an object."""
    if not isinstance(data, dict):
        raise Malformed(f"a {_json_kind(data)} where an object belongs")
    return data


def typed(data: dict[str, Any], key: str, kind: type[T], default: T | None = None) -> T:
    """data[key], of type `kind` (a whole number is never a bool or a float); `default`
    when the key is absent, or Malformed when there is none."""
    if key not in data:
        if default is None:
            raise Malformed(f'no "{key}"')
        return default
    value = data[key]
    wrong_bool = kind is not bool and isinstance(value, bool)
    if wrong_bool or not isinstance(value, kind):
        raise Malformed(f'"{key}" is {_json_kind(value)}, not {_KIND_NAMES[kind]}')
    return value


def count(data: dict[str, Any], key: str, default: int | None = None) -> int:
    """A whole number that counts something: never negative."""
    value = typed(data, key, int, default)
    if value < 0:
        raise Malformed(f'"{key}" is negative')
    return value


def version_of(data: dict[str, Any], key: str, newest: int) -> int:
    """A record's format version; NewerRecord when it is above `newest`."""
    version = count(data, key)
    if version > newest:
        raise NewerRecord(version)
    return version


def read_meta(data: dict[str, Any]) -> Meta:
    system = data.get("system")
    if system is not None and not isinstance(system, str):
        raise Malformed(f'"system" is {_json_kind(system)}, not a string')
    files = typed(data, "files", dict, {})
    if not all(isinstance(v, str) for v in files.values()):
        raise Malformed('"files" holds a value that is not a string')
    return Meta(
        format_version=version_of(data, "format_version", FORMAT_VERSION),
        created=typed(data, "created", str, ""),
        model=typed(data, "model", str, ""),
        system=system,
        files=dict(files),
        language_advised=typed(data, "language_advised", bool, False),
    )


def read_state(data: dict[str, Any]) -> FoldState:
    return FoldState(
        summary=typed(data, "summary", str),
        window_start=count(data, "window_start"),
        folds=count(data, "folds", 0),
        turns=count(data, "turns", 0),
    )


def read_exchange(data: object, before: list[Exchange]) -> Exchange:
    """One journal line as an exchange. A line without "v" (version 1) kept longcli's quote
    of the user's words inside the reply: it is split off into the note when those words
    were said at that turn, and left out of what the model is shown when they were not (a
    label the model forged)."""
    line = record(data)
    version = version_of(line, "v", JOURNAL_VERSION) if "v" in line else 1
    user, assistant = typed(line, "user", str), typed(line, "assistant", str)
    note = typed(line, "note", str, "")
    by = _author(line.get("by", Author.MODEL))
    if version == 1:
        said = [e.user for e in before] + [user]
        assistant, labels = split_labels(assistant, said)
        note = "\n\n".join(labels)
    return Exchange(len(before), user, assistant, count(line, "tokens", 0), note, by)


def _author(by: object) -> Author:
    """Who wrote a journal line's reply; a value no longcli writes is not the model's."""
    return Author.MODEL if by == Author.MODEL else Author.LONGCLI


def read_passage(data: object) -> Passage:
    d = record(data)
    return Passage(
        typed(d, "source", str),
        count(d, "start"),
        count(d, "end"),
        typed(d, "text", str),
        typed(d, "where", str, ""),
    )


def ledger_record(ledger: Ledger) -> dict[str, Any]:
    """The fact ledger as facts.json holds it (beside "format_version")."""
    return {
        "scheme": ledger.scheme,
        "through_turn": ledger.through_turn,
        "facts": [asdict(f) for f in ledger.facts],
    }


def read_ledger(data: dict[str, Any]) -> Ledger:
    """The fact ledger facts.json holds; Malformed for data that is not a ledger."""
    facts = data.get("facts")
    if not isinstance(facts, list):
        raise Malformed(f'"facts" is {_json_kind(facts)}, not a list')
    through = typed(data, "through_turn", int)
    if through < -1:
        raise Malformed('"through_turn" is below -1')
    return Ledger([_fact(f) for f in facts], through, count(data, "scheme", 1))


def _fact(data: object) -> Fact:
    f = record(data)
    replaced_by = f.get("replaced_by")
    return Fact(
        id=count(f, "id"),
        turn=count(f, "turn"),
        subject=typed(f, "subject", str),
        text=typed(f, "text", str),
        kind=typed(f, "kind", str),
        replaced_by=None if replaced_by is None else count(f, "replaced_by"),
        forgotten=typed(f, "forgotten", bool, False),
    )


def _json_kind(value: object) -> str:
    """What a JSON value is, in words: "a string", "null", "a number too large"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, float):
        return "a number too large" if value in (float("inf"), float("-inf")) else "a fraction"
    names = {int: "a whole number", str: "a string", list: "a list", dict: "an object"}
    return names.get(type(value), "a value")
