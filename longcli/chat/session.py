"""A chat session directory on disk: metadata, journal, memory state, document passages, lock.

    meta.json      format_version, created, model, system prompt, indexed files  (atomic)
    journal.jsonl  one line per completed exchange, appended and fsynced, never rewritten;
                   the model's words and longcli's note apart ("v": 2, see records.py)
    state.json     running summary, window start, counters                       (atomic)
    docs.jsonl     passages of documents added with --file, for recall           (atomic)
    facts.json     the fact ledger: what the user stated, in their words         (atomic)
    lock           held (flock) by the one process that may write
    history        the REPL's readline history
    kv-state.*     the model's KV cache and its fingerprint (kvstate.py)
    vectors.bin    the embedding model's vectors of the texts the last run compared (vectors.py)

No file in the directory is ever a symbolic link: every one is opened, created and
replaced through storage.py's no-follow functions, and a session holding a link under one
of these names is refused when it opens (see storage.py, "Files longcli keeps").

The window of recent exchanges is not stored: it is the journal from `window_start` on,
so a crash between appending a turn and saving the state loses nothing. The same holds for
the ledger: it records the last journal turn it has read, and the turns after it are read
again when the session opens.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from longcli import faults
from longcli.chat.exchange import Exchange, FoldState
from longcli.chat.facts import LEDGER_SCHEME, Ledger
from longcli.chat.kvstate import FINGERPRINT_FILE as KV_FINGERPRINT_FILE
from longcli.chat.kvstate import STATE_FILE as KV_STATE_FILE
from longcli.chat.records import (
    FORMAT_VERSION,
    JOURNAL_VERSION,
    Malformed,
    Meta,
    NewerRecord,
    Passage,
    ledger_record,
    read_exchange,
    read_ledger,
    read_meta,
    read_passage,
    read_state,
    record,
    version_of,
)
from longcli.chat.vectors import VECTORS_FILE
from longcli.errors import OutputError, SessionError, SessionLockedError
from longcli.storage import (
    ensure_private_dir,
    open_nofollow,
    read_nofollow,
    refuse_links,
    write_failed,
    write_nofollow,
)

T = TypeVar("T")
META, JOURNAL, STATE, DOCS, FACTS, LOCK, HISTORY = (
    "meta.json",
    "journal.jsonl",
    "state.json",
    "docs.jsonl",
    "facts.json",
    "lock",
    "history",
)
# Every name longcli reads or writes in a session directory (besides its temp files).
SESSION_FILES = (
    META,
    JOURNAL,
    STATE,
    DOCS,
    FACTS,
    LOCK,
    HISTORY,
    KV_STATE_FILE,
    KV_FINGERPRINT_FILE,
    VECTORS_FILE,
)


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
            if self.path.is_symlink():  # creating it would make a directory elsewhere
                raise SessionError(
                    f"{self.path} is a symbolic link to {os.readlink(self.path)}, which does "
                    "not exist; longcli does not create a session through a link"
                ) from None
            if not create:
                raise SessionError(f"no session at {self.path}") from None
            ensure_private_dir(self.path)
            return
        if not stat.S_ISDIR(st.st_mode):
            raise SessionError(f"{self.path} is a file, not a session directory")
        refuse_links(self.path, SESSION_FILES)
        if not (self.path / META).exists() and not _only_our_leftovers(self.path):
            raise SessionError(
                f"{self.path} is not empty and is not a longcli session; "
                "choose a new or empty directory"
            )
        if not (self.path / META).exists() and not create:
            raise SessionError(f"no session at {self.path}")

    def _lock(self) -> None:
        fd = self._writing(LOCK, lambda: open_nofollow(self.path / LOCK, os.O_RDWR | os.O_CREAT))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise SessionLockedError(
                f"session {self.path} is in use by another longcli process"
            ) from None
        self._lock_fd = fd

    # -- metadata -----------------------------------------------------------------------

    def _read(self, name: str) -> bytes | None:
        """A file of the session, never through a link; None when there is none."""
        try:
            return read_nofollow(self.path / name)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SessionError(f"cannot read {self.path / name}: {exc.strerror}") from None

    def _read_json(self, name: str) -> dict[str, Any] | None:
        raw = self._read(name)
        if raw is None:
            return None
        try:
            data = record(json.loads(raw))
        except (ValueError, RecursionError):  # not UTF-8, not JSON, nested too deep
            raise SessionError(
                f"{self.path / name} is corrupt (not a JSON object); it was left untouched"
            ) from None
        try:
            version_of(data, "format_version", FORMAT_VERSION)
        except Malformed as exc:
            raise self._corrupt(name, exc) from None
        except NewerRecord as exc:
            raise SessionError(
                f"{self.path / name} was written by a newer longcli (format {exc.version}, "
                f"this one reads up to {FORMAT_VERSION}); upgrade longcli to use it"
            ) from None
        return data

    def _parsed(self, name: str, read: Callable[[dict[str, Any]], T], empty: T) -> T:
        """A JSON file of the session read into its value; `empty` when there is none."""
        data = self._read_json(name)
        if data is None:
            return empty
        try:
            return read(data)
        except Malformed as exc:
            raise self._corrupt(name, exc) from None

    def _corrupt(self, name: str, why: Malformed) -> SessionError:
        return SessionError(f"{self.path / name} is corrupt ({why}); it was left untouched")

    def _writing(self, name: str, write: Callable[[], T]) -> T:
        """Run a write of the session's file `name`, its failure said in one line naming
        that file (not a temp file beside it)."""
        try:
            return write()
        except OSError as exc:
            message = f"cannot write {self.path / name}: {exc.strerror or exc}"
            if write_failed(exc):  # the disk, not the session: a runtime failure
                raise OutputError(message) from None
            raise SessionError(message) from None

    def _replace(self, name: str, text: str) -> None:
        data = text.encode("utf-8")
        self._writing(name, lambda: write_nofollow(self.path / name, data))

    def _load_meta(self, create: bool) -> Meta:
        meta = self._parsed(META, read_meta, None)
        if meta is None:
            meta = Meta(created=_now())
            if self.writable:
                self.save_meta(meta)
        return meta

    def save_meta(self, meta: Meta) -> None:
        self._require_writable()
        self._replace(META, json.dumps(asdict(meta), indent=2) + "\n")
        self.meta = meta

    def _require_writable(self) -> None:
        if not self.writable or self._lock_fd is None:
            raise RuntimeError("session opened read-only")

    # -- state --------------------------------------------------------------------------

    def load_state(self) -> FoldState:
        return self._parsed(STATE, read_state, FoldState())

    def save_state(self, state: FoldState) -> None:
        self._require_writable()
        data = {"format_version": FORMAT_VERSION, "updated": _now(), **asdict(state)}
        self._replace(STATE, json.dumps(data, ensure_ascii=False, indent=1))

    # -- fact ledger --------------------------------------------------------------------

    def load_ledger(self) -> Ledger:
        return self._parsed(FACTS, read_ledger, Ledger())

    def caught_up_ledger(self, exchanges: list[Exchange]) -> tuple[Ledger, bool]:
        """The fact ledger with the journal turns it has not read yet (stored before a
        crash, or by an older version) read into it; and whether there were any."""
        ledger = self.load_ledger()
        if ledger.scheme < LEDGER_SCHEME:  # read by an older way: read the journal again
            return ledger.rebuilt((e.n, e.user) for e in exchanges), True
        return ledger, ledger.catch_up((e.n, e.user) for e in exchanges)

    def save_ledger(self, ledger: Ledger) -> None:
        self._require_writable()
        data = {"format_version": FORMAT_VERSION, **ledger_record(ledger)}
        self._replace(FACTS, json.dumps(data, ensure_ascii=False, indent=1))

    # -- journal ------------------------------------------------------------------------

    def load_journal(self) -> list[Exchange]:
        """Every completed exchange. A torn last line (a crash mid-write) is ignored.

        Only a last line without its newline that is the start of a record and not JSON
        counts as torn (it is cut off by the next append); any other line that is not a
        record is refused with its number, and the journal is left as it is.
        """
        path = self.path / JOURNAL
        raw = self._read(JOURNAL)
        if raw is None:
            return []
        exchanges: list[Exchange] = []
        offset = 0
        lines = raw.split(b"\n")
        for number, line in enumerate(lines, 1):
            if not line.strip():
                offset += len(line) + 1
                continue
            try:
                data = json.loads(line)
            except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, too deep
                if number == len(lines) and line.startswith(b'{"'):  # died mid-write
                    self._torn_tail_at = offset
                    self.warnings.append(
                        f"{path}: ignored an incomplete last line (an interrupted write)"
                    )
                    break
                why = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not JSON"
                raise self._bad_line(number, why) from None
            try:
                exchange = read_exchange(data, exchanges)
            except Malformed as exc:
                raise self._bad_line(number, str(exc)) from None
            except NewerRecord as exc:  # never taken for a torn line and cut off
                raise SessionError(
                    f"{path}, line {number} was written by a newer longcli (version "
                    f"{exc.version}, this one reads up to {JOURNAL_VERSION}); upgrade longcli "
                    "to use this session"
                ) from None
            exchanges.append(exchange)
            offset += len(line) + 1
        # A complete record cut just before its newline: the next append must start a line.
        self._missing_newline = bool(raw) and not raw.endswith(b"\n") and self._torn_tail_at is None
        return exchanges

    def _bad_line(self, number: int, why: str) -> SessionError:
        return SessionError(
            f"{self.path / JOURNAL}, line {number} is corrupt ({why}); "
            "the session was left untouched"
        )

    def append_exchange(self, exchange: Exchange) -> None:
        """Append one exchange as one line, durably, before anything else is updated."""
        self._require_writable()
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
        self._writing(JOURNAL, lambda: self._append(line))

    def _append(self, line: str) -> None:
        fd = open_nofollow(self.path / JOURNAL, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
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
        raw = self._read(DOCS)
        passages = []
        # Split on newlines only: json.dumps leaves U+2028 and other line breaks in a text.
        for number, line in enumerate((raw or b"").split(b"\n"), 1):
            if not line.strip():
                continue
            try:
                passages.append(read_passage(json.loads(line)))
            except (ValueError, RecursionError) as exc:  # Malformed is a ValueError
                why = f" ({exc})" if isinstance(exc, Malformed) else " (not JSON)"
                raise SessionError(
                    f"{self.path / DOCS}, line {number} is corrupt{why}; left untouched"
                ) from None
        return passages

    def save_passages(self, passages: list[Passage]) -> None:
        self._require_writable()
        self._replace(
            DOCS, "".join(json.dumps(asdict(p), ensure_ascii=False) + "\n" for p in passages)
        )

    # -- reset --------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget the conversation: journal, state, facts and documents. Keeps the system
        prompt."""
        self._require_writable()
        for name in (STATE, DOCS, FACTS, JOURNAL, HISTORY, KV_STATE_FILE, KV_FINGERPRINT_FILE,
                     VECTORS_FILE):  # fmt: skip
            # unlink removes a link itself, never its target
            self._writing(name, functools.partial((self.path / name).unlink, missing_ok=True))
        self._torn_tail_at = None
        m = self.meta
        kept = Meta(created=m.created, model=m.model, system=m.system)
        kept.language_advised = m.language_advised  # advice about the model, not the talk
        self.save_meta(kept)

    @property
    def history_path(self) -> Path:
        return self.path / HISTORY


