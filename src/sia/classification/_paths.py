"""Discovery of the shared data folder (the same rule everywhere in ``sia``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sia.paths import ENV_VAR, find_shared_data  # noqa: F401  (re-exported for the classification modules)

REPO_DATA = Path(__file__).resolve().parents[1] / "data"


def read_repo_table(name: str) -> pd.DataFrame:
    """Read a small CSV table shipped in ``sia/data`` (``#`` lines are source comments), all columns as text."""
    path = REPO_DATA / name
    if not path.exists():
        raise FileNotFoundError(f"sia repo data table missing: {path}")
    return pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
