"""Getting models: other tools' stores found read-only, pulls from a hub on loopback."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest

from longcli.models.stores import discover, find
from tests.support.documents import make_gguf
from tests.support.fake_hub import Hub

FAKE = ["--backend", "fake", "-q"]


def ollama_store(root: Path, gguf: bytes, model: str = "llama3.2", tag: str = "latest") -> Path:
    digest = "sha256:" + "ab" * 32
    blob = root / "blobs" / digest.replace(":", "-")
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(gguf)
    manifest = root / "manifests" / "registry.ollama.ai" / "library" / model / tag
    manifest.parent.mkdir(parents=True, exist_ok=True)
    layers = [
        {"mediaType": "application/vnd.ollama.image.model", "digest": digest, "size": len(gguf)},
        {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:00"},
    ]
    manifest.write_text(json.dumps({"schemaVersion": 2, "layers": layers}))
    return blob


def snapshot(root: Path) -> dict[str, tuple[int, float]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime) for p in root.rglob("*") if p.is_file()}


def test_ollama_lm_studio_and_llama_cpp_stores_are_found_read_only(private_user_dirs: Path):
    blob = ollama_store(private_user_dirs / "ollama", make_gguf("llama"))
    ollama_store(private_user_dirs / "ollama", make_gguf("qwen"), "qwen2.5", "3b")
    lm = private_user_dirs / "lmstudio" / "lmstudio-community" / "Phi-GGUF" / "phi-q4.gguf"
    lm.parent.mkdir(parents=True)
    lm.write_bytes(make_gguf("phi"))
    (lm.parent / "notes.gguf").write_text("not a model")  # wrong magic: ignored
    cpp = private_user_dirs / "llamacpp" / "bartowski_Tiny-GGUF_tiny-Q8_0.gguf"
    cpp.parent.mkdir(parents=True)
    cpp.write_bytes(make_gguf("tiny"))
    before = snapshot(private_user_dirs)
    names = {m.name: m for m in discover().models}
    assert set(names) == {
        "ollama:llama3.2",
        "ollama:qwen2.5:3b",
        "lmstudio:lmstudio-community/Phi-GGUF/phi-q4.gguf",
        "llamacpp:bartowski_Tiny-GGUF_tiny-Q8_0.gguf",
    }
    assert names["ollama:llama3.2"].path == blob
    assert find("llama3.2") == (blob, [])  # a unique short name
    assert find("phi-q4")[0] == lm
    assert snapshot(private_user_dirs) == before  # nothing written, moved or touched


def test_discovered_models_are_listed_and_usable_by_name(
    run, private_user_dirs: Path, bundled_model_info
):
    ollama_store(private_user_dirs / "ollama", bundled_model_info.path.read_bytes(), "smol")
    listed = run("models", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    row = next(r for r in json.loads(listed.stdout) if r["name"] == "ollama:smol")
    assert row["kind"] == "ollama" and row["architecture"] == "llama"
    info = run("models", "info", "ollama:smol", "--json")
    assert info.returncode == 0 and json.loads(info.stdout)["trained_ctx"] == 8192
    text = private_user_dirs / "in.txt"
    text.write_text("Alice met Bob in Paris. They talked about painting. " * 20)
    plan = run("summarize", str(text), "-m", "smol", "--plan", "--format", "json")
    assert plan.returncode == 0, plan.stderr
    assert json.loads(plan.stdout)["model"]["path"].startswith(str(private_user_dirs / "ollama"))


def test_an_ambiguous_short_name_lists_the_candidates(run, private_user_dirs: Path):
    for folder in ("a", "b"):
        path = private_user_dirs / "lmstudio" / folder / "twin.gguf"
        path.parent.mkdir(parents=True)
        path.write_bytes(make_gguf())
    r = run("models", "info", "twin")
    assert r.returncode == 2 and "'twin' names 2 models" in r.stderr
    assert "lmstudio:a/twin.gguf" in r.stderr


def test_an_unreadable_store_is_skipped_with_a_note(run, private_user_dirs: Path):
    manifest = (
        private_user_dirs
        / "ollama"
        / "manifests"
        / "registry.ollama.ai"
        / "library"
        / "x"
        / "latest"
    )
    manifest.parent.mkdir(parents=True)
    manifest.write_text("{ not json")
    quiet = run("models", "list")
    assert quiet.returncode == 0 and quiet.stderr == ""
    loud = run("models", "list", "-v")
    assert "unreadable Ollama manifest" in loud.stderr


# -- pulling ----------------------------------------------------------------------------------

REPO = "tester/Tiny-GGUF"


def hub_files() -> dict[str, bytes]:
    return {
        "tiny-Q4_K_M.gguf": make_gguf("tiny q4", padding=300_000),
        "tiny-Q8_0.gguf": make_gguf("tiny q8", padding=500_000),
        "big-Q4_K_M-00001-of-00002.gguf": make_gguf("big", padding=200_000),
        "big-Q4_K_M-00002-of-00002.gguf": b"second part" * 20_000,
        "README.md": b"# Tiny",
    }


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch):
    from huggingface_hub import constants

    # huggingface_hub keeps a download's bytes only once a chunk is complete (10 MB); with
    # 64 KB chunks these small files break, and resume, the way multi-GB ones do.
    monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 64 << 10)
    with Hub({REPO: hub_files()}) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        yield server


def test_pull_downloads_into_the_shared_cache_checks_it_and_aliases_it(
    run, hub: Hub, private_user_dirs
):
    r = run("models", "pull", REPO, "--quant", "q8_0", "--alias", "tiny")
    assert r.returncode == 0, r.stderr
    path = Path(r.stdout.strip())
    assert path.read_bytes() == hub_files()["tiny-Q8_0.gguf"]
    assert str(private_user_dirs / "huggingface" / "hub") in str(path)  # HF_HOME's cache
    assert "is ready and checked" in r.stderr and "'tiny' now means" in r.stderr
    info = run("models", "info", "tiny", "--json")
    assert json.loads(info.stdout)["name"] == "tiny q8"
    listed = json.loads(run("models", "list", "--json").stdout)
    assert any(row["name"] == f"hf:{REPO}/tiny-Q8_0.gguf" for row in listed)
    gets = [s for s in hub.seen if s.method == "GET" and "/resolve/" in s.path]
    again = run("models", "pull", REPO, "tiny-Q8_0.gguf")  # already there: not downloaded twice
    assert again.returncode == 0
    assert [s for s in hub.seen if s.method == "GET" and "/resolve/" in s.path] == gets


def test_pull_embedding_makes_it_the_model_auto_finds_newest_first(
    run, hub: Hub, private_user_dirs
):
    from longcli.backends.embedding import find_embedding_model
    from longcli.models.locate import embedding_dir

    assert find_embedding_model("auto") is None
    first = run("models", "pull", REPO, "tiny-Q4_K_M.gguf", "--embedding")
    assert first.returncode == 0, first.stderr
    assert "matches meanings with tiny-Q4_K_M.gguf" in first.stderr
    placed = find_embedding_model("auto")
    assert placed == embedding_dir() / "tiny-Q4_K_M.gguf"
    assert placed.read_bytes() == hub_files()["tiny-Q4_K_M.gguf"]  # no second copy: a link
    assert placed.resolve() == Path(first.stdout.strip()).resolve()
    time.sleep(0.01)  # mtimes apart on coarse file systems
    second = run("models", "pull", REPO, "tiny-Q8_0.gguf", "--embedding")
    assert second.returncode == 0, second.stderr
    assert find_embedding_model("auto") == embedding_dir() / "tiny-Q8_0.gguf"
    time.sleep(0.01)
    again = run("models", "pull", REPO, "tiny-Q4_K_M.gguf", "--embedding")  # back to the first
    assert again.returncode == 0 and find_embedding_model("auto") == placed
    assert sorted(p.name for p in embedding_dir().iterdir()) == [
        "tiny-Q4_K_M.gguf",
        "tiny-Q8_0.gguf",
    ]


def test_the_default_quant_and_a_split_model_fetched_whole(run, hub: Hub):
    one = run("models", "pull", REPO)  # Q4_K_M, but two files match: name it
    assert one.returncode == 2 and "2 files" in one.stderr and "match q4_k_m" in one.stderr
    split = run("models", "pull", REPO, "big-Q4_K_M-00001-of-00002.gguf")
    assert split.returncode == 0, split.stderr
    first = Path(split.stdout.strip())
    assert (first.parent / "big-Q4_K_M-00002-of-00002.gguf").exists()


def test_no_request_goes_anywhere_but_the_hub_asked_for(run, hub: Hub):
    assert run("models", "pull", REPO, "tiny-Q8_0.gguf").returncode == 0
    paths = [s.path for s in hub.seen]
    assert not [p for p in paths if "agent" in p]  # the library's telemetry is off
    assert all(p.startswith(("/api/models/", f"/{REPO}/resolve/")) for p in paths)


def test_a_dropped_connection_resumes_where_it_broke(run, hub: Hub):
    hub.drop_once.add("tiny-Q8_0.gguf")
    r = run("models", "pull", REPO, "tiny-Q8_0.gguf")
    assert r.returncode == 0, r.stderr
    ranges = [s.range for s in hub.seen if s.method == "GET" and s.path.endswith("tiny-Q8_0.gguf")]
    assert ranges[0] is None and ranges[-1] is not None and ranges[-1] != "bytes=0-"
    assert Path(r.stdout.strip()).read_bytes() == hub_files()["tiny-Q8_0.gguf"]


def test_a_download_that_keeps_breaking_is_one_line_and_leaves_the_cache_clean(
    run, hub: Hub, monkeypatch
):
    import huggingface_hub.file_download as download

    monkeypatch.setattr(download.time, "sleep", lambda s: None)  # its retries, without the wait
    hub.drop_always.add("tiny-Q8_0.gguf")
    r = run("models", "pull", REPO, "tiny-Q8_0.gguf", "-q")
    assert r.returncode == 4 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith("longcli: cannot reach the hub") and "pull again" in r.stderr
    ranges = [s.range for s in hub.seen if s.method == "GET" and "/resolve/" in s.path]
    assert len(ranges) > 2 and all(r_ is not None for r_ in ranges[1:])  # each retry resumed
    blobs = [
        p for p in Path(os.environ["HF_HOME"]).rglob("*") if p.is_file() and "blobs" in p.parts
    ]
    assert blobs == []  # no half file left in the cache other tools share
    hub.drop_always.clear()
    assert run("models", "pull", REPO, "tiny-Q8_0.gguf", "-q").returncode == 0


def test_hub_refusals_are_one_line_with_exit_4(run, hub: Hub):
    missing = run("models", "pull", "tester/Nothing-GGUF")
    assert (
        missing.returncode == 4 and "has no repository tester/Nothing-GGUF (404)" in missing.stderr
    )
    absent = run("models", "pull", REPO, "nope.gguf")
    assert absent.returncode == 2 and "has no file nope.gguf" in absent.stderr
    hub.token = "hf_secret_token_value"
    refused = run("models", "pull", REPO, "tiny-Q8_0.gguf")
    assert (
        refused.returncode == 4
        and "refused access" in refused.stderr
        and "HF_TOKEN" in refused.stderr
    )
    allowed = run(
        "models", "pull", REPO, "tiny-Q8_0.gguf", env={"HF_TOKEN": "hf_secret_token_value"}
    )
    assert allowed.returncode == 0, allowed.stderr
    assert "hf_secret_token_value" not in allowed.stdout + allowed.stderr
    assert hub.seen[-1].authorization == "Bearer hf_secret_token_value"


def test_a_wrong_checksum_is_refused_and_removed(run, hub: Hub, private_user_dirs: Path):
    hub.wrong_sha.add("tiny-Q8_0.gguf")
    r = run("models", "pull", REPO, "tiny-Q8_0.gguf")
    assert r.returncode == 4 and "does not match the hub's sha256" in r.stderr
    assert not [
        p
        for p in (private_user_dirs / "huggingface").rglob("*")
        if p.is_file() and p.stat().st_size > 100_000
    ]


def test_a_model_too_big_for_memory_needs_force(run, hub: Hub, monkeypatch):
    monkeypatch.setenv("LONGCLI_MEMORY_BUDGET_MB", "64")
    with Hub({REPO: {"huge-Q4_K_M.gguf": make_gguf(padding=70 << 20)}}) as big:
        monkeypatch.setenv("HF_ENDPOINT", big.url)
        r = run("models", "pull", REPO)
        assert (
            r.returncode == 2
            and "more than the memory budget" in r.stderr
            and "--force" in r.stderr
        )
        forced = run("models", "pull", REPO, "--force", "-q")
        assert forced.returncode == 0, forced.stderr


def test_offline_is_one_line_and_exit_4(run, monkeypatch):
    from huggingface_hub.utils import _http

    monkeypatch.setattr(_http.time, "sleep", lambda s: None)  # its backoff, without the wait
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    r = run("models", "pull", REPO)
    assert r.returncode == 4 and r.stderr.startswith("longcli: cannot reach the hub")
    assert r.stderr.count("\n") == 1


def closed_port() -> int:
    """A loopback port nothing listens on: bound by us a moment ago, then let go."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("http://hub.invalid", "hub.invalid does not resolve"),  # .invalid never resolves
        (None, "refused the connection"),  # a closed port on loopback
    ],
)
def test_offline_pull_is_one_quiet_line_in_seconds(cli, endpoint: str | None, reason: str):
    # A process: huggingface_hub logs to the stderr it found at import, which only a real
    # process shows as the user would see it.
    url = endpoint or f"http://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    r = cli("models", "pull", REPO, env={"HF_ENDPOINT": url})
    elapsed = time.monotonic() - started
    assert r.returncode == 4, r.stderr
    assert r.stderr.count("\n") == 1 and "Retry" not in r.stderr, r.stderr
    assert r.stderr.startswith(f"longcli: cannot reach the hub at {url}") and reason in r.stderr
    assert r.stdout == "" and elapsed < 5, elapsed


