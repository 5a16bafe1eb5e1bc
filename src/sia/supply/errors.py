"""Exceptions raised by :mod:`sia.supply`.

Every error names the industry (and where relevant the file, row and column) that is wrong, so the
command line can print a one-line message without a traceback.
"""

from __future__ import annotations


class IOTableError(ValueError):
    """Base class: an input-output table, or an input to an IO computation, is not usable."""


class IOTableFormatError(IOTableError):
    """A file does not have the layout the loader expects (missing column, unparsable value)."""


class UnbalancedTableError(IOTableError):
    """Row totals (intermediate + final use) or column totals (inputs + primary inputs) differ from output."""


class NegativeFlowError(IOTableError):
    """An intermediate flow ``Z[i, j]`` (or an employment count) is negative."""


class SingularSystemError(IOTableError):
    """``I - A`` (or ``I - B``) is singular or the system is not productive (Leontief inverse not >= 0)."""


class IndustryMismatchError(IOTableError):
    """Two inputs do not list the same industries (table vs employment, region vs nation, bridge vs table)."""
