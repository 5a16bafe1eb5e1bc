"""Reading the candidate themes a consultation asks stakeholders to score.

Two sources, one contract (documented in ``docs/consultation.md``):

* a **themes CSV** (UTF-8, header row) with columns ``theme`` and ``description`` (required) and, optionally,
  ``codes`` (the activity codes the theme groups, free text such as ``"21;26.6"``) and ``data_score``
  (the data-led score the audit gave the theme: any real number, higher = stronger; used for divergence);
* an **audit output directory** (``sia audit -o OUTDIR``): ``OUTDIR/themes.csv`` in the audit's own layout
  (``theme`` id, ``name``, ``description``, ``codes`` joined with ``;``), shown to participants by ``name``, with
  ``data_score`` taken from ``OUTDIR/ranking.csv`` for the top scale (the first scale without a parent in
  ``OUTDIR/scales.csv``), so that stakeholder and data-led rankings can be compared.

Other columns are ignored (and counted in :attr:`ThemeTable.ignored_columns`).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

MAX_THEMES = 500
MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_CODES = 2000
REQUIRED_COLUMNS = ("theme", "description")
OPTIONAL_COLUMNS = ("codes", "data_score")


class ThemesError(ValueError):
    """A themes file is missing or malformed (the message names file, line, column, value and expectation)."""


@dataclass(frozen=True)
class ThemeSpec:
    """One candidate theme."""

    name: str
    description: str = ""
    codes: str = ""
    data_score: float | None = None


@dataclass
class ThemeTable:
    """The themes read from a file, with where they came from."""

    themes: list[ThemeSpec]
    source: str
    ignored_columns: list[str] = field(default_factory=list)


def validate_theme(spec: ThemeSpec, where: str) -> ThemeSpec:
    """Check bounds of one theme; ``where`` names its origin (file and line) in error messages."""
    name = spec.name.strip()
    if not name:
        raise ThemesError(f"{where}, column 'theme': value {spec.name!r} is empty; expected a theme name")
    if len(name) > MAX_NAME:
        raise ThemesError(
            f"{where}, column 'theme': value {name[:40]!r}... has {len(name)} characters; expected at most {MAX_NAME}"
        )
    if len(spec.description) > MAX_DESCRIPTION:
        raise ThemesError(
            f"{where}, column 'description': {len(spec.description)} characters; expected at most {MAX_DESCRIPTION}"
        )
    if len(spec.codes) > MAX_CODES:
        raise ThemesError(f"{where}, column 'codes': {len(spec.codes)} characters; expected at most {MAX_CODES}")
    if spec.data_score is not None and not math.isfinite(spec.data_score):
        raise ThemesError(f"{where}, column 'data_score': value {spec.data_score!r} is not finite")
    return ThemeSpec(
        name=name, description=spec.description.strip(), codes=spec.codes.strip(), data_score=spec.data_score
    )


def parse_themes_csv(text: str, source: str) -> ThemeTable:
    """Parse the text of a themes CSV; ``source`` names the file in error messages."""
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise ThemesError(f"{source}: the file is empty; expected a header row with columns {REQUIRED_COLUMNS}")
    reader.fieldnames = header
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ThemesError(
            f"{source}, line 1: missing column(s) {missing}; found {header}, "
            f"expected {list(REQUIRED_COLUMNS)} (optionally {list(OPTIONAL_COLUMNS)})"
        )
    themes: list[ThemeSpec] = []
    seen: dict[str, int] = {}
    try:
        for row in reader:
            _add_row(reader, row, source, header, themes, seen)
    except csv.Error as exc:  # e.g. a field over the csv module's 131,072-character limit
        raise ThemesError(f"{source}, line {reader.line_num}: {exc}; expected a well-formed CSV") from None
    if not themes:
        raise ThemesError(f"{source}: no theme rows after the header; expected at least one theme")
    ignored = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    return ThemeTable(themes=themes, source=source, ignored_columns=ignored)


def _add_row(reader: csv.DictReader, row: dict[str | None, str], source: str, header: list[str],
             themes: list[ThemeSpec], seen: dict[str, int]) -> None:
    """Check one row of a themes CSV and append its theme."""
    line = reader.line_num
    where = f"{source}, line {line}"
    if None in row:
        raise ThemesError(f"{where}: more fields than the {len(header)} header columns")
    raw_score = (row.get("data_score") or "").strip()
    score: float | None = None
    if raw_score:
        try:
            score = float(raw_score)
        except ValueError:
            raise ThemesError(
                f"{where}, column 'data_score': value {raw_score[:40]!r} is not a number; "
                "expected a real number or an empty cell"
            ) from None
    spec = validate_theme(
        ThemeSpec(
            name=row.get("theme") or "",
            description=row.get("description") or "",
            codes=row.get("codes") or "",
            data_score=score,
        ),
        where,
    )
    key = spec.name.casefold()
    if key in seen:
        raise ThemesError(
            f"{where}, column 'theme': value {spec.name!r} repeats line {seen[key]}; expected unique theme names"
        )
    seen[key] = line
    themes.append(spec)
    if len(themes) > MAX_THEMES:
        raise ThemesError(f"{where}: more than {MAX_THEMES} themes; expected at most {MAX_THEMES}")


def load_themes(path: str | Path) -> ThemeTable:
    """Read themes from a themes CSV or from an audit output directory (``OUTDIR/themes.csv``).

    Raises
    ------
    ThemesError
        If the file is missing, not UTF-8, or a row is malformed.
    """
    path = Path(path)
    if path.is_dir():
        candidate = path / "themes.csv"
        if not candidate.is_file():
            raise ThemesError(f"{path}: audit output directory has no themes.csv; expected {candidate}")
        if (path / "ranking.csv").is_file() and (path / "scales.csv").is_file():
            return _from_audit_dir(path)
        path = candidate
    if not path.is_file():
        raise ThemesError(f"{path}: no such file; expected a themes CSV or an audit output directory")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ThemesError(f"{path}: byte {exc.start} is not UTF-8; expected a UTF-8 CSV") from None
    return parse_themes_csv(text, str(path))


def _from_audit_dir(outdir: Path) -> ThemeTable:
    """Themes of a ``sia audit`` output directory, with the top scale's data-led score."""

    def rows(name: str) -> list[dict[str, str]]:
        with (outdir / name).open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))

    scales = rows("scales.csv")
    top = next(
        (r["scale"] for r in scales if not (r.get("parent") or "").strip()), scales[0]["scale"] if scales else ""
    )
    scores = {r["theme"]: float(r["score"]) for r in rows("ranking.csv") if r["scale"] == top and r.get("score")}
    themes: list[ThemeSpec] = []
    for i, r in enumerate(rows("themes.csv"), start=2):
        where = f"{outdir / 'themes.csv'}, line {i}"
        if "name" not in r or "theme" not in r:
            raise ThemesError(f"{where}: expected the audit's columns theme, name, description, codes")
        score = scores.get(r["theme"])
        themes.append(
            validate_theme(
                ThemeSpec(
                    name=r["name"],
                    description=r.get("description") or r.get("comment") or "",
                    codes=r.get("codes") or "",
                    data_score=score if score is None or math.isfinite(score) else None,
                ),
                where,
            )
        )
    if not themes:
        raise ThemesError(f"{outdir / 'themes.csv'}: no themes")
    return ThemeTable(themes=themes, source=str(outdir), ignored_columns=[])
