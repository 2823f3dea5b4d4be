"""A content-addressed cache of finished model calls, so interrupted runs resume.

The key is a hash of the model's identity, the exact prompt and the sampling settings:
the same call always gets the same answer back, and anything that changes the answer
changes the key. Entries are written atomically, so a crash or a second process never
leaves a half-written entry; an unreadable entry is treated as a miss.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from longcli.backends.base import Backend, Completion, Delegating, Message, Sampling
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

    def __init__(self, root: Path) -> None:
        self.root = root / "calls"
        self.hits = 0
        self.misses = 0

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
        path = self._path(key)
        ensure_private_dir(path.parent)
        ensure_private_dir(self.root)
        atomic_write_text(
            path,
            json.dumps(
                {
                    "text": completion.text,
                    "prompt_tokens": completion.prompt_tokens,
                    "completion_tokens": completion.completion_tokens,
                    "finish_reason": completion.finish_reason,
                },
                ensure_ascii=False,
            ),
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
