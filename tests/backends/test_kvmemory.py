"""KV-cache arithmetic from GGUF metadata, checked against what llama.cpp reports."""

import re

import pytest

from longcli.backends.engine import check_rope_scaling, choose_ctx, flash_attention
from longcli.backends.llama import LLAMA_LOG, LlamaBackend, LoadOptions
from longcli.config import Settings
from longcli.errors import UsageError
from longcli.models.footprint import (
    MIB,
    cells,
    kv_bytes,
    kv_shape,
    largest_fitting_ctx,
    plan_footprint,
)

KV_LINE = re.compile(r"llama_kv_cache: size =\s+([\d.]+) MiB \(\s*(\d+) cells")


def llama_reported_kv(model, n_ctx: int, kv_type: str) -> tuple[float, int]:
    LLAMA_LOG.captured = captured = []
    try:
        options = LoadOptions(kv_type=kv_type, flash_attn=kv_type != "f16")
        backend = LlamaBackend(model, n_ctx, options)
        del backend
    finally:
        LLAMA_LOG.captured = None
    for line in captured:
        m = KV_LINE.search(line)
        if m:
            return float(m.group(1)), int(m.group(2))
    pytest.fail("llama.cpp did not report its KV cache size")


def test_shape_of_the_bundled_model(bundled_model_info):
    shape = kv_shape(bundled_model_info)
    assert shape.layers == 30 and set(shape.kv_heads) == {3}
    assert shape.key_dim == shape.value_dim == 64


@pytest.mark.model
@pytest.mark.parametrize(
    "n_ctx,kv_type", [(2048, "f16"), (3000, "f16"), (4096, "q8_0"), (8192, "q4_0")]
)
def test_kv_bytes_match_llama_cpp(bundled_model_info, n_ctx, kv_type):
    reported_mib, reported_cells = llama_reported_kv(bundled_model_info, n_ctx, kv_type)
    ours = kv_bytes(kv_shape(bundled_model_info), n_ctx, kv_type)
    assert reported_cells == cells(n_ctx)
    assert ours / MIB == pytest.approx(reported_mib, abs=0.01)


def test_largest_fitting_ctx_is_monotone_and_fits(bundled_model_info):
    budget = bundled_model_info.size_bytes + 200 * MIB
    fits = largest_fitting_ctx(bundled_model_info, 8192, "f16", 512, budget)
    assert 0 < fits < 8192 and fits % 256 == 0
    assert plan_footprint(bundled_model_info, fits, "f16", 512, budget).fits
    assert not plan_footprint(bundled_model_info, fits + 256, "f16", 512, budget).fits
    assert largest_fitting_ctx(bundled_model_info, 8192, "q4_0", 512, budget) > fits


def test_default_ctx_follows_the_memory_budget(bundled_model_info):
    roomy = Settings(memory_budget_mb=8000)
    assert choose_ctx(roomy, bundled_model_info) == 8192  # the trained context
    tight = Settings(memory_budget_mb=400)
    assert 256 <= choose_ctx(tight, bundled_model_info) < 8192


def test_impossible_request_fails_before_loading(bundled_model_info):
    with pytest.raises(UsageError, match=r"--ctx 8192 needs .* at most --ctx \d+ fits"):
        choose_ctx(Settings(ctx=8192, memory_budget_mb=300), bundled_model_info)
    with pytest.raises(UsageError, match="not enough memory"):
        choose_ctx(Settings(memory_budget_mb=64), bundled_model_info)


def test_rope_scaling_extends_the_limit(bundled_model_info):
    stretched = Settings(ctx=16384, rope_scaling="yarn", rope_factor=2.0, memory_budget_mb=8000)
    assert choose_ctx(stretched, bundled_model_info) == 16384
    with pytest.raises(UsageError, match="trained context 8192 x --rope-factor 2"):
        choose_ctx(Settings(ctx=20000, rope_scaling="linear", rope_factor=2.0), bundled_model_info)


def test_rope_scaling_refused_where_metadata_says_unsafe(bundled_model_info):
    import dataclasses

    meta = dict(bundled_model_info.metadata)
    meta["llama.rope.scaling.type"] = "yarn"
    scaled = dataclasses.replace(bundled_model_info, metadata=meta)
    with pytest.raises(UsageError, match="already RoPE-scaled"):
        check_rope_scaling(Settings(rope_scaling="linear"), scaled)
    meta = {k: v for k, v in bundled_model_info.metadata.items() if ".rope." not in k}
    no_rope = dataclasses.replace(bundled_model_info, metadata=meta)
    with pytest.raises(UsageError, match="does not declare RoPE"):
        check_rope_scaling(Settings(rope_scaling="yarn"), no_rope)


def test_flash_attention_rules():
    assert flash_attention(Settings(kv_type="q8_0"))
    assert flash_attention(Settings())  # auto: on
    assert not flash_attention(Settings(flash_attn="off"))
    with pytest.raises(UsageError, match="needs flash attention"):
        flash_attention(Settings(kv_type="q4_0", flash_attn="off"))
