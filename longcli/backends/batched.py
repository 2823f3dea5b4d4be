"""Several completions decoded together on one llama.cpp context: in-process --parallel.

Each call gets a sequence of its own in a context made with `n_seq_max` sequences and
separate KV buffers (`kv_unified` off: the prompts are independent). One thread runs
the loop: it admits waiting calls into free sequences, puts every sequence's next
tokens (a slice of a prompt still being read, or the token just sampled) into one
`llama_batch`, decodes it, and samples each sequence with a sampler chain of its own.
Decoding is memory-bound, so one pass over the weights serves every sequence at once.
A sequence keeps its KV cache between calls, and a new call goes to the free sequence
that shares the longest prefix with it (the system prompt and fixed instruction).
"""

from __future__ import annotations

import dataclasses
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from longcli.backends import reasoning
from longcli.backends.base import (
    Completion,
    Delegating,
    Message,
    Sampling,
    check_fits,
    shared_prefix,
)
from longcli.backends.llama import LlamaBackend
from longcli.backends.runtime import load_llama
from longcli.errors import ModelError

PENALTY_LAST_N = 64  # what llama-cpp-python uses for repeat_penalty


@dataclass
class _Call:
    prompt: list[int]
    sampling: Sampling
    future: Future[Completion]


@dataclass
class _Sequence:
    seq_id: int
    cached: list[int] = field(default_factory=list)  # tokens whose KV this sequence holds
    call: _Call | None = None
    unread: list[int] = field(default_factory=list)  # prompt tokens not yet decoded
    sampler: Any = None
    generated: list[int] = field(default_factory=list)
    next_token: int | None = None  # sampled, to be decoded in the next batch
    output_index: int = -1  # where this sequence's logits are in the last batch


