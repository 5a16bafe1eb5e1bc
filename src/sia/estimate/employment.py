"""Employment by local authority district x SIC 2007 division x year, consistent with BRES ITL2 margins.

BRES is published for ITL2 areas by SIC subclass, not for districts, so a LEP or combined authority
that is not a union of ITL2 areas has no employment evidence. :func:`estimate_lad_employment`
shares every published ITL2 x division total out to the area's districts:

1. **Margins** (hard): ITL2 x division employment, the shared BRES ITL2 x SIC 5-digit file summed
   from subclasses to divisions (NOMIS ``UKG1`` = ITL ``TLG1``). Each estimate adds up to them exactly.
2. **District structure priors** (``sia.estimate.inputs``): ONS district GVA by industry (36 codes:
   divisions where ONS publishes them, groups elsewhere), UK Business Counts enterprises by 18 broad
   groups turned into jobs with a size-band weight, Census 2011 workplace population by section
   (England and Wales), Census 2021 residents in employment by section (England and Wales; where
   people live, so a weak weight). Each gives the district's share of its ITL2 area in the source's
   industry group; the shares are pooled linearly with :data:`DEFAULT_WEIGHTS`
   (:func:`sia.estimate.fit.pooled_division_shares`) and the seed is the margin shared out by them.
3. **District totals** (not published for employment; estimated): pooled within-ITL2 shares of the seed's
   own row sums, the Census 2011 workplace population (England and Wales) and the business-count job
   indicator, times the ITL2 total.
4. **Fit**: RAS / minimum cross-entropy (Deming & Stephan 1940; Bacharach 1970) to the margins and the
   district totals, all ITL2 areas and years at once (:func:`sia.estimate.ras.ras_blocks`). Districts
   straddling an ITL2 boundary (North Ayrshire, Argyll and Bute) are fitted as one piece per ITL2 area.
5. **Uncertainty**: ``n_draws`` refits (seeded, deterministic) under perturbed priors and district totals
   (log-normal, :data:`PRIOR_SIGMA`, calibrated so the validation's 90% intervals cover about 90% of
   the published ITL2 cells of at least 1,000 jobs), perturbed straddler shares, and BRES margins redrawn
   uniformly within their rounding step (:func:`sia.estimate.inputs.rounding_step`). ``low``/``high``
   are the 5th and 95th percentiles of the draws, widened where needed to contain the point estimate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from sia.estimate.fit import Fit, Indicator, Prior, fit_margins
from sia.estimate.inputs import Inputs, division_sum, read_inputs, rounding_step
from sia.estimate.ras import block_sums
from sia.panel import Panel, Provenance, Status

__all__ = [
    "DEFAULT_WEIGHTS",
    "PRIOR_SIGMA",
    "EmploymentEstimate",
    "EstimateLayout",
    "FitSummary",
    "Weights",
    "estimate_lad_employment",
    "fit_units",
    "unit_inputs",
]

SEED = 20240616
N_DRAWS = 100
LAD_VINTAGES = ("2021", "2023")


@dataclass(frozen=True)
class Weights:
    """Pooling weights of the priors (district structure) and of the district-total indicators."""

    gva: float = 1.0
    ubc: float = 0.25
    census2011_workplace: float = 1.0
    census2021_residents: float = 0.05
    total_seed: float = 0.5
    total_census2011_workplace: float = 0.35
    total_ubc: float = 0.15

    def priors(self) -> dict[str, float]:
        return {"gva": self.gva, "ubc": self.ubc, "census2011_workplace": self.census2011_workplace,
                "census2021_residents": self.census2021_residents}

    def totals(self) -> dict[str, float]:
        return {"census2011_workplace": self.total_census2011_workplace, "ubc": self.total_ubc}


DEFAULT_WEIGHTS = Weights()
#: log-normal sd of the multiplicative perturbation of each unit's prior values and total indicators
PRIOR_SIGMA = 0.1
#: log-normal sd of the perturbation of each unit's share of each division (within the prior groups) for a
#: seed cell of :data:`SIGMA_REFERENCE` jobs; it scales as ``(SIGMA_REFERENCE / cell) ** SIGMA_POWER``
#: (smaller cells are relatively less certain), capped at :data:`SIGMA_CAP`
DIVISION_SIGMA = 0.7
SIGMA_REFERENCE = 1000.0
SIGMA_POWER = 0.4
SIGMA_CAP = 1.5
#: extra log-normal sd of the share of a district piece in a straddling district
PIECE_SIGMA = 0.5


@dataclass(frozen=True)
class FitSummary:
    """Diagnostics of the point fit.

    Attributes
    ----------
    iterations
        RAS sweeps (the largest over ITL2 areas and years).
    converged
        Whether the district totals were met to tolerance everywhere.
    max_margin_residual
        Largest absolute ITL2 x division margin residual of the point estimate (jobs).
    max_total_residual
        Largest absolute district-total residual (jobs).
    n_draws, seed
        Monte Carlo refits behind ``low``/``high`` and the generator seed.
    draw_iterations
        Largest number of RAS sweeps over the draws.
    """

    iterations: int
    converged: bool
    max_margin_residual: float
    max_total_residual: float
    n_draws: int
    seed: int
    draw_iterations: int


@dataclass(frozen=True)
class EmploymentEstimate:
    """Result of :func:`estimate_lad_employment`.

    Attributes
    ----------
    panel
        Employment (jobs) over ``area`` (LAD codes) x ``activity`` (SIC divisions ``"01" .. "99"``) x
        ``year``; every cell has status ``estimated``.
    low, high
        5th and 95th percentiles (90% interval) of the Monte Carlo refits, same shape and order as
        ``panel.values``; ``low <= value <= high``.
    summary
        :class:`FitSummary`.
    pieces
        ``(year, piece, division)`` fitted values before districts are summed: one piece per district and
        ITL2 area it lies in (``piece_lad``, ``piece_itl2`` name them); summing pieces by ITL2 gives the
        published margins ``margin`` ``(year, itl2, division)``.
    """

    panel: Panel
    low: np.ndarray
    high: np.ndarray
    summary: FitSummary
    pieces: np.ndarray
    piece_lad: tuple[str, ...]
    piece_itl2: tuple[str, ...]
    itl2: tuple[str, ...]
    margin: np.ndarray
    notes: tuple[str, ...] = field(default=())
    statistic: np.ndarray | None = None
    statistic_low: np.ndarray | None = None
    statistic_high: np.ndarray | None = None


@dataclass(frozen=True)
class EstimateLayout:
    """What the axes of the piece values ``(n, year, piece, division)`` are (for a ``statistic``)."""

    piece_lad: tuple[str, ...]
    piece_itl2: tuple[str, ...]
    years: tuple[int, ...]
    divisions: tuple[str, ...]


# ------------------------------------------------------------------------------------------ unit inputs
def _aggregate(values: np.ndarray, unit_of_piece: np.ndarray, n_units: int) -> np.ndarray:
    """Sum piece values ``(..., P, G)`` into units ``(..., U, G)``; NaN when any piece of the unit is NaN."""
    missing = np.isnan(values)
    out = block_sums(np.where(missing, 0.0, values), unit_of_piece, n_units)
    return np.where(block_sums(missing.astype(np.float64), unit_of_piece, n_units) > 0, np.nan, out)


def unit_inputs(
    inputs: Inputs, weights: Weights, unit_of_piece: np.ndarray, n_units: int
) -> tuple[list[Prior], list[Indicator]]:
    """Priors and total indicators on a unit axis made of district pieces (``unit_of_piece``)."""
    priors = []
    for name, w in weights.priors().items():
        if w <= 0:
            continue
        p = inputs.priors[name]
        vals = _aggregate(inputs.piece_values(p.values), unit_of_piece, n_units)
        priors.append(Prior(name, vals, p.groups, w))
    indicators = []
    for name, w in weights.totals().items():
        if w <= 0:
            continue
        t = inputs.piece_values(inputs.totals[name][..., None])
        indicators.append(Indicator(name, _aggregate(t, unit_of_piece, n_units)[..., 0], w))
    return priors, indicators


def _perturb(priors: Sequence[Prior], indicators: Sequence[Indicator], rng: np.random.Generator, n: int,
             sigma: float, unit_sigma: np.ndarray) -> tuple[list[Prior], list[Indicator]]:
    """``n`` draws of the priors and indicators with log-normal noise (mean 1) per unit and group, the
    same in every year; ``unit_sigma`` adds a common factor per unit (straddler piece shares)."""
    n_units = unit_sigma.size
    z = rng.standard_normal((n, 1, n_units))
    common = np.exp(unit_sigma * z - unit_sigma**2 / 2)  # (n, 1, U)
    out_p = []
    for p in priors:
        g = p.values.shape[-1]
        e = np.exp(sigma * rng.standard_normal((n, 1, n_units, g)) - sigma**2 / 2)
        out_p.append(Prior(p.name, p.values[None] * e * common[..., None], p.groups, p.weight))
    out_i = []
    for ind in indicators:
        e = np.exp(sigma * rng.standard_normal((n, 1, n_units)) - sigma**2 / 2)
        out_i.append(Indicator(ind.name, ind.values[None] * e * common, ind.weight))
    return out_p, out_i


def _redraw_margin(margin_sub: np.ndarray, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` draws of the subclass margins, each published value replaced by a uniform draw within its
    rounding step (a published 0 by a draw in [0, 2.5): values below 2.5 round to 0)."""
    step = rounding_step(margin_sub)
    u = rng.random((n, *margin_sub.shape))
    lo = np.maximum(margin_sub - step / 2, 0.0)
    hi = margin_sub + step / 2
    return lo + u * (hi - lo)


