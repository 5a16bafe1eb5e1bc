"""Shared test fixtures.

The real public data lives outside the repository in ``../shared/data`` (or wherever
``$SIA_SHARED_DATA`` points). Under ``CI=true`` a missing data file fails the test; elsewhere the
test is skipped with a message naming the missing file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_root() -> Path:
    env = os.environ.get("SIA_SHARED_DATA")
    if env:
        return Path(env)
    return REPO.parent / "shared" / "data"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def shared_data() -> Callable[[str], Path]:
    """Return a function mapping a path relative to the shared data root to an existing file.

    ``shared_data("gva/ons_rgva_balanced_lad_by_industry_1998_2023.parquet")``
    """
    root = _shared_root()

    def find(relative: str) -> Path:
        path = root / relative
        if not path.exists():
            message = f"shared data file missing: {path} (set SIA_SHARED_DATA to the shared data folder)"
            if _in_ci():
                pytest.fail(message)
            pytest.skip(message)
        return path

    return find


@pytest.fixture(scope="session")
def shared_reference() -> Callable[[str], Path]:
    """Like :func:`shared_data` for ``../shared/reference`` (peer outputs for golden tests)."""
    root = _shared_root().parent / "reference"

    def find(relative: str) -> Path:
        path = root / relative
        if not path.exists():
            message = f"shared reference file missing: {path}"
            if _in_ci():
                pytest.fail(message)
            pytest.skip(message)
        return path

    return find


@pytest.fixture(scope="session")
def example_audit(shared_data: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output directory of the Midlands Engine example audit on the shared data, run once per session."""
    from typer.testing import CliRunner

    from sia.cli import app

    root = shared_data("employment/bres_itl2_sic5_employment_2015_2021.csv.gz").parents[1]
    out = tmp_path_factory.mktemp("example-audit") / "midlands-engine"
    res = CliRunner().invoke(app, ["audit", str(REPO / "examples" / "midlands-engine.toml"), "-o", str(out),
                                   "--data-dir", str(root), "--quiet"])
    assert res.exit_code == 0, res.output
    return out
