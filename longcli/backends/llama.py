"""A GGUF model run in-process by llama-cpp-python: loading, prompts, generation, KV state.

Prompts are rendered with the model's own chat template; message contents are tokenized
as plain text, so a document holding "<|im_end|>" can never end a prompt. llama.cpp's own
log is captured (shown with -v, kept for error messages otherwise).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import io
import os
import re
import sys
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from longcli.backends import crashwatch, reasoning
from longcli.backends.base import (
    Capabilities,
    Completion,
    Message,
    Sampling,
    check_fits,
    shared_prefix,
)
from longcli.backends.repack import decide, extra_buffers
from longcli.backends.runtime import load_llama
from longcli.config import KvType, Repack, Settings, available_cores
from longcli.errors import ModelError
from longcli.models.gguf import ModelInfo

ENCODE_CACHE_ENTRIES = 16
COUNT_CACHE_ENTRIES = 1024

DEFAULT_CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
# Marks where message contents go in a rendered template; NUL never occurs in our input.
_SLOT = "\x00longcli-slot-{}\x00"
_SLOT_RE = re.compile("\x00longcli-slot-(\\d+)\x00")


GGML_LOG_DEBUG, GGML_LOG_CONT = 4, 5  # ggml_log_level values


class LlamaLog:
    """llama.cpp's log, captured: printed only when verbose, else kept for error messages."""

    def __init__(self) -> None:
        self.verbose = False
        self.lines: deque[str] = deque(maxlen=50)
        self._callback: Any = None
        self._last_level = 0
        self.captured: list[str] | None = None  # every line, debug too, while a test reads

    def install(self, llama_cpp: Any) -> None:
        if self._callback is not None:
            return

        @llama_cpp.llama_log_callback
        def callback(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
            if level == GGML_LOG_CONT:
                level = self._last_level
            self._last_level = level
            message = text.decode("utf-8", errors="replace")
            if self.captured is not None:
                self.captured.append(message)
            if level == GGML_LOG_DEBUG:
                return  # graph and tensor dumps: thousands of lines nobody asked for
            self.lines.append(message)
            if self.verbose:
                # A closed stderr must not take the process down.
                with contextlib.suppress(OSError):
                    os.write(2, text)

        self._callback = callback  # keep a reference: ctypes callbacks die with their object
        llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))

    def last_error(self) -> str:
        for line in reversed(self.lines):
            if "error" in line.lower() or "failed" in line.lower():
                return line.strip()
        return ""


LLAMA_LOG = LlamaLog()


