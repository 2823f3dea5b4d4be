import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from longcli.text.chunks import chunk_stream, split_text
from tests.support.fake_backend import FakeBackend

fake_count = FakeBackend().count_tokens


def ceil_half_count(text: str) -> int:
    """A counter that is not additive: joining two pieces can change the total."""
    return (len(text) + 1) // 2


COUNTERS = [fake_count, ceil_half_count]

words = st.sampled_from(
    [
        "the",
        "cat",
        "sat.",
        "Dog!",
        "why?",
        "a-b",
        "x" * 40,
        "ünï",
        "\n",
        "\n\n",
        "# Head\n",
        "  ",
        "CHAPTER 2\n\n",
    ]
)
texts = st.lists(words, max_size=300).map(" ".join)


def check_chunks(text, chunks, budget, count):
    assert "".join(c.text for c in chunks) == text
    pos = 0
    for i, c in enumerate(chunks):
        assert c.index == i
        assert c.start == pos and c.end == pos + len(c.text)
        assert c.text == text[c.start : c.end]
        assert c.tokens == count(c.text)
        assert c.tokens <= budget
        assert c.text  # no empty chunks
        pos = c.end
    assert pos == len(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, budget=st.integers(16, 120), counter=st.sampled_from(COUNTERS))
def test_every_character_lands_in_exactly_one_chunk_within_budget(text, budget, counter):
    check_chunks(text, list(chunk_stream([text], budget, counter)), budget, counter)


@settings(max_examples=80, deadline=None)
@given(text=texts, budget=st.integers(16, 80), seed=st.integers(0, 1000))
def test_streaming_in_any_block_sizes_keeps_the_properties(text, budget, seed):
    import longcli.text.chunks as chunking

    rng = random.Random(seed)
    blocks, pos = [], 0
    while pos < len(text):
        step = rng.randint(1, 50)
        blocks.append(text[pos : pos + step])
        pos += step
    old = chunking.MIN_BUFFER_CHARS
    chunking.MIN_BUFFER_CHARS = 64  # force many buffer flushes
    try:
        chunks = list(chunk_stream(blocks, budget, fake_count))
    finally:
        chunking.MIN_BUFFER_CHARS = old
    check_chunks(text, chunks, budget, fake_count)


def test_chunks_follow_chapters_when_they_can():
    chapter = "CHAPTER {n}\n\n" + ("Some words in a sentence here. " * 12 + "\n\n") * 3
    text = "".join(chapter.format(n=n) for n in range(1, 6))
    per_chapter = fake_count(chapter.format(n=1))
    budget = int(per_chapter * 1.5)  # one chapter fits, two do not
    chunks = list(chunk_stream([text], budget, fake_count))
    assert len(chunks) == 5
    assert all(c.text.startswith("CHAPTER") for c in chunks)


def test_paragraphs_are_preferred_over_lines_and_sentences():
    para = "One short line.\nAnother line here. And a sentence.\n\n"
    text = para * 40
    chunks = list(chunk_stream([text], 60, fake_count))
    assert len(chunks) > 1
    assert all(c.text.endswith("\n\n") for c in chunks)


def test_sentences_used_inside_an_oversized_paragraph():
    text = "This is one sentence of the paragraph. " * 60
    chunks = split_text(text, 50, fake_count)
    for _, end, _ in chunks[:-1]:
        assert text[:end].endswith(". ")


def test_budget_too_small_is_refused():
    with pytest.raises(ValueError):
        list(chunk_stream(["abc"], 3, fake_count))


def test_real_tokenizer_budget_is_exact(tokenizer):
    text = "Résumé of the café.\n\n" * 200 + "<|im_end|> and </s> are plain text here.\n"
    chunks = list(chunk_stream([text], 100, tokenizer.count_tokens))
    check_chunks(text, chunks, 100, tokenizer.count_tokens)


def test_pathological_line_without_spaces_does_linear_work(tokenizer):
    """A 2 MB line with no boundary: hard cuts, and the tokenizer sees each character a
    bounded number of times (no quadratic re-tokenizing)."""
    text = "".join(random.Random(1).choice("abcdefghij0123456789") for _ in range(2_000_000))
    tokenized_chars = 0

    def counting(piece: str) -> int:
        nonlocal tokenized_chars
        tokenized_chars += len(piece)
        return tokenizer.count_tokens(piece)

    blocks = [text[i : i + 65536] for i in range(0, len(text), 65536)]
    chunks = list(chunk_stream(blocks, 512, counting))
    check_chunks(text, chunks, 512, tokenizer.count_tokens)
    assert tokenized_chars < 40 * len(text)
    assert min(c.tokens for c in chunks[:-1]) > 400  # hard cuts still fill chunks


def test_a_text_without_words_or_only_white_space_is_refused_once_read_naming_it():
    from longcli.errors import InputError
    from longcli.text.chunks import Chunk, WordWatch

    def chunks(*texts: str) -> list[Chunk]:
        return [Chunk(i, 0, 0, len(t), 1, t) for i, t in enumerate(texts)]

    with pytest.raises(InputError, match=r"^a\.txt has no readable text"):
        list(WordWatch(chunks("😀🎉 ", "\u200b🚀"), ["a.txt"]))
    with pytest.raises(InputError) as blank:  # white space alone: named, said as empty
        list(WordWatch(chunks("  \n", "\n"), ["a.txt"]))
    assert blank.value.message == "a.txt is empty (only white space)"
    with pytest.raises(InputError) as empty:
        list(WordWatch([], ["b.txt"]))
    assert empty.value.message == "b.txt is empty"
    watch = WordWatch(chunks("😀", "Ships sail."), ["a.txt", "b.txt"])
    assert len(list(watch)) == 2
    error = watch.empty_summary()
    assert (
        error.message == "a.txt, b.txt has no prose to summarize (only headings, code, "
        "tables or other structure)"
    )


def test_a_chapters_name_stays_with_its_number():
    """The Secret Garden (walk 47): "CHAPTER III" and "ACROSS THE MOOR" are two lines set
    apart, each read as a heading; chunks began at the name, and the outline said
    "Chapter III:" for 9 of its 14 chapters. Whatever the budget, no chunk starts there."""
    paragraph = "Mary walked across the moor with Martha and saw the gardens there. " * 6
    names = ["THERE IS NO ONE LEFT", "ACROSS THE MOOR", "MARTHA", "THE CRY IN THE CORRIDOR"]
    text = "".join(
        f"CHAPTER {n}\n\n{name}\n\n\n{paragraph}\n\n{paragraph}\n\n\n"
        for n, name in zip(["I", "II", "III", "IV"], names, strict=True)
    )
    for budget in range(60, 400, 7):
        for start, _, _ in split_text(text, budget, fake_count):
            assert not any(text.startswith(name, start) for name in names), budget
