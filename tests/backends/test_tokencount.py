"""Token counts without the server's tokenizer: tiktoken from local files, or an estimate."""

import base64
import json
import random
from pathlib import Path

import pytest

from longcli.backends.http import HttpBackend, ServerOptions
from longcli.backends.tokens import (
    TIKTOKEN_MARGIN,
    EstimateCounter,
    TiktokenCounter,
    load_tiktoken_offline,
)
from longcli.errors import ConfigError, UsageError
from tests.conftest import shakespeare
from tests.fake_server import FakeServer


def samples() -> dict[str, str]:
    rng = random.Random(1)
    return {
        "prose": shakespeare(60000),
        "code": (Path(__file__).parents[2] / "longcli" / "summarize" / "pipeline.py").read_text(
            "utf-8"
        ),
        "numbers": " ".join(str(rng.randint(0, 10**9)) for _ in range(1500)),
        "hex": " ".join(f"{rng.getrandbits(32):08x}" for _ in range(1500)),
        "log": "\n".join(
            f"2026-11-24T06:{i % 60:02d}:00Z INFO worker[{i}] id={rng.getrandbits(40):x} "
            f"took {rng.random():.3f}s"
            for i in range(500)
        ),
        "json": json.dumps([{"id": i, "name": f"user{i}", "tags": ["a", "b"]} for i in range(300)]),
        "capitals": "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG. " * 200,
        "chinese": "这是一个关于长文本摘要的测试句子，我们希望估计值足够保守。" * 100,
        "cyrillic": "Это проверочное предложение о сжатии длинного текста. " * 100,
        "emoji": "🙂🚀✨ hello 🎉 " * 200,
        "camel": " ".join("getUserAccountBalanceForTransactionID" for _ in range(300)),
    }


def test_estimate_is_never_below_the_real_tokenizer(tokenizer):
    estimate = EstimateCounter()
    for name, text in samples().items():
        real = tokenizer.count_tokens(text)
        assert estimate.count(text) >= real, name
        # and not absurdly above it for ordinary prose
        if name == "prose":
            assert estimate.count(text) <= 2 * real


def test_estimate_of_nothing_is_nothing():
    assert EstimateCounter().count("") == 0


def write_tiktoken_file(path) -> None:
    """A tiny BPE: every byte, plus merges for 'th', 'the', ' the'."""
    ranks = {bytes([i]): i for i in range(256)}
    for piece in (b"th", b"the", b" the"):
        ranks[piece] = len(ranks)
    lines = [f"{base64.b64encode(tok).decode()} {rank}" for tok, rank in ranks.items()]
    path.write_text("\n".join(lines) + "\n")


def test_a_local_tiktoken_file_is_used_with_a_margin(tmp_path):
    path = tmp_path / "tiny.tiktoken"
    write_tiktoken_file(path)
    encoding = load_tiktoken_offline(str(path))
    assert encoding is not None
    raw = len(encoding.encode("the theme of the"))
    assert raw < len("the theme of the")  # the merges were applied
    assert TiktokenCounter(encoding).count("the theme of the") == -(-raw * TIKTOKEN_MARGIN // 1)


def test_an_unreadable_tiktoken_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_tiktoken_offline(str(tmp_path / "missing.tiktoken"))


def test_a_named_encoding_not_in_the_cache_is_never_downloaded(tmp_path, monkeypatch):
    import requests

    def no_network(*args, **kwargs):
        raise AssertionError("tiktoken tried to download")

    monkeypatch.setattr(requests, "get", no_network)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "empty-cache"))
    assert load_tiktoken_offline("o200k_base") is None
    import tiktoken.load

    assert tiktoken.load.read_file.__name__ == "read_file"  # restored


def test_server_without_tokenizer_falls_back_to_tiktoken_then_estimate(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "empty-cache"))
    path = tmp_path / "tiny.tiktoken"
    write_tiktoken_file(path)
    with FakeServer("bare") as server:
        opts = {"base_url": server.url, "backoff_s": 0.01}
        assert (
            HttpBackend(ServerOptions(**opts, tiktoken_encoding=str(path))).tokenizer == "tiktoken"
        )
        assert HttpBackend(ServerOptions(**opts)).tokenizer == "estimate"  # cl100k not cached
        with pytest.raises(UsageError, match="no tokenize endpoint"):
            HttpBackend(ServerOptions(**opts, tokenizer="server"))
        with pytest.raises(UsageError, match="not on this machine"):
            HttpBackend(ServerOptions(**opts, tokenizer="tiktoken"))
