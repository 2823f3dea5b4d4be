"""Chat memory: flat cost, recall ranking, fact retention over 1,000 turns, and document QA.

    python bench/chat_memory.py cost                  # fake model: prompt size per block
    python bench/chat_memory.py recall                # model-free: does recall find the fact?
    python bench/chat_memory.py summary               # what the running summary keeps
    python bench/chat_memory.py retention             # bundled model, fresh process per question
    python bench/chat_memory.py retention --depths 200 --fold model --variants full
    python bench/chat_memory.py document              # chat --file: answers by place in the file
    python bench/chat_memory.py trust                 # issue 20: right/forged/stale/abstained
    python bench/chat_memory.py --smoke               # the same on the fake model, in seconds
    python bench/chat_memory.py all                   # everything above, with the defaults

`cost` talks to the deterministic fake model for 300 turns and prints the prompt size per
block of 50 turns (flat once folding starts) and the largest fact block against its budget.

`recall` ranks, without a model, the turn that stated each planted fact among every turn of
a 25-, 200- and 1,000-turn conversation (bench/chat_data.py), for three paraphrased
questions per fact: recall@1 and @3 with plain word matching (the old ranking), with
recall terms (stems, concepts, "my:" ownership), and with the ledger's subjects added; and
the ledger's own ranking (fact@1, @3). HELD_OUT facts were written after tuning on PLANTED.

`retention` builds a session per depth with the real tokenizer (Chat.record: the folds,
ledger and persistence of real turns, without generating the filler replies), then asks
every question in a fresh `longcli chat --memory COPY "question"` process, as a user would
the next day. Variants: `full`; `no-recall` (LONGCLI_RECALL_TOKENS=0); `no-ledger` (built and
asked with LONGCLI_FACTS_TOKENS=0: no facts shown, kept in folds or quoted). A reply counts
as right when it holds the answer (and not a corrected old value); "model" scores only the
model's words, "final" also the user's own words longcli appends when the model missed them.
It also checks the running summary: the ledger subjects it holds or names, and names and
numbers in it that no turn said.

`trust` (the default) plays sessions of 25, 200 and 1,000 turns (bench/chat_trust_data.py:
facts said in third person, imperative, passive, with typos, several per message; updates;
questions about things never said), live up to --live-up-to turns (the model answers every
message, so forged quote labels and repeated replies are counted over the whole session)
and recorded beyond (canned replies: 1,000 live turns take hours on two CPUs). Each question
is then asked on a copy of the session. DEV, HELD_OUT and FRESH are reported apart
(HELD_OUT was written before the code, its failures read once to find what the look-up
rules missed; FRESH was written after that, before the rules ever ran on it). A reply with
a hyphen counts as with a space ("7-to-4"); an old value in a clause that says it no longer
holds ("Marta is no longer the project lead; Yusuf is.") is not stale. Then 22 questions
over a document given with `--file`. `--smoke` runs it on the fake model in seconds (CI).

`document` hides three facts at the start, the middle or the end of a story from
../shared and asks for each with `longcli chat --file` in a fresh session.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support (the fake model)
sys.path.insert(0, str(ROOT / "bench"))  # chat_data

from chat_data import HELD_OUT, PLANTED, Planted, conversation  # noqa: E402

STORIES = ROOT.parent / "shared" / "data" / "squality-dev.jsonl"
QUOTE_MARK = "(You told me at turn"


# -- cost -----------------------------------------------------------------------------------


def cost(turns: int, ctx: int) -> None:
    from longcli.chat.conversation import Chat, ChatOptions
    from longcli.chat.prompt import FACTS_HEADING
    from longcli.chat.session import Session
    from longcli.prompts.templates import load_templates
    from tests.support.fake_backend import FakeBackend

    print(f"cost: {turns} turns on the fake model, context {ctx}")
    print(f"{'turns':>9} {'prompt tok mean':>16} {'max':>6} {'ms/turn':>8} {'folds':>6}")
    chat_turns = conversation(turns)
    with tempfile.TemporaryDirectory() as tmp:
        backend = FakeBackend(n_ctx=ctx)
        session = Session.open(Path(tmp) / "s", create=True, writable=True)
        embedder = _embedder()  # the chat's embedding model, when one is installed (issue 30)
        extra = {"embedder": embedder} if embedder is not None else {}
        chat = Chat(session, backend, load_templates(), ChatOptions(), **extra)
        print(f"embedding model: {'yes' if embedder is not None else 'none'}")
        block: list[tuple[int, float]] = []
        facts_max = 0
        for i, (user, _, _) in enumerate(chat_turns):
            started = time.perf_counter()
            reply = chat.ask(user)
            block.append((reply.prompt_tokens, time.perf_counter() - started))
            prompt = backend.prompts[-1][-1].content
            if FACTS_HEADING in prompt:  # the facts come last: measure them as sent
                shown = prompt.split(FACTS_HEADING, 1)[1].strip()
                facts_max = max(facts_max, backend.count_tokens(shown))
            if len(block) == 50 or i == turns - 1:
                mean = statistics.mean(b[0] for b in block)
                ms = 1000 * statistics.mean(b[1] for b in block)
                span = f"{i + 2 - len(block)}-{i + 1}"
                print(
                    f"{span:>9} {mean:16.0f} {max(b[0] for b in block):6d} {ms:8.1f} "
                    f"{chat.state.folds:6d}"
                )
                block = []
        print(
            f"largest fact block shown: {facts_max} tokens, budget {chat.budget.facts_tokens}; "
            f"active facts in the ledger: {len(chat.ledger.active())}"
        )
        session.close()


def _embedder() -> Any:
    """The embedding model `longcli chat` would use (auto: <data dir>/embedding/), or None
    (also for code from before embeddings existed)."""
    try:
        from longcli.backends.embedding import find_embedding_model, open_embedder
    except ImportError:
        return None
    path = find_embedding_model(None)
    return open_embedder(path) if path is not None else None


# -- recall (model-free) --------------------------------------------------------------------


def recall() -> dict[str, Any]:
    from longcli.chat.facts import Ledger
    from longcli.chat.recall import BM25
    from longcli.text.terms import recall_terms, terms

    results: dict[str, Any] = {}
    for name, planted in (("planted", PLANTED), ("held-out", HELD_OUT)):
        print(f"\nrecall, {name} facts ({len(planted)} facts x 3 questions)")
        print(f"{'ranking':>28} {'turns':>6} {'@1':>5} {'@3':>5}")
        for depth in (25, 200, 1000):
            chat = conversation(depth, planted=planted)
            docs = [f"[turn {i + 1}] User: {u}\nAssistant: {r}" for i, (u, r, _) in enumerate(chat)]
            target = {kind: i for i, (_, _, kind) in enumerate(chat) if kind}
            ledger = Ledger()
            owned: dict[int, list[str]] = defaultdict(list)
            for i, (user, _, _) in enumerate(chat):
                for fact in ledger.add_message(user, i):
                    owned[i].append("my " + fact.subject.replace(":", ""))
            with_subjects = [" ".join([d, *owned[i]]) for i, d in enumerate(docs)]
            rankings = {
                "words (before)": BM25(docs, terms),
                "recall terms": BM25(docs, recall_terms),
                "recall terms + subjects": BM25(with_subjects, recall_terms),
            }
            for label, index in rankings.items():
                hits = [
                    [i for i, _ in index.top(q, 3)].index(target[p.kind])
                    if target[p.kind] in [i for i, _ in index.top(q, 3)]
                    else 9
                    for p in planted
                    for q in p.questions
                ]
                at1, at3 = _share(h == 0 for h in hits), _share(h < 3 for h in hits)
                results[f"{name}/{depth}/{label}"] = {"at1": at1, "at3": at3}
                print(f"{label:>28} {depth:6d} {at1:5.2f} {at3:5.2f}")
            active = ledger.active()
            found = [
                [p.answer in f.text.lower() for f, _ in ledger.ranked(q)[:3]]
                for p in planted
                for q in p.questions
            ]
            at1 = _share(bool(f) and f[0] for f in found)
            at3 = _share(any(f) for f in found)
            results[f"{name}/{depth}/ledger"] = {"at1": at1, "at3": at3, "facts": len(active)}
            print(f"{'ledger fact ranking':>28} {depth:6d} {at1:5.2f} {at3:5.2f}")
    return results


def _share(flags: Any) -> float:
    flags = list(flags)
    return sum(map(bool, flags)) / len(flags) if flags else 0.0


# -- retention (real model, fresh processes) ------------------------------------------------

VARIANTS = {
    "full": {},
    "no-recall": {"LONGCLI_RECALL_TOKENS": "0"},
    "no-ledger": {"LONGCLI_FACTS_TOKENS": "0"},
}


def build_session(
    path: Path, depth: int, ctx: int, planted: list[Planted], facts: bool, fold: str
) -> dict[str, Any]:
    """A session of `depth` turns, stored as real turns are; returns what its memory holds."""
    from longcli.backends.llama import LlamaBackend
    from longcli.chat.conversation import Chat, ChatOptions
    from longcli.chat.facts import holds, names
    from longcli.chat.session import Session
    from longcli.config import Fold
    from longcli.grounding.check import entity_precision
    from longcli.models.gguf import describe_model
    from longcli.models.locate import bundled_model_path
    from longcli.prompts.templates import load_templates

    model = describe_model(bundled_model_path())
    backend = LlamaBackend(model, ctx, vocab_only=(fold == "extractive"))
    options = ChatOptions(facts_tokens=128 if facts else 0, fold=Fold(fold))
    chat_turns = conversation(depth, planted=planted)
    started = time.perf_counter()
    with Session.open(path, create=True, writable=True) as session:
        chat = Chat(session, backend, load_templates(), options)
        for user, reply, _ in chat_turns:
            chat.record(user, reply)
        folded = [f for f in chat.ledger.active() if f.turn < chat.state.window_start]
        subjects = [f for f in folded if f.kind != "note"]
        summary = chat.state.summary
        source = [u + "\n" + r for u, r, _ in chat_turns]
        _, invented = entity_precision(summary, source) if summary else (1.0, [])
        return {
            "build_s": time.perf_counter() - started,
            "folds": chat.state.folds,
            "summary_tokens": backend.count_tokens(summary),
            "summary_cap": chat.budget.summary_cap,
            "subjects": len(subjects),
            "held": sum(holds(summary, f) for f in subjects),
            "named": sum(holds(summary, f) or names(summary, f) for f in subjects),
            "invented": invented,
        }


def summary(args: argparse.Namespace) -> dict[str, Any]:
    """What the running summary holds after each depth: model-free with extractive folds."""
    results: dict[str, Any] = {}
    print(f"\nsummary: ctx {args.ctx or 8192}, fold {args.fold}")
    with tempfile.TemporaryDirectory() as tmp:
        for depth in [int(d) for d in args.depths.split(",")]:
            path = Path(tmp) / f"s{depth}"
            built = build_session(path, depth, args.ctx or 8192, PLANTED, True, args.fold)
            results[str(depth)] = built
            print(
                f"  {depth:5d} turns: {built['folds']} folds; {built['summary_tokens']}/"
                f"{built['summary_cap']} tokens; of {built['subjects']} folded fact subjects "
                f"it states {built['held']} and names {built['named'] - built['held']} more; "
                f"invented {built['invented'] or 'nothing'}"
            )
    return results


def chat_once(
    memory: Path, question: str, ctx: int | None, work: Path, *extra: str, **env: str
) -> str:
    """`longcli chat --memory MEMORY QUESTION` in a fresh process, with private config and
    cache directories under `work`; its answer."""
    argv = [sys.executable, "-m", "longcli", "chat", "--memory", str(memory), *extra, question]
    if ctx:
        argv += ["--ctx", str(ctx)]
    private = {k: str(work / k.lower()) for k in ("LONGCLI_CONFIG_DIR", "LONGCLI_CACHE_DIR")}
    proc = subprocess.run(
        argv, capture_output=True, text=True, env={**os.environ, **private, **env}, timeout=900
    )
    if proc.returncode != 0:
        raise SystemExit(f"chat failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    return proc.stdout.strip()


def ask(snapshot: Path, question: str, ctx: int | None, env: dict[str, str], work: Path) -> str:
    """One question in a fresh process, on a copy of the session."""
    copy = work / "ask"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(snapshot, copy)
    return chat_once(copy, question, ctx, work, **env)


def right(text: str, fact: Planted) -> bool:
    said = text.lower()
    if fact.wrong:
        said_wrong = said.replace(f"not {fact.wrong}", "")
        if fact.wrong in said_wrong:
            return False
    return fact.answer in said


def retention(args: argparse.Namespace) -> dict[str, Any]:
    planted = HELD_OUT if args.held_out else PLANTED
    depths = [int(d) for d in args.depths.split(",")]
    variants = args.variants.split(",")
    ctx_label = args.ctx or "model default"
    print(
        f"\nretention: {len(planted)} {'held-out' if args.held_out else 'planted'} facts, "
        f"{args.questions} question(s) each, ctx {ctx_label}, fold {args.fold}"
    )
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for depth in depths:
            snapshots: dict[bool, tuple[Path, dict[str, Any]]] = {}
            for variant in variants:
                facts = variant != "no-ledger"
                if facts not in snapshots:
                    path = work / f"s{depth}{'f' if facts else 'n'}"
                    built = build_session(path, depth, args.ctx or 8192, planted, facts, args.fold)
                    snapshots[facts] = (path, built)
                    print(
                        f"  {depth} turns built in {built['build_s']:.0f} s: {built['folds']} "
                        f"folds; summary {built['summary_tokens']}/{built['summary_cap']} "
                        f"tokens holds {built['held']} and names {built['named']} of "
                        f"{built['subjects']} folded fact subjects; invented "
                        f"{built['invented'] or 'nothing'}" + ("" if facts else " (no ledger)")
                    )
                path, built = snapshots[facts]
                rows = []
                started = time.perf_counter()
                for fact in planted:
                    for question in fact.questions[: args.questions]:
                        reply = ask(path, question, args.ctx, VARIANTS[variant], work)
                        model_part = reply.split(QUOTE_MARK)[0]
                        rows.append(
                            {
                                "kind": fact.kind,
                                "question": question,
                                "reply": reply,
                                "model": right(model_part, fact),
                                "final": right(reply, fact),
                            }
                        )
                seconds = (time.perf_counter() - started) / max(1, len(rows))
                model = _share(r["model"] for r in rows)
                final = _share(r["final"] for r in rows)
                kinds: dict[str, list[bool]] = defaultdict(list)
                for r in rows:
                    kinds[r["kind"]].append(r["final"])
                by_kind = " ".join(f"{k} {_share(v):.0%}" for k, v in kinds.items())
                print(
                    f"  {depth:5d} turns {variant:>10}: model {model:4.0%}  final {final:4.0%}  "
                    f"({seconds:.1f} s/question)  {by_kind}"
                )
                results[f"{depth}/{variant}"] = {
                    "model": model,
                    "final": final,
                    "seconds_per_question": seconds,
                    "summary": built,
                    "rows": rows,
                }
    return results


# -- layout: where and how the facts are put (real model, in-process) -------------------------


def _layouts() -> dict[str, Any]:
    from longcli.chat.prompt import FACTS_HEADING, MESSAGE_HEADING, RECALL_HEADING

    def current(recalled: list[str], facts: list[str], user: str) -> str:
        from longcli.chat.prompt import user_text

        return user_text(user, recalled, facts)

    def facts_before(recalled: list[str], facts: list[str], user: str) -> str:
        parts = [f"{RECALL_HEADING}\n" + "\n\n".join(recalled)] if recalled else []
        if facts:
            parts.append(f"{FACTS_HEADING}\n" + "\n".join(f"- {f}" for f in facts))
        parts.append(f"{MESSAGE_HEADING}\n{user}")
        return "\n\n".join(parts)

    def facts_only(recalled: list[str], facts: list[str], user: str) -> str:
        return current([] if facts else recalled, facts, user)

    def plain(recalled: list[str], facts: list[str], user: str) -> str:
        return "\n".join([*facts, user]) if facts else current(recalled, facts, user)

    def told(recalled: list[str], facts: list[str], user: str) -> str:
        if not facts:
            return current(recalled, facts, user)
        said = " ".join(f'"{f}"' for f in facts)
        return f"Earlier I told you: {said}\nUsing that, answer: {user}"

    return {
        "facts after the question (longcli)": current,
        "facts before the question": facts_before,
        "facts, no passages": facts_only,
        "fact then question": plain,
        "earlier I told you": told,
    }


def layout(args: argparse.Namespace) -> dict[str, Any]:
    """Model-only accuracy of each prompt layout on the same memory and questions."""
    from longcli.backends.llama import LlamaBackend
    from longcli.calls import Message
    from longcli.chat.conversation import Chat, ChatOptions
    from longcli.chat.prompt import context_messages
    from longcli.chat.session import Session
    from longcli.config import Fold
    from longcli.grounding.ask import for_attempt
    from longcli.grounding.cleanup import strip_artifacts
    from longcli.models.gguf import describe_model
    from longcli.models.locate import bundled_model_path
    from longcli.prompts.templates import load_templates

    depth = int(args.depths.split(",")[-1])
    planted = HELD_OUT if args.held_out else PLANTED
    backend = LlamaBackend(describe_model(bundled_model_path()), args.ctx or 8192)
    print(f"\nlayout: {depth} turns, ctx {args.ctx}, model-only answers right")
    results: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        Session.open(Path(tmp) / "s", create=True, writable=True) as session,
    ):
        options = ChatOptions(fold=Fold.extractive)
        chat = Chat(session, backend, load_templates(), options)
        for user, reply, _ in conversation(depth, planted=planted):
            chat.record(user, reply)
        sampling = for_attempt(options.sampling, chat.budget.reply_tokens, 0)
        asked = []
        for fact in planted:
            for question in fact.questions[: args.questions]:
                prompt = chat.prepare(question)
                recalled = [r.text for r in prompt.recalled]
                asked.append((fact, question, recalled, [f.text for f in prompt.facts]))
        head = context_messages(chat.system, chat.state.summary, chat.window)
        for name, shape in _layouts().items():
            hits = []
            for fact, question, recalled, facts in asked:
                messages = [*head, Message("user", shape(recalled, facts, question))]
                text = strip_artifacts(backend.complete(messages, sampling).text)
                hits.append(right(text, fact))
            results[name] = _share(hits)
            print(f"  {name:>36}: {results[name]:4.0%}")
    return results


# -- document QA ----------------------------------------------------------------------------

HIDDEN = [
    ("The harbour master kept the spare keys in a tin marked 6158.",
     "What number was marked on the tin with the spare keys?", "6158"),
    ("Everyone knew that the old mill was painted a deep vermilion.",
     "What colour was the old mill painted?", "vermilion"),
    ("The first orchard had been planted by a botanist named Oriel Vance.",
     "Who planted the first orchard?", "oriel vance"),
]  # fmt: skip


def document(args: argparse.Namespace) -> dict[str, Any]:
    if not STORIES.exists():
        raise SystemExit(f"{STORIES} is missing: the document benchmark needs ../shared")
    story = json.loads(STORIES.read_text().splitlines()[0])["document"]
    paragraphs = [p for p in story.split("\n") if p.strip()]
    print(
        f"\ndocument QA: a {len(story.split())}-word story, three facts hidden at each place, "
        f"ctx {args.ctx or 'model default'}"
    )
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for place, at in (("start", 0.05), ("middle", 0.5), ("end", 0.95)):
            where = int(len(paragraphs) * at)
            text = "\n".join(
                [*paragraphs[:where], " ".join(h[0] for h in HIDDEN), *paragraphs[where:]]
            )
            doc = work / f"story-{place}.txt"
            doc.write_text(text)
            hits = []
            for _, question, answer in HIDDEN:
                session = work / f"doc-{place}"
                shutil.rmtree(session, ignore_errors=True)
                reply = chat_once(session, question, args.ctx, work, "--file", str(doc))
                hits.append(answer in reply.lower())
            results[place] = _share(hits)
            print(f"  {place:>6}: {sum(hits)}/{len(hits)} answered")
    return results


# -- trust: right / forged / stale / abstained, repeated replies -----------------------------

ABSTAINED = re.compile(
    r"\b(?:have(?:n['’]t| not) (?:told|mentioned|said|shared)|did(?:n['’]t| not) "
    r"(?:tell|mention|say|share)|do(?:n['’]t| not) (?:know|have (?:that|this|any|enough))|"
    r"not sure|no (?:record|information|mention)|not mentioned|never (?:told|mentioned|said)|"
    r"can(?:['’]t|not) (?:find|recall|remember)|unable to (?:find|recall))\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"\b(?:not|no longer|instead of|rather than|from|anymore|any more|used to)\b")
LABEL = re.compile(r"""\(?You told me at turn (\d+):\s*["“]([^"”]*)["”]\)?""", re.IGNORECASE)


