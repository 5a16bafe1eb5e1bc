"""Geography: areas, levels, overlapping weighted memberships, unions, aliases and vintages.

``from sia.geography import Geography, Area, uk`` is the public entry point; see
:mod:`sia.geography.core` (the graph), :mod:`sia.geography.uk` (the built-in UK geography) and
:mod:`sia.geography.vintages` (re-basing data between LAD vintages).
"""

from sia.geography.core import (
    AmbiguousAreaError,
    Area,
    Geography,
    GeographyError,
    LookupFileError,
    OtherVintageAreaError,
    UnknownAreaError,
)
from sia.geography.uk import (
    LEP21_DUAL_MEMBERSHIPS,
    MIDLANDS_ENGINE_LEPS,
    WMCA_CONSTITUENT_LADS,
    find_shared_data,
    lep_codes,
    uk,
)
from sia.geography.vintages import (
    SplitWeightsError,
    crosswalk_membership,
    lad_rebase_membership,
    rebase,
)

__all__ = [
    "LEP21_DUAL_MEMBERSHIPS",
    "MIDLANDS_ENGINE_LEPS",
    "WMCA_CONSTITUENT_LADS",
    "AmbiguousAreaError",
    "Area",
    "Geography",
    "GeographyError",
    "LookupFileError",
    "OtherVintageAreaError",
    "SplitWeightsError",
    "UnknownAreaError",
    "crosswalk_membership",
    "find_shared_data",
    "lad_rebase_membership",
    "lep_codes",
    "rebase",
    "uk",
]
