"""Generated conversations (issue 30): does the chat answer from what the user said?

    python bench/chat_generated.py                 # family A (tuning) on the bundled model
    python bench/chat_generated.py --family B      # family B: held out, read at the end only
    python bench/chat_generated.py --family A,B --conversations 8
    python bench/chat_generated.py --smoke         # fake model, two short conversations (CI)
    python bench/chat_generated.py --model "$(python bench/fetch_bench_model.py)"  # Qwen

Each conversation (seeded) states four facts of kinds drawn from the family's templates
(bench/chat_generated_a.py, chat_generated_b.py: 30+ kinds, 5 phrasings of each
statement, question and update, 7 languages), two of them in one message, by owners in the
first and third person, some with typos; then filler turns (a 1,024-token context folds
them); then an update of one fact in words the statement does not use; then a question
about each fact. Every message is answered by the model through `Chat.ask`, as in
`longcli chat`. Scores: questions answered right (the value in the reply or in the quote of
the user's words under it), stale values after an update, replies (or opening sentences)
shown twice for different messages, values the user never said (a number, or another value
of the kind asked about, in the model's words), replies in the user's language.
"""

from __future__ import annotations

import argparse
import importlib
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support (the fake model)
sys.path.insert(0, str(ROOT / "bench"))
if "--before" in sys.argv:  # longcli from a copy of the code before a change, same run
    sys.path.insert(0, sys.argv[sys.argv.index("--before") + 1])

from chat_generated_kinds import Kind  # noqa: E402

FILLER = (
    "Tell me something nice about autumn.",
    "I watched a documentary about octopuses yesterday.",
    "What's a good way to relax after work?",
    "The weather has been grey all week.",
    "Any tips for keeping houseplants alive?",
    "I had pancakes for breakfast.",
    "Why is the sky blue?",
    "Give me a fun fact about owls.",
    "My neighbour plays the piano every evening.",
    "How do I boil an egg properly?",
    "I'm thinking about learning to knit.",
    "What makes a good cup of tea?",
)
OWNERS = (("my", "My"), ("my brother's", "My brother's"), ("Priya's", "Priya's"))
QUOTE = "(You told me at turn"
NOT_TOLD = "You haven't told me"


@dataclass
class Question:
    text: str
    kind: Kind
    value: str
    old: str = ""  # the value an update replaced


@dataclass
class Conversation:
    messages: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    untold: Question | None = None  # about a kind never stated: asked last