def _bare_words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def forged_labels(reply: str, users: list[str]) -> list[str]:
    """The quote labels in `reply` whose words the user did not say at that turn."""
    forged = []
    for match in LABEL.finditer(reply):
        turn, words = int(match.group(1)), _bare_words(match.group(2))
        said = _bare_words(users[turn - 1]) if 0 < turn <= len(users) else ""
        if not words or words not in said:
            forged.append(match.group(0))
    return forged


def _opening(reply: str) -> str:
    from longcli.text.sentences import split_sentences

    first = split_sentences(LABEL.sub("", reply).strip())
    return _bare_words(first[0].text) if first else ""


def repeated_replies(users: list[str], replies: list[str]) -> int:
    """Replies that open with an earlier reply's first sentence, or are mostly an earlier
    reply (80% of their content words), to a different message."""
    from longcli.text.terms import terms

    count = 0
    for i, reply in enumerate(replies):
        if not reply:
            continue
        opening, bag = _opening(reply), set(terms(LABEL.sub("", reply)))
        for j in range(i):
            if not replies[j] or _bare_words(users[j]) == _bare_words(users[i]):
                continue
            earlier = set(terms(LABEL.sub("", replies[j])))
            same_opening = len(opening.split()) >= 3 and opening == _opening(replies[j])
            mostly = len(bag) >= 5 and len(bag & earlier) >= 0.8 * len(bag)
            if same_opening or mostly:
                count += 1
                break
    return count


