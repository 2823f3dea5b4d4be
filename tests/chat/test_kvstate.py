"""Keeping a chat's KV cache between processes: warm when it matches, cold otherwise."""

from __future__ import annotations

import json

import pytest

from longcli.backends.llama import LlamaBackend
from longcli.calls import Message, Sampling
from longcli.chat import kvstate

pytestmark = pytest.mark.model

GREEDY = Sampling(max_tokens=24, temperature=0.0, top_k=1)
FIRST = [Message("system", "You are brief."), Message("user", "Name three colours.")]


def follow_up(first_reply: str) -> list[Message]:
    return [*FIRST, Message("assistant", first_reply), Message("user", "And three animals?")]


@pytest.fixture
def saved(bundled_model_info, tmp_path):
    """A first process: one turn, its context kept in tmp_path, then the next turn as that
    process would have answered it. Returns (reply, tokens kept, next answer)."""
    backend = LlamaBackend(bundled_model_info, 1024)
    reply = backend.complete(FIRST, GREEDY).text
    assert kvstate.save(backend, tmp_path) > 0
    tokens = backend.context_tokens()
    return reply, tokens, backend.complete(follow_up(reply), GREEDY).text


def cold_answer(bundled_model_info, reply: str) -> str:
    return LlamaBackend(bundled_model_info, 1024).complete(follow_up(reply), GREEDY).text


def test_a_new_process_restores_the_context_and_answers_as_the_first_would_have(
    bundled_model_info, tmp_path, saved
):
    # Restoring is exactly like never having exited. (A cold prefill may differ in late
    # tokens: llama.cpp's sums come out slightly differently when a prompt is evaluated in
    # other batch shapes; the REPL, which keeps its cache in memory, behaves like warm.)
    reply, tokens, continued = saved
    warm = LlamaBackend(bundled_model_info, 1024)
    restored, why = kvstate.restore(warm, tmp_path)
    assert (restored, why) == (len(tokens), "")
    assert warm.context_tokens() == tokens
    assert warm.complete(follow_up(reply), GREEDY).text == continued


def test_another_context_size_starts_cold(bundled_model_info, tmp_path, saved):
    other = LlamaBackend(bundled_model_info, 2048)
    assert kvstate.restore(other, tmp_path) == (0, "n_ctx changed")
    assert other.context_tokens() == []


@pytest.mark.parametrize("damage", ["flip", "truncate", "foreign"])
def test_a_damaged_state_file_starts_cold_and_answers_right(
    bundled_model_info, tmp_path, saved, damage
):
    reply, _, _ = saved
    path = tmp_path / kvstate.STATE_FILE
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    elif damage == "truncate":
        path.write_bytes(bytes(data[: len(data) // 3]))
    else:
        # Garbage whose fingerprint claims it is fine: llama.cpp itself must refuse it.
        path.write_bytes(b"not a llama.cpp state file" * 100)
        record = json.loads((tmp_path / kvstate.FINGERPRINT_FILE).read_text())
        record["file_bytes"] = path.stat().st_size
        record["file_sha256"] = kvstate._file_sha256(path)
        (tmp_path / kvstate.FINGERPRINT_FILE).write_text(json.dumps(record))
    backend = LlamaBackend(bundled_model_info, 1024)
    restored, why = kvstate.restore(backend, tmp_path)
    assert restored == 0 and why
    assert backend.context_tokens() == []
    answer = backend.complete(follow_up(reply), GREEDY).text
    assert answer == cold_answer(bundled_model_info, reply)


def test_saving_again_replaces_the_state_and_leaves_no_temp_files(
    bundled_model_info, tmp_path, saved
):
    reply, _, _ = saved
    backend = LlamaBackend(bundled_model_info, 1024)
    kvstate.restore(backend, tmp_path)
    backend.complete(follow_up(reply), GREEDY)
    covered = kvstate.save(backend, tmp_path)
    assert covered == len(backend.context_tokens()) <= backend.n_ctx
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [kvstate.STATE_FILE, kvstate.FINGERPRINT_FILE]
    )


def test_one_shot_chat_keeps_the_state_and_reset_removes_it(run, tmp_path):
    session = tmp_path / "s"
    first = run("chat", "--memory", str(session), "--message", "My name is Ada.", "-v")
    assert first.returncode == 0, first.stderr
    assert "cold start (no saved state)" in first.stderr
    assert (session / kvstate.STATE_FILE).exists()
    second = run("chat", "--memory", str(session), "--message", "What is my name?", "-v")
    assert second.returncode == 0, second.stderr
    assert "tokens restored" in second.stderr
    assert run("memory", "reset", str(session), "--yes").returncode == 0
    assert not (session / kvstate.STATE_FILE).exists()


def test_prefill_readies_exactly_the_start_of_the_next_prompt(bundled_model_info):
    backend = LlamaBackend(bundled_model_info, 1024)
    reply = backend.complete(FIRST, GREEDY).text
    so_far = [*FIRST, Message("assistant", reply)]
    evaluated = backend.prefill(so_far)
    ready = backend.encode(so_far, generation_prompt=False)
    assert backend.context_tokens() == ready and 0 < evaluated <= len(ready)
    # the next prompt starts with what is ready, so only the new message is left to read
    next_prompt = backend.encode(follow_up(reply))
    assert next_prompt[: len(ready)] == ready and len(next_prompt) > len(ready)
    assert backend.prefill(so_far) == 0  # already there: nothing evaluated twice
