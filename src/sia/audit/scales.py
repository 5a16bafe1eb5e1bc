"""Stage 2, scales: the geography of the audit and each scale resolved to its districts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sia.audit.config import AuditConfig, ConfigError
from sia.audit.grain import lads_of
from sia.geography import Geography, uk


@dataclass(frozen=True)
class ScaleInfo:
    """A scale of the audit: its area, reference, parent and the districts it covers."""

    id: str
    name: str
    area: str
    area_name: str
    level: str
    reference: str
    parent: str
    lads: frozenset[str]

    @property
    def reference_name(self) -> str:
        return "Great Britain" if self.reference == "GB" else "United Kingdom"


def audit_geography(cfg: AuditConfig, data_root: Path) -> Geography:
    """The built-in UK geography at the config's vintages, with the config's unions added."""
    geo = uk(lep_vintage=cfg.geography.lep_vintage, cauth_vintage=cfg.geography.cauth_vintage, data_dir=data_root)
    for u in cfg.geography.unions:
        try:
            geo.add_union(u.code, u.name, u.members, level=u.level)
        except LookupError as exc:
            raise ConfigError(f"geography.unions {u.code!r}: {exc}") from exc
    return geo


def resolve_scales(cfg: AuditConfig, geo: Geography) -> list[ScaleInfo]:
    """Each ``[[scales]]`` entry as a :class:`ScaleInfo`; unknown areas or references are config errors."""
    out: list[ScaleInfo] = []
    for i, s in enumerate(cfg.scales):
        try:
            area = geo.area(s.area)
        except LookupError as exc:
            raise ConfigError(f"scales[{i}].area = {s.area!r}: {exc}") from exc
        if s.reference.upper() not in ("GB", "UK"):
            raise ConfigError(
                f"scales[{i}].reference = {s.reference!r}: only GB or UK (the whole coverage of each source) "
                "is supported as a reference"
            )
        out.append(ScaleInfo(s.id, s.name or area.name, area.code, area.name, area.level, s.reference.upper(),
                             s.parent, lads_of(geo, area.code)))
    return out
