import json
import stat
from pathlib import Path

import pytest

from longcli.chat.exchange import Exchange, FoldState
from longcli.chat.session import FORMAT_VERSION, Session
from longcli.errors import SessionError, SessionLockedError


def open_w(path: Path) -> Session:
    return Session.open(path, create=True, writable=True)


def test_created_private_and_versioned(tmp_path: Path):
    path = tmp_path / "s"
    with open_w(path):
        pass
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    meta = json.loads((path / "meta.json").read_text())
    assert meta["format_version"] == FORMAT_VERSION
    assert stat.S_IMODE((path / "meta.json").stat().st_mode) == 0o600


def test_second_writer_is_locked_out(tmp_path: Path):
    with open_w(tmp_path / "s"), pytest.raises(SessionLockedError, match="in use"):
        open_w(tmp_path / "s")
    with open_w(tmp_path / "s"):  # released after close
        pass


def test_journal_roundtrip_and_state(tmp_path: Path):
    with open_w(tmp_path / "s") as s:
        for i in range(3):
            s.append_exchange(Exchange(i, f"u{i}", f"a{i}", 5))
        s.save_state(FoldState("sum", 1, 1, 3))
    with Session.open(tmp_path / "s", create=False, writable=False) as s:
        journal = s.load_journal()
        assert [e.user for e in journal] == ["u0", "u1", "u2"]
        assert s.load_state() == FoldState("sum", 1, 1, 3)


def test_torn_last_line_is_ignored_then_repaired(tmp_path: Path):
    path = tmp_path / "s"
    with open_w(path) as s:
        s.append_exchange(Exchange(0, "u0", "a0", 5))
    with open(path / "journal.jsonl", "ab") as f:
        f.write(b'{"user": "half wri')
    with open_w(path) as s:
        assert [e.user for e in s.load_journal()] == ["u0"]
        assert "incomplete last line" in s.warnings[0]
        s.append_exchange(Exchange(1, "u1", "a1", 5))
    with open_w(path) as s:
        assert [e.user for e in s.load_journal()] == ["u0", "u1"]
        assert s.warnings == []


def test_record_cut_before_its_newline(tmp_path: Path):
    path = tmp_path / "s"
    with open_w(path) as s:
        s.append_exchange(Exchange(0, "u0", "a0", 5))
    data = (path / "journal.jsonl").read_bytes()
    (path / "journal.jsonl").write_bytes(data.rstrip(b"\n"))
    with open_w(path) as s:
        assert len(s.load_journal()) == 1
        s.append_exchange(Exchange(1, "u1", "a1", 5))
    with open_w(path) as s:
        assert [e.user for e in s.load_journal()] == ["u0", "u1"]


def test_corrupt_line_in_the_middle_is_refused(tmp_path: Path):
    path = tmp_path / "s"
    with open_w(path) as s:
        s.append_exchange(Exchange(0, "u0", "a0", 5))
    with open(path / "journal.jsonl", "ab") as f:
        f.write(b"garbage\n")
        f.write(b'{"user": "u", "assistant": "a"}\n')
    with open_w(path) as s, pytest.raises(SessionError, match="line 2 is corrupt"):
        s.load_journal()


@pytest.mark.parametrize("name", ["state.json", "meta.json"])
def test_newer_or_corrupt_files_are_refused_and_left_untouched(tmp_path: Path, name: str):
    path = tmp_path / "s"
    with open_w(path) as s:
        s.save_state(FoldState("x", 0, 0, 0))
    for content in (json.dumps({"format_version": FORMAT_VERSION + 1}), "{broken"):
        (path / name).write_text(content)
        with pytest.raises(SessionError), open_w(path) as s:
            s.load_state()
        assert (path / name).read_text() == content


def test_a_file_or_foreign_directory_is_not_a_session(tmp_path: Path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(SessionError, match="is a file"):
        open_w(f)
    d = tmp_path / "photos"
    d.mkdir()
    (d / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(SessionError, match="not a longcli session"):
        open_w(d)
    assert (d / "cat.jpg").exists()


def test_directory_left_by_a_crash_before_meta_is_still_ours(tmp_path: Path):
    path = tmp_path / "s"
    path.mkdir()
    (path / "lock").write_text("")
    (path / ".meta.json.abc.tmp").write_text("{")
    with open_w(path) as s:
        assert s.meta.format_version == FORMAT_VERSION


CHINESE = "我的名字是李华，我住在北京。请记住我最喜欢的颜色是蓝色。"


def test_the_language_advice_is_given_once_per_session(tmp_path: Path, bundled_model_info):
    from longcli.chat.conversation import Chat, ChatOptions
    from longcli.prompts.templates import load_templates
    from tests.support.fake_backend import FakeBackend

    def advice() -> str | None:  # each call a new run on the session, as `chat MESSAGE` is
        with open_w(tmp_path / "s") as s:
            chat = Chat(s, FakeBackend(), load_templates(), ChatOptions(), model=bundled_model_info)
            return chat.language_advice(CHINESE)

    assert advice()  # the first message in another language: one line
    assert advice() is None and advice() is None  # not on every later message
    meta = json.loads((tmp_path / "s" / "meta.json").read_text())
    assert meta["language_advised"] is True


def test_a_meta_file_from_before_the_advice_field_loads(tmp_path: Path):
    path = tmp_path / "s"
    path.mkdir(mode=0o700)
    old = {"format_version": 1, "created": "2025-01-01T00:00:00+00:00", "model": "m",
           "system": None, "files": {}}  # fmt: skip
    (path / "meta.json").write_text(json.dumps(old))
    with Session.open(path, create=False, writable=False) as s:
        assert s.meta.language_advised is False and s.meta.model == "m"


def test_passages_holding_unicode_line_breaks_round_trip(tmp_path: Path):
    from longcli.chat.session import Passage

    text = "A line\u2028another\u2029and\x85more\x0cpage"
    with open_w(tmp_path / "s") as s:
        s.save_passages([Passage("doc.txt", 0, len(text), text)])
    with Session.open(tmp_path / "s", create=False, writable=False) as s:
        assert [p.text for p in s.load_passages()] == [text]


@pytest.mark.parametrize(
    "facts",
    [
        {"through_turn": 0, "facts": [{"id": 1e999}]},
        {"through_turn": 0, "facts": "none"},
        {"through_turn": 1e999, "facts": []},
        {"through_turn": 0, "facts": [None]},
    ],
)
def test_a_ledger_with_fields_of_the_wrong_type_is_refused(tmp_path: Path, facts: dict):
    path = tmp_path / "s"
    with open_w(path):
        pass
    text = json.dumps({"format_version": FORMAT_VERSION, **facts})
    (path / "facts.json").write_text(text)
    with open_w(path) as s, pytest.raises(SessionError, match="facts.json is corrupt"):
        s.load_ledger()
    assert (path / "facts.json").read_text() == text
