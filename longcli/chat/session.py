"""A chat session directory on disk: metadata, journal, memory state, document passages, lock.

    meta.json      format_version, created, model, system prompt, indexed files  (atomic)
    journal.jsonl  one line per completed exchange, appended and fsynced, never rewritten;
                   the model's words and longcli's note apart ("v": 2, see _exchange)
    state.json     running summary, window start, counters                       (atomic)
    docs.jsonl     passages of documents added with --file, for recall           (atomic)
    facts.json     the fact ledger: what the user stated, in their words         (atomic)
    lock           held (flock) by the one process that may write

The window of recent exchanges is not stored: it is the journal from `window_start` on,
so a crash between appending a turn and saving the state loses nothing. The same holds for
the ledger: it records the last journal turn it has read, and the turns after it are read
again when the session opens.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from longcli import faults
from longcli.chat.facts import LEDGER_SCHEME, Ledger
from longcli.chat.kvstate import FINGERPRINT_FILE as KV_FINGERPRINT_FILE
from longcli.chat.kvstate import STATE_FILE as KV_STATE_FILE
from longcli.chat.labels import split_labels
from longcli.chat.memory import MODEL, Exchange, MemoryState
from longcli.errors import SessionError, SessionLockedError
from longcli.storage import (
    PRIVATE_FILE_MODE,
    atomic_write_text,
    ensure_private_dir,
)

FORMAT_VERSION = 1
# Journal lines: 1 had the reply as one text; 2 keeps the model's words ("assistant",
# "by") apart from what longcli added ("note"). Lines of both versions are read.
JOURNAL_VERSION = 2
META, JOURNAL, STATE, DOCS, FACTS, LOCK, HISTORY = (
    "meta.json",
    "journal.jsonl",
    "state.json",
    "docs.jsonl",
    "facts.json",
    "lock",
    "history",
)


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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Session:
    """An open session directory. Use `Session.open(...)` as a context manager to write."""

    def __init__(self, path: Path, writable: bool) -> None:
        self.path = path
        self.writable = writable
        self._lock_fd: int | None = None
        self.warnings: list[str] = []
        self._torn_tail_at: int | None = None
        self._missing_newline = False

    # -- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, create: bool, writable: bool) -> Session:
        session = cls(path, writable)
        session._check_directory(create)
        if writable:
            session._lock()
        try:
            session.meta = session._load_meta(create)
        except BaseException:
            session.close()
            raise
        return session

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                os.close(self._lock_fd)
            self._lock_fd = None

    def _check_directory(self, create: bool) -> None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            if not create:
                raise SessionError(f"no session at {self.path}") from None
            ensure_private_dir(self.path)
            return
        if not stat.S_ISDIR(st.st_mode):
            raise SessionError(f"{self.path} is a file, not a session directory")
        if not (self.path / META).exists() and not _only_our_leftovers(self.path):
            raise SessionError(
                f"{self.path} is not empty and is not a longcli session; "
                "choose a new or empty directory"
            )
        if not (self.path / META).exists() and not create:
            raise SessionError(f"no session at {self.path}")

    def _lock(self) -> None:
        fd = os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise SessionLockedError(
                f"session {self.path} is in use by another longcli process"
            ) from None
        self._lock_fd = fd

    # -- metadata -----------------------------------------------------------------------

    def _read_json(self, name: str) -> dict[str, Any] | None:
        try:
            text = (self.path / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise SessionError(f"cannot read {self.path / name}: {exc}") from None
        try:
            data = json.loads(text)
        except ValueError:
            raise SessionError(
                f"{self.path / name} is corrupt (not JSON); it was left untouched"
            ) from None
        if not isinstance(data, dict):
            raise SessionError(f"{self.path / name} is corrupt; it was left untouched")
        version = data.get("format_version")
        if not isinstance(version, int):
            raise SessionError(f"{self.path / name} has no format version; left untouched")
        if version > FORMAT_VERSION:
            raise SessionError(
                f"{self.path / name} was written by a newer longcli (format {version}, "
                f"this one reads up to {FORMAT_VERSION}); upgrade longcli to use it"
            )
        return data

    def _load_meta(self, create: bool) -> Meta:
        data = self._read_json(META)
        if data is None:
            meta = Meta(created=_now())
            if self.writable:
                self.save_meta(meta)
            return meta
        try:
            return Meta(
                format_version=int(data["format_version"]),
                created=str(data.get("created", "")),
                model=str(data.get("model", "")),
                system=data.get("system"),
                files={str(k): str(v) for k, v in (data.get("files") or {}).items()},
            )
        except (KeyError, TypeError, ValueError):
            raise SessionError(f"{self.path / META} is corrupt; it was left untouched") from None

    def save_meta(self, meta: Meta) -> None:
        self._require_writable()
        self.meta = meta
        atomic_write_text(self.path / META, json.dumps(asdict(meta), indent=2) + "\n")

    def _require_writable(self) -> None:
        if not self.writable or self._lock_fd is None:
            raise RuntimeError("session opened read-only")

    # -- state --------------------------------------------------------------------------

    def load_state(self) -> MemoryState:
        data = self._read_json(STATE)
        if data is None:
            return MemoryState()
        try:
            return MemoryState(
                summary=str(data["summary"]),
                window_start=int(data["window_start"]),
                folds=int(data.get("folds", 0)),
                turns=int(data.get("turns", 0)),
            )
        except (KeyError, TypeError, ValueError):
            raise SessionError(f"{self.path / STATE} is corrupt; it was left untouched") from None

    def save_state(self, state: MemoryState) -> None:
        self._require_writable()
        data = {"format_version": FORMAT_VERSION, "updated": _now(), **asdict(state)}
        atomic_write_text(self.path / STATE, json.dumps(data, ensure_ascii=False, indent=1))

    # -- fact ledger --------------------------------------------------------------------

    def load_ledger(self) -> Ledger:
        data = self._read_json(FACTS)
        if data is None:
            return Ledger()
        try:
            return Ledger.from_json(data)
        except (KeyError, TypeError, ValueError):
            raise SessionError(f"{self.path / FACTS} is corrupt; it was left untouched") from None

    def caught_up_ledger(self, exchanges: list[Exchange]) -> tuple[Ledger, bool]:
        """The fact ledger with the journal turns it has not read yet (stored before a
        crash, or by an older version) read into it; and whether there were any."""
        ledger = self.load_ledger()
        if ledger.scheme < LEDGER_SCHEME:  # read by an older way: read the journal again
            return ledger.rebuilt((e.n, e.user) for e in exchanges), True
        return ledger, ledger.catch_up((e.n, e.user) for e in exchanges)

    def save_ledger(self, ledger: Ledger) -> None:
        self._require_writable()
        data = {"format_version": FORMAT_VERSION, **ledger.to_json()}
        atomic_write_text(self.path / FACTS, json.dumps(data, ensure_ascii=False, indent=1))

    # -- journal ------------------------------------------------------------------------

    def load_journal(self) -> list[Exchange]:
        """Every completed exchange. A torn last line (a crash mid-write) is ignored."""
        path = self.path / JOURNAL
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise SessionError(f"cannot read {path}: {exc.strerror}") from None
        exchanges: list[Exchange] = []
        offset = 0
        lines = raw.split(b"\n")
        for number, line in enumerate(lines, 1):
            last = number == len(lines)
            if not line.strip():
                offset += len(line) + 1
                continue
            try:
                data = json.loads(line)
                exchange = _exchange(data, exchanges)
            except (ValueError, KeyError, TypeError):
                if last:  # written without its newline: the process died mid-write
                    self._torn_tail_at = offset
                    self.warnings.append(
                        f"{path}: ignored an incomplete last line (an interrupted write)"
                    )
                    break
                raise SessionError(
                    f"{path}, line {number} is corrupt; the session was left untouched"
                ) from None
            exchanges.append(exchange)
            offset += len(line) + 1
        # A complete record cut just before its newline: the next append must start a line.
        self._missing_newline = bool(raw) and not raw.endswith(b"\n") and self._torn_tail_at is None
        return exchanges

    def append_exchange(self, exchange: Exchange) -> None:
        """Append one exchange as one line, durably, before anything else is updated."""
        self._require_writable()
        path = self.path / JOURNAL
        record = {
            "v": JOURNAL_VERSION,
            "user": exchange.user,
            "assistant": exchange.assistant,
            "by": exchange.by,
            "note": exchange.note,
            "tokens": exchange.tokens,
            "ts": _now(),
        }
        line = json.dumps(record, ensure_ascii=False)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
        try:
            if self._torn_tail_at is not None:
                os.ftruncate(fd, self._torn_tail_at)
                self._torn_tail_at = None
            prefix = "\n" if self._missing_newline else ""
            data = (prefix + line + "\n").encode("utf-8")
            if faults.wanted("journal"):  # the kill harness tears the line on purpose
                os.write(fd, data[: len(data) // 2])
                faults.pause("journal")
                data = data[len(data) // 2 :]
            os.write(fd, data)
            self._missing_newline = False
            os.fsync(fd)
        finally:
            os.close(fd)

    # -- documents ----------------------------------------------------------------------

    def load_passages(self) -> list[Passage]:
        path = self.path / DOCS
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise SessionError(f"cannot read {path}: {exc}") from None
        passages = []
        for number, line in enumerate(lines, 1):
            try:
                d = json.loads(line)
                passages.append(
                    Passage(
                        str(d["source"]),
                        int(d["start"]),
                        int(d["end"]),
                        str(d["text"]),
                        str(d.get("where", "")),
                    )
                )
            except (ValueError, KeyError, TypeError):
                raise SessionError(f"{path}, line {number} is corrupt; left untouched") from None
        return passages

    def save_passages(self, passages: list[Passage]) -> None:
        self._require_writable()
        text = "".join(json.dumps(asdict(p), ensure_ascii=False) + "\n" for p in passages)
        atomic_write_text(self.path / DOCS, text)

    # -- reset --------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget the conversation: journal, state, facts and documents. Keeps the system
        prompt."""
        self._require_writable()
        for name in (STATE, DOCS, FACTS, JOURNAL, HISTORY, KV_STATE_FILE, KV_FINGERPRINT_FILE):
            with contextlib.suppress(FileNotFoundError):
                (self.path / name).unlink()
        self._torn_tail_at = None
        self.save_meta(
            Meta(created=self.meta.created, model=self.meta.model, system=self.meta.system)
        )

    @property
    def history_path(self) -> Path:
        return self.path / HISTORY


