"""Kill-and-restart: a ``sia serve`` SIGKILLed mid-load keeps every acknowledged submission exactly once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))


@pytest.mark.slow
def test_sigkill_mid_load_keeps_acknowledged_submissions(tmp_path: Path) -> None:
    from bench_app_load import kill_restart

    res = kill_restart(str(tmp_path / "kill.db"), n_participants=40, n_themes=10, workers=8)
    assert res["acknowledged_before_kill"] >= 20
    assert res["acknowledged_lost"] == 0  # every acknowledged submission is stored, with the sent values
    assert res["partially_stored"] == 0  # unacknowledged ones are all-or-nothing
    assert res["replays_return_stored_result"]  # and replaying them does not duplicate
    assert res["stored_after_restart"] >= res["acknowledged_before_kill"]
