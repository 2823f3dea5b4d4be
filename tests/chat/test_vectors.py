"""The statements' vectors kept in a session directory (chat/vectors.py): a new process
embeds only what is new, a file that does not match is set aside, never believed, and a
link under its name is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from longcli.backends.embedding import Memo
from longcli.chat import vectors
from longcli.chat.facts import Ledger
from longcli.chat.session import Session
from longcli.errors import SessionError
from tests.chat.embedders import FakeEmbedder

TOPICS = {"home": "live moved home", "pet": "dog cat", "job": "work nurse teacher"}
SAID = ["I live in Leeds.", "My dog is called Rex.", "I work as a nurse."]


def memo() -> tuple[Memo, FakeEmbedder]:
    fake = FakeEmbedder(TOPICS)
    return Memo(fake), fake


def test_a_new_process_embeds_only_what_is_new(tmp_path: Path):
    first, _ = memo()
    first.embed(SAID)
    assert vectors.save(first, tmp_path, "minilm:1:2") == 3
    second, fake = memo()
    assert vectors.load(second, tmp_path, "minilm:1:2") == ""
    got = second.embed([*SAID, "Where do I live?"])
    assert fake.embedded == ["Where do I live?"]  # the three statements came from the file
    assert got[:3] == first.embed(SAID)  # the same vectors, to the bit


def test_vectors_are_float32_whether_new_or_kept(tmp_path: Path):
    fresh, _ = memo()
    (vector,) = fresh.embed(["I live in Leeds."])
    assert all(float(f"{x:.9g}") == x for x in vector)  # float32 values as Python floats
    vectors.save(fresh, tmp_path, "m")
    kept, _ = memo()
    vectors.load(kept, tmp_path, "m")
    assert kept.embed(["I live in Leeds."]) == [vector]


def test_only_what_the_process_asked_for_is_kept(tmp_path: Path):
    # a forgotten statement, or an earlier turn's question, is not written back
    first, _ = memo()
    first.embed([*SAID, "What is my dog called?"])
    vectors.save(first, tmp_path, "m")
    second, _ = memo()
    vectors.load(second, tmp_path, "m")
    second.embed(SAID[:2])
    assert vectors.save(second, tmp_path, "m") == 2
    third, fake = memo()
    vectors.load(third, tmp_path, "m")
    third.embed(SAID)
    assert fake.embedded == ["I work as a nurse."]


@pytest.mark.parametrize(
    "damage, why",
    [
        (lambda data: data[:-3], "torn"),
        (lambda data: b"not json\n" + data, "unknown format"),
        (lambda data: data.replace(b'"format": 1', b'"format": 9'), "unknown format"),
        (lambda data: data.replace(b'"count": 3', b'"count": 4'), "torn"),
        (lambda data: data.replace(b'"dims": ', b'"dims": 1'), "torn"),
    ],
)
def test_a_file_that_does_not_match_is_set_aside(tmp_path: Path, damage, why: str):
    first, _ = memo()
    first.embed(SAID)
    vectors.save(first, tmp_path, "m")
    path = tmp_path / vectors.VECTORS_FILE
    path.write_bytes(damage(path.read_bytes()))
    second, fake = memo()
    assert why in vectors.load(second, tmp_path, "m")
    second.embed(SAID)
    assert fake.embedded == SAID  # all embedded again


def test_another_model_s_vectors_are_not_used(tmp_path: Path):
    first, _ = memo()
    first.embed(SAID)
    vectors.save(first, tmp_path, "minilm:46000000:1")
    second, fake = memo()
    assert "another embedding model" in vectors.load(second, tmp_path, "qwen3:640000000:1")
    second.embed(SAID)
    assert fake.embedded == SAID


def test_nothing_is_written_when_nothing_changed(tmp_path: Path):
    first, _ = memo()
    first.embed(SAID)
    vectors.save(first, tmp_path, "m")
    path = tmp_path / vectors.VECTORS_FILE
    os.utime(path, ns=(1, 1))
    second, _ = memo()
    vectors.load(second, tmp_path, "m")
    second.embed(SAID)
    vectors.save(second, tmp_path, "m")
    assert path.stat().st_mtime_ns == 1


def test_a_link_under_the_name_is_refused(tmp_path: Path):
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"secret")
    session = tmp_path / "s"
    Session.open(session, create=True, writable=True).close()
    (session / vectors.VECTORS_FILE).symlink_to(outside)
    with pytest.raises(SessionError, match="symbolic link"):
        Session.open(session, create=False, writable=True)
    kept, _ = memo()
    with pytest.raises(SessionError, match="symbolic link"):
        vectors.load(kept, session, "m")
    assert outside.read_bytes() == b"secret"


def test_the_ledger_gives_the_same_answers_from_kept_vectors(tmp_path: Path):
    first, _ = memo()
    ledger = Ledger()
    for turn, said in enumerate(SAID, 1):
        ledger.add_message(said, turn, first)
    before = [f.text for f, _ in ledger.ranked("Where do I live?", first)]
    vectors.save(first, tmp_path, "m")
    second, fake = memo()
    vectors.load(second, tmp_path, "m")
    assert [f.text for f, _ in ledger.ranked("Where do I live?", second)] == before
    assert "I live in Leeds." not in fake.embedded


def test_one_shot_chats_keep_the_vectors_between_processes(run, tmp_path: Path, monkeypatch):
    from longcli.chat import run as chat_run

    fake = FakeEmbedder(TOPICS)
    model = tmp_path / "mini.gguf"
    model.write_bytes(b"GGUF" + bytes(60))
    monkeypatch.setattr(chat_run, "chat_embedder", lambda settings, streams: Memo(fake, model))
    memory = str(tmp_path / "s")
    for message in SAID:
        assert run("chat", "--backend", "fake", "--memory", memory, message).returncode == 0
    assert (tmp_path / "s" / vectors.VECTORS_FILE).is_file()
    fake.embedded.clear()
    result = run("chat", "--backend", "fake", "--memory", memory, "Where do I live?")
    assert result.returncode == 0 and "I live in Leeds." in result.stdout
    assert not set(SAID) & set(fake.embedded)  # each statement came from the file
