"""The chat prompt: the order of its parts, and recall fitted to its share."""

from longcli.chat.exchange import Exchange
from longcli.chat.prompt import build_messages, fit_recall


def ex(n: int, tokens: int) -> Exchange:
    return Exchange(n, f"question {n}", f"answer {n}", tokens)


def test_facts_come_last_after_recall_and_the_message():
    facts = ["My code is 7."]
    msgs = build_messages("sys", "", ["[turn 3] recalled"], [], "what is my code?", facts)
    text = msgs[-1].content
    assert text.index("recalled") < text.index("what is my code?") < text.index("My code is 7.")
    assert "- My code is 7." in text
    assert "My code is 7." not in msgs[0].content


def test_messages_order_and_roles():
    msgs = build_messages("sys", "the summary", ["recalled one"], [ex(0, 1), ex(1, 1)], "now?")
    assert [m.role for m in msgs] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert "the summary" in msgs[0].content
    assert "recalled one" in msgs[-1].content and msgs[-1].content.endswith("now?")
    assert "recalled one" not in msgs[0].content  # the prompt's prefix stays stable
    assert msgs[1].role == "user"  # the window never starts with an assistant message


def test_fit_recall_stops_at_the_limit():
    def build(rec):
        return build_messages(None, "", rec, [], "q")

    def measure(msgs):
        return sum(len(m.content) for m in msgs)

    plan = fit_recall(measure, build, ["a" * 50, "b" * 500, "c" * 30], 200)
    assert plan.recalled == ["a" * 50, "c" * 30]
    assert plan.dropped_recall == 1
    assert plan.prompt_tokens <= 200
