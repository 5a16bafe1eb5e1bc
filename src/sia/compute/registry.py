"""Registry of metrics that ``sia compute`` can run on a panel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: importing the registry costs nothing (``sia compute``'s fast path)
    import pandas as pd

    from sia.panel import Panel


@dataclass(frozen=True)
class ComputeRequest:
    """What a metric adapter gets: the panel, an optional reference, years and parameters.

    ``reference`` is a panel of reference totals (e.g. Great Britain) or ``None`` for the
    panel's own total. ``years`` is ``None`` for every year of the panel. ``params`` are the
    ``--param key=value`` strings of the command line, still unparsed: each adapter parses
    and validates its own keys and rejects unknown ones.
    """

    panel: Panel
    reference: Panel | None = None
    years: tuple[int, ...] | None = None
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MetricSpec:
    """A named metric: its one-line formula, parameters and adapter."""

    name: str
    formula: str
    compute: Callable[[ComputeRequest], pd.DataFrame]
    params: Mapping[str, str] = field(default_factory=dict)
    family: str = ""


REGISTRY: dict[str, MetricSpec] = {}


def register(
    name: str, formula: str, *, params: Mapping[str, str] | None = None, family: str = ""
) -> Callable[[Callable[[ComputeRequest], pd.DataFrame]], Callable[[ComputeRequest], pd.DataFrame]]:
    """Decorator: register ``func(request) -> tidy DataFrame`` under ``name``."""

    def deco(func: Callable[[ComputeRequest], pd.DataFrame]) -> Callable[[ComputeRequest], pd.DataFrame]:
        if name in REGISTRY:
            raise ValueError(f"metric {name!r} registered twice")
        REGISTRY[name] = MetricSpec(name, formula, func, dict(params or {}), family)
        return func

    return deco


def load_all() -> dict[str, MetricSpec]:
    """Import every metric family so that the registry is complete."""
    import importlib
    import importlib.util

    for module in ("sia.compute.specialisation", "sia.compute.complexity"):
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
    return REGISTRY