def test_a_flaky_hub_is_retried_without_the_librarys_noise(cli):
    with Hub({REPO: hub_files()}, busy=1, drop_once={"tiny-Q8_0.gguf"}) as flaky:
        r = cli("models", "pull", REPO, "tiny-Q8_0.gguf", "-q", env={"HF_ENDPOINT": flaky.url})
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # no "Retrying in 1s", no "Trying to resume download"
    assert Path(r.stdout.strip()).read_bytes() == hub_files()["tiny-Q8_0.gguf"]
    tree = [s for s in flaky.seen if s.path.startswith("/api/models/")]
    assert len(tree) == 2  # the 503 was retried once
    gets = [s for s in flaky.seen if s.method == "GET" and "/resolve/" in s.path]
    assert len(gets) == 2  # the broken download was tried again (resuming: see above)


def test_recommendations_have_the_shape_the_table_needs(run):
    r = run("models", "recommend", "--json")
    rows = json.loads(r.stdout)
    assert len(rows) >= 8
    for row in rows:
        assert row["repo"].count("/") == 1 and row["file"].endswith(".gguf")
        assert row["layers"] > 0 and row["kv_heads"] > 0 and row["head_dim"] > 0
        assert row["context"] >= 4096 and row["license"] and 0 < row["size_gb"] < 100
        assert row["pull"] == f"longcli models pull {row['repo']} {row['file']}"
        assert isinstance(row["fits"], bool) and row["ram_at_8k_bytes"] > row["size_gb"] * 1e9
    text = run("models", "recommend").stdout
    assert "RAM at 8k" in text and "longcli models pull" in text
    assert "Sentence-embedding models" in text and "--embedding" in text


