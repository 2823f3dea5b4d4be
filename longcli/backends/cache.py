"""A content-addressed cache of finished model calls, so interrupted runs resume.

The key is a hash of the model's identity, the exact prompt and the sampling settings:
the same call always gets the same answer back, and anything that changes the answer
changes the key. Entries are written atomically, so a crash or a second process never
leaves a half-written entry; an unreadable entry is treated as a miss. A cache that cannot
be written (its directory a file, read-only, a full disk) costs only the resume: one
warning naming it and --no-cache, and the run goes on with the answers it has.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from pathlib import Path

from longcli.backends.base import Backend, Completion, Delegating
from longcli.calls import Message, Sampling
from longcli.storage import atomic_write_text, ensure_private_dir

CACHE_FORMAT = 1


def call_key(identity: str, messages: list[Message], sampling: Sampling) -> str:
    payload = json.dumps(
        [CACHE_FORMAT, identity, [[m.role, m.content] for m in messages], sampling.key()],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class CallCache:
    """Completions stored one JSON file each under <root>/calls/<2 hex>/<hash>.json."""

    def __init__(self, root: Path, warn: Callable[[str], None] | None = None) -> None:
        self.root = root / "calls"
        self.hits = 0
        self.misses = 0
        self._warn = warn
        self.broken = False  # a write failed: said once, no more writes tried
        self._lock = threading.Lock()  # calls run on several threads: one warning

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Completion | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            completion = Completion(
                text=str(data["text"]),
                prompt_tokens=int(data["prompt_tokens"]),
                completion_tokens=int(data["completion_tokens"]),
                finish_reason=str(data["finish_reason"]),
                cached=True,
            )
        except (OSError, ValueError, KeyError, TypeError):
            self.misses += 1
            return None
        self.hits += 1
        return completion

    def put(self, key: str, completion: Completion) -> None:
        """Store a finished call; a cache that cannot be written is a warning (once), never
        the end of the run whose answer is already in hand."""
        if self.broken:
            return
        path = self._path(key)
        entry = {
            "text": completion.text,
            "prompt_tokens": completion.prompt_tokens,
            "completion_tokens": completion.completion_tokens,
            "finish_reason": completion.finish_reason,
        }
        try:
            ensure_private_dir(path.parent)
            ensure_private_dir(self.root)
            atomic_write_text(path, json.dumps(entry, ensure_ascii=False))
        except OSError as exc:
            with self._lock:
                said, self.broken = self.broken, True
            if not said and self._warn is not None:
                reason = exc.strerror or str(exc)
                self._warn(
                    f"cannot write the call cache {self.root} ({reason}): this run goes on "
                    "without it and cannot be resumed (fix the directory, or pass --no-cache)"
                )


class CachingBackend(Delegating):
    """Wraps a Backend: `complete` answers from the cache when it can."""

    def __init__(self, inner: Backend, cache: CallCache) -> None:
        super().__init__(inner)
        self.cache = cache

    def complete(self, messages: list[Message], sampling: Sampling) -> Completion:
        key = call_key(self.identity, messages, sampling)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        completion = self.inner.complete(messages, sampling)
        self.cache.put(key, completion)
        return completion
