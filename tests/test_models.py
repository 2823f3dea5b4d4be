from pathlib import Path

import pytest

from longcli.errors import ModelNotFoundError
from longcli.models.gguf import describe_model, read_gguf_metadata
from longcli.models.locate import resolve_model


def test_bundled_model_is_found_and_described(bundled_model_info):
    info = bundled_model_info
    assert info.path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert info.architecture == "llama"
    assert info.context_length == 8192
    assert info.quantization == "Q4_1"
    assert "<|im_start|>" in (info.chat_template or "")
    assert info.metadata["llama.block_count"] == 30


def test_metadata_matches_what_llama_cpp_reads(bundled_model_info, tokenizer):
    ours = read_gguf_metadata(bundled_model_info.path)
    theirs = tokenizer._llm.metadata  # llama.cpp's own reading, all values as strings
    for key in (
        "general.architecture",
        "llama.context_length",
        "llama.block_count",
        "llama.attention.head_count_kv",
        "tokenizer.chat_template",
    ):
        assert str(ours[key]) == theirs[key]


def test_resolution_order(tmp_path: Path, bundled_model_info, private_user_dirs: Path):
    bundled = bundled_model_info.path
    assert resolve_model(None, {}) == bundled
    assert resolve_model("smollm2", {}) == bundled
    assert resolve_model(str(bundled), {}) == bundled
    assert resolve_model("mine", {"mine": str(bundled)}) == bundled
    models = private_user_dirs / "data" / "models"
    models.mkdir(parents=True)
    (models / "dropped.gguf").symlink_to(bundled)
    assert resolve_model("dropped", {}) == models / "dropped.gguf"
    with pytest.raises(ModelNotFoundError, match="no model 'nothing'"):
        resolve_model("nothing", {})


@pytest.mark.parametrize(
    "content,message",
    [(b"", "not a GGUF"), (b"GGUF\x03\x00\x00\x00", "truncated"), (b"hello world", "not a GGUF")],
)
def test_bad_files_are_refused_before_loading(tmp_path: Path, content: bytes, message: str):
    f = tmp_path / "m.gguf"
    f.write_bytes(content)
    with pytest.raises(ModelNotFoundError, match=message):
        describe_model(f)


def test_directory_is_not_a_model(tmp_path: Path):
    with pytest.raises(ModelNotFoundError, match="not a regular file"):
        describe_model(tmp_path)
