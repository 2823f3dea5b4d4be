"""`longcli models pull`: a GGUF from the Hugging Face Hub, into the cache other tools share.

Files go where huggingface_hub puts them (HF_HUB_CACHE or HF_HOME), so llama.cpp,
llama-cpp-python and anything else that uses the hub cache sees them too, and nothing is
ever downloaded twice. A connection that breaks mid-file is resumed from where it broke,
within the pull (huggingface_hub asks for the rest with a Range request). A pull that
fails outright leaves no partial file in the shared cache (huggingface_hub 2.x removes
it, so that the cache is never corrupted); files the hub keeps in its Xet storage resume
across pulls through hf-xet's chunk cache. Every file is then checked: the GGUF header,
and the sha256 the hub lists for it. A split GGUF (`-00001-of-00003`) is fetched whole.
HF_TOKEN is sent when set and never shown. Only this command touches the network.

Offline, a pull fails in one line within seconds: the hub's host is resolved and connected
to before huggingface_hub is asked, since the library would retry a dead network five
times over 23 s, logging each try. Its log and warnings are off during a pull (unless
HF_HUB_VERBOSITY asks for them): whatever fails ends as longcli's one line.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from longcli.errors import ServerError, UsageError
from longcli.models.gguf import GGUF_MAGIC
from longcli.models.stores import hf_cache_dir, load_hub
from longcli.text.reader_libraries import extra_install

DEFAULT_ENDPOINT = "https://huggingface.co"
DEFAULT_QUANT = "Q4_K_M"
HASH_BLOCK_BYTES = 1 << 20
PROBE_TIMEOUT_S = 5.0  # no TCP answer from the hub's host within this: treated as offline
NETWORK_HINT = "check the network and pull again"
_SPLIT = re.compile(r"^(?P<stem>.+)-(?P<part>\d{5})-of-(?P<count>\d{5})\.gguf$")

Progress = Callable[[str, int, int | None], None]  # (file, bytes so far, total bytes)


@dataclass(frozen=True)
class HubFile:
    path: str  # in the repository
    size: int
    sha256: str | None  # the hub's, for files it stores with LFS


@dataclass(frozen=True)
class PullPlan:
    """What `pull` would fetch: every part of one model."""

    repo: str
    files: list[HubFile]

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


def endpoint() -> str:
    """The hub's address (HF_ENDPOINT points tests, and mirrors, elsewhere)."""
    return os.environ.get("HF_ENDPOINT", DEFAULT_ENDPOINT).rstrip("/")


def _token() -> str | None:
    return os.environ.get("HF_TOKEN") or None


def _hub() -> Any:
    try:
        return load_hub()
    except ImportError:
        hint = f"install the hub client with: {extra_install('hub')}"
        raise UsageError("pulling models needs huggingface_hub", hint=hint) from None


