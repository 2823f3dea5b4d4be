"""The reliability suite's processes answer with the fake model (tests/support)."""

from __future__ import annotations

import pytest

from tests.conftest import FAKE_ENV


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `longcli` process started by the test uses the stand-in model."""
    monkeypatch.setenv(FAKE_ENV, "1")
