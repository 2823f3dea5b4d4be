"""Small, careful file-system helpers: atomic writes, private directories, user outputs,
and the one rule for files inside a session directory (see "Files longcli keeps")."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from longcli import faults
from longcli.errors import SessionError

T = TypeVar("T")

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
NEW_FILE_MODE = 0o666  # before the umask, as open(2) and the shell's `>` create files
# The bytes could not be stored (as opposed to the path being refused): a full disk or
# quota, a failing device, a file too big, a FIFO whose reader went away.
WRITE_FAILED_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EPIPE})


def ensure_private_dir(path: Path) -> Path:
    """Create a directory, and any missing parents, readable by the user only.

    (Path.mkdir(parents=True, mode=...) would give the parents default permissions.)
    """
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first
            directory.mkdir(mode=PRIVATE_DIR_MODE)
    return path


def atomic_write_bytes(path: Path, data: bytes, mode: int = PRIVATE_FILE_MODE) -> None:
    """Write a whole file so readers see the old or the new content, never a mix."""

    def fill(fd: int, tmp: Path) -> None:
        with os.fdopen(fd, "wb", closefd=False) as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        faults.pause("replace")

    _replace_with(path, fill)


def _replace_with(path: Path, fill: Callable[[int, Path], T]) -> T:
    """Replace `path` with a temp file beside it that `fill` writes (given its descriptor
    and path, and leaving it synced), then sync the directory. The temp file is made by
    mkstemp (O_CREAT | O_EXCL: never through a link) and goes on any failure."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        try:
            result = fill(fd, tmp)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
    return result


def read_json_object(path: Path) -> dict[str, Any]:
    """A small JSON file holding an object; {} when it is missing, unreadable or not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def atomic_write_text(path: Path, text: str, mode: int = PRIVATE_FILE_MODE) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def umask_file_mode() -> int:
    """The mode the umask gives a new file; call it before starting threads that create files."""
    umask = os.umask(0)  # the only way to read it portably; set back at once
    os.umask(umask)
    return NEW_FILE_MODE & ~umask


def same_file(a: Path | int, b: Path | int) -> bool:
    """Whether two paths (or open descriptors) are one file: same device and inode."""
    first, second = _identity(a), _identity(b)
    return first is not None and first == second


def overwrites_input(output: Path, inputs: Iterable[Path | int]) -> bool:
    """Whether writing `output` would replace one of `inputs` (paths or open descriptors).

    Only a regular file can be replaced: a device or FIFO is written into, and may well be
    read and written at once (a terminal on stdin and stdout), as coreutils' sort allows.
    """
    try:
        st = os.stat(output)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and any(same_file(output, i) for i in inputs)


def write_output(path: Path, text: str, new_file_mode: int) -> None:
    """Write a file the user named, as coreutils' `sort -o` and `cp` do.

    A character or block device, FIFO or socket is opened and written into, never replaced.
    A symlink is followed to its final target, which is replaced atomically (the link stays).
    A regular file is replaced atomically, keeping its permission bits; one the user may not
    write is refused, as `>` would. A new file gets `new_file_mode`. Raises OSError, and a
    file that was there is then left as it was.
    """
    data = text.encode("utf-8")
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        st = os.stat(target)
    except FileNotFoundError:
        atomic_write_bytes(target, data, new_file_mode)
        return
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(st.st_mode):
        _write_into(target, data)
        return
    if not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    atomic_write_bytes(target, data, st.st_mode & 0o777)  # never set-id bits onto new text


def write_failed(exc: OSError) -> bool:
    """Whether the bytes could not be stored (disk full, I/O error, reader gone), not the path."""
    return exc.errno in WRITE_FAILED_ERRNOS


def _write_into(path: Path, data: bytes) -> None:
    """Write into a device, FIFO or socket in place (a FIFO waits here for its reader)."""
    # No O_CREAT and no O_TRUNC: the node is the user's and is never made or emptied here.
    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _identity(file: Path | int) -> tuple[int, int] | None:
    try:
        st = os.stat(file)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- Files longcli keeps: one rule for every file inside a session directory -------------
#
# A session directory may come from an archive or a repository, so any name in it may be
# a symbolic link planted to reach ~/.bashrc. Every file longcli reads or writes there
# (journal, lock, state, meta, facts, docs, KV state, readline history, the temp files of
# atomic writes) goes through these functions: opened with O_NOFOLLOW, created with
# O_EXCL, replaced with os.replace (which replaces a name, never a link's target), and a
# name that is a link, or not a regular file, or a file with another name (a hard link), is
# refused with one line before anything is read or written. So nothing outside the
# directory is ever created, truncated or re-moded. Only the directory itself may be a
# link: the user named it.


def link_refusal(path: Path) -> SessionError:
    return SessionError(
        f"{path} is a symbolic link; longcli does not follow links in a session directory"
    )


def refuse_link(path: Path) -> None:
    """Raise SessionError when `path` is a symbolic link, dangling or not."""
    if path.is_symlink():
        raise link_refusal(path)


def refuse_links(directory: Path, names: Iterable[str]) -> None:
    """Refuse a directory in which any of `names` is a symbolic link or not a regular file."""
    for name in names:
        path = directory / name
        try:
            st = path.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(st.st_mode):
            raise link_refusal(path)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(path)
        if st.st_nlink > 1:  # another name for the same file, perhaps outside the directory
            raise SessionError(
                f"{path} has another name (a hard link); longcli writes only files of its "
                "own in a session directory",
                hint="copy the session with `cp -a`, not `cp -al` or `ln`",
            )


def open_nofollow(path: Path, flags: int, mode: int = PRIVATE_FILE_MODE) -> int:
    """os.open for a file longcli keeps: never through a link, and only a regular file.

    O_NONBLOCK keeps a FIFO planted under the name from blocking the open; it is cleared
    once the file is known to be a regular one.
    """
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, mode)
    except OSError:
        if path.is_symlink():  # ELOOP on Linux and macOS, EMLINK on FreeBSD
            raise link_refusal(path) from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _not_regular(path)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_nofollow(path: Path) -> bytes:
    """The whole of a file longcli keeps (FileNotFoundError when there is none)."""
    with os.fdopen(open_nofollow(path, os.O_RDONLY), "rb") as f:
        return f.read()


def write_nofollow(path: Path, data: bytes) -> None:
    """Replace a file longcli keeps atomically, private; a name that is a link is refused."""
    refuse_link(path)
    atomic_write_bytes(path, data, PRIVATE_FILE_MODE)


def replace_nofollow(path: Path, write: Callable[[Path], T]) -> T:
    """Replace a file longcli keeps with what `write` puts in a fresh private temp file
    beside it (for writers that take a path: llama.cpp's state file, readline's history),
    so `write` only ever opens a regular file longcli just created."""
    refuse_link(path)

    def fill(_: int, tmp: Path) -> T:
        result = write(tmp)
        # The writer may have renamed its own temp over ours (readline does): still never
        # a link, and private whatever mode it was given.
        fd = open_nofollow(tmp, os.O_RDONLY)
        try:
            os.fchmod(fd, PRIVATE_FILE_MODE)
            os.fsync(fd)
        finally:
            os.close(fd)
        return result

    return _replace_with(path, fill)


def _not_regular(path: Path) -> SessionError:
    return SessionError(
        f"{path} is not a regular file; longcli keeps only regular files in a session directory"
    )