def default_threads() -> tuple[int, int]:
    """(decode threads, prefill threads) for this machine: the fixed rule.

    Prefill parallelises well, so it gets every available core. Decoding is memory-bound
    and, on small shared VMs, busy-waiting OpenMP threads were seen to collapse to a
    fraction of one thread's speed; half the cores, with passive waiting (set above),
    avoids that. Measured on a 2-vCPU VM in four bench/run.py sweeps: this rule reached
    0.88-0.94 of the best setting, which was two spinning decode threads on an otherwise
    idle machine; two decode threads with passive waiting were the worst (about 0.65).
    `longcli tune` measures the candidates per machine and model (see tuning.py).
    """
    available = min(16, available_cores())
    return max(1, available // 2), available


def gpu_offload_supported() -> bool:
    llama_cpp = load_llama()

    try:
        return bool(llama_cpp.llama_supports_gpu_offload())
    except AttributeError:
        return False


class ChatTemplate:
    """Renders chat messages with the model's own Jinja template."""

    def __init__(self, source: str | None, bos: str, eos: str) -> None:
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        env.globals["raise_exception"] = _template_error
        try:
            self._template = env.from_string(source or DEFAULT_CHAT_TEMPLATE)
        except Exception as exc:  # jinja2.TemplateError and friends
            raise ModelError(f"the model's chat template does not parse: {exc}") from None
        self._bos, self._eos = bos, eos
        # A reasoning model's template: told not to think where it has a switch (Qwen3);
        # what it thinks anyway is stripped from every answer (reasoning.py).
        self.thinks = reasoning.thinks(source)
        self.switchable = reasoning.has_switch(source)

    def render_slots(
        self, messages: list[Message], generation_prompt: bool = True
    ) -> tuple[list[str], list[int]]:
        """The rendered prompt as alternating template text and content-slot indices."""
        slotted = [{"role": m.role, "content": _SLOT.format(i)} for i, m in enumerate(messages)]
        try:
            rendered = self._template.render(
                messages=slotted,
                add_generation_prompt=generation_prompt,
                bos_token=self._bos,
                eos_token=self._eos,
                enable_thinking=False,  # read only by templates with the switch
            )
        except Exception as exc:
            raise ModelError(f"the model's chat template failed: {exc}") from None
        parts = _SLOT_RE.split(rendered)
        texts = parts[0::2]
        slots = [int(s) for s in parts[1::2]]
        return texts, slots


def _template_error(message: str) -> None:
    raise ValueError(message)


@dataclass(frozen=True)
class LoadOptions:
    """How to load a model: everything but its path and context size."""

    gpu_layers: int | None = None  # None: all when llama.cpp has a GPU backend
    threads: int | None = None  # None: default_threads()
    threads_batch: int | None = None  # None: as threads
    batch: int = Settings.batch
    seed: int = 0
    kv_type: KvType = KvType.f16
    flash_attn: bool = False
    rope_scaling: str | None = None  # linear | yarn
    rope_factor: float = 1.0
    trained_ctx: int = 0  # for YaRN: the context the model was trained with
    omp_policy: str | None = None  # OpenMP wait policy if llama.cpp is not loaded yet
    repack: bool | None = None  # weights repacked for this CPU; None: as repack.decide says

    def llama_kwargs(self) -> dict[str, Any]:
        llama_cpp = load_llama()

        from longcli.models.footprint import KV_TYPES

        kwargs: dict[str, Any] = {"flash_attn": self.flash_attn}
        if self.kv_type != KvType.f16:
            kwargs["type_k"] = kwargs["type_v"] = KV_TYPES[self.kv_type][0]
        if self.rope_scaling:
            kwargs["rope_scaling_type"] = {
                "linear": llama_cpp.LLAMA_ROPE_SCALING_TYPE_LINEAR,
                "yarn": llama_cpp.LLAMA_ROPE_SCALING_TYPE_YARN,
            }[self.rope_scaling]
            kwargs["rope_freq_scale"] = 1.0 / self.rope_factor
            if self.rope_scaling == "yarn" and self.trained_ctx:
                kwargs["yarn_orig_ctx"] = self.trained_ctx
        return kwargs


class LlamaBackend:
    """A GGUF model run in-process by llama-cpp-python."""

    def __init__(
        self,
        model: ModelInfo,
        n_ctx: int,
        options: LoadOptions | None = None,
        *,
        verbose: bool = False,
        vocab_only: bool = False,
    ) -> None:
        options = options or LoadOptions()
        llama_cpp = load_llama(options.omp_policy)
        LLAMA_LOG.verbose = verbose
        LLAMA_LOG.install(llama_cpp)
        gpu_layers = options.gpu_layers
        if gpu_layers is None:
            gpu_layers = -1 if gpu_offload_supported() else 0
        threads = options.threads
        if threads:
            decode_threads, prefill_threads = threads, options.threads_batch or threads
        else:
            decode_threads, prefill_threads = default_threads()
        # verbose=True keeps llama-cpp-python from dup2-ing file descriptors 1 and 2 away
        # (which fails when either is closed); its Python-side chatter is captured here
        # instead, and llama.cpp's own log goes through LLAMA_LOG.
        repack = options.repack
        if repack is None:
            repack = vocab_only or decide(Repack.auto, model, gpu_layers=gpu_layers).enabled
        chatter = io.StringIO()
        crashwatch.arm(
            f"{model.name} ({model.path.name}, repack {'on' if repack else 'off'}, "
            f"gpu layers {gpu_layers}, {decode_threads}/{prefill_threads} threads, "
            f"context {n_ctx})"
        )
        try:
            with (
                contextlib.redirect_stderr(sys.stderr if verbose else chatter),
                extra_buffers(repack),
            ):
                self._llm = llama_cpp.Llama(
                    model_path=str(model.path),
                    n_ctx=n_ctx,
                    n_batch=min(options.batch, n_ctx),
                    n_gpu_layers=gpu_layers,
                    n_threads=decode_threads,
                    n_threads_batch=prefill_threads,
                    seed=options.seed,
                    vocab_only=vocab_only,
                    verbose=True,
                    **({} if vocab_only else options.llama_kwargs()),
                )
        except (ValueError, RuntimeError, OSError) as exc:
            detail = LLAMA_LOG.last_error() or str(exc)
            raise ModelError(f"could not load model {model.path}: {detail}") from None
        self._llm.verbose = verbose
        self.capabilities = Capabilities(prefill=True, keeps_state=not vocab_only)
        self.model = model
        self.n_ctx = n_ctx
        self.identity = model.identity
        self.threads = (decode_threads, prefill_threads)
        self.gpu_layers = gpu_layers
        self.repack = repack
        self.options = options
        bos = self._token_text(self._llm.token_bos())
        eos = self._token_text(self._llm.token_eos())
        self._bos_tokens = self._llm.tokenize(b"", add_bos=True, special=True)
        self._template = ChatTemplate(model.chat_template, bos, eos)
        self._lock = threading.Lock()
        # Budgets count a prompt before the call that then encodes it, and summaries are
        # counted again when they are grouped: remember recent answers, not tokenize twice.
        self._encode_cached = functools.lru_cache(maxsize=ENCODE_CACHE_ENTRIES)(self._encode)
        self._count_cached = functools.lru_cache(maxsize=COUNT_CACHE_ENTRIES)(self._count)

    # -- what batched.py builds its own context from ------------------------------------

    def model_handle(self) -> Any:
        """The loaded llama_model, for another context over the same weights."""
        return self._llm._model.model

    def context_params(self) -> Any:
        """A copy of this context's llama_context_params."""
        llama_cpp = load_llama()
        return llama_cpp.llama_context_params.from_buffer_copy(self._llm.context_params)

    def detokenize(self, tokens: list[int]) -> str:
        return self._llm.detokenize(tokens).decode("utf-8", errors="replace")

    # -- keeping the context across processes (see kvstate.py) --------------------------

    def state_fingerprint(self) -> dict[str, Any]:
        """Everything a saved KV state depends on besides its tokens."""
        llama_cpp = load_llama()

        stat = self.model.path.stat()
        o = self.options
        return {
            "model_path": str(self.model.path.resolve()),
            "model_bytes": stat.st_size,
            "model_mtime_ns": stat.st_mtime_ns,
            "n_ctx": self.n_ctx,
            "kv_type": o.kv_type,
            "flash_attn": o.flash_attn,
            "rope": [o.rope_scaling, o.rope_factor],
            "gpu_layers": self.gpu_layers,
            "llama_cpp_python": llama_cpp.__version__,
        }

    def context_tokens(self) -> list[int]:
        """The tokens whose keys and values are in the context now."""
        with self._lock:
            return [int(t) for t in self._llm.input_ids[: self._llm.n_tokens]]

    def save_context(self, path: Path) -> None:
        llama_cpp = load_llama()

        with self._lock:
            n = self._llm.n_tokens
            tokens = (llama_cpp.llama_token * n)(*self._llm.input_ids[:n])
            ok = llama_cpp.llama_state_save_file(self._llm.ctx, str(path).encode(), tokens, n)
        if not ok:
            raise OSError(f"llama.cpp could not write its state to {path}")

    def load_context(self, path: Path) -> list[int] | None:
        """Load a state file; its tokens, or None (and an empty context) if it is refused."""
        llama_cpp = load_llama()

        with self._lock:
            capacity = self.n_ctx
            tokens = (llama_cpp.llama_token * capacity)()
            count = ctypes.c_size_t(0)
            ok = llama_cpp.llama_state_load_file(
                self._llm.ctx, str(path).encode(), tokens, capacity, ctypes.byref(count)
            )
            n = int(count.value)
            if not ok or not 0 < n <= capacity:
                self._forget()
                return None
            loaded = list(tokens[:n])
            # What Llama.load_state sets: prefix matching now sees these tokens as cached.
            self._llm.input_ids[:n] = loaded
            self._llm.n_tokens = n
            return loaded

    def prefill(self, messages: list[Message]) -> int:
        """Evaluate the start of the next prompt now; returns the tokens newly evaluated.

        Called once a reply has been shown: the next turn, here or in the next process
        (see kvstate.py), then prefills only the new message. What the context holds
        beyond the shared prefix (the reply as sampled) is replaced by the conversation
        as the next prompt will render it.
        """
        tokens = self.encode(messages, generation_prompt=False)
        if len(tokens) >= self.n_ctx:
            return 0
        with self._lock:
            llm = self._llm
            shared = shared_prefix(llm.input_ids[: llm.n_tokens], tokens)
            llm._ctx.kv_cache_seq_rm(-1, shared, -1)
            llm.n_tokens = shared
            if shared < len(tokens):
                llm.eval(tokens[shared:])
            return len(tokens) - shared

    def forget_context(self) -> None:
        with self._lock:
            self._forget()

    def _forget(self) -> None:
        self._llm.n_tokens = 0  # the next call evaluates from position 0, clearing the cache
        self._llm._ctx.kv_cache_clear()

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self._llm.detokenize([token], special=True).decode("utf-8", errors="replace")

    def count_tokens(self, text: str) -> int:
        return self._count_cached(text)

    def _count(self, text: str) -> int:
        return len(self._tokenize(text, special=False))

    def _tokenize(self, text: str, special: bool) -> list[int]:
        if not text:
            return []
        return self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=special)

    def encode(self, messages: list[Message], generation_prompt: bool = True) -> list[int]:
        """Prompt tokens: template text may hold special tokens, message contents never do.

        Without the generation prompt: the conversation so far, as the start of the next
        prompt (see `prefill`).
        """
        return list(self._encode_cached(tuple(messages), generation_prompt))

    def _encode(self, messages: tuple[Message, ...], generation_prompt: bool) -> tuple[int, ...]:
        texts, slots = self._template.render_slots(list(messages), generation_prompt)
        tokens: list[int] = []
        for i, text in enumerate(texts):
            tokens += self._tokenize(text, special=True)
            if i < len(slots):
                tokens += self._tokenize(messages[slots[i]].content, special=False)
        if self._bos_tokens and tokens[: len(self._bos_tokens)] != self._bos_tokens:
            tokens = self._bos_tokens + tokens
        return tuple(tokens)

    def prompt_tokens(self, messages: list[Message]) -> int:
        return len(self.encode(messages))

    def complete(self, messages: list[Message], sampling: Sampling) -> Completion:
        prompt = self.encode(messages)
        check_fits(len(prompt), sampling.max_tokens, self.n_ctx)
        params = self._with_thinking(len(prompt), sampling)
        with self._lock:
            try:
                out = self._llm.create_completion(prompt, **params)
            except (RuntimeError, ValueError) as exc:
                raise ModelError(f"generation failed: {exc}") from None
        choice = out["choices"][0]
        usage = out["usage"]
        text = reasoning.visible(self.opened_thinking(messages) + choice["text"])
        return Completion(
            text=text,
            prompt_tokens=usage["prompt_tokens"],
            completion_tokens=usage["completion_tokens"],  # thinking included: it took time
            finish_reason=choice.get("finish_reason") or "stop",
        )

    def stream(self, messages: list[Message], sampling: Sampling) -> Iterator[str]:
        prompt = self.encode(messages)
        check_fits(len(prompt), sampling.max_tokens, self.n_ctx)
        params = self._with_thinking(len(prompt), sampling)
        with self._lock:
            try:
                parts = self._llm.create_completion(prompt, stream=True, **params)
                pieces = (part["choices"][0]["text"] for part in parts)
                yield from reasoning.filtered(pieces, opened=bool(self.opened_thinking(messages)))
            except (RuntimeError, ValueError) as exc:
                raise ModelError(f"generation failed: {exc}") from None

    def _with_thinking(self, prompt_tokens: int, sampling: Sampling) -> dict[str, Any]:
        """Sampling parameters; a model that thinks anyway (no switch) gets room for it."""
        params = sampling.params()
        if self._template.thinks and not self._template.switchable:
            room = self.n_ctx - prompt_tokens - sampling.max_tokens
            params["max_tokens"] += max(0, min(reasoning.THINKING_TOKENS, room))
        return params

    def opened_thinking(self, messages: list[Message]) -> str:
        """The opening think tag when the prompt itself opens the thinking block (the
        answer then starts inside it), else ""."""
        if not self._template.thinks:
            return ""
        texts, _ = self._template.render_slots(messages)
        tail = texts[-1].rstrip().lower() if texts else ""
        return "<think>" if tail.endswith("<think>") else ""
