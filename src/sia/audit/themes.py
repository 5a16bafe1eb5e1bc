"""Candidate themes: the analyst's hypotheses, built-in basket sets and data-driven clusters.

Every theme is resolved to SIC 2007 subclasses (5 digit), the finest level of the employment
data; evidence at coarser grains maps those subclasses up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from sia.classification import Basket, BasketError, Classification, UnknownCodeError, industrial_strategy_2025
from sia.membership import Membership

SUBCLASS = "subclass"


class ThemeError(ValueError):
    """A theme that cannot be resolved (unknown code, empty basket)."""


@dataclass(frozen=True)
class Theme:
    """A candidate theme resolved to SIC subclasses."""

    id: str
    name: str
    codes: tuple[str, ...]
    subclasses: frozenset[str]
    origin: str  # analyst | builtin | data-driven
    description: str = ""
    pin: str | None = None
    comment: str = ""


def slug(text: str) -> str:
    """A theme id from a name: lower case, ``-`` between words."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "theme"


def resolve_codes(
    sic: Classification, theme_id: str, name: str, codes: Sequence[str], *, key: str = ""
) -> frozenset[str]:
    """SIC subclasses of a list of codes at any level (``29``, ``30.3``, ``3316``, ``C``)."""
    basket = Basket(name=name, codes=tuple(codes))
    try:
        resolved = basket.resolve(sic, SUBCLASS)
    except UnknownCodeError as exc:
        where = f" ({key})" if key else ""
        raise ThemeError(f"theme {theme_id!r}{where}: {exc}") from exc
    except BasketError as exc:
        raise ThemeError(f"theme {theme_id!r}: {exc}") from exc
    if not resolved:
        raise ThemeError(f"theme {theme_id!r} covers no SIC subclass")
    return resolved


def builtin_themes(name: str, sic: Classification, data_dir: str | None) -> list[Theme]:
    """Themes of a built-in basket set (``industrial-strategy-2025``); empty baskets are skipped."""
    if name != "industrial-strategy-2025":
        raise ThemeError(f"unknown built-in theme set {name!r}")
    out: list[Theme] = []
    for basket in industrial_strategy_2025(data_dir).baskets:
        if basket.is_empty:
            continue
        subclasses = basket.resolve(sic, SUBCLASS)
        out.append(
            Theme(
                id="is8-" + slug(basket.name),
                name=f"{basket.name} (IS-8)",
                codes=tuple(basket.codes),
                subclasses=subclasses,
                origin="builtin",
                description="UK Industrial Strategy 2025 sector definition (gov.uk, 23 June 2025)",
            )
        )
    return out


def theme_membership(themes: Sequence[Theme], subclasses: Sequence[str]) -> Membership:
    """Themes (targets) x subclasses (sources, in the given order); overlapping themes allowed."""
    index = {c: i for i, c in enumerate(subclasses)}
    rows: list[int] = []
    cols: list[int] = []
    for t_i, theme in enumerate(themes):
        cs = [index[c] for c in theme.subclasses if c in index]
        rows.extend([t_i] * len(cs))
        cols.extend(cs)
    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(themes), len(subclasses)))
    return Membership(m, tuple(subclasses), tuple(t.id for t in themes), tuple(t.name for t in themes), "theme")
