"""Apply the pure metrics of :mod:`sia.metrics` to labelled panels.

This is the panel boundary for metrics: it pulls bare arrays out of a :class:`~sia.panel.Panel`,
calls the array functions, and puts labels back on the result as a tidy frame.  Each metric
family registers its metrics in :data:`sia.compute.registry.REGISTRY` so that
``sia compute METRIC`` and the audit can find them by name.
"""

from sia.compute.registry import REGISTRY, ComputeRequest, MetricSpec, register

__all__ = ["REGISTRY", "ComputeRequest", "MetricSpec", "register"]
