"""``--param key=value`` parsing and the error of a metric that cannot be computed (no pandas: the
command line's fast paths import this without the panel layer)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ComputeError(ValueError):
    """A metric cannot be computed on this input (bad parameter, misaligned reference, ...)."""


class Params:
    """Typed access to ``--param key=value`` strings; unknown keys are an error."""

    def __init__(self, metric: str, raw: Mapping[str, str], allowed: Sequence[str]) -> None:
        unknown = sorted(set(raw) - set(allowed))
        if unknown:
            expected = ", ".join(allowed) if allowed else "none"
            raise ComputeError(f"{metric}: unknown parameter(s) {unknown}; expected {expected}")
        self.metric = metric
        self.raw = dict(raw)

    def str(self, key: str, default: str, choices: Sequence[str] | None = None) -> str:
        value = self.raw.get(key, default)
        if choices is not None and value not in choices:
            raise ComputeError(f"{self.metric}: --param {key}={value!r}; expected one of {', '.join(choices)}")
        return value

    def float(self, key: str, default: float) -> float:
        value = self.raw.get(key)
        if value is None:
            return default
        try:
            return float(value)
        except ValueError:
            raise ComputeError(f"{self.metric}: --param {key}={value!r}; expected a number") from None

    def bool(self, key: str, default: bool) -> bool:
        value = self.raw.get(key)
        if value is None:
            return default
        v = value.strip().lower()
        if v in ("1", "true", "yes", "y"):
            return True
        if v in ("0", "false", "no", "n"):
            return False
        raise ComputeError(f"{self.metric}: --param {key}={value!r}; expected true or false")