def verdict(reply: str, item: Any) -> str:
    """right, stale, abstained, or wrong (for a question about something never said:
    right when it abstains, else invented)."""
    said = reply.lower().replace("-", " ")  # "7-to-4" is "7 to 4"
    abstained = ABSTAINED.search(reply) is not None
    if not item.answers:
        return "right" if abstained else "invented"
    # An old value in a clause that says it no longer holds ("Marta is no longer the
    # project lead; Yusuf is.", "moved from Friday") is not stale.
    clauses = re.split(r"[.;!?]|\bbut\b", said)
    affirmed = " ".join(c for c in clauses if not _NEGATED.search(c))
    if any(s in affirmed for s in item.stale):
        return "stale"
    if any(a.replace("-", " ") in said for a in item.answers):
        return "right"
    return "abstained" if abstained else "wrong"


def trust_script(items: list[Any], depth: int, seed: int = 11) -> list[str]:
    """The user's messages: each item's statement early on, its updates `gap` turns later,
    filler turns (bench/chat_data.py) around them, `depth` messages at least."""
    from chat_data import filler

    said_count = len({m for item in items for m in item.says})
    messages: list[str | None] = [None] * max(depth, said_count + 1)
    step = 2 if len(messages) >= 3 * said_count else 1
    said: set[str] = set()
    at = 0
    for item in items:
        if not item.says or item.says[0] in said:
            continue
        said.add(item.says[0])
        slot = at
        for k, message in enumerate(item.says):
            if k:
                slot = min(slot + item.gap, len(messages) - 1)
            while messages[slot] is not None:
                slot += 1
                if slot == len(messages):
                    messages.append(None)
            messages[slot] = message
        at += step
    fill = iter(u for u, _ in filler(len(messages), seed))
    return [m if m is not None else next(fill) for m in messages]


