import pytest

from longcli.chat.memory import (
    ChatBudget,
    Exchange,
    build_messages,
    chat_budget,
    fit_recall,
    fold_count,
)


def ex(n: int, tokens: int) -> Exchange:
    return Exchange(n, f"question {n}", f"answer {n}", tokens)


BUDGET = ChatBudget(
    n_ctx=1000,
    reply_tokens=200,
    summary_cap=250,
    recall_tokens=100,
    facts_tokens=0,
    fixed_tokens=50,
    window_tokens=384,
)


def test_budget_split_and_too_small():
    b = chat_budget(1024, 40, 384, 0.25, 256)
    assert b.reply_tokens == 256 and b.summary_cap == 256 and b.recall_tokens == 128
    assert b.facts_tokens == 0
    assert b.window_tokens == 1024 - 256 - 256 - 128 - 40 - 16
    with pytest.raises(ValueError, match="leaves"):
        chat_budget(512, 300, 384, 0.25, 256)


def test_facts_share_comes_out_of_the_summary_share():
    b = chat_budget(1024, 40, 384, 0.25, 256, facts_tokens=128)
    assert b.facts_tokens == 128 and b.summary_cap == 256 - 128
    assert b.window_tokens == 1024 - 256 - 256 - 128 - 40 - 16  # the window is unchanged
    small = chat_budget(2048, 40, 384, 0.1, 256, facts_tokens=4096)
    assert small.facts_tokens == 204 // 2 and small.summary_cap == 204 - 102  # at most half


def test_facts_come_last_after_recall_and_the_message():
    facts = ["My code is 7."]
    msgs = build_messages("sys", "", ["[turn 3] recalled"], [], "what is my code?", facts)
    text = msgs[-1].content
    assert text.index("recalled") < text.index("what is my code?") < text.index("My code is 7.")
    assert "- My code is 7." in text
    assert "My code is 7." not in msgs[0].content


def test_no_fold_while_it_fits():
    window = [ex(i, 50) for i in range(5)]
    assert fold_count(window, 100, BUDGET) == 0


def test_fold_takes_whole_exchanges_and_a_batch():
    window = [ex(i, 40) for i in range(9)]  # 360 tokens
    count = fold_count(window, 40, BUDGET)  # 400 > 384: must free 16, folds >= 30% (108)
    assert count == 3
    assert sum(e.tokens for e in window[count:]) + 40 <= BUDGET.window_tokens


def test_fold_frees_enough_for_a_big_message():
    window = [ex(i, 40) for i in range(9)]
    count = fold_count(window, 300, BUDGET)
    assert sum(e.tokens for e in window[count:]) + 300 <= BUDGET.window_tokens


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
