"""The audit configuration: a TOML file validated with pydantic.

Errors name the key (``themes[3].codes[1]``), the value and what is allowed. Paths of evidence
files are resolved against the data root: ``--data-dir``, else ``$SIA_SHARED_DATA``, else
``../shared/data`` from the working directory, else the config file's folder.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sia.paths import find_shared_data

CRITERIA = (
    "strength",  # LQ against the reference
    "significance",  # lower bound of the LQ interval
    "scale",  # jobs in the theme
    "growth",  # % change of jobs base -> latest
    "competitiveness",  # shift-share competitive effect as a share of base jobs
    "productivity",  # GVA per job relative to the reference
    "opportunity",  # relatedness density of the theme's activities
    "complexity",  # mean PCI of the theme's activities
    "embeddedness",  # local share of intermediate inputs (regionalised IO)
    "multiplier",  # regional output multiplier
    "footprint",  # jobs per GBP m GVA (inclusive growth)
    "stakeholders",  # consultation score
)


class ConfigError(ValueError):
    """A configuration that cannot be used; the message names the key, value and what is allowed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AuditSection(_Strict):
    name: str
    base_year: int = Field(ge=1990, le=2100)
    latest_year: int = Field(ge=1990, le=2100)
    seed: int = 0

    @model_validator(mode="after")
    def _years(self) -> AuditSection:
        if self.latest_year <= self.base_year:
            raise ValueError(f"latest_year ({self.latest_year}) must be after base_year ({self.base_year})")
        return self


class UnionSpec(_Strict):
    code: str
    name: str
    members: list[str] = Field(min_length=1)
    level: str = "custom"


class GeographySection(_Strict):
    builtin: Literal["uk"] = "uk"
    lep_vintage: Literal["2016", "2017", "2020", "2021"] = "2020"
    cauth_vintage: Literal["2023", "2024", "2025"] = "2024"
    unions: list[UnionSpec] = Field(default_factory=list)


class ScaleSpec(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    area: str
    name: str = ""
    reference: str = "GB"
    parent: str = ""


class SourceSpec(_Strict):
    path: str
    format: str = ""
    measure: str = ""
    area_level: str = ""
    options: dict[str, str] = Field(default_factory=dict)


class InnovationSource(SourceSpec):
    indicator: str
    unit: str = "count"


class DistrictEmploymentSpec(_Strict):
    """``[evidence.employment_districts]``: employment for scales that are unions of districts but not of the
    employment file's areas (LEPs, combined authorities). ``path``: a district x activity x year panel
    (fetched district BRES, used as published); ``estimate = true``: :mod:`sia.estimate` at run time."""

    path: str = ""
    format: str = ""
    measure: str = ""
    estimate: bool = False
    lad_vintage: Literal["2021", "2023"] = "2023"
    n_draws: int = Field(default=100, ge=10, le=2000)

    @model_validator(mode="after")
    def _one_source(self) -> DistrictEmploymentSpec:
        if bool(self.path) == self.estimate:
            raise ValueError("give either path = \"...\" (district employment as published) or estimate = true")
        return self


class EvidenceSection(_Strict):
    employment: SourceSpec
    employment_districts: DistrictEmploymentSpec | None = None
    employment_detail: SourceSpec | None = None
    employment_nuts2: SourceSpec | None = None
    gva: SourceSpec | None = None
    gva_lad: SourceSpec | None = None
    business_counts: SourceSpec | None = None
    io_table: SourceSpec | None = None
    io_bridge: SourceSpec | None = None
    population: SourceSpec | None = None
    innovation: list[InnovationSource] = Field(default_factory=list)
    consultation: SourceSpec | None = None


class ThemeSpec(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    name: str
    codes: list[str] = Field(min_length=1)
    comment: str = ""
    pin: Literal["market", "enabling"] | None = None


class ThemesSection(_Strict):
    builtin: list[Literal["industrial-strategy-2025"]] = Field(default_factory=list)
    data_driven: bool = True
    max_data_driven: int = Field(default=6, ge=0, le=50)


class MonteCarlo(_Strict):
    draws: int = Field(default=2000, ge=100, le=200_000)
    concentration: float = Field(default=50.0, gt=0)


class CriteriaSection(_Strict):
    weights: dict[str, float]
    normalisation: Literal["minmax", "z", "rank"] = "minmax"
    method: Literal["weighted-sum", "topsis"] = "weighted-sum"
    monte_carlo: MonteCarlo = Field(default_factory=MonteCarlo)

    @field_validator("weights", mode="before")
    @classmethod
    def _weights(cls, value: object) -> object:
        if not isinstance(value, dict) or not value:
            raise ValueError("weights must be a table of criterion = number")
        for key, w in value.items():
            if key not in CRITERIA:
                raise ValueError(f"unknown criterion {key!r}; allowed: {', '.join(CRITERIA)}")
            if isinstance(w, bool) or not isinstance(w, int | float):
                raise ValueError(f"weight of {key!r} must be a number, got {w!r}")
            if w < 0:
                raise ValueError(f"weight of {key!r} must be >= 0, got {w}")
        if sum(value.values()) <= 0:
            raise ValueError("weights must not all be zero")
        return value


class FrameworkSection(_Strict):
    market_priorities: int = Field(default=4, ge=1, le=20)
    enabling_competencies: int = Field(default=3, ge=0, le=20)
    top_k: int = Field(default=4, ge=1, le=50)


class AuditConfig(_Strict):
    audit: AuditSection
    geography: GeographySection = Field(default_factory=GeographySection)
    scales: list[ScaleSpec] = Field(min_length=1)
    evidence: EvidenceSection
    themes: list[ThemeSpec] = Field(default_factory=list)
    theme_sets: ThemesSection = Field(default_factory=ThemesSection)
    criteria: CriteriaSection
    framework: FrameworkSection = Field(default_factory=FrameworkSection)

    @model_validator(mode="after")
    def _cross_checks(self) -> AuditConfig:
        ids = [s.id for s in self.scales]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"scale ids must be unique; repeated: {dup}")
        for s in self.scales:
            if s.parent and s.parent not in ids:
                raise ValueError(f"scale {s.id!r} has parent {s.parent!r}, which is not a scale id ({', '.join(ids)})")
        tids = [t.id for t in self.themes]
        tdup = sorted({i for i in tids if tids.count(i) > 1})
        if tdup:
            raise ValueError(f"theme ids must be unique; repeated: {tdup}")
        if not self.themes and not self.theme_sets.builtin and not self.theme_sets.data_driven:
            raise ValueError("no candidate themes: add [[themes]], theme_sets.builtin or theme_sets.data_driven")
        return self


def _format_errors(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: invalid audit config"]
    for err in exc.errors():
        loc = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(err["loc"]))
        value = err.get("input")
        shown = repr(value) if not isinstance(value, dict) else "a table"
        lines.append(f"  {loc or '(top level)'} = {shown}: {err['msg']}")
    return "\n".join(lines)


def load_config(path: str | Path) -> AuditConfig:
    """Read and validate an audit config; raises :class:`ConfigError` with one line per problem."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return AuditConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_errors(path, exc)) from exc


def find_data_root(data_dir: str | Path | None, config_path: str | Path | None = None) -> Path:
    """The folder evidence paths are relative to: ``--data-dir``, else the rule of :mod:`sia.paths`."""
    try:
        return find_shared_data(data_dir)
    except FileNotFoundError as exc:
        where = f" for {config_path}" if config_path else ""
        raise ConfigError(f"no data root{where}: {exc}") from exc
