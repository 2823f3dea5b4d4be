"""The chat core on a deterministic fake model: budget, folding, recall, persistence."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from longcli.chat.conversation import Chat, ChatOptions
from longcli.chat.session import Session
from longcli.errors import UsageError
from longcli.prompts.templates import load_templates
from tests.support.fake_backend import FakeBackend

TEMPLATES = load_templates()


class Checked(FakeBackend):
    """Fails the test if any prompt plus its reply reserve exceeds the context."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.largest = 0
        self.streamed: list = []

    def complete(self, messages, sampling):
        used = self.prompt_tokens(messages) + sampling.max_tokens
        assert used <= self.n_ctx, f"prompt overflow: {used} > {self.n_ctx}"
        self.largest = max(self.largest, used)
        return super().complete(messages, sampling)

    def stream(self, messages, sampling):
        self.streamed.append(messages)
        return super().stream(messages, sampling)


def open_chat(path: Path, n_ctx: int = 1024, **options) -> tuple[Chat, Session, Checked]:
    session = Session.open(path, create=True, writable=True)
    backend = Checked(n_ctx=n_ctx)
    return Chat(session, backend, TEMPLATES, ChatOptions(**options)), session, backend


def filler(i: int, words: int = 30) -> str:
    return f"Turn {i}: " + " ".join(f"chatter{i}x{j}" for j in range(words))


def test_folding_happens_in_batches_and_keeps_the_window_bounded(tmp_path: Path):
    chat, session, backend = open_chat(tmp_path / "s")
    for i in range(40):
        before = list(chat.window)
        reply = chat.ask(filler(i))
        if reply.folded:  # a fold evicts at least 30% of the window's tokens at once
            evicted = sum(e.tokens for e in before[: reply.folded])
            assert evicted >= 0.3 * sum(e.tokens for e in before)
        # After a turn the window also holds the new reply, whose room is the reply reserve.
        limit = chat.budget.window_tokens + chat.budget.reply_tokens
        assert sum(e.tokens for e in chat.window) <= limit
    assert chat.state.folds >= 2
    assert chat.state.folds < 40 / 2
    assert len(chat.exchanges) == 40 and chat.state.window_start > 0
    session.close()


def test_a_planted_fact_comes_back_through_recall_after_folding(tmp_path: Path):
    chat, session, backend = open_chat(tmp_path / "s", facts_tokens=0)  # no ledger
    chat.ask("My dog is called Biscuit and she is nine years old.")
    for i in range(30):
        chat.ask(filler(i))
    assert chat.state.window_start > 0  # the fact's turn was folded
    reply = chat.ask("What is my dog called?")
    asked = backend.streamed[-1][-1].content
    assert "Biscuit" in asked and asked.endswith("What is my dog called?")
    assert any("[turn 1]" in r for r in reply.recalled)
    session.close()


def test_a_fact_in_a_long_exchange_is_still_recalled(tmp_path: Path):
    """A folded exchange longer than the recall budget is cut to fit, not dropped."""
    chat, session, backend = open_chat(tmp_path / "s")
    chat.ask("My sister's name is Lena. " + "".join(f"We spoke of story {j}. " for j in range(40)))
    for i in range(30):
        chat.ask(filler(i))
    assert chat.state.window_start > 0
    reply = chat.ask("What is my sister's name?")
    assert any("Lena" in r for r in reply.recalled)
    assert "Lena" in backend.streamed[-1][-1].content
    session.close()


def test_fold_prompts_carry_the_facts_to_the_summary(tmp_path: Path):
    chat, session, backend = open_chat(tmp_path / "s")
    chat.ask("Remember: the launch date is March 3rd.")
    for i in range(25):
        chat.ask(filler(i))
    fold_prompts = [
        p[-1].content for p in backend.prompts if "Update the running summary" in p[-1].content
    ]
    assert fold_prompts and "March 3rd" in fold_prompts[0]
    assert chat.state.summary  # the running summary exists and is within its cap
    assert backend.count_tokens(chat.state.summary) <= chat.budget.summary_cap
    session.close()