def _exchange(data: dict[str, Any], before: list[Exchange]) -> Exchange:
    """One journal line as an exchange. A line without "v" (version 1) kept longcli's quote
    of the user's words inside the reply: it is split off into the note when those words
    were said at that turn, and left out of what the model is shown when they were not (a
    label the model forged)."""
    version = int(data.get("v", 1))
    if version > JOURNAL_VERSION:  # never taken for a torn line and cut off
        raise SessionError(
            f"the journal has a line written by a newer longcli (version {version}, this one "
            f"reads up to {JOURNAL_VERSION}); upgrade longcli to use this session"
        )
    user, assistant = str(data["user"]), str(data["assistant"])
    note, by = str(data.get("note", "")), str(data.get("by", MODEL))
    if version == 1:
        said = [e.user for e in before] + [user]
        assistant, labels = split_labels(assistant, said)
        note = "\n\n".join(labels)
    return Exchange(len(before), user, assistant, int(data.get("tokens", 0)), note, by)


def _only_our_leftovers(path: Path) -> bool:
    """True for an empty directory, or one a crash left with just our lock or temp files."""
    return all(p.name == LOCK or p.name.endswith(".tmp") for p in path.iterdir())


SESSIONS_DIR_NAME = "sessions"
_BARE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def sessions_dir() -> Path:
    from longcli.config import data_dir

    return data_dir() / SESSIONS_DIR_NAME


