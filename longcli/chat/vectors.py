"""The embedding model's vectors of a session's texts, kept in its directory, so that a
new `longcli chat` process does not embed every statement again.

With an embedding model, each question is compared with every statement the user made
(each of its pieces, as said and with its names left out: chat/meaning.py). In the REPL
each text is embedded once (backends/embedding.py's Memo); a one-shot `longcli chat
--memory DIR "..."` is a new process each time, and embedded them all again: with 300
statements a turn took 7.6-8.0 s on two busy cores, with 1,000 21-23 s (1.6-1.9 s with
the file). So the vectors a
process used are kept in `vectors.bin`, and the next process starts from them.

    vectors.bin   a JSON header line {"format", "model", "dims", "count"}, then `count`
                  keys (16 bytes of each text's SHA-256: never the text), then `count`
                  rows of `dims` little-endian float32

Only what the process asked for is written back, so a statement the user forgot (and
the questions of earlier turns) leave the file at the next turn. The file is a speed-up
only: another model (its file name, size and time), another format, a torn or oversized
file is set aside and everything is embedded again; never a wrong vector. It is read and
written through storage.py's no-follow functions, as every file in a session directory.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from longcli.backends.embedding import KEY_BYTES, MEMO_TEXTS, Memo
from longcli.storage import open_nofollow, refuse_link, write_nofollow

VECTORS_FILE = "vectors.bin"
VECTORS_FORMAT = 1
MAX_DIMS = 8192  # an embedding model's width; a header saying more is not believed
HEADER_BYTES = 4096  # the header line is read from this much of the file's start


def model_identity(path: Path) -> str:
    """What the vectors depend on: the embedding model file, by name, size and time."""
    st = path.stat()
    return f"{path.name}:{st.st_size}:{st.st_mtime_ns}"


def load(memo: Memo, directory: Path, model: str) -> str:
    """Put the vectors kept in `directory` for `model` into `memo`; "" when they were,
    else why not (said under -v: the chat embeds them again). Its header is read first,
    and the rest only when the file is exactly as long as the header says: a file planted
    in a session from elsewhere is never read whole for nothing."""
    path = directory / VECTORS_FILE
    try:
        refuse_link(path)
        fd = open_nofollow(path, os.O_RDONLY)
    except FileNotFoundError:
        return "no vectors kept yet"
    except OSError as exc:
        return f"vectors unreadable ({exc.strerror or exc})"
    with os.fdopen(fd, "rb") as f:
        try:
            size = os.fstat(f.fileno()).st_size
            head = f.read(HEADER_BYTES)
            end = head.find(b"\n")
            header = _header(head[:end]) if end > 0 else None
            if header is None:
                return "vectors of an unknown format"
            if header["model"] != model:
                return "vectors of another embedding model"
            count, dims = header["count"], header["dims"]
            if size != end + 1 + count * (KEY_BYTES + 4 * dims):
                return "vectors file torn"
            f.seek(end + 1)
            body = f.read()
        except OSError as exc:
            return f"vectors unreadable ({exc.strerror or exc})"
    keys = [body[i * KEY_BYTES : (i + 1) * KEY_BYTES] for i in range(count)]
    rows = np.frombuffer(body, dtype="<f4", offset=count * KEY_BYTES).reshape(count, dims)
    memo.preload(keys, rows.astype(np.float32))
    return ""


def _header(line: bytes) -> dict[str, Any] | None:
    """The header line's fields when it is one of this format, within bounds; else None."""
    try:
        header = json.loads(line)
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("format") != VECTORS_FORMAT:
        return None
    count, dims = header.get("count"), header.get("dims")
    if not (
        isinstance(count, int) and isinstance(dims, int) and isinstance(header.get("model"), str)
    ):
        return None
    if not (0 <= count <= MEMO_TEXTS and 0 < dims <= MAX_DIMS):
        return None
    return header


def save(memo: Memo, directory: Path, model: str) -> int:
    """Keep the vectors `memo` gave in this process in `directory` (atomically); returns
    how many. Nothing is written when it embedded nothing new and gave what it loaded."""
    keys, rows = memo.used()
    if rows is None:
        return 0
    if memo.computed == 0 and frozenset(keys) == memo.loaded:
        return len(keys)  # the file holds these already
    header = {"format": VECTORS_FORMAT, "model": model, "dims": rows.shape[1], "count": len(keys)}
    data = b"".join(
        [
            json.dumps(header).encode() + b"\n",
            *keys,
            np.ascontiguousarray(rows, dtype="<f4").tobytes(),
        ]
    )
    write_nofollow(directory / VECTORS_FILE, data)
    return len(keys)