def _bundled_backend(ctx: int) -> Any:
    from longcli.backends.llama import LlamaBackend
    from longcli.models.gguf import describe_model
    from longcli.models.locate import bundled_model_path

    return LlamaBackend(describe_model(bundled_model_path()), ctx)


def _fake_backend(ctx: int) -> Any:
    from tests.support.fake_backend import FakeBackend

    return FakeBackend(n_ctx=ctx)


def _fake_type() -> type:
    from tests.support.fake_backend import FakeBackend

    return FakeBackend


def _open(path: Path, backend: Any, reply_tokens: int, model: Any = None) -> tuple[Any, Any]:
    from longcli.chat.conversation import Chat, ChatOptions
    from longcli.chat.session import Session
    from longcli.config import Fold
    from longcli.prompts.templates import load_templates

    session = Session.open(path, create=True, writable=True)
    options = ChatOptions(reply_tokens=reply_tokens, fold=Fold.extractive)
    return Chat(session, backend, load_templates(), options, model=model), session


def play(
    path: Path, backend: Any, messages: list[str], live: bool, reply_tokens: int
) -> dict[str, Any]:
    """Tell the chat every message: the model answers each (live), or a canned reply is
    stored (recorded, for depth without hours of generation)."""
    started = time.perf_counter()
    chat, session = _open(path, backend, reply_tokens)
    replies, shown = [], []
    try:
        for message in messages:
            if live:
                reply = chat.ask(message)
                shown.append(reply.text)
                # Repeats are the model's: longcli's own answers ("You haven't told me
                # that.") and notes are not counted. (Before issue 20 a reply was one text.)
                by_model = getattr(reply, "by", "model") == "model"
                replies.append(getattr(reply, "answer", reply.text) if by_model else "")
            else:
                chat.record(message, "Noted.")
    finally:
        session.close()
    forged = sum(len(forged_labels(r, messages[: i + 1])) for i, r in enumerate(shown))
    return {
        "seconds": time.perf_counter() - started,
        "forged": forged,
        "repeated": repeated_replies(messages[: len(replies)], replies),
        "replies": len(replies),
        "shown": shown,
    }