@dataclass(frozen=True)
class UnitFit:
    """Point fit and Monte Carlo interval on the unit axis (before units are summed to outputs)."""

    fit: Fit
    low: np.ndarray
    high: np.ndarray
    draw_iterations: int
    n_draws: int
    statistic: np.ndarray | None = None  # statistic(point fit), when a statistic was given
    statistic_low: np.ndarray | None = None  # its 5th / 95th percentiles over the draws
    statistic_high: np.ndarray | None = None


def fit_units(
    margin_sub: np.ndarray,
    sub_division: np.ndarray,
    n_div: int,
    block: np.ndarray,
    priors: Sequence[Prior],
    indicators: Sequence[Indicator],
    *,
    seed_weight: float,
    output: np.ndarray | None = None,
    n_outputs: int | None = None,
    n_draws: int = N_DRAWS,
    seed: int = SEED,
    sigma: float = PRIOR_SIGMA,
    division_sigma: float = DIVISION_SIGMA,
    sigma_power: float = SIGMA_POWER,
    unit_sigma: np.ndarray | None = None,
    chunk: int = 20,
    progress: Callable[[str], None] | None = None,
    statistic: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[UnitFit, np.ndarray]:
    """Point fit of ``margin_sub`` (summed to divisions) and its Monte Carlo interval.

    ``output`` ``(U,)`` gives the reported area of each unit (``0 .. n_outputs - 1``; default: the units
    themselves); the interval is taken over the draws of the *reported* areas, after units are summed.
    ``statistic``, if given, maps unit values ``(n, Y, U, J)`` to any array ``(n, ...)`` (e.g. a theme's jobs
    summed over a LEP's districts): its point value and its 90% interval over the *same* draws are returned
    too, so that sums over units keep the draws' correlations (within an ITL2 area the districts' errors
    offset, since the margin is fixed) instead of adding the cells' bounds.
    Returns the unit fit and the reported point values ``(..., O, J)``.
    """
    say = progress or (lambda _m: None)
    margin = division_sum(margin_sub, sub_division, n_div)
    fit = fit_margins(margin, block, priors, indicators, seed_weight=seed_weight)
    n_units = block.size
    out = np.arange(n_units) if output is None else np.asarray(output, dtype=np.int64)
    n_out = n_units if output is None else int(n_outputs if n_outputs is not None else out.max() + 1)
    point = block_sums(fit.values, out, n_out)
    unit_sigma = np.zeros(n_units) if unit_sigma is None else unit_sigma
    stat_point = statistic(fit.values[None])[0] if statistic is not None else None
    if n_draws <= 0:
        return UnitFit(fit, point.copy(), point.copy(), 0, 0, stat_point, stat_point, stat_point), point
    stat_draws: list[np.ndarray] = []
    rng = np.random.default_rng(seed)
    cell_sigma = np.minimum(division_sigma * (SIGMA_REFERENCE / np.maximum(fit.seed, 1.0)) ** sigma_power, SIGMA_CAP)
    draws = np.empty((n_draws, *point.shape), dtype=np.float32)
    iters = 0
    for start in range(0, n_draws, chunk):
        n = min(chunk, n_draws - start)
        say(f"uncertainty: refits {start + 1}-{start + n} of {n_draws}")
        p, i = _perturb(priors, indicators, rng, n, sigma, unit_sigma)
        m = division_sum(_redraw_margin(margin_sub, rng, n), sub_division, n_div)
        z = rng.standard_normal((n, 1, n_units, n_div))
        noise = np.exp(cell_sigma * z - cell_sigma**2 / 2)
        f = fit_margins(m, block, p, i, seed_weight=seed_weight, share_noise=noise)
        iters = max(iters, f.ras.iterations)
        draws[start:start + n] = block_sums(f.values, out, n_out)
        if statistic is not None:
            stat_draws.append(statistic(f.values))
    low = np.minimum(np.quantile(draws, 0.05, axis=0).astype(np.float64), point)
    high = np.maximum(np.quantile(draws, 0.95, axis=0).astype(np.float64), point)
    if statistic is None:
        return UnitFit(fit, low, high, iters, n_draws), point
    sd = np.concatenate(stat_draws)
    return UnitFit(fit, low, high, iters, n_draws, stat_point,
                   np.minimum(np.quantile(sd, 0.05, axis=0), stat_point),
                   np.maximum(np.quantile(sd, 0.95, axis=0), stat_point)), point


# ------------------------------------------------------------------------------------------ public API
def estimate_lad_employment(
    data_root: Path,
    *,
    years: Sequence[int] | None = None,
    lad_vintage: str = "2021",
    progress: Callable[[str], None] | None = None,
    n_draws: int = N_DRAWS,
    seed: int = SEED,
    weights: Weights = DEFAULT_WEIGHTS,
    statistic: Callable[[np.ndarray, EstimateLayout], np.ndarray] | None = None,
) -> EmploymentEstimate:
    """Estimate employment by district x SIC 2007 division x year, consistent with BRES ITL2 margins.

    The method, the priors and the uncertainty are described in the module docstring and in
    ``docs/estimates.md``. In short: the published ITL2 x division totals are shared out to districts
    by pooled district-level priors (GVA by industry, business counts, Census workplace and residence
    counts), then fitted by RAS to estimated district totals:

    .. math::

        \\hat X_{dj} = r_d \\, M_{b(d) j} \\, \\sigma_{dj} \\, s_{b(d) j}, \\qquad
        \\sum_{d \\in b} \\hat X_{dj} = M_{bj}, \\quad \\sum_j \\hat X_{dj} = \\hat T_d .

    Parameters
    ----------
    data_root
        The shared data folder (``employment/``, ``gva/``, ``business_counts/``, ``geography/``, ``sectors/``).
    years
        BRES years to estimate (default all in the file, 2015-2021).
    lad_vintage
        ``"2021"`` (April 2021 districts, 363 in GB) or ``"2023"`` (April 2023, 350 in GB: the 2023
        unitaries are sums of their 2021 districts, and their intervals are taken over the summed draws).
    progress
        Called with a short message at each step.
    n_draws, seed
        Monte Carlo refits for ``low``/``high`` and the seed of their generator (deterministic).
    weights
        Pooling weights of the priors and total indicators.
    statistic
        Optional ``f(values, layout)`` of the piece values ``(n, year, piece, division)`` (``layout`` names the
        pieces, years and divisions), e.g. a theme's jobs over a LEP's districts: returned as
        ``statistic``/``statistic_low``/``statistic_high`` with its interval over the same Monte Carlo draws.

    Returns
    -------
    EmploymentEstimate

    References
    ----------
    Deming, W. E. and Stephan, F. F. (1940). On a least squares adjustment of a sampled frequency table when
    the expected marginal totals are known. *Annals of Mathematical Statistics* 11(4), 427-444.
    Bacharach, M. (1970). *Biproportional Matrices and Input-Output Change*. Cambridge University Press.

    Examples
    --------
    >>> est = estimate_lad_employment(Path("../shared/data"), years=[2021])  # doctest: +SKIP
    >>> est.panel.matrix(2021).shape, est.summary.max_margin_residual < 1e-6  # doctest: +SKIP
    ((363, 88), True)
    """
    lad_vintage = str(lad_vintage)
    if lad_vintage not in LAD_VINTAGES:
        raise ValueError(f"lad_vintage={lad_vintage!r} is not supported; choose one of {', '.join(LAD_VINTAGES)}")
    if n_draws < 0:
        raise ValueError(f"n_draws={n_draws} must be >= 0")
    say = progress or (lambda _m: None)
    inputs = read_inputs(Path(data_root), years=years, progress=say)
    n_pieces = inputs.piece_lad.size
    priors, indicators = unit_inputs(inputs, weights, np.arange(n_pieces), n_pieces)
    out_codes, out_names, out_matrix, notes = _outputs(inputs, lad_vintage)
    straddle = np.bincount(inputs.piece_lad, minlength=len(inputs.lads))[inputs.piece_lad] > 1
    layout = EstimateLayout(tuple(inputs.lads[i] for i in inputs.piece_lad),
                            tuple(inputs.itl2[i] for i in inputs.piece_itl2), tuple(inputs.years),
                            tuple(inputs.divisions))
    say(f"fitting {len(inputs.lads)} districts x {len(inputs.divisions)} divisions x {len(inputs.years)} years")
    unit, point = fit_units(
        inputs.margin_sub, inputs.sub_division, len(inputs.divisions), inputs.piece_itl2, priors, indicators,
        seed_weight=weights.total_seed, output=out_matrix, n_outputs=len(out_codes), n_draws=n_draws, seed=seed,
        unit_sigma=np.where(straddle, PIECE_SIGMA, 0.0), progress=say,
        statistic=None if statistic is None else (lambda v: statistic(v, layout)),
    )
    fit = unit.fit
    margin = inputs.margin
    summary = FitSummary(
        iterations=fit.ras.iterations, converged=fit.ras.converged,
        max_margin_residual=fit.ras.margin_residual, max_total_residual=fit.ras.row_residual,
        n_draws=unit.n_draws, seed=seed, draw_iterations=unit.draw_iterations,
    )
    say("assembling the panel")
    panel = _panel(inputs, out_codes, out_names, lad_vintage, point, weights, summary, notes)
    # panel axes are (area, activity, year); the fit is (year, area, division)
    low = np.transpose(unit.low, (1, 2, 0)).copy()
    high = np.transpose(unit.high, (1, 2, 0)).copy()
    return EmploymentEstimate(
        panel=panel, low=low, high=high, summary=summary, pieces=fit.values,
        piece_lad=tuple(inputs.lads[i] for i in inputs.piece_lad),
        piece_itl2=tuple(inputs.itl2[i] for i in inputs.piece_itl2), itl2=inputs.itl2, margin=margin,
        notes=tuple([*inputs.notes, *notes]),
        statistic=unit.statistic, statistic_low=unit.statistic_low, statistic_high=unit.statistic_high,
    )


def _outputs(inputs: Inputs, lad_vintage: str) -> tuple[list[str], list[str], np.ndarray, list[str]]:
    """Reported districts and the reported district of each piece."""
    notes: list[str] = []
    if lad_vintage == "2021":
        codes, names = list(inputs.lads), list(inputs.lad_names)
        to_out = inputs.piece_lad
    else:
        from sia.geography import lad_rebase_membership, uk

        m = lad_rebase_membership("2021", "2023", data_dir=inputs.root).reorder_source(list(inputs.lads))
        mat = m.matrix.tocsc()
        tgt = np.array([mat.indices[mat.indptr[i]] for i in range(len(inputs.lads))])
        used = sorted(set(tgt.tolist()))
        codes = [m.target[i] for i in used]
        geo23 = uk(lad_vintage="2023", data_dir=inputs.root)
        names = [geo23.area(c).name for c in codes]
        pos = {t: k for k, t in enumerate(used)}
        to_out = np.array([pos[t] for t in tgt[inputs.piece_lad]])
        notes.append("LAD 2023 unitaries are sums of their April 2021 districts")
    return codes, names, np.asarray(to_out, dtype=np.int64), notes


def _panel(inputs: Inputs, codes: list[str], names: list[str], lad_vintage: str, point: np.ndarray,
           weights: Weights, summary: FitSummary, notes: list[str]) -> Panel:
    values = np.transpose(point, (1, 2, 0))  # (area, activity, year)
    status = np.full(values.shape, np.uint8(Status.ESTIMATED), dtype=np.uint8)
    ds = xr.Dataset(
        {"value": (("area", "activity", "year"), values), "status": (("area", "activity", "year"), status)},
        coords={
            "area": np.array(codes, dtype=object),
            "activity": np.array(inputs.divisions, dtype=object),
            "year": np.array(inputs.years, dtype=np.int64),
            "area_name": ("area", np.array(names, dtype=object)),
            "area_level": ("area", np.array(["LAD"] * len(codes), dtype=object)),
            "activity_name": ("activity", np.array(inputs.division_names, dtype=object)),
        },
    )
    method = Provenance(
        source="sia.estimate.employment.estimate_lad_employment",
        table="employment by LAD x SIC 2007 division: RAS fit of BRES ITL2 margins to district priors",
        vintage=f"LAD {lad_vintage}; ITL 2021; SIC 2007",
        query=f"years {list(inputs.years)}",
        loader="sia.estimate",
        licence="derived from OGL v3.0 sources",
        notes=(
            "method: pooled within-ITL2 district shares (linear opinion pool) -> seed = margin x share -> RAS "
            "(Deming & Stephan 1940; Bacharach 1970) to estimated district totals",
            f"prior weights {weights.priors()}; district-total weights seed {weights.total_seed}, {weights.totals()}",
            f"fit: {summary.iterations} sweeps, largest margin residual {summary.max_margin_residual:.3g} jobs, "
            f"largest district-total residual {summary.max_total_residual:.3g} jobs",
            f"interval: 5th-95th percentile of {summary.n_draws} refits (seed {summary.seed}), priors perturbed "
            f"log-normally (sd {PRIOR_SIGMA}), straddler shares (sd {PIECE_SIGMA}), margins redrawn within "
            "their BRES rounding step",
            *inputs.notes, *notes,
        ),
    )
    return Panel(ds, measure="employment", unit="jobs", provenance=[*inputs.provenance, method])
