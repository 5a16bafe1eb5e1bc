"""Local embeddedness of an activity (one industry or a basket) in a regionalised table.

For a basket ``S`` of industries, regional output weights ``w_j = x_j^R / sum_{k in S} x_k^R``
(regional output estimated with national productivity; see :mod:`sia.supply.regional`):

* **local input share** ``= sum_{j in S} sum_i a_ij^R x_j^R / sum_{j in S} sum_i a_ij^N x_j^R`` -- of the
  intermediate inputs the national table sources from domestic (UK) suppliers, the share the regionalised
  table sources inside the area (``denominator="domestic"``, default). With ``denominator="total"`` the
  denominator also includes imported inputs and product taxes (the table's rows named in
  ``extra_input_rows``, e.g. ``Use of imported products, cif``), i.e. the share of *all* intermediate
  purchases made locally.
* **output multipliers**: regional ``sum_j w_j sum_i L_ij^R`` vs national ``sum_j w_j sum_i L_ij^N``
  (Type I; the regional one is smaller whenever any input leaks out of the area), and the ratio.
* **upstream neighbours** (suppliers): industries ``i`` ranked by local purchases of the basket
  ``sum_{j in S} a_ij^R x_j^R``; **downstream neighbours** (customers): industries ``j`` ranked by local
  sales of the basket to them ``sum_{i in S} a_ij^R x_j^R``. Basket members are excluded from the ranking
  (their intra-basket flows are reported as ``within_basket``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sia.supply.core import leontief_inverse, output_multipliers, technical_coefficients
from sia.supply.errors import IOTableError
from sia.supply.regional import RegionalTable
from sia.supply.tables import IOTable

__all__ = ["Embeddedness", "embeddedness"]


@dataclass(frozen=True)
class Embeddedness:
    """Result of :func:`embeddedness`; :meth:`summary_frame` gives one tidy row per measure."""

    basket: tuple[str, ...]
    area: str
    method: str
    local_input_share: float
    local_inputs: float
    inputs_denominator: float
    denominator: str
    regional_multiplier: float
    national_multiplier: float
    regional_output: float
    within_basket: float
    upstream: pd.DataFrame
    downstream: pd.DataFrame

    @property
    def multiplier_ratio(self) -> float:
        return self.regional_multiplier / self.national_multiplier

    def summary_frame(self) -> pd.DataFrame:
        rows = {
            "local_input_share": self.local_input_share,
            "local_intermediate_inputs": self.local_inputs,
            "intermediate_inputs_" + self.denominator: self.inputs_denominator,
            "regional_output_multiplier": self.regional_multiplier,
            "national_output_multiplier": self.national_multiplier,
            "multiplier_ratio": self.multiplier_ratio,
            "regional_output": self.regional_output,
            "within_basket_local_flows": self.within_basket,
        }
        return pd.DataFrame(
            {"basket": "+".join(self.basket), "area": self.area, "method": self.method,
             "measure": list(rows), "value": list(rows.values())}
        )


def embeddedness(
    table: IOTable,
    regional: RegionalTable,
    basket: Sequence[str],
    *,
    top: int = 10,
    denominator: Literal["domestic", "total"] = "domestic",
    extra_input_rows: Sequence[str] = ("Use of imported products, cif", "Taxes less subsidies on products"),
) -> Embeddedness:
    """Embeddedness of ``basket`` (industry codes of ``table``) in ``regional`` (see module docstring)."""
    if tuple(regional.industries) != tuple(table.industries):
        raise IOTableError("the regional table was not built from this national table (industry lists differ)")
    if not basket:
        raise IOTableError("the basket is empty; name at least one industry")
    idx = table.index_of(list(basket))
    xr = regional.x
    w_raw = xr[idx]
    if w_raw.sum() <= 0:
        raise IOTableError(
            f"the basket {list(basket)} has no employment (no regional output) in area {regional.area!r}"
        )
    w = w_raw / w_raw.sum()
    A_n = technical_coefficients(table.Z, table.x)
    A_r = regional.A
    local = float((A_r[:, idx] * w_raw[None, :]).sum())
    domestic = float((A_n[:, idx] * w_raw[None, :]).sum())
    if denominator == "domestic":
        denom = domestic
    elif denominator == "total":
        rows = [r for r in extra_input_rows if r in table.primary_inputs]
        missing = [r for r in extra_input_rows if r not in table.primary_inputs]
        if missing:
            raise IOTableError(
                f"table {table.name!r} has no primary-input rows {missing}; rows: {table.primary_inputs}"
            )
        per_unit = sum(table.primary_row(r) for r in rows) / np.where(table.x > 0, table.x, np.inf)
        denom = domestic + float((per_unit[idx] * w_raw).sum())
    else:
        raise IOTableError(f"denominator must be 'domestic' or 'total', got {denominator!r}")
    if denom <= 0:
        raise IOTableError(f"the basket {list(basket)} buys no intermediate inputs")
    m_r = output_multipliers(leontief_inverse(A_r, table.industries))
    m_n = output_multipliers(leontief_inverse(A_n, table.industries))
    Zr = A_r * xr[None, :]
    inside = np.zeros(table.n, dtype=bool)
    inside[idx] = True
    up_v = Zr[:, idx].sum(axis=1)
    down_v = Zr[idx, :].sum(axis=0)
    within = float(Zr[np.ix_(idx, idx)].sum())

    def ranked(values: np.ndarray, total: float, kind: str) -> pd.DataFrame:
        order = np.argsort(-np.where(inside, -np.inf, values), kind="stable")
        order = [i for i in order if not inside[i] and values[i] > 0][:top]
        return pd.DataFrame(
            {
                "direction": kind,
                "rank": np.arange(1, len(order) + 1),
                "industry": [table.industries[i] for i in order],
                "label": [table.labels[i] if table.labels else "" for i in order],
                "local_flow": values[order],
                "share_of_local_flows": values[order] / total if total > 0 else np.nan,
            }
        )

    return Embeddedness(
        basket=tuple(basket),
        area=regional.area,
        method=regional.method,
        local_input_share=local / denom,
        local_inputs=local,
        inputs_denominator=denom,
        denominator=denominator,
        regional_multiplier=float(w @ m_r[idx]),
        national_multiplier=float(w @ m_n[idx]),
        regional_output=float(w_raw.sum()),
        within_basket=within,
        upstream=ranked(up_v, float(up_v.sum()), "upstream"),
        downstream=ranked(down_v, float(down_v.sum()), "downstream"),
    )
