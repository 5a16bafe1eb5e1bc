"""Stakeholder judgement as an audit criterion: reading a consultation export.

The consultation app (``sia serve``) exports one row per round x theme x criterion (format in
``docs/consultation.md``). The audit takes the **last round** and scores each theme by the mean
over criteria of the stakeholders' median score (1-5). Themes are matched by audit id
(``theme_id`` or ``theme``) or by name; a theme nobody scored gets no value (the criterion is
then left out of its score), and export themes the audit does not know are counted and reported.
The reader lives here, below the app; the app's ``read_export`` uses it with the full export columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

REQUIRED = ("round", "theme", "criterion", "median", "n")


class ConsultationError(ValueError):
    """A consultation export that cannot be used."""


def read_consultation_export(path: str | Path, required: Sequence[str] = REQUIRED) -> pd.DataFrame:
    """Read a consultation export (Parquet if the name ends in ``.parquet``, else CSV) and check that the
    ``required`` columns are there; the error names the file and the missing columns."""
    path = Path(path)
    if not path.is_file():
        raise ConsultationError(f"{path}: consultation export not found")
    frame = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ConsultationError(f"{path}: missing column(s) {missing}; expected a `sia consultation export` file "
                                f"with the columns {list(required)}")
    return frame


def stakeholder_scores(
    path: str | Path, theme_ids: Sequence[str], theme_names: Sequence[str]
) -> tuple[np.ndarray, list[str]]:
    """Per theme (audit order) the mean over criteria of the last round's median; and unmatched export themes."""
    path = Path(path)
    frame = read_consultation_export(path)
    last = frame[frame["round"] == frame["round"].max()]
    by_key = {}
    for key_col in ("theme_id", "theme"):
        if key_col in last.columns:
            means = last.groupby(last[key_col].astype(str))["median"].mean()
            by_key.update(means.to_dict())
    values = np.full(len(theme_ids), np.nan)
    matched: set[str] = set()
    for i, (tid, name) in enumerate(zip(theme_ids, theme_names, strict=True)):
        for key in (tid, name):
            if key in by_key and np.isfinite(by_key[key]):
                values[i] = by_key[key]
                matched.add(key)
                break
    unmatched = sorted(set(last["theme"].astype(str)) - matched - set(theme_ids) - set(theme_names))
    return values, unmatched
