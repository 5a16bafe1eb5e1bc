"""Estimates of what is not published, consistent with what is.

``estimate_lad_employment`` (:mod:`sia.estimate.employment`) gives employment by local authority
district x SIC 2007 division x year from the BRES ITL2 x SIC subclass margins and district-level
priors, by RAS; :mod:`sia.estimate.validation` checks the method one level up (ITL2 from ITL1),
where the answer is published. The pure array core is :mod:`sia.estimate.ras` and
:mod:`sia.estimate.fit`. Method and validation: ``docs/estimates.md``.
"""

from sia.estimate.employment import (
    DEFAULT_WEIGHTS,
    EmploymentEstimate,
    FitSummary,
    Weights,
    estimate_lad_employment,
)
from sia.estimate.ras import RasResult, ras_blocks

__all__ = [
    "DEFAULT_WEIGHTS",
    "EmploymentEstimate",
    "FitSummary",
    "RasResult",
    "Weights",
    "estimate_lad_employment",
    "ras_blocks",
]
