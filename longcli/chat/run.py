"""`longcli chat` and `longcli memory`, from settings to an open conversation: what the CLI
calls. The session is locked for as long as a chat is open."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from longcli.backends.base import Backend, Stateful
from longcli.backends.embedding import Embedder, Memo, find_embedding_model, open_or_say
from longcli.backends.engine import open_engine
from longcli.chat import kvstate, vectors
from longcli.chat.conversation import Chat, ChatOptions
from longcli.chat.exchange import Exchange
from longcli.chat.facts import Fact
from longcli.chat.fold import unquote
from longcli.chat.session import Session
from longcli.chat.view import SessionView, session_view
from longcli.config import Fold, Settings
from longcli.errors import UsageError
from longcli.models.gguf import ModelInfo
from longcli.places import cache_dir
from longcli.prompts.templates import templates_for
from longcli.streams import Streams
from longcli.text.decode import Source
from longcli.text.documents import InputFormat, open_document

# The model writes (chat folds) from 1 GB of weights (about 1.5B parameters at 4-5 bits):
# a judgement. Summaries' --method auto is chosen by calibration: summarize/method.py.
ABSTRACTIVE_FROM_BYTES = 1_000_000_000


def resolve_fold(fold: Fold, model: ModelInfo | None) -> Fold:
    """How the chat folds: the `fold` setting, or for "auto" extractive with a model under
    1 GB and the model's own summary from 1 GB. With the bundled model, 200 turns at ctx
    1024 took 215 s to fold by the model against 6 s extractive, for the same retention
    (27 of 27 answers right either way; bench/chat_memory.py retention --fold model)."""
    if fold != Fold.auto:
        return Fold(fold)
    if model is None:
        return Fold.model
    return Fold.model if model.size_bytes >= ABSTRACTIVE_FROM_BYTES else Fold.extractive


def chat_options(settings: Settings, model: ModelInfo | None) -> ChatOptions:
    return ChatOptions(
        reply_tokens=settings.reply_tokens,
        summary_share=settings.summary_share,
        recall_tokens=settings.recall_tokens,
        facts_tokens=settings.facts_tokens,
        quote_facts=settings.quote_facts,
        fold=resolve_fold(settings.fold, model),
        sampling=settings.sampling(),
    )


@contextmanager
def open_chat(
    settings: Settings, memory: Path, system: str | None, streams: Streams
) -> Iterator[Chat]:
    """Lock the session, load the model, and yield a Chat; the lock is released after."""
    session = Session.open(memory, create=True, writable=True)
    try:
        engine = open_engine(settings, verbose=streams.llama_log, note=streams.warn)
        meta = session.meta
        if system is None and meta.system is None:
            system = settings.system  # the config's default, for a session that has none
        if system is not None and system != meta.system:
            meta.system = system
        if not meta.model:
            meta.model = engine.backend.identity
        session.save_meta(meta)
        options = chat_options(settings, engine.model)
        embedder = chat_embedder(settings, streams)
        kept = _kept_vectors(embedder, session.path, streams)
        chat = Chat(
            session,
            engine.backend,
            templates_for(settings),
            options,
            model=engine.model,
            after_turn=context_keeper(engine.backend, session.path, streams),
            embedder=embedder,
        )
        for warning in session.warnings:  # e.g. a torn journal line, found while loading
            streams.warn(warning)
        restore_context(engine.backend, session.path, streams)
        try:
            yield chat
        finally:
            if kept is not None:
                _keep_vectors(*kept, session.path, streams)
    finally:
        session.close()


def _kept_vectors(
    embedder: Embedder | None, directory: Path, streams: Streams
) -> tuple[Memo, str] | None:
    """The embedder's memo with the vectors the session kept for its model loaded (see
    chat/vectors.py), and that model's identity; None without an embedding model."""
    if not isinstance(embedder, Memo) or embedder.model is None:
        return None
    model = vectors.model_identity(embedder.model)
    why_not = vectors.load(embedder, directory, model)
    streams.detail(f"vectors: {why_not}" if why_not else "vectors: kept ones loaded")
    return embedder, model