def test_resume_restores_exactly_the_same_memory(tmp_path: Path):
    chat, session, _ = open_chat(tmp_path / "s")
    for i in range(25):
        chat.ask(filler(i))
    before = (chat.state.summary, chat.state.window_start, [e.user for e in chat.window])
    session.close()
    again, session, _ = open_chat(tmp_path / "s")
    after = (again.state.summary, again.state.window_start, [e.user for e in again.window])
    assert after == before
    assert len(again.exchanges) == 25
    session.close()


def test_cancelled_reply_is_not_stored(tmp_path: Path):
    chat, session, backend = open_chat(tmp_path / "s")
    chat.ask("first question")

    def interrupt(piece: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        chat.ask("second question that gets cancelled", interrupt)
    assert [e.user for e in chat.exchanges] == ["first question"]
    session.close()
    again, session, _ = open_chat(tmp_path / "s")
    assert [e.user for e in again.exchanges] == ["first question"]
    session.close()


def test_document_passages_are_recalled_with_their_place(tmp_path: Path):
    chat, session, backend = open_chat(tmp_path / "s")
    doc = "".join(f"Section {i}. Routine text about topic{i}.\n\n" for i in range(200))
    doc += "The secret reactor code is PELICAN-42.\n\n"
    added = chat.add_document("report.txt", doc, lambda text, words: "A long report.")
    assert added and not chat.add_document("report.txt", doc, lambda t, w: "x")
    assert "Document report.txt: A long report." in chat.state.summary
    reply = chat.ask("What is the secret reactor code?")
    assert any("PELICAN-42" in r and "[report.txt, characters" in r for r in reply.recalled)
    session.close()


def test_message_too_long_is_a_clear_error(tmp_path: Path):
    chat, session, _ = open_chat(tmp_path / "s", n_ctx=512)
    with pytest.raises(UsageError, match="tokens; this chat's context leaves room"):
        chat.ask("word " * 2000)
    with pytest.raises(UsageError, match="empty"):
        chat.ask("   ")
    session.close()


def test_forget_and_reset(tmp_path: Path):
    chat, session, _ = open_chat(tmp_path / "s")
    for i in range(3):
        chat.ask(filler(i, 5))
    assert chat.forget() == 3 and chat.window == [] and chat.state.summary
    chat.reset()
    assert chat.exchanges == [] and chat.state.summary == ""
    session.close()


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    n_ctx=st.sampled_from([512, 768, 1024, 2048]),
    lengths=st.lists(st.integers(1, 120), min_size=20, max_size=120),
    reply=st.integers(64, 512),
    share=st.floats(0.1, 0.4),
)
def test_no_prompt_ever_exceeds_the_context(tmp_path_factory, n_ctx, lengths, reply, share):
    path = tmp_path_factory.mktemp("prop") / "s"
    session = Session.open(path, create=True, writable=True)
    backend = Checked(n_ctx=n_ctx)
    try:
        chat = Chat(
            session,
            backend,
            TEMPLATES,
            ChatOptions(reply_tokens=reply, summary_share=share, recall_tokens=128),
        )
    except UsageError:
        session.close()
        return  # a budget that leaves no room is refused up front, which is correct
    try:
        for i, words in enumerate(lengths):
            message = " ".join(f"w{i}_{j}" for j in range(words))
            try:
                chat.ask(message)
            except UsageError as exc:  # only a single message larger than the window
                assert "tokens; this chat's context leaves room" in str(exc)
        assert backend.largest <= n_ctx
        for messages in backend.streamed:
            assert backend.prompt_tokens(messages) + chat.budget.reply_tokens <= n_ctx
    finally:
        session.close()


def test_a_long_passage_is_cut_around_what_the_question_asks(tmp_path: Path):
    """A fact said late in a passage longer than the recall room still reaches the model."""
    from longcli.chat.recalled import focus

    backend = FakeBackend(n_ctx=1024)
    story = " ".join(f"The crew checked valve {i} again." for i in range(30))
    passage = f"[story.txt, p. 4] {story} The old mill was painted a deep vermilion. {story}"
    cut = focus(backend, passage, "What colour was the old mill painted?", 60)
    assert backend.count_tokens(cut) <= 60
    assert cut.startswith("[story.txt, p. 4] … ") and cut.endswith(" …")
    assert "The old mill was painted a deep vermilion." in cut
    assert focus(backend, "[turn 2] short", "anything", 60) == "[turn 2] short"
