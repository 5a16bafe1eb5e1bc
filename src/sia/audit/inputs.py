"""Stage 1, inputs: the evidence files named in the config, each loaded once, with its manifest entry."""

from __future__ import annotations

from pathlib import Path

from sia.audit.config import ConfigError, SourceSpec
from sia.panel import Panel
from sia.sources.errors import sha256


class Inputs:
    """Evidence files under a data root, loaded once; ``entries`` is the manifest's ``inputs``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.entries: dict[str, dict[str, object]] = {}

    def path(self, key: str, rel: str) -> Path:
        """The file of ``[evidence.<key>]``; a missing file is a :class:`ConfigError` naming the key."""
        p = Path(rel)
        p = p if p.is_absolute() else self.root / p
        if not p.exists():
            raise ConfigError(f"evidence.{key}.path = {rel!r}: file not found under the data root {self.root}")
        return p

    def panel(self, key: str, spec: SourceSpec) -> Panel:
        """Load ``[evidence.<key>]`` with :func:`sia.sources.load` and record its provenance."""
        from sia.sources import load

        path = self.path(key, spec.path)
        panel = load(path, format=spec.format or None, measure=spec.measure or None, **dict(spec.options))
        self.record(key, path, panel)
        return panel

    def optional_panel(self, key: str, spec: SourceSpec | None) -> Panel | None:
        return self.panel(key, spec) if spec is not None else None

    def record(self, key: str, path: Path, panel: Panel | None, **extra: object) -> None:
        """The manifest entry of an input: path, sha256, table, vintage, licence, loader, query, notes."""
        prov = panel.provenance[0] if panel is not None and panel.provenance else None
        self.entries[key] = {
            "path": str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path),
            "sha256": prov.checksum.removeprefix("sha256:") if prov and prov.checksum else sha256(path),
            "table": prov.table if prov else "",
            "vintage": prov.vintage if prov else "",
            "licence": prov.licence if prov else "",
            "loader": prov.loader if prov else "",
            "query": prov.query if prov else "",
            "notes": list(prov.notes) if prov else [],
            **extra,
        }
