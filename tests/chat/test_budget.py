"""The chat's token budget: the context shared out, and how many exchanges a fold takes."""

import pytest

from longcli.chat.budget import ChatBudget, chat_budget, fold_count
from longcli.chat.exchange import Exchange


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