def test_embedding_recommendations_include_a_multilingual_one_with_its_size(run):
    r = run("models", "recommend", "--embedding", "--json")
    rows = json.loads(r.stdout)
    assert len(rows) >= 2 and [row["size_gb"] for row in rows] == sorted(
        row["size_gb"] for row in rows
    )
    for row in rows:
        assert row["repo"].count("/") == 1 and row["file"].endswith(".gguf")
        assert row["dimensions"] > 0 and row["license"] and 0 < row["size_gb"] < 10
        assert row["pull"] == f"longcli models pull {row['repo']} {row['file']} --embedding"
    assert any(len(row["languages"]) > 10 for row in rows)  # one for the user's language
    chat = json.loads(run("models", "recommend", "--json").stdout)
    assert not {row["name"] for row in chat} & {row["name"] for row in rows}
    assert not any(row["installed"] for row in rows)
    text = run("models", "recommend", "--embedding").stdout
    assert "In use now: none" in text and "fetch_embedding_model.py" in text


def test_an_installed_embedding_model_is_marked_and_named_in_use(run, private_user_dirs):
    from longcli.models.locate import embedding_dir

    rows = json.loads(run("models", "recommend", "--embedding", "--json").stdout)
    folder = embedding_dir()
    folder.mkdir(parents=True)
    placed = folder / rows[0]["file"].upper().replace(".GGUF", ".gguf")  # any case
    placed.write_bytes(make_gguf("embedder"))
    again = json.loads(run("models", "recommend", "--embedding", "--json").stdout)
    assert [row["installed"] for row in again] == [True] + [False] * (len(rows) - 1)
    text = run("models", "recommend", "--embedding").stdout
    assert f"In use now: {placed}" in text and "fetch_embedding_model.py" not in text
