"""Exceptions raised by :mod:`sia.classification`."""

from __future__ import annotations

from collections.abc import Sequence


class ClassificationError(Exception):
    """Base class of every error raised by :mod:`sia.classification`."""


class UnknownCodeError(ClassificationError, LookupError):
    """A code that is not in the classification.

    Attributes
    ----------
    code
        The code as it was given.
    classification
        Name of the classification that was searched.
    suggestions
        Close codes that do exist (may be empty).
    context
        Where the code came from (a basket name, a file and line), or ``""``.
    """

    def __init__(self, code: object, classification: str, suggestions: Sequence[str] = (), context: str = "") -> None:
        self.code = code
        self.classification = classification
        self.suggestions = tuple(suggestions)
        self.context = context
        where = f"{context}: " if context else ""
        hint = f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"{where}code {code!r} is not in classification {classification!r}{hint}")

    def __str__(self) -> str:  # LookupError would otherwise repr() the message like KeyError does not, keep plain
        return str(self.args[0])


class LevelError(ClassificationError, ValueError):
    """A code or level that does not fit the requested level (e.g. a code above the target level)."""


class NestedCodesError(ClassificationError, ValueError):
    """A list of codes to be summed contains a code together with one of its ancestors (or overlapping codes).

    Attributes
    ----------
    pairs
        ``(ancestor_or_first, descendant_or_second, relation)`` triples that make the sum double count.
    """

    def __init__(self, message: str, pairs: Sequence[tuple[str, str, str]] = ()) -> None:
        self.pairs = tuple(pairs)
        super().__init__(message)


class CodeRangeError(ClassificationError, ValueError):
    """A published (mixed-level) code that cannot be parsed, or a set of them that overlaps without nesting."""


class BasketError(ClassificationError, ValueError):
    """A basket definition that is invalid (bad range, prefix matching nothing, finer code than the level)."""