def ask_each(
    snapshot: Path, backend: Any, items: list[Any], reply_tokens: int, work: Path
) -> list[dict[str, Any]]:
    """Each question on its own copy of the session, as the next day's one-shot chat."""
    rows = []
    for item in items:
        copy = work / "ask"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(snapshot, copy)
        chat, session = _open(copy, backend, reply_tokens)
        try:
            users = [e.user for e in chat.exchanges]
            reply = chat.ask(item.question).text
        finally:
            session.close()
        rows.append(
            {
                "kind": item.kind,
                "question": item.question,
                "reply": reply,
                "verdict": verdict(reply, item),
                "forged": len(forged_labels(reply, [*users, item.question])),
            }
        )
    return rows


def _tally(rows: list[dict[str, Any]]) -> dict[str, Any]:
    facts = [r for r in rows if r["kind"] != "never"]
    never = [r for r in rows if r["kind"] == "never"]
    updates = [r for r in rows if r["kind"] == "update"]
    count = Counter(r["verdict"] for r in facts)
    return {
        "facts": len(facts),
        "right": count["right"],
        "stale": count["stale"],
        "abstained": count["abstained"],
        "wrong": count["wrong"],
        "updates_right": sum(r["verdict"] == "right" for r in updates),
        "updates": len(updates),
        "never": len(never),
        "abstained_right": sum(r["verdict"] == "right" for r in never),
        "forged": sum(r["forged"] for r in rows),
    }