class BatchedLlama:
    """A decoding loop serving `sequences` calls at once on the backend's model."""

    def __init__(self, backend: LlamaBackend, sequences: int, n_ctx_per_sequence: int) -> None:
        llama_cpp = load_llama()
        self._lc = llama_cpp
        params = backend.context_params()
        params.n_ctx = n_ctx_per_sequence * sequences
        params.n_seq_max = sequences
        params.kv_unified = False
        params.n_batch = params.n_ubatch = min(backend.options.batch, params.n_ctx)
        self.n_batch = int(params.n_batch)
        self.n_ctx_per_sequence = n_ctx_per_sequence
        self._ctx = llama_cpp.llama_init_from_model(backend.model_handle(), params)
        if not self._ctx:
            raise ModelError(
                f"could not make a context for {sequences} sequences of "
                f"{n_ctx_per_sequence} tokens",
                hint="lower --parallel or --ctx",
            )
        self._memory = llama_cpp.llama_get_memory(self._ctx)
        self._vocab = llama_cpp.llama_model_get_vocab(backend.model_handle())
        self._n_vocab = llama_cpp.llama_vocab_n_tokens(self._vocab)
        self._batch = llama_cpp.llama_batch_init(self.n_batch, 0, 1)
        self._detokenize = backend.detokenize
        self._sequences = [_Sequence(i) for i in range(sequences)]
        self._waiting: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="longcli-batch", daemon=True)
        self._thread.start()

    # -- calls --------------------------------------------------------------------------

    def submit(self, prompt: list[int], sampling: Sampling) -> Future[Completion]:
        future: Future[Completion] = Future()
        try:
            check_fits(len(prompt), sampling.max_tokens, self.n_ctx_per_sequence)
        except ModelError as exc:
            future.set_exception(exc)
            return future
        self._waiting.put(_Call(list(prompt), sampling, future))
        return future

    def close(self) -> None:
        """Stop the loop; the context is freed with the process (the loop may be mid-decode)."""
        if not self._closed:
            self._closed = True
            self._waiting.put(None)

    # -- the loop -----------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            busy = [s for s in self._sequences if s.call is not None]
            if not self._admit(block=not busy):
                return
            busy = [s for s in self._sequences if s.call is not None]
            if not busy:
                continue
            try:
                self._step(busy)
            except Exception as exc:  # fail the calls in flight, keep serving new ones
                for seq in busy:
                    self._finish(seq, exc)

    def _admit(self, block: bool) -> bool:
        """Move waiting calls into free sequences; False once closed."""
        while True:
            free = [s for s in self._sequences if s.call is None]
            if not free:
                return True
            try:
                call = self._waiting.get(block=block)
            except queue.Empty:
                return True
            block = False
            if call is None:
                return False
            if call.future.set_running_or_notify_cancel():
                self._start(max(free, key=lambda s: shared_prefix(s.cached, call.prompt)), call)

    def _start(self, seq: _Sequence, call: _Call) -> None:
        # Keep the KV cache of the prefix this sequence already holds; at least the last
        # prompt token is decoded again, for its logits.
        keep = min(shared_prefix(seq.cached, call.prompt), len(call.prompt) - 1)
        self._lc.llama_memory_seq_rm(self._memory, seq.seq_id, keep, -1)
        seq.cached = call.prompt[:keep]
        seq.unread = call.prompt[keep:]
        seq.call = call
        seq.generated = []
        seq.next_token = None
        seq.sampler = self._sampler(call.sampling)

    def _sampler(self, sampling: Sampling) -> Any:
        lc = self._lc
        chain = lc.llama_sampler_chain_init(lc.llama_sampler_chain_default_params())
        add = lc.llama_sampler_chain_add
        add(
            chain,
            lc.llama_sampler_init_penalties(
                self._n_vocab, PENALTY_LAST_N, sampling.repeat_penalty, 0.0, 0.0
            ),
        )
        if sampling.temperature <= 0:
            add(chain, lc.llama_sampler_init_greedy())
        else:
            add(chain, lc.llama_sampler_init_top_k(sampling.top_k))
            add(chain, lc.llama_sampler_init_top_p(sampling.top_p, 1))
            add(chain, lc.llama_sampler_init_min_p(sampling.min_p, 1))
            add(chain, lc.llama_sampler_init_temp(sampling.temperature))
            add(chain, lc.llama_sampler_init_dist(sampling.seed & 0xFFFFFFFF))
        return chain

    def _step(self, busy: list[_Sequence]) -> None:
        """One llama_decode over every busy sequence, then one sample for each that is due."""
        batch = self._batch
        n = 0

        def add(seq: _Sequence, token: int, wants_logits: bool) -> None:
            nonlocal n
            batch.token[n] = token
            batch.pos[n] = len(seq.cached)
            batch.n_seq_id[n] = 1
            batch.seq_id[n][0] = seq.seq_id
            batch.logits[n] = wants_logits
            if wants_logits:
                seq.output_index = n
            seq.cached.append(token)
            n += 1

        for seq in busy:  # decoding sequences first: one token each
            seq.output_index = -1
            if seq.next_token is not None:
                add(seq, seq.next_token, True)
                seq.next_token = None
        for seq in busy:  # then prompts, as much as the batch holds
            take = min(len(seq.unread), self.n_batch - n)
            for i, token in enumerate(seq.unread[:take]):
                add(seq, token, i == len(seq.unread) - 1)
            del seq.unread[:take]
        batch.n_tokens = n
        status = self._lc.llama_decode(self._ctx, batch)
        if status != 0:
            raise ModelError(f"llama_decode failed with status {status}")
        for seq in busy:
            if seq.output_index >= 0:
                self._sample(seq)

    def _sample(self, seq: _Sequence) -> None:
        assert seq.call is not None
        token = self._lc.llama_sampler_sample(seq.sampler, self._ctx, seq.output_index)
        if self._lc.llama_vocab_is_eog(self._vocab, token):
            self._finish(seq, None, "stop")
            return
        seq.generated.append(token)
        if len(seq.generated) >= seq.call.sampling.max_tokens:
            self._finish(seq, None, "length")
        else:
            seq.next_token = token

    def _finish(self, seq: _Sequence, error: Exception | None, reason: str = "stop") -> None:
        call = seq.call
        if seq.sampler is not None:
            self._lc.llama_sampler_free(seq.sampler)
            seq.sampler = None
        seq.call = None
        if call is None:
            return
        if error is not None:
            seq.cached = []  # its KV cache is in an unknown state
            self._lc.llama_memory_seq_rm(self._memory, seq.seq_id, 0, -1)
            call.future.set_exception(error)
            return
        text = self._detokenize(seq.generated)
        call.future.set_result(Completion(text, len(call.prompt), len(seq.generated), reason))


class BatchedBackend(Delegating):
    """A LlamaBackend whose `complete` calls, made from several threads, decode together."""

    def __init__(self, inner: LlamaBackend, sequences: int, n_ctx: int) -> None:
        super().__init__(inner)
        self.llama = inner
        self.n_ctx = n_ctx
        self.threads = inner.threads
        self.gpu_layers = inner.gpu_layers
        self.sequences = sequences
        self.runner = BatchedLlama(inner, sequences, n_ctx)

    def complete(self, messages: list[Message], sampling: Sampling) -> Completion:
        done = self.runner.submit(self.llama.encode(messages), sampling).result()
        text = reasoning.visible(self.llama.opened_thinking(messages) + done.text)
        return dataclasses.replace(done, text=text)  # thinking stripped, its tokens counted

    def stream(self, messages: list[Message], sampling: Sampling) -> Iterator[str]:
        yield self.complete(messages, sampling).text
