"""Facts about an audit output the report prints in many places: its name, years, source lines and notes.

Nothing here reads the clock: the report's "date" is the data's years (the config's base and latest
year, and the latest year of the data shown), so the same audit output gives a byte-identical report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from sia.report.labels import source_name
from sia.report.loader import AuditOutput

if TYPE_CHECKING:
    from sia.report.charts import Chart


def audit_years(manifest: Mapping) -> tuple[int, int] | None:
    """The audit's base and latest year from the config (``[audit] base_year / latest_year``), if set."""
    audit = (manifest.get("config") or {}).get("audit") or {}
    try:
        base, latest = int(audit["base_year"]), int(audit["latest_year"])
    except (KeyError, TypeError, ValueError):
        return None
    return base, latest


def latest_data_year(audit: AuditOutput) -> int | None:
    """The latest year of the data shown: the config's latest year, or the newest year in ``maps``/``innovation``."""
    years = [y for y in (audit_years(audit.manifest) or ()) if y]
    for name in ("maps", "innovation"):
        frame = audit.tables.get(name)
        if frame is not None and "year" in frame.columns and frame["year"].notna().any():
            years.append(int(frame["year"].max()))
    return max(years) if years else None


def years_text(years: object) -> str:
    """``[2018, 2019, 2020]`` -> ``"2018 to 2020"``; one year -> ``"2019"``; nothing -> ``""``."""
    values = sorted({int(y) for y in pd.Series(years, dtype="float64").dropna()}) if years is not None else []
    if not values:
        return ""
    return str(values[0]) if len(values) == 1 else f"{values[0]} to {values[-1]}"


def _merge_names(names: list[str]) -> list[str]:
    """``["Nesta: BERD", "Nesta: Patents"]`` -> ``["Nesta: BERD, Patents"]`` (one mention of a shared publisher)."""
    out: dict[str, list[str]] = {}
    for name in names:
        head, sep, tail = name.partition(": ")
        out.setdefault(head if sep else name, []).append(tail if sep else "")
    return [f"{head}: {', '.join(t for t in tails if t)}" if any(tails) else head for head, tails in out.items()]


def source_line(chart: Chart, manifest: Mapping, years: tuple[int, int] | None, audit_name: str) -> str:
    """ "Source: <input names>; data <years>. <audit name>." for a chart's static image and its card.

    The years are the chart's own (``chart.data_years``: an innovation indicator's year, a map's year)
    when it has them, else the audit's base to latest year.
    """
    names = _merge_names(list(dict.fromkeys(source_name(k, manifest) for k in chart.sources if k)))
    when = chart.data_years or (f"{years[0]} to {years[1]}" if years else "")
    src = "; ".join(names) if names else "the audit's tables"
    return (f"Source: {src}" + (f"; data {when}" if when else "")
            + f". {audit_name}, analysis with sia {manifest.get('sia_version', '')}.")


def scale_notes(manifest: Mapping, scales: pd.DataFrame) -> tuple[dict[str, list[str]], list[str]]:
    """``manifest["notes"]`` split into per-scale notes ("scale <id>: ..." -> that scale) and general notes."""
    ids = set(scales["scale"].astype(str))
    per: dict[str, list[str]] = {}
    general: list[str] = []
    for note in manifest.get("notes") or []:
        text = str(note)
        m = re.match(r"^scale ([\w-]+): (.*)$", text, flags=re.S)
        if m and m.group(1) in ids:
            body = m.group(2)
            per.setdefault(m.group(1), []).append(body[:1].upper() + body[1:])
        else:
            general.append(text)
    return per, general


def report_title(manifest: Mapping) -> str:
    """The report's title: the config's ``[audit] name``, else its ``title``, else "Science and Innovation Audit"."""
    config = manifest.get("config") or {}
    name = (config.get("audit") or {}).get("name") if isinstance(config.get("audit"), Mapping) else None
    return str(name or config.get("title") or "Science and Innovation Audit")