def _line(name: str, t: dict[str, Any]) -> str:
    return (
        f"{name:>22}: right {t['right']}/{t['facts']}  stale {t['stale']}  abstained "
        f"{t['abstained']}  wrong {t['wrong']}  updates {t['updates_right']}/{t['updates']}  "
        f"never-said abstained {t['abstained_right']}/{t['never']}  forged {t['forged']}"
    )


def document_trust(
    backend: Any, reply_tokens: int, work: Path, limit: int, fresh: bool = False
) -> dict[str, Any]:
    """`chat --file`: each question in a fresh session that was given the document (the
    fresh one: written after the code, never tuned on)."""
    import chat_trust_data as data

    from longcli.chat.run import add_documents
    from longcli.config import Settings
    from longcli.text.decode import resolve_sources

    if fresh:
        name, text = data.FRESH_DOCUMENT_NAME, data.FRESH_DOCUMENT
        questions = data.FRESH_DOCUMENT_QUESTIONS
    else:
        name, text, questions = data.DOCUMENT_NAME, data.DOCUMENT, data.DOCUMENT_QUESTIONS
    doc = work / name
    doc.write_text(text, encoding="utf-8")
    base = work / f"doc-{name}"
    shutil.rmtree(base, ignore_errors=True)
    model = None
    if not isinstance(backend, _fake_type()):
        from longcli.models.gguf import describe_model
        from longcli.models.locate import bundled_model_path

        model = describe_model(bundled_model_path())
    chat, session = _open(base, backend, reply_tokens, model)
    try:
        add_documents(chat, Settings(cache=False), resolve_sources([str(doc)], True))
    finally:
        session.close()
    rows = []
    for question, answers in questions[:limit]:
        copy = work / "doc-ask"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(base, copy)
        chat, session = _open(copy, backend, reply_tokens)
        try:
            reply = chat.ask(question).text
        finally:
            session.close()
        said = reply.lower().replace("-", " ")
        ok = any(a.replace("-", " ") in said for a in answers)
        rows.append({"question": question, "reply": reply, "right": ok})
    right_count = sum(r["right"] for r in rows)
    title = "fresh document" if fresh else "document (--file)"
    print(f"{title:>22}: right {right_count}/{len(rows)}")
    return {"right": right_count, "questions": len(rows), "rows": rows}


