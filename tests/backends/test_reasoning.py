"""Reasoning models' thinking never reaches a summary, a fold or a chat reply."""

from __future__ import annotations

import dataclasses

import pytest

from longcli.backends.base import Completion
from longcli.backends.http import HttpBackend, ServerOptions
from longcli.backends.llama import ChatTemplate
from longcli.backends.reasoning import ThinkingFilter, filtered, has_switch, thinks, visible
from longcli.calls import Message, Sampling
from longcli.grounding.cleanup import strip_artifacts
from longcli.prompts.templates import load_templates
from longcli.summarize.budget import SummarizeOptions
from longcli.summarize.pipeline import Summarizer, chunk_sources
from tests.fake_server import FakeServer
from tests.support.fake_backend import FakeBackend

ANSWER = "Mara lit the lamp at Carrow Point."
THOUGHTS = [
    f"<think>The user wants a summary. Let me think about Tom.</think>\n\n{ANSWER}",
    f"<think>\nplanning\n</think>{ANSWER}",
    f"Okay, so first the lamp... I should be brief.</think>\n{ANSWER}",  # template opened it
    f"<|channel|>analysis<|message|>Need short answer.<|end|><|start|>assistant"
    f"<|channel|>final<|message|>{ANSWER}",
    f"{ANSWER} /no_think",
    f"/think {ANSWER}",
    f"<thinking>hidden</thinking>{ANSWER}",
]


@pytest.mark.parametrize("raw", THOUGHTS)
def test_visible_keeps_only_the_answer(raw: str) -> None:
    assert visible(raw) == ANSWER


def test_visible_leaves_ordinary_text_alone() -> None:
    text = "He said: think again, and/or wait. The path /usr/think stays."
    assert visible(text) == text


def test_an_answer_cut_off_while_thinking_shows_nothing() -> None:
    assert visible("<think>still going and going") == ""


@pytest.mark.parametrize("raw", THOUGHTS)
@pytest.mark.parametrize("size", [1, 3, 7])
def test_streams_show_the_answer_only(raw: str, size: int) -> None:
    pieces = [raw[i : i + size] for i in range(0, len(raw), size)]
    opened = not raw.startswith(("<", f"{ANSWER}", "/think")) and "</think>" in raw
    assert "".join(filtered(pieces, opened=opened)).strip() == ANSWER


def test_a_stream_shows_the_answer_before_it_ends() -> None:
    gate = ThinkingFilter()
    shown = gate.feed("<think>x</think>") + gate.feed(" " + "word " * 20)
    assert shown.strip().startswith("word")  # released while streaming, not only at close


def test_templates_with_a_switch_are_told_not_to_think() -> None:
    qwen3 = (
        "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
        "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n"
        "{% if enable_thinking is defined and enable_thinking is false %}"
        "<think>\n\n</think>\n\n{% endif %}{% endif %}"
    )
    assert has_switch(qwen3) and thinks(qwen3)
    texts, _ = ChatTemplate(qwen3, "", "").render_slots([Message("user", "hi")])
    assert texts[-1].endswith("<think>\n\n</think>\n\n")
    assert not has_switch(None) and not thinks("{{ messages }}")


class Thinker(FakeBackend):
    """The fake model, thinking aloud before every answer."""

    def complete(self, messages: list[Message], sampling: Sampling) -> Completion:
        done = super().complete(messages, sampling)
        thought = "<think>I think you want Tom.</think> " + done.text
        return dataclasses.replace(done, text=thought, completion_tokens=done.completion_tokens + 9)


def test_no_thinking_in_a_summary_or_its_parts() -> None:
    text = " ".join(f"Mara kept the light at Carrow Point for night {i}." for i in range(300))
    backend = Thinker(n_ctx=1024)
    summarizer = Summarizer(backend, load_templates(), SummarizeOptions(words=60,
                            method="abstractive"))  # fmt: skip
    result = summarizer.run(chunk_sources([[text]], summarizer.budget, backend.count_tokens))
    pieces = [result.summary, *(c.summary for c in result.chunks)]
    pieces += [m.summary for level in result.levels for m in level]
    assert result.stats.calls > 1
    assert not any("think" in p.lower() or "you" in p.lower() for p in pieces)


def test_folds_strip_thinking_like_every_answer() -> None:
    assert strip_artifacts("<think>plan</think>The user lives in Oslo.") == (
        "The user lives in Oslo."
    )


def test_server_replies_and_streams_strip_thinking() -> None:
    with FakeServer() as server:
        reply = f"<think>hidden reasoning here</think> {ANSWER}"
        server.model.complete = lambda m, s: Completion(reply, 10, 20, "stop")  # type: ignore[method-assign]
        http = HttpBackend(ServerOptions(base_url=server.url, timeout_s=5, retries=0))
        messages = [Message("user", "Summarize.")]
        done = http.complete(messages, Sampling(max_tokens=64))
        assert done.text == ANSWER and done.completion_tokens == 20  # thinking is paid for
        assert "".join(http.stream(messages, Sampling(max_tokens=64))).strip() == ANSWER
        body = server.chat_bodies[0]
        assert body["chat_template_kwargs"] == {"enable_thinking": False}


def test_a_server_model_that_thinks_past_the_cap_is_given_room_once() -> None:
    with FakeServer(n_ctx=2048) as server:
        replies = [
            Completion("<think>long long reasoning", 10, 64, "length"),
            Completion(f"<think>long reasoning</think>{ANSWER}", 10, 90, "stop"),
        ]
        server.model.complete = lambda m, s: replies.pop(0)  # type: ignore[method-assign]
        http = HttpBackend(ServerOptions(base_url=server.url, timeout_s=5, retries=0))
        done = http.complete([Message("user", "Summarize.")], Sampling(max_tokens=64))
        assert done.text == ANSWER and done.completion_tokens == 154  # both calls counted
        assert server.chat_bodies[1]["max_tokens"] > 64
