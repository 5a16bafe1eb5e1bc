"""Supply and value chains: input-output tables, regionalisation, multipliers, linkages, extraction.

Modules: :mod:`~sia.supply.tables` (IOTable, loaders, balance), :mod:`~sia.supply.core` (A, L, B, G,
Type I/II multipliers), :mod:`~sia.supply.regional` (SLQ, CILQ, FLQ, AFLQ; SIC -> IOAT employment),
:mod:`~sia.supply.linkages`, :mod:`~sia.supply.extraction`, :mod:`~sia.supply.embeddedness`.
"""

from sia.supply.core import (
    HouseholdClosure,
    HouseholdIncome,
    close_households,
    ghosh_inverse,
    leontief_inverse,
    multipliers,
    output_coefficients,
    output_multipliers,
    satellite_coefficients,
    satellite_multipliers,
    solve_leontief,
    technical_coefficients,
)
from sia.supply.embeddedness import Embeddedness, embeddedness
from sia.supply.errors import (
    IndustryMismatchError,
    IOTableError,
    IOTableFormatError,
    NegativeFlowError,
    SingularSystemError,
    UnbalancedTableError,
)
from sia.supply.extraction import extraction, extraction_losses
from sia.supply.linkages import linkage_table
from sia.supply.regional import (
    RegionalTable,
    aflq,
    cilq,
    flq,
    flq_lambda,
    ioat_employment_from_sic5,
    load_employment_file,
    load_nomis_ioat_employment,
    regionalise,
    slq,
)
from sia.supply.tables import (
    BalanceReport,
    IOTable,
    balance_report,
    load_generic,
    load_ons_ioat,
    load_scottish_ixi,
    load_scottish_ixi_years,
    load_table,
)

__all__ = [
    "BalanceReport",
    "Embeddedness",
    "HouseholdClosure",
    "HouseholdIncome",
    "IOTable",
    "IOTableError",
    "IOTableFormatError",
    "IndustryMismatchError",
    "NegativeFlowError",
    "RegionalTable",
    "SingularSystemError",
    "UnbalancedTableError",
    "aflq",
    "balance_report",
    "cilq",
    "close_households",
    "embeddedness",
    "extraction",
    "extraction_losses",
    "flq",
    "flq_lambda",
    "ghosh_inverse",
    "ioat_employment_from_sic5",
    "leontief_inverse",
    "linkage_table",
    "load_employment_file",
    "load_generic",
    "load_nomis_ioat_employment",
    "load_ons_ioat",
    "load_scottish_ixi",
    "load_scottish_ixi_years",
    "load_table",
    "multipliers",
    "output_coefficients",
    "output_multipliers",
    "regionalise",
    "satellite_coefficients",
    "satellite_multipliers",
    "slq",
    "solve_leontief",
    "technical_coefficients",
]
