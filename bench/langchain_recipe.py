"""LangChain's map_reduce summarization recipe, reproduced for side-by-side measurement.

What a LangChain user runs: `RecursiveCharacterTextSplitter` (separators "\\n\\n", "\\n",
" ", ""; separators kept at the start of the next piece; 600-token chunks measured with
the model's tokenizer; no overlap), then `load_summarize_chain(llm, "map_reduce",
token_max=1500)`: every chunk summarized with LangChain's default prompt, the summaries
collapsed in groups that fit `token_max` with the same prompt until they fit, then one
final call. Sampling is LangChain's `LlamaCpp`/`ChatLlamaCpp` defaults (temperature 0.8,
top_p 0.95, top_k 40, repeat_penalty 1.1, max_tokens 256). The prompt goes through the
model's chat template, as `ChatLlamaCpp` sends it (an instruct model does better that way
than with the raw completion `LlamaCpp` sends), so this is the recipe at its best.

LangChain itself is not installed: this is the same algorithm written for this bench, so
that longcli never depends on it. LangChain's collapse loop has no bound by default; here
it stops after MAX_COLLAPSES rounds and says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PROMPT = 'Write a concise summary of the following:\n\n\n"{text}"\n\n\nCONCISE SUMMARY:'
SEPARATORS = ["\n\n", "\n", " ", ""]
CHUNK_TOKENS = 600
TOKEN_MAX = 1500
MAX_COLLAPSES = 10
SAMPLING = {"temperature": 0.8, "top_p": 0.95, "top_k": 40, "repeat_penalty": 1.1}
MAX_TOKENS = 256


def _split_keeping_separator(text: str, separator: str) -> list[str]:
    if not separator:
        return list(text)
    parts = re.split(f"({re.escape(separator)})", text)
    pieces = [parts[0]] + [parts[i] + parts[i + 1] for i in range(1, len(parts) - 1, 2)]
    if len(parts) % 2 == 0:
        pieces.append(parts[-1])
    return [p for p in pieces if p]


def _merge(splits: list[str], size: int, length: Callable[[str], int]) -> list[str]:
    docs: list[str] = []
    current: list[str] = []
    total = 0
    for piece in splits:
        n = length(piece)
        if current and total + n > size:
            doc = "".join(current).strip()
            if doc:
                docs.append(doc)
            current, total = [], 0
        current.append(piece)
        total += n
    doc = "".join(current).strip()
    if doc:
        docs.append(doc)
    return docs


def split_text(
    text: str,
    length: Callable[[str], int],
    size: int = CHUNK_TOKENS,
    separators: list[str] = SEPARATORS,
) -> list[str]:
    """RecursiveCharacterTextSplitter.split_text with chunk_overlap=0."""
    separator, rest = separators[-1], []
    for i, candidate in enumerate(separators):
        if candidate == "" or candidate in text:
            separator, rest = candidate, separators[i + 1 :]
            break
    chunks: list[str] = []
    good: list[str] = []
    for piece in _split_keeping_separator(text, separator):
        if length(piece) < size:
            good.append(piece)
            continue
        if good:
            chunks.extend(_merge(good, size, length))
            good = []
        chunks.extend(split_text(piece, length, size, rest) if rest else [piece])
    if good:
        chunks.extend(_merge(good, size, length))
    return chunks


@dataclass
class RecipeRun:
    summary: str
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    collapses: int = 0
    gave_up: bool = False
    notes: list[str] = field(default_factory=list)


def summarize(backend: Any, text: str, seed: int = 0) -> RecipeRun:
    """Run the recipe on `text` with a longcli Backend (for its model and tokenizer)."""
    from longcli.calls import Message, Sampling

    run = RecipeRun("")

    def call(body: str) -> str:
        messages = [Message("user", PROMPT.format(text=body))]
        room = backend.n_ctx - backend.prompt_tokens(messages)
        sampling = Sampling(max_tokens=max(1, min(MAX_TOKENS, room)), seed=seed, **SAMPLING)
        completion = backend.complete(messages, sampling)
        run.calls += 1
        run.prompt_tokens += completion.prompt_tokens
        run.completion_tokens += completion.completion_tokens
        return completion.text.strip()

    def prompt_length(docs: list[str]) -> int:
        return backend.count_tokens(PROMPT.format(text="\n\n".join(docs)))

    docs = [call(chunk) for chunk in split_text(text, backend.count_tokens)]
    while prompt_length(docs) > TOKEN_MAX:
        if run.collapses >= MAX_COLLAPSES:
            run.gave_up = True
            break
        groups: list[list[str]] = []
        current: list[str] = []
        for doc in docs:
            if current and prompt_length([*current, doc]) > TOKEN_MAX:
                groups.append(current)
                current = []
            current.append(doc)
        groups.append(current)
        docs = [call("\n\n".join(group)) for group in groups]
        run.collapses += 1
    run.summary = call("\n\n".join(docs))
    return run


def main() -> None:
    """`--smoke`: the recipe on a built-in text with a stand-in model (words as tokens, each
    answer the first sentence of its prompt's text), to show it runs and terminates."""
    import argparse

    from longcli.backends.base import Capabilities, Completion

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="required: this is a library")
    args = parser.parse_args()
    if not args.smoke:
        raise SystemExit("langchain_recipe is used by bench/summarize_quality.py; try --smoke")

    class StandIn:
        n_ctx, identity, capabilities = 4096, "stand-in", Capabilities()

        def count_tokens(self, text: str) -> int:
            return len(text.split())

        def prompt_tokens(self, messages: list[Any]) -> int:
            return sum(len(m.content.split()) for m in messages)

        def complete(self, messages: list[Any], sampling: Any) -> Completion:
            body = messages[-1].content.split('"')[1]
            first = body.split(". ")[0][:400] + "."
            return Completion(first, self.prompt_tokens(messages), len(first.split()), "stop")

    sentence = "The ferry from Hale Bay carried {n} crates of tea to the island market. "
    text = "\n\n".join(sentence.format(n=n) * 12 for n in range(450))
    run = summarize(StandIn(), text)
    assert run.summary and run.collapses >= 1 and not run.gave_up, run
    print(f"langchain_recipe smoke: {run.calls} calls, {run.collapses} collapses")


if __name__ == "__main__":
    main()
