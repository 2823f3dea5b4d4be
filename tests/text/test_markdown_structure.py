"""Markdown structure a reader relies on (issue 31, the Chinese article): the first heading
of a document with no H1 is its title; a line bold as a whole is a heading (an FAQ's
question), never a summary sentence; a step of a numbered list is not read without its
list; inline TeX math is not prose. Structure decides, in any language."""

from __future__ import annotations

from pathlib import Path

from longcli.text.fragments import Unit, readable_units, title_of, verdict

ARTICLE = """\

## 扩展LLM的记忆：长上下文处理的突破

> 关键词：大型语言模型 (LLM)、长上下文处理、记忆扩展、Transformer、注意力机制

## 1. 背景介绍

大型语言模型 (LLM) 近年来取得了令人瞩目的成就，在文本生成、翻译、问答等领域展现出强大的能力。\
然而，LLM 的核心能力之一——上下文理解，仍然面临着瓶颈。

长上下文处理是 LLMs 发展的重要方向之一。
"""

FAQ = """\
## 9. 附录：常见问题与解答

**Q1: 什么是长上下文处理？**

**A1:** 长上下文处理是指使大型语言模型能够处理更长的文本信息，并更好地理解上下文关系的技术。

**Q2: 长上下文处理有哪些方法？**

**A2:** 主要分为检索式架构和生成式架构两种，它们各有所长。

**What does a long context window change for a reader?**

It lets the model read a whole report at once, so its answers keep the report's own terms.
"""

STEPS = """\
假设我们有一个句子 "The cat sat on the mat"，我们想要计算 "sat" 这个词语的注意力输出。

1. 将每个词语转换为查询向量、键向量和值向量。
2. 计算 "sat" 的查询向量与所有其他词语的键向量的点积。
3. **损失计算**：计算重构误差，反向传播更新编码器和解码器参数。

To install the tool:

1. Download the archive from the release page of the project.
2. Unpack the archive into a folder of your own choosing.

The council met on Monday and settled three matters:

- The council approved the new budget for the harbour after a long debate.
- The mayor said the money would repair the old pier before winter.
"""


def readable(units: list[Unit]) -> list[str]:
    return [unit.text for unit in units if unit.readable]


def test_the_first_heading_of_a_document_without_an_h1_is_its_title():
    units = readable_units(ARTICLE, at_start=True)
    assert units[0].lead
    assert units[0].text == "扩展LLM的记忆：长上下文处理的突破。"
    work = title_of(ARTICLE)
    assert work is not None and work.title == "扩展LLM的记忆：长上下文处理的突破"
    # a heading's Latin acronym inside Han text is not an all-capitals title to recase
    assert {unit.section for unit in units} >= {"扩展LLM的记忆：长上下文处理的突破"}


def test_an_h2_is_not_the_title_where_the_document_has_an_h1_or_it_names_a_section():
    with_h1 = "## Release notes\n\nSome words come first in this file.\n\n# The Real Title\n\nText."
    work = title_of(with_h1)
    assert work is None or work.title != "Release notes"
    for opening in ("## 1. Background\n\n", "## Introduction\n\n", "## Chapter 3\n\n"):
        text = opening + "The harbour council approved the budget after a long debate.\n"
        assert title_of(text) is None, opening
    english = "## Moving the Harbour Office\n\nThe council approved the move on Monday.\n"
    work = title_of(english)
    assert work is not None and work.title == "Moving the Harbour Office"


def test_a_line_bold_as_a_whole_is_a_heading_never_a_sentence():
    units = readable_units(FAQ)
    texts = readable(units)
    assert not [t for t in texts if "Q1" in t or "Q2" in t or "什么是" in t or "What does" in t]
    answer = next(u for u in units if u.text.startswith("长上下文处理是指"))
    assert answer.readable and answer.section == "Q1: 什么是长上下文处理？"
    assert any(t.startswith("It lets the model read") for t in texts)


def test_a_step_of_a_numbered_list_is_not_read_without_its_list():
    texts = readable(readable_units(STEPS))
    assert not [t for t in texts if "查询向量" in t or "点积" in t or "重构误差" in t]
    assert not [t for t in texts if "archive" in t]
    # a bulleted point stands on its own, and so does the prose around the lists
    assert "The council approved the new budget for the harbour after a long debate." in texts
    assert any(t.startswith("假设我们有一个句子") for t in texts)


def test_inline_tex_math_is_not_prose_and_money_is():
    assert verdict("自编码器的目标是使得 $\\mathbf{x'}$ 尽可能接近原始输入 $\\mathbf{x}$。")
    assert verdict("The loss falls as $n^2$ grows over the whole of the training run.")
    assert verdict("Here $Q$ is the query matrix of the attention layer we built.")
    assert not verdict("The ticket costs $5 and the meal costs $10 in the old town.")
    assert not verdict("Prices went from $5-$10 to twice that in the harbour town.")


def test_display_math_is_structure(tmp_path: Path):
    text = (
        "The attention of a layer is computed from three matrices of the input.\n\n"
        "$$\nAttention(Q, K, V) = softmax(\\frac{QK^T}{\\sqrt{d_k}})V\n$$\n\n"
        "Each word then weighs every other word by how alike their vectors are.\n"
    )
    texts = readable(readable_units(text))
    assert texts == [
        "The attention of a layer is computed from three matrices of the input.",
        "Each word then weighs every other word by how alike their vectors are.",
    ]


def test_a_run_in_heading_bold_as_a_whole_is_not_a_sentence():
    text = (
        "**What it cannot see.** It compares words, not meaning, so a faithful paraphrase "
        "in other words is refused.\n"
    )
    assert readable(readable_units(text)) == [
        "It compares words, not meaning, so a faithful paraphrase in other words is refused."
    ]
