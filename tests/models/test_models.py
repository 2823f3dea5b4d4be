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


def test_recommendations_are_current_small_models_with_their_languages():
    from longcli.models.catalog import recommended

    rows = recommended(512, None)
    names = " ".join(r.name for r in rows)
    for family in ("Qwen3", "Gemma 3", "Llama 3.2", "SmolLM3", "Phi-4"):
        assert family in names
    assert all(r.size_bytes < 3e9 and r.languages for r in rows)  # small enough for a laptop
    assert any(r.multilingual for r in rows) and any(not r.multilingual for r in rows)


def test_a_multilingual_model_is_suggested_for_input_the_model_cannot_write(bundled_model_info):
    from longcli.models.catalog import suggest_for_language

    line = suggest_for_language("de")
    assert line is not None and line.count("\n") == 0
    assert "German" in line and "longcli models pull " in line
    assert suggest_for_language("en") is None
    assert suggest_for_language("de", bundled_model_info) is not None  # it lists only English
    assert suggest_for_language("") is None and suggest_for_language("xx") is None


def test_the_bundled_model_has_one_display_name(bundled_model_info):
    assert bundled_model_info.name == "smollm2 135M"
    assert bundled_model_info.identity.startswith("Smollm2 135M 8k")  # caches keep their keys