def _keep_vectors(memo: Memo, model: str, directory: Path, streams: Streams) -> None:
    try:
        vectors.save(memo, directory, model)
    except OSError as exc:  # a speed-up only: every turn is already stored
        streams.warn(f"could not keep the statements' vectors for the next run: {exc}")


def chat_embedder(settings: Settings, streams: Streams) -> Embedder | None:
    """The embedding model the settings name or the data dir holds, loaded; None without
    one (the chat then matches words, as it always did). One that fails to load is said
    once and left out: the chat works without it."""
    path = find_embedding_model(settings.embedding_model)
    if path is None:
        return None
    return open_or_say(
        path,
        streams,
        serves="statements found by meaning",
        without="statements are found by their words only",
    )


def restore_context(backend: Backend, directory: Path, streams: Streams) -> None:
    """Start from the KV cache the last run kept, when the backend keeps one."""
    if not backend.capabilities.keeps_state:
        return
    restored, why_not = kvstate.restore(cast(Stateful, backend), directory)
    streams.detail(
        f"KV state: {restored} tokens restored" if restored else f"KV state: cold start ({why_not})"
    )


def context_keeper(
    backend: Backend, directory: Path, streams: Streams
) -> Callable[[], None] | None:
    """What keeps the KV cache again after every turn; None when the backend keeps none."""
    if not backend.capabilities.keeps_state:
        return None
    stateful = cast(Stateful, backend)

    def save() -> None:
        try:
            kvstate.save(stateful, directory)
        except OSError as exc:  # a speed-up only: the turn itself is already stored
            streams.warn(f"could not keep the model's state for the next run: {exc}")

    return save


def add_documents(
    chat: Chat,
    settings: Settings,
    files: list[Source],
    input_format: InputFormat = InputFormat.auto,
    warn: Callable[[str], None] | None = None,
) -> list[str]:
    """Index each file's passages and seed the summary with its gist; returns names added.

    `warn` hears what the user should know and the run survives (a cache that cannot be
    written)."""
    from longcli.backends.cache import CachingBackend, CallCache
    from longcli.summarize.pipeline import Summarizer, chunk_sources
    from longcli.summarize.run import summarize_options

    backend: Backend = chat.backend
    if settings.cache:
        backend = CachingBackend(chat.backend, CallCache(cache_dir(), warn))
    model: ModelInfo | None = chat.model
    added = []
    for source in files:
        document = open_document(source, input_format)
        text = "".join(document.blocks)

        def gist(body: str, words: int) -> str:
            opts = dataclasses.replace(
                summarize_options(settings, model), words=words, chunk_tokens=None
            )
            summarizer = Summarizer(backend, chat.templates, opts)
            chunks = chunk_sources([[body]], summarizer.budget, chat.backend.count_tokens)
            return summarizer.run(chunks).summary

        if chat.add_document(source.label, text, gist, document.where):
            added.append(source.label)
    return added


def read_memory(memory: Path) -> tuple[SessionView, list[Exchange], list[str]]:
    """A session's memory view, its exchanges, and warnings; read without the lock and
    without loading a model."""
    with Session.open(memory, create=False, writable=False) as session:
        state = session.load_state()
        exchanges = session.load_journal()
        ledger, _ = session.caught_up_ledger(exchanges)
        view = session_view(session, state, exchanges, None, session.meta.system, ledger)
        return view, exchanges, list(session.warnings)


def forget_fact(memory: Path, fact_id: int) -> Fact:
    """Mark one fact of a session forgotten (it stays in the journal); raises UsageError
    for an id that is not an active fact."""
    with Session.open(memory, create=False, writable=True) as session:
        ledger, _ = session.caught_up_ledger(session.load_journal())
        fact = ledger.forget(fact_id)
        if fact is None:
            raise UsageError(
                f"no fact {fact_id} in {memory}", hint="`longcli memory facts` lists them"
            )
        session.save_ledger(ledger)
        state = session.load_state()
        unsaid = unquote(state.summary, fact)
        if unsaid != state.summary:
            state.summary = unsaid
            session.save_state(state)
        return fact


def reset_session(memory: Path) -> None:
    with Session.open(memory, create=False, writable=True) as session:
        session.reset()