def trust(args: argparse.Namespace) -> dict[str, Any]:
    """The issue-20 bench: every depth, DEV, HELD_OUT and FRESH reported apart."""
    from chat_trust_data import DEV, FRESH
    from chat_trust_data import HELD_OUT as HELD

    smoke = args.smoke
    ctx = 1024 if smoke else args.ctx or 8192
    backend = _fake_backend(ctx) if smoke or args.fake else _bundled_backend(ctx)
    reply_tokens = args.reply_tokens
    depths = [25] if smoke else [int(d) for d in args.depths.split(",")]
    sets = {"dev": DEV, "held-out": HELD, "fresh": FRESH}
    if smoke:  # one of each kind that matters: a fact, a third-person one, an update, a never
        sets = {
            "dev": [DEV[0], DEV[1], DEV[6], DEV[9]],
            "held-out": [HELD[0], HELD[11], HELD[15]],
            "fresh": [FRESH[0], FRESH[9], FRESH[10]],
        }
    which = "fake model" if smoke or args.fake else "bundled model"
    print(f"trust: {which}, ctx {ctx}, replies up to {reply_tokens} tokens")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        limit = 3 if smoke else args.doc_questions
        results["document"] = document_trust(backend, reply_tokens, work, limit)
        results["fresh-document"] = document_trust(backend, reply_tokens, work, limit, True)
        for depth in depths:
            live = depth <= args.live_up_to
            # One session holds both sets' statements; each set's questions are asked on
            # copies of it and reported apart.
            messages = trust_script([item for items in sets.values() for item in items], depth)
            snapshot = work / f"s{depth}"
            played = play(snapshot, backend, messages, live, reply_tokens)
            how = "live" if live else "recorded"
            print(
                f"{depth:5d} turns ({len(messages)} said, {how}, {played['seconds']:.0f} s): "
                f"forged {played['forged']}, repeated replies "
                f"{played['repeated']}/{played['replies']}"
            )
            results[f"{depth}/session"] = played
            for name, items in sets.items():
                started = time.perf_counter()
                rows = ask_each(snapshot, backend, items, reply_tokens, work)
                tally = _tally(rows)
                print(_line(name, tally) + f"  ({time.perf_counter() - started:.0f} s)")
                results[f"{depth}/{name}"] = {**tally, "rows": rows}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parts = ["trust", "cost", "recall", "summary", "retention", "layout", "document", "all"]
    parser.add_argument("part", choices=parts, nargs="?", default="trust")
    parser.add_argument("--smoke", action="store_true", help="trust on the fake model, seconds")
    parser.add_argument("--fake", action="store_true", help="trust on the fake model")
    parser.add_argument("--reply-tokens", type=int, default=96, help="trust: reply length cap")
    parser.add_argument(
        "--live-up-to", type=int, default=200, help="trust: deeper sessions are recorded"
    )
    parser.add_argument("--doc-questions", type=int, default=22, help="trust: --file questions")
    parser.add_argument("--turns", type=int, default=300, help="cost: turns to play")
    parser.add_argument("--ctx", type=int, default=1024, help="0: the model's own context")
    parser.add_argument("--depths", default="25,200,1000", help="retention: turns before asking")
    parser.add_argument("--variants", default="full,no-recall,no-ledger")
    parser.add_argument("--questions", type=int, default=3, help="paraphrases asked per fact")
    parser.add_argument("--held-out", action="store_true", help="the facts never tuned on")
    parser.add_argument("--fold", choices=["extractive", "model"], default="extractive")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    results: dict[str, Any] = {}
    if args.part in ("trust", "all") or args.smoke:
        results["trust"] = trust(args)
    if args.smoke:
        args.part = "trust"
    if args.part in ("cost", "all"):
        cost(args.turns, 2048)
    if args.part in ("recall", "all"):
        results["recall"] = recall()
    if args.part in ("summary", "all"):
        results["summary"] = summary(args)
    if args.part in ("retention", "all"):
        results["retention"] = retention(args)
    if args.part in ("layout", "all"):
        results["layout"] = layout(args)
    if args.part in ("document", "all"):
        results["document"] = document(args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
