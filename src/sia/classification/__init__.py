"""Classifications: code trees (SIC 2007, NAICS, HS), mixed-level published code ranges, and baskets."""

from sia.classification._errors import (
    BasketError,
    ClassificationError,
    CodeRangeError,
    LevelError,
    NestedCodesError,
    UnknownCodeError,
)
from sia.classification._paths import find_shared_data
from sia.classification.baskets import (
    Basket,
    BasketEntry,
    BasketResolution,
    BasketSet,
    industrial_strategy_2025,
)
from sia.classification.prefix_trees import (
    HS_LEVELS,
    NAICS_LEVELS,
    hs_from_codes,
    hs_trade,
    naics_cbp,
    naics_from_codes,
)
from sia.classification.ranges import IMPUTED_RENT, MixedCodeSet, parse_code_ranges
from sia.classification.sic import SIC_LEVELS, sic2007, sic_normaliser
from sia.classification.tree import Classification, strip_code_prefix

__all__ = [
    "Basket",
    "BasketEntry",
    "BasketResolution",
    "BasketSet",
    "industrial_strategy_2025",
    "IMPUTED_RENT",
    "MixedCodeSet",
    "parse_code_ranges",
    "HS_LEVELS",
    "NAICS_LEVELS",
    "hs_from_codes",
    "hs_trade",
    "naics_cbp",
    "naics_from_codes",
    "SIC_LEVELS",
    "BasketError",
    "Classification",
    "ClassificationError",
    "CodeRangeError",
    "LevelError",
    "NestedCodesError",
    "UnknownCodeError",
    "find_shared_data",
    "sic2007",
    "sic_normaliser",
    "strip_code_prefix",
]