def _typo(text: str, rng: random.Random, keep: str) -> str:
    """One pair of neighbouring letters swapped in a long word that is not the value."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha() and w not in keep]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def _fill(frame: str, kind: Kind, owner: tuple[str, str], value: str) -> str:
    return frame.format(o=owner[0], O=owner[1], t=kind.t, v=value)


def _join(first: str, second: str) -> str:
    """Two statements as one message: one sentence joined by "and", or two sentences."""
    if (
        second.startswith(("I ", "I'"))
        or second[:1].isupper()
        and second.split()[0]
        not in (
            "My",
            "Note",
            "Remember",
            "Just",
        )
    ):
        return f"{first.rstrip('.')} and {second}"
    return f"{first.rstrip('.')} and {second[0].lower()}{second[1:]}"


def conversation(kinds: list[Kind], rng: random.Random, fillers: int) -> Conversation:
    chosen = rng.sample(kinds, 4)
    renewable = [k for k in chosen if k.renews]
    renewed = rng.choice(renewable) if renewable else None
    conv = Conversation()
    said: list[tuple[Kind, tuple[str, str], str, str]] = []
    for kind in chosen:
        owner = rng.choice(OWNERS) if "{o}" in kind.states[0] else OWNERS[0]
        value = rng.choice(kind.values)
        text = _fill(rng.choice(kind.states), kind, owner, value)
        if rng.random() < 0.25:
            text = _typo(text, rng, value)
        said.append((kind, owner, value, text))
    first, second = said[0][3], said[1][3]
    same_lang = said[0][0].lang == said[1][0].lang
    statements = [_join(first, second)] if same_lang else [first, second]
    statements += [s[3] for s in said[2:]]
    for text, lang in zip(statements, [s[0].lang for s in said[-len(statements) :]], strict=False):
        conv.messages.append(text)
        conv.languages.append(lang)
    for i in range(fillers):
        conv.messages.append(FILLER[(i + rng.randrange(len(FILLER))) % len(FILLER)])
        conv.languages.append("en")
    # what else is said of the same one, drawn by its own generator (seeded by the
    # messages) so that the conversation's own draw stays as it was
    aside = random.Random(" ".join(conv.messages))
    for kind, _, value, _ in said:
        if kind.asides:
            conv.messages.append(aside.choice(kind.asides).format(v=value))
            conv.languages.append(kind.lang)
    for kind, owner, value, _ in said:
        old = ""
        if kind is renewed:
            old, value = value, rng.choice([v for v in kind.values if v != value])
            conv.messages.append(_fill(rng.choice(kind.renews), kind, owner, value))
            conv.languages.append(kind.lang)
        ask = _fill(rng.choice(kind.asks), kind, owner, value)
        if rng.random() < 0.2:
            ask = _typo(ask, rng, value)
        conv.questions.append(Question(ask, kind, value, old))
    conv.untold = _untold(kinds, chosen, conv)
    return conv


def _untold(kinds: list[Kind], chosen: list[Kind], conv: Conversation) -> Question | None:
    """A question about an English kind of fact the conversation never states, one that
    shares no word of its name with those stated ("door code" is not asked after "locker
    code"), drawn by its own generator (seeded by the messages) so that the conversation's
    own draw stays as it was."""
    told = {w for k in chosen for w in k.t.lower().split()}
    others = [k for k in kinds if k.lang == "en" and not told & set(k.t.lower().split())]
    if not others:
        return None
    draw = random.Random(" ".join(conv.messages))
    kind = draw.choice(others)
    return Question(_fill(draw.choice(kind.asks), kind, OWNERS[0], kind.values[0]), kind, "")


def family(name: str) -> list[Kind]:
    module = importlib.import_module(f"chat_generated_{name.lower()}")
    kinds: list[Kind] = module.KINDS
    return kinds


# -- scoring ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+")


def _answer(text: str) -> str:
    return text.split(QUOTE)[0].strip()


def _opening(text: str) -> str:
    return " ".join(re.findall(r"\w+", re.split(r"(?<=[.!?])\s", text.strip())[0].lower()))


def repeats(messages: list[str], answers: list[str]) -> int:
    """Replies (or opening sentences) equal or nearly equal to one shown for another message."""
    from rapidfuzz import fuzz

    def body(text: str) -> str:  # its words; a reply of emoji alone ("🌟") as it is
        return " ".join(re.findall(r"\w+", text.lower())) or text.strip()

    count = 0
    for i, a in enumerate(answers):
        if not body(a):
            continue
        for j in range(i):
            if messages[j] == messages[i] or not answers[j]:
                continue
            mine, other = body(a), body(answers[j])
            if fuzz.ratio(mine, other) >= 90 or (
                len(_opening(a).split()) >= 2
                and fuzz.ratio(_opening(a), _opening(answers[j])) >= 90
            ):
                count += 1
                break
    return count


def in_language(answer: str, lang: str) -> bool:
    from longcli.text.language import UNKNOWN, detect, other_language

    if len(answer.split()) < 4 or answer.startswith(("(", "You haven't")):
        return True  # too short to tell; longcli's own lines are English by design
    found = detect(answer)
    return found in (lang, UNKNOWN) or other_language(answer, lang) is None and found == lang


def asked(conv: Conversation) -> list[str]:
    """Every message of `conv` in order: statements, filler, questions, the untold one."""
    untold = [conv.untold.text] if conv.untold is not None else []
    return conv.messages + [q.text for q in conv.questions] + untold


def score(conv: Conversation, shown: list[str], by_model: list[bool]) -> dict[str, int]:
    n = len(conv.messages)
    said = " ".join(conv.messages + [q.text for q in conv.questions])
    out = {"questions": 0, "right": 0, "updates": 0, "stale": 0, "invented": 0}
    out |= {"untold": 0, "untold_quoted": 0, "untold_not_told": 0}
    for q, text in zip(conv.questions, shown[n:], strict=False):
        low = text.lower()
        out["questions"] += 1
        out["right"] += q.kind.key(q.value) in low
        if q.old:
            out["updates"] += 1
            out["stale"] += q.kind.key(q.old) in low
        model = _answer(text).lower() if by_model[n + conv.questions.index(q)] else ""
        unsaid_numbers = [m for m in _NUMBER.findall(model) if m not in said]
        others = [v for v in q.kind.values if v.lower() in model and v.lower() not in said.lower()]
        out["invented"] += bool(unsaid_numbers or others)
    if conv.untold is not None and len(shown) > n + len(conv.questions):
        at = n + len(conv.questions)
        text = shown[at]
        out["untold"] += 1
        out["untold_quoted"] += QUOTE in text  # the user's words for what they never said
        out["untold_not_told"] += NOT_TOLD in text
        model = _answer(text).lower() if by_model[at] else ""
        others = [v for v in conv.untold.kind.values if v.lower() in model]
        out["invented"] += bool([m for m in _NUMBER.findall(model) if m not in said] or others)
    users = asked(conv)
    langs = conv.languages + [q.kind.lang for q in conv.questions]
    langs += [conv.untold.kind.lang] if conv.untold is not None else []
    answers = [_answer(t) if m else "" for t, m in zip(shown, by_model, strict=False)]
    out["repeated"] = repeats(users, answers)
    out["replies"] = sum(by_model)
    out["in_language"] = sum(
        in_language(a, lang) for a, lang, m in zip(answers, langs, by_model, strict=False) if m
    )
    return out


# -- running ---------------------------------------------------------------------------------


def _backend(fake: bool, ctx: int, model: str | None = None) -> Any:
    if fake:
        from tests.support.fake_backend import FakeBackend

        return FakeBackend(n_ctx=ctx)
    from longcli.backends.llama import LlamaBackend
    from longcli.models.gguf import describe_model
    from longcli.models.locate import bundled_model_path

    path = Path(model) if model else bundled_model_path()
    assert path is not None and path.is_file(), f"no model file at {path}"
    return LlamaBackend(describe_model(path), ctx)


def _embedder(wanted: bool) -> Any:
    """The chat's embedding model as `longcli chat` finds it (the GGUF in <data
    dir>/embedding/, see bench/fetch_embedding_model.py); None without one, with
    --no-embedding, or for code from before embeddings (--before)."""
    if not wanted:
        return None
    try:
        from longcli.backends.embedding import find_embedding_model, open_embedder
    except ImportError:
        return None
    path = find_embedding_model(None)
    return open_embedder(path) if path is not None else None


def play(
    conv: Conversation, backend: Any, reply_tokens: int, embedder: Any = None
) -> tuple[list[str], list[bool], int]:
    from longcli.chat.conversation import Chat, ChatOptions
    from longcli.chat.session import Session
    from longcli.config import Fold
    from longcli.prompts.templates import load_templates

    shown, by_model = [], []
    with tempfile.TemporaryDirectory() as tmp:
        session = Session.open(Path(tmp) / "s", create=True, writable=True)
        options = ChatOptions(reply_tokens=reply_tokens, fold=Fold.extractive)
        extra = {"embedder": embedder} if embedder is not None else {}
        chat = Chat(session, backend, load_templates(), options, **extra)
        try:
            for message in asked(conv):
                turn = chat.ask(message)
                shown.append(turn.text)
                by_model.append(str(turn.by) == "model")
            folds = chat.state.folds
        finally:
            session.close()
    return shown, by_model, folds


def run_family(
    name: str,
    backend: Any,
    count: int,
    fillers: int,
    seed: int,
    show: bool,
    embedder: Any = None,
    misses: bool = False,
) -> dict[str, int]:
    rng = random.Random(f"{seed}-{name}")
    kinds = family(name)
    total: dict[str, int] = {}
    for _ in range(count):
        conv = conversation(kinds, rng, fillers)
        shown, by_model, folds = play(conv, backend, 64, embedder)
        result = score(conv, shown, by_model)
        result["folds"] = folds
        result["turns"] = len(shown)
        for k, v in result.items():
            total[k] = total.get(k, 0) + v
        if misses:  # the tuning family's only: the held-out one is never read
            n = len(conv.messages)
            for q, text in zip(conv.questions, shown[n:], strict=False):
                if q.kind.key(q.value) not in text.lower():
                    print(f"  miss {q.text!r} wants {q.value!r}: {text!r}")
                    said = [m for m in conv.messages if q.kind.key(q.value) in m.lower()]
                    print(f"       said {said!r}")
                if q.old and q.kind.key(q.old) in text.lower():
                    print(f"  stale {q.text!r} wants {q.value!r}, not {q.old!r}: {text!r}")
                    said = [m for m in conv.messages if q.kind.key(q.value) in m.lower()]
                    print(f"       said {said!r}")
            if conv.untold is not None and len(shown) > n + len(conv.questions):
                text = shown[n + len(conv.questions)]
                if QUOTE in text:
                    print(f"  quoted, never told {conv.untold.text!r}: {text!r}")
        if show:
            for message, text in zip(asked(conv), shown, strict=False):
                print(f"  > {message}\n    {text!r}")
            print(f"  {result}")
    return total


def line(name: str, t: dict[str, int]) -> str:
    def pct(a: int, b: int) -> str:
        return f"{a}/{b} ({100 * a / b:.0f}%)" if b else "-"

    return (
        f"{name:>8} right {pct(t['right'], t['questions']):>14}  stale {t['stale']}/{t['updates']}"
        f"  repeated {t['repeated']}/{t['replies']}  never said {t['invented']}"
        f"  in language {pct(t['in_language'], t['replies']):>14}  folds {t['folds']}"
        f"\n{'':>8} never told: quoted {t['untold_quoted']}/{t['untold']}"
        f'  "not told" {t["untold_not_told"]}/{t["untold"]}'
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--family", default="A", help="A (tuning), B (held out), or A,B")
    parser.add_argument("--conversations", type=int, default=8)
    parser.add_argument("--fillers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=30)
    parser.add_argument("--ctx", type=int, default=1024)
    parser.add_argument("--fake", action="store_true", help="the deterministic fake model")
    parser.add_argument(
        "--model",
        help="a GGUF chat model instead of the bundled one, e.g. the path "
        "bench/fetch_bench_model.py prints (Qwen2.5-Coder-0.5B)",
    )
    parser.add_argument("--show", action="store_true", help="print every message and reply")
    parser.add_argument(
        "--misses",
        action="store_true",
        help="print each question answered wrong or with a replaced value (family A only)",
    )
    parser.add_argument("--smoke", action="store_true", help="fake model, 2 conversations")
    parser.add_argument("--before", help="a folder holding a copy of longcli/ to run instead")
    parser.add_argument(
        "--no-embedding", action="store_true", help="without the embedding model, if present"
    )
    args = parser.parse_args()
    fake = args.fake or args.smoke
    count = 2 if args.smoke else args.conversations
    backend = _backend(fake, args.ctx, args.model)
    embedder = _embedder(not args.no_embedding)
    started = time.perf_counter()
    print(
        f"generated conversations: {count} per family, "
        f"{'fake' if fake else Path(args.model).name if args.model else 'bundled'} model, "
        f"{'with' if embedder is not None else 'without'} an embedding model"
    )
    turns = 0
    for name in args.family.split(","):
        misses = args.misses and name == "A"
        t = run_family(name, backend, count, args.fillers, args.seed, args.show, embedder, misses)
        turns += t["turns"]
        print(line(name, t))
    seconds = time.perf_counter() - started
    print(f"({seconds:.0f} s, {seconds / max(turns, 1):.2f} s a turn over {turns} turns)")


if __name__ == "__main__":
    main()
