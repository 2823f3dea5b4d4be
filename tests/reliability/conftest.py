"""The reliability suite's processes answer with the fake model (tests/support)."""

from __future__ import annotations

import pytest

from tests.conftest import FAKE_HOOK


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `longcli` process started by the test uses the stand-in model."""
    for name, value in FAKE_HOOK.items():
        monkeypatch.setenv(name, value)