def _hub_failure(exc: Exception, what: str) -> ServerError:
    """One line for anything the hub, or the network on the way, answered."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    where = endpoint()
    if status in (401, 403):
        return ServerError(
            f"the hub at {where} refused access to {what} ({status})",
            hint="for a gated or private model, accept its terms on the hub and set HF_TOKEN",
        )
    if status == 404:
        return ServerError(f"the hub at {where} has no {what} (404)", hint="check the spelling")
    if status is not None:
        return ServerError(f"the hub at {where} answered {status} for {what}")
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ServerError(f"cannot reach the hub at {where} for {what}: {reason}", hint=NETWORK_HINT)


def _probe(what: str) -> None:
    """Fail at once, in one line, when the hub's host does not resolve, refuses a
    connection or does not answer; huggingface_hub would retry for 23 s before giving up."""
    target = _probe_target()
    reason = _unreachable(*target) if target is not None else None
    if reason is not None:
        raise ServerError(
            f"cannot reach the hub at {endpoint()} for {what}: {reason}", hint=NETWORK_HINT
        )


def _probe_target() -> tuple[str, int] | None:
    """The host and port the library will connect to, or None when not ours to probe."""
    if _offline_mode() or _proxied():
        return None  # the library says offline mode itself; a proxy resolves the host, not us
    address = urlsplit(endpoint())
    try:
        port = address.port or (443 if address.scheme == "https" else 80)
    except ValueError:
        return None  # a malformed port: the library's own error says so
    return (address.hostname, port) if address.hostname else None


def _unreachable(host: str, port: int) -> str | None:
    """Why a TCP connection to host:port cannot be opened, or None when it can."""
    try:
        socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S).close()
    except socket.gaierror as exc:
        return f"{host} does not resolve ({exc.strerror or exc})"
    except ConnectionRefusedError:
        return f"{host} port {port} refused the connection"
    except TimeoutError:
        return f"{host} port {port} did not answer within {PROBE_TIMEOUT_S:g} s"
    except OSError as exc:
        return f"{host} port {port}: {exc.strerror or exc}"
    return None


def _offline_mode() -> bool:
    # As huggingface_hub reads it (constants._is_true); read here so probing needs no import.
    flag = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return flag.upper() in ("1", "ON", "YES", "TRUE")


def _proxied() -> bool:
    """True when the hub is reached through a proxy (as httpx reads the environment)."""
    address = urlsplit(endpoint())
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(address.scheme) or proxies.get("all")
    if not proxy:
        return False
    # With proxies in the environment this reads NO_PROXY, on every platform.
    return not urllib.request.proxy_bypass(address.hostname or "")


@contextmanager
def _quiet_library() -> Iterator[None]:
    """huggingface_hub's log ("Retrying in 8s [Retry 4/5]") and warnings off for a call:
    its failure reaches the user as our one line. HF_HUB_VERBOSITY set keeps them on."""
    if os.environ.get("HF_HUB_VERBOSITY"):
        yield
        return
    logger = logging.getLogger("huggingface_hub")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def plan_pull(repo: str, file: str | None = None, quant: str | None = None) -> PullPlan:
    """The file (or split parts) to fetch: `file` by name, else the one with `quant` in its
    name (Q4_K_M when neither is given)."""
    if repo.count("/") != 1 or repo.startswith("/") or repo.endswith("/"):
        raise UsageError(f"'{repo}' is not a hub repository name (owner/name)")
    hub = _hub()
    _probe(f"repository {repo}")
    api = hub.HfApi(endpoint=endpoint(), token=_token())
    try:
        with _quiet_library():
            tree = list(api.list_repo_tree(repo, recursive=True))
        entries = [e for e in tree if hasattr(e, "size")]
    except Exception as exc:  # huggingface_hub's HfHubHTTPError family, httpx2's errors
        raise _hub_failure(exc, f"repository {repo}") from None
    ggufs = {
        e.path: HubFile(e.path, int(e.size), getattr(getattr(e, "lfs", None), "sha256", None))
        for e in entries
        if e.path.endswith(".gguf")
    }
    if not ggufs:
        raise UsageError(f"{repo} has no .gguf files")
    chosen = _choose(repo, sorted(ggufs), file, quant)
    return PullPlan(repo, [ggufs[name] for name in _parts(chosen, ggufs)])


def _choose(repo: str, names: list[str], file: str | None, quant: str | None) -> str:
    if file is not None:
        if file not in names:
            raise UsageError(f"{repo} has no file {file}", hint=f"it has: {_listing(names)}")
        return file
    wanted = (quant or DEFAULT_QUANT).lower()
    matches = sorted({_first_part(n) for n in names if wanted in Path(n).name.lower()})
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UsageError(
            f"{repo} has no {quant or DEFAULT_QUANT} file",
            hint=f"name a file or a --quant; it has: {_listing(names)}",
        )
    raise UsageError(f"{len(matches)} files in {repo} match {wanted}: {', '.join(matches)}",
                     hint="name the file")  # fmt: skip


def _listing(names: list[str]) -> str:
    shown = sorted({_first_part(n) for n in names})
    return ", ".join(shown[:12]) + (f" and {len(shown) - 12} more" if len(shown) > 12 else "")


def _first_part(name: str) -> str:
    match = _SPLIT.match(name)
    if not match:
        return name
    return f"{match['stem']}-00001-of-{match['count']}.gguf"


def _parts(name: str, files: dict[str, HubFile]) -> list[str]:
    """Every part of a split GGUF, in order (just the file when it is not split)."""
    match = _SPLIT.match(name)
    if not match:
        return [name]
    count = int(match["count"])
    parts = [f"{match['stem']}-{n:05d}-of-{match['count']}.gguf" for n in range(1, count + 1)]
    missing = [p for p in parts if p not in files]
    if missing:
        raise UsageError(f"the split model {name} is missing parts on the hub: {missing}")
    return parts


def refuse_too_big(plan: PullPlan, budget_bytes: int | None, force: bool) -> None:
    """Refuse a model whose weights alone are more than the memory budget."""
    if budget_bytes is not None and plan.total_bytes > budget_bytes and not force:
        from longcli.models.footprint import format_bytes

        raise UsageError(
            f"{plan.files[0].path} is {format_bytes(plan.total_bytes)}, more than the memory "
            f"budget of {format_bytes(budget_bytes)}: it would not load here",
            hint="pull it anyway with --force, or raise memory_budget_mb",
        )


def pull(plan: PullPlan, progress: Progress | None = None) -> Path:
    """Download every part into the hub cache (or find it there), check it, and return the
    first part's path."""
    # Looked up first: importing the library's modules sets its log level, which the quiet
    # block below must come after.
    download = _hub().hf_hub_download
    tqdm_class = _progress_class(progress) if progress is not None else None
    paths: list[Path] = []
    for file in plan.files:
        try:
            with _quiet_library():
                path = download(
                    plan.repo,
                    file.path,
                    cache_dir=hf_cache_dir(),
                    endpoint=endpoint(),
                    token=_token(),
                    tqdm_class=tqdm_class,
                )
        except Exception as exc:  # HfHubHTTPError, LocalEntryNotFoundError, httpx2 errors
            raise _hub_failure(exc, f"{plan.repo}/{file.path}") from None
        paths.append(Path(path))
        _verify(Path(path), file, first=file is plan.files[0])
    return paths[0]