def _only_our_leftovers(path: Path) -> bool:
    """True for an empty directory, or one a crash left with just our lock or temp files."""
    return all(p.name == LOCK or p.name.endswith(".tmp") for p in path.iterdir())


SESSIONS_DIR_NAME = "sessions"
_BARE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def sessions_dir() -> Path:
    from longcli.places import data_dir

    return data_dir() / SESSIONS_DIR_NAME


def resolve_session_path(spec: str) -> Path:
    """A --memory value: a path as given, or a bare name for a session in the data dir.

    A bare name is letters, digits, '.', '_' and '-' with no '/', and is nothing here: not
    a file, a directory or a symbolic link, dangling or not; anything else is a path.
    """
    if _BARE_NAME.fullmatch(spec) and spec not in (".", "..") and not os.path.lexists(spec):
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
        changed = max((p.lstat().st_mtime for p in path.iterdir()), default=0.0)
        updated = dt.datetime.fromtimestamp(changed, dt.UTC).isoformat(timespec="seconds")
        rows.append(SessionRow(path.name, str(path), updated, turns, chars, error))
    return rows


def remove_session(path: Path) -> None:
    """Delete a session directory, once no other process is using it. A session reached
    through a symbolic link is refused: deleting through it would surprise, and deleting
    only the link would leave the turns behind while saying they were deleted."""
    import shutil

    if path.is_symlink():
        raise SessionError(
            f"{path} is a symbolic link to {os.readlink(path)}; memory rm does not delete "
            "through a link",
            hint="give the session directory itself, or remove the link with rm",
        )
    with Session.open(path, create=False, writable=True):
        pass  # proves it is a session and not in use; the lock goes with the directory
    try:
        shutil.rmtree(path)
    except OSError as exc:
        where = exc.filename or path
        raise SessionError(f"cannot delete {where}: {exc.strerror or exc}") from None