def resolve_session_path(spec: str) -> Path:
    """A --memory value: a path as given, or a bare name for a session in the data dir.

    A bare name is letters, digits, '.', '_' and '-' with no '/', and is not an existing
    file or directory here; anything else is taken as a path.
    """
    if _BARE_NAME.fullmatch(spec) and spec not in (".", "..") and not Path(spec).exists():
        return sessions_dir() / spec
    return Path(spec).expanduser()


@dataclass(frozen=True)
class SessionRow:
    """One named session as `memory list` shows it; `error` when it cannot be read."""

    name: str
    path: str
    updated: str  # last change, ISO 8601 UTC
    turns: int | None = None
    summary_chars: int | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "path": self.path}
        if self.error is None:
            data |= {"turns": self.turns, "summary_chars": self.summary_chars}
        else:
            data["error"] = self.error
        return data | {"updated": self.updated}


def list_sessions() -> list[SessionRow]:
    """Named sessions in the data dir: name, turns, last change; never takes a lock."""
    base = sessions_dir()
    rows: list[SessionRow] = []
    if not base.is_dir():
        return rows
    for path in sorted(p for p in base.iterdir() if (p / META).is_file()):
        turns = chars = error = None
        try:
            with Session.open(path, create=False, writable=False) as session:
                turns = len(session.load_journal())
                chars = len(session.load_state().summary)
        except SessionError as exc:
            error = exc.message
        changed = max((p.stat().st_mtime for p in path.iterdir()), default=0.0)
        updated = dt.datetime.fromtimestamp(changed, dt.UTC).isoformat(timespec="seconds")
        rows.append(SessionRow(path.name, str(path), updated, turns, chars, error))
    return rows


def remove_session(path: Path) -> None:
    """Delete a session directory, once no other process is using it."""
    import shutil

    with Session.open(path, create=False, writable=True):
        pass  # proves it is a session and not in use; the lock goes with the directory
    shutil.rmtree(path)