def _verify(path: Path, file: HubFile, first: bool) -> None:
    """The file as the hub lists it: its size and sha256, and a GGUF header on the first
    part. A file that fails is removed from the cache (we just put it there)."""
    problem = None
    with open(path, "rb") as f:
        if first and f.read(4) != GGUF_MAGIC:
            problem = "is not a GGUF file"
    if problem is None and file.sha256 is not None:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            while block := f.read(HASH_BLOCK_BYTES):
                digest.update(block)
        if digest.hexdigest() != file.sha256:
            problem = "does not match the hub's sha256"
    if problem is None:
        return
    blob = path.resolve()
    path.unlink(missing_ok=True)
    if blob != path:
        blob.unlink(missing_ok=True)
    raise ServerError(
        f"the download of {file.path} {problem}; it was removed from the cache",
        hint="pull again; if it keeps failing, the file on the hub may be damaged",
    )


def _progress_class(progress: Progress) -> type:
    """A tqdm class (what huggingface_hub reports through) that calls `progress`."""
    from tqdm.auto import tqdm

    class Report(tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True  # tqdm prints nothing; the CLI draws its own bar
            super().__init__(*args, **kwargs)
            self.name = str(kwargs.get("desc") or "")
            self.done = int(kwargs.get("initial") or 0)
            self.size = kwargs.get("total")
            progress(self.name, self.done, self.size)

        def update(self, n: float | None = 1) -> bool | None:
            self.done += int(n or 0)
            progress(self.name, self.done, self.size)
            return None

    return Report
