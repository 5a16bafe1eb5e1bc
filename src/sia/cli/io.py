"""``sia io``: input-output analysis from the command line (tidy CSV output).

Matrices are written as ``row, column, value`` with the table's own industry codes; per-industry results
as ``industry, <one column per measure>``. Output goes to ``--output FILE`` or standard output; summaries
and errors go to standard error. Errors from :mod:`sia.supply` exit with code 2 and one line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sia.cli._console import err_console, fail

if TYPE_CHECKING:  # numpy, pandas and sia.supply (scipy) are imported by the commands, not by ``sia --help``
    import numpy as np
    import pandas as pd

    from sia.supply import regional, tables

io_app = typer.Typer(
    help="Input-output analysis: load and balance tables, coefficients, Leontief/Ghosh inverses, Type I/II "
    "multipliers, linkages, hypothetical extraction, LQ regionalisation (SLQ/CILQ/FLQ/AFLQ), embeddedness.",
    no_args_is_help=True,
)


class Kind(StrEnum):
    auto = "auto"
    ons = "ons"
    scotland = "scotland"
    generic = "generic"


class Method(StrEnum):
    slq = "slq"
    cilq = "cilq"
    flq = "flq"
    aflq = "aflq"


TABLE = typer.Argument(..., help="IO table: ONS IOAT long CSV, Scottish IxI_wide.xlsx, or a generic wide Z CSV.")
KIND = typer.Option(Kind.auto, "--kind", help="Table layout (auto: .xlsx -> scotland, 'row_code' header -> ons).")
YEAR = typer.Option(2019, "--year", help="Year to read from a multi-year table (Scottish 1998-2019).")
INDUSTRY_FILE = typer.Option(
    None, "--industry-file", help="Generic layout: per-industry CSV (final_demand, value_added, output, satellites)."
)
NO_CHECK = typer.Option(False, "--no-check", help="Do not fail on an unbalanced table (still reported by 'load').")
OUTPUT = typer.Option(None, "--output", "-o", help="Write the CSV here instead of standard output.")
EMPLOYMENT = typer.Option(None, "--employment", help="Employment CSV: long (industry, area, employment) or wide.")
AREA = typer.Option(None, "--area", help="Area code (column) of the region in the employment file.")
NATIONAL = typer.Option(None, "--national", help="Area code of the nation in the employment file (default: sum).")
METHOD = typer.Option(Method.flq, "--method", help="Regionalisation method: slq, cilq, flq or aflq.")
DELTA = typer.Option(0.3, "--delta", help="FLQ/AFLQ delta in lambda = [log2(1 + TRE/TNE)]^delta, 0 <= delta < 1.")


def err_print(message: str) -> None:
    """A summary line on standard error (no markup: industry names may hold brackets)."""
    err_console().print(message, markup=False)


def _io_error() -> type[Exception]:
    from sia.supply.errors import IOTableError

    return IOTableError


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except (_io_error(), KeyError) as exc:
        fail(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)


def _load(table: Path, kind: Kind, year: int, industry_file: Path | None, no_check: bool) -> tables.IOTable:
    from sia.supply import tables

    return tables.load_table(table, kind=kind.value, year=year, industry_path=industry_file, check=not no_check)


def _write(frame: pd.DataFrame, output: Path | None) -> None:
    try:
        if output is None:
            frame.to_csv(sys.stdout, index=False, lineterminator="\n")
        else:
            frame.to_csv(output, index=False)
    except OSError as exc:
        fail(exc)
    if output is not None:
        err_print(f"wrote {len(frame)} rows to {output}")


def _matrix_frame(M: np.ndarray, rows: tuple[str, ...], cols: tuple[str, ...]) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    n, m = M.shape
    return pd.DataFrame(
        {"row": np.repeat(np.array(rows, dtype=object), m), "column": np.tile(np.array(cols, dtype=object), n),
         "value": M.ravel()}
    )


def _regional(t: tables.IOTable, employment: Path | None, area: str | None, national: str | None,
              method: Method, delta: float) -> regional.RegionalTable:
    from sia.supply import regional

    if employment is None or area is None:
        raise _io_error()("regionalisation needs --employment FILE and --area CODE")
    reg, nat = regional.load_employment_file(employment, area=area, national=national)
    return regional.regionalise(t, reg, nat, method=method.value, delta=delta, area=area)


def _run(fn: Callable[[], pd.DataFrame], output: Path | None) -> None:
    with _errors():
        frame = fn()
    _write(frame, output)


@io_app.command("load")
def load_cmd(table: Path = TABLE, kind: Kind = KIND, year: int = YEAR, industry_file: Path | None = INDUSTRY_FILE,
             rtol: float = typer.Option(None, "--rtol",
                                        help="Relative balance tolerance (default: the table's own, as published)."),
             output: Path | None = OUTPUT) -> None:
    """Load a table and write its per-industry balance report (output, row/column totals and differences)."""
    from sia.supply import tables

    with _errors():
        t = tables.load_table(table, kind=kind.value, year=year, industry_path=industry_file, check=False)
        report = t.balance(rtol=rtol)  # None: the table's own tolerance (IOTable.balance_rtol)
    err_print(f"{t.name}: {t.n} industries, {len(t.final_demand)} final-demand columns, "
              f"{len(t.primary_inputs)} primary-input rows; {report.summary()}")
    _write(report.frame, output)


@io_app.command("coefficients")
def coefficients_cmd(table: Path = TABLE, kind: Kind = KIND, year: int = YEAR,
                     industry_file: Path | None = INDUSTRY_FILE, no_check: bool = NO_CHECK,
                     matrix: str = typer.Option("A", "--matrix",
                                                help="A (technical, Z/x by column) or B (Ghosh, by row)."),
                     output: Path | None = OUTPUT) -> None:
    """Technical coefficients A = Z diag(x)^-1 or allocation coefficients B = diag(x)^-1 Z, as row,column,value."""
    from sia.supply import core

    def go() -> pd.DataFrame:
        t = _load(table, kind, year, industry_file, no_check)
        if matrix.upper() not in ("A", "B"):
            raise _io_error()(f"--matrix must be A or B, got {matrix!r}")
        f = core.technical_coefficients if matrix.upper() == "A" else core.output_coefficients
        return _matrix_frame(f(t.Z, t.x), t.industries, t.industries)
    _run(go, output)


@io_app.command("leontief")
def leontief_cmd(table: Path = TABLE, kind: Kind = KIND, year: int = YEAR,
                 industry_file: Path | None = INDUSTRY_FILE, no_check: bool = NO_CHECK,
                 matrix: str = typer.Option("L", "--matrix", help="L (Leontief inverse) or G (Ghosh inverse)."),
                 output: Path | None = OUTPUT) -> None:
    """Leontief inverse L = (I - A)^-1 or Ghosh inverse G = (I - B)^-1, as row,column,value."""
    from sia.supply import core

    def go() -> pd.DataFrame:
        t = _load(table, kind, year, industry_file, no_check)
        A = core.technical_coefficients(t.Z, t.x)
        L = core.leontief_inverse(A, t.industries)
        if matrix.upper() == "L":
            return _matrix_frame(L, t.industries, t.industries)
        if matrix.upper() == "G":
            G = core.ghosh_inverse(core.output_coefficients(t.Z, t.x), t.industries, L=L, x=t.x)
            return _matrix_frame(G, t.industries, t.industries)
        raise _io_error()(f"--matrix must be L or G, got {matrix!r}")
    _run(go, output)


@io_app.command("multipliers")
def multipliers_cmd(table: Path = TABLE, kind: Kind = KIND, year: int = YEAR,
                    industry_file: Path | None = INDUSTRY_FILE, no_check: bool = NO_CHECK,
                    employment: Path | None = EMPLOYMENT,
                    area: str | None = typer.Option(None, "--area", help="Employment column to use as satellite."),
                    household_income: str = typer.Option("compensation", "--household-income",
                                                         help=("Type II household income: compensation, "
                                                               "consumption, or a total in the table's unit "
                                                               "(Scotland 2019: 156241)")),
                    type_ii: bool = typer.Option(True, "--type-ii/--type-i-only", help="Also close to households."),
                    output: Path | None = OUTPUT) -> None:
    """Output, GVA, income (D1) and employment multipliers, Type I and II ('effect' s'L and 'ratio' conventions)."""
    from sia.supply import core, regional

    def go() -> pd.DataFrame:
        t = _load(table, kind, year, industry_file, no_check)
        if employment is not None:
            if area is None:
                raise _io_error()("--employment needs --area (the employment column matching the table's economy)")
            jobs, _ = regional.load_employment_file(employment, area=area)
            t = t.with_satellite("employment", regional._aligned(jobs, t.industries, "employment"))
        hh = t.household_consumption is not None and t.compensation is not None
        income = _household_income(household_income)
        return core.multipliers(t, household_income=income,
                                type_ii=type_ii and hh)
    _run(go, output)


def _household_income(text: str) -> str | float:
    """``--household-income``: ``compensation``, ``consumption`` or a positive finite total in the table's unit."""
    import math

    if text in ("compensation", "consumption"):
        return text
    try:
        value = float(text.replace(",", "")) if text.replace(",", "").strip() else math.nan
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise _io_error()(f"--household-income must be compensation, consumption or a positive total in the "
                          f"table's unit, got {text!r}")
    return value


@io_app.command("linkages")
def linkages_cmd(table: Path = TABLE, kind: Kind = KIND, year: int = YEAR,
                 industry_file: Path | None = INDUSTRY_FILE, no_check: bool = NO_CHECK,
                 forward: str = typer.Option("ghosh", "--forward", help="Forward linkage basis: ghosh or leontief."),
                 output: Path | None = OUTPUT) -> None:
    """Rasmussen-Hirschman backward/forward linkages (direct, total, normalised), dispersion, key sectors."""
    from sia.supply import linkages

    def go() -> pd.DataFrame:
        t = _load(table, kind, year, industry_file, no_check)
        return linkages.linkage_table(t, forward=forward)  # type: ignore[arg-type]
    _run(go, output)


@io_app.command("extraction")
def extraction_cmd(table: Path = TABLE, kind: Kind = KIND, year: int = YEAR,
                   industry_file: Path | None = INDUSTRY_FILE, no_check: bool = NO_CHECK,
                   output: Path | None = OUTPUT) -> None:
    """Hypothetical extraction (complete, backward, forward): loss of total output and its share."""
    from sia.supply.extraction import extraction as compute_extraction

    def go() -> pd.DataFrame:
        return compute_extraction(_load(table, kind, year, industry_file, no_check))
    _run(go, output)


@io_app.command("regionalise")
def regionalise_cmd(table: Path = TABLE, kind: Kind = KIND, year: int = YEAR,
                    industry_file: Path | None = INDUSTRY_FILE, no_check: bool = NO_CHECK,
                    method: Method = METHOD, delta: float = DELTA, employment: Path | None = EMPLOYMENT,
                    area: str | None = AREA, national: str | None = NATIONAL,
                    what: str = typer.Option("coefficients", "--what",
                                             help="coefficients (regional A as row,column,value), leontief, "
                                                  "or summary (per industry: SLQ, output, multipliers)."),
                    output: Path | None = OUTPUT) -> None:
    """Regionalise a national table with location quotients: a^R_ij = a^N_ij min(Q_ij, 1)."""
    import numpy as np

    def go() -> pd.DataFrame:
        t = _load(table, kind, year, industry_file, no_check)
        r = _regional(t, employment, area, national, method, delta)
        lam = "" if np.isnan(r.lam) else f", lambda = {r.lam:.6f}"
        ratio = r.employment_region.sum() / r.employment_nation.sum()
        err_print(f"{method.value.upper()} for {area}: TRE/TNE = {ratio:.6f}"
                  f"{lam}; industries without national employment (SLQ set to 1): {list(r.no_employment)}")
        if what == "coefficients":
            return _matrix_frame(r.A, t.industries, t.industries)
        if what == "leontief":
            return _matrix_frame(r.leontief(), t.industries, t.industries)
        if what == "summary":
            return r.summary_frame()
        raise _io_error()(f"--what must be coefficients, leontief or summary, got {what!r}")
    _run(go, output)


@io_app.command("embeddedness")
def embeddedness_cmd(table: Path = TABLE,
                     industries: str = typer.Option(..., "--industries", help="Comma-separated industry codes."),
                     kind: Kind = KIND, year: int = YEAR, industry_file: Path | None = INDUSTRY_FILE,
                     no_check: bool = NO_CHECK, method: Method = METHOD, delta: float = DELTA,
                     employment: Path | None = EMPLOYMENT, area: str | None = AREA, national: str | None = NATIONAL,
                     top: int = typer.Option(10, "--top", help="How many upstream/downstream neighbours."),
                     denominator: str = typer.Option("domestic", "--denominator",
                                                     help="domestic (UK-sourced inputs) or total (incl. imports)."),
                     neighbours: Path | None = typer.Option(None, "--neighbours",
                                                            help="Also write the top neighbours CSV here."),
                     output: Path | None = OUTPUT) -> None:
    """Local embeddedness of an industry or basket: local input share, regional vs national multiplier, neighbours."""
    import pandas as pd

    from sia.supply.embeddedness import embeddedness as compute_embeddedness

    with _errors():
        t = _load(table, kind, year, industry_file, no_check)
        r = _regional(t, employment, area, national, method, delta)
        basket = [c.strip() for c in industries.split(",") if c.strip()]
        e = compute_embeddedness(t, r, basket, top=top, denominator=denominator)  # type: ignore[arg-type]
    err_print(f"{'+'.join(basket)} in {area} ({method.value}): local input share {e.local_input_share:.4f}, "
              f"output multiplier {e.regional_multiplier:.4f} regional vs {e.national_multiplier:.4f} national")
    if neighbours is not None:
        pd.concat([e.upstream, e.downstream]).to_csv(neighbours, index=False)
    _write(e.summary_frame(), output)


@io_app.command("employment")
def employment_cmd(sic5: Path = typer.Argument(..., help="BRES SIC 5-digit CSV (DATE, GEOGRAPHY_CODE, INDUSTRY_CODE, "
                                                         "EMPLOYMENT)."),
                   bridge: Path = typer.Option(..., "--bridge", help="SIC -> IOAT bridge CSV."),
                   table: Path = typer.Option(..., "--table", help="IO table whose industry list to map onto."),
                   kind: Kind = KIND, year: int = typer.Option(..., "--year", help="BRES year."),
                   area: list[str] = typer.Option([], "--area", help="NAME=CODE1,CODE2 (repeatable); "
                                                                       "NAME=ALL sums every geography."),
                   output: Path | None = OUTPUT) -> None:
    """Employment by IO industry from SIC 5-digit BRES (long CSV: industry, area, employment)."""
    import pandas as pd

    from sia.supply import regional, tables

    with _errors():
        t = tables.load_table(table, kind=kind.value, check=False)
        areas: dict[str, list[str]] | None = None
        if area:
            import gzip

            opener = gzip.open if sic5.suffix == ".gz" else open
            with opener(sic5, "rt") as fh:  # type: ignore[operator]
                geos = sorted(set(pd.read_csv(fh, usecols=["GEOGRAPHY_CODE"], dtype=str)["GEOGRAPHY_CODE"]))
            areas = {}
            for spec in area:
                if "=" not in spec:
                    raise _io_error()(f"--area {spec!r}: expected NAME=CODE1,CODE2 or NAME=ALL")
                name, codes = spec.split("=", 1)
                areas[name] = geos if codes.strip().upper() == "ALL" else [c.strip() for c in codes.split(",")]
        m = regional.ioat_employment_from_sic5(sic5, bridge, t.industries, year=year, areas=areas)
    if len(m.unmatched):
        err_print(f"{len(m.unmatched)} SIC codes not covered by the bridge (set aside): "
                  f"{m.unmatched.iloc[:, 0].tolist()[:10]} with {m.unmatched.iloc[:, 1:].to_numpy().sum():g} jobs")
    _write(m.to_long(), output)


def register(app: typer.Typer) -> None:
    """Attach the ``io`` command group to the root app."""
    app.add_typer(io_app, name="io")
