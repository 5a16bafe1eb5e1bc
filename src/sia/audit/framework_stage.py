"""Stage 6, framework: verdicts, eligibility and roles of every theme at every scored scale.

The rules are :mod:`sia.audit.framework`'s; this stage reads their inputs by label from the
evidence set and the scores, and writes one ``framework`` row per scale x theme whose ``reasons``
say exactly what the evidence is and what is missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sia.audit import framework as fw
from sia.audit import prioritisation as pr
from sia.audit.config import AuditConfig
from sia.audit.evidence_set import EvidenceSet
from sia.audit.indicators import CRITERIA, INDICATORS, missing_reason
from sia.audit.scoring import ScaleScores
from sia.audit.themes import Theme
from sia.audit.vocabulary import ENABLING, MARKET, TABLE_COLUMNS


def _opt(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def missing_evidence(cfg: AuditConfig, scored: ScaleScores) -> list[str]:
    """Reasons for each weighted criterion with no evidence at the scale (its first indicator)."""
    out = []
    for c, w in cfg.criteria.weights.items():
        if w > 0 and c not in scored.criteria:
            name = CRITERIA[c].indicators[0]
            out.append(missing_reason("lq" if name == "lq_low" else name))
    return sorted(set(out))


def side_ranks(score: np.ndarray, side: object) -> tuple[np.ndarray, np.ndarray]:
    """Rank of each theme among the themes of its own side by score (1 = best; NaN scores last, ties in
    theme order), and the number of themes on that side.

    Examples
    --------
    >>> side_ranks(np.array([0.9, 0.8, 0.7, 0.1]), ["market", "enabling", "market", "market"])
    (array([1, 1, 2, 3]), array([3, 1, 3, 3]))
    """
    s = np.where(np.isnan(score), -np.inf, score)
    sd = np.asarray(side, dtype=object)
    order = np.argsort(-s, kind="stable")
    rank = np.zeros(sd.size, dtype=np.int64)
    n_side = np.zeros(sd.size, dtype=np.int64)
    for name in dict.fromkeys(sd.tolist()):
        members = order[sd[order] == name]
        rank[members] = np.arange(1, members.size + 1)
        n_side[members] = members.size
    return rank, n_side


def side_top_k(
    cfg: AuditConfig, sc: ScaleScores, sides: fw.SideAssignment
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per theme: the probability of ranking among its own side's slots, that k, and what the k is of.

    A market-side theme competes for the ``market_priorities`` slots with the market-side themes only, an
    enabling-side theme for the ``enabling_competencies`` slots with the enabling side
    (:func:`sia.audit.prioritisation.top_k_within`); a local-serving theme, which holds no role, keeps the
    overall top-k probability.
    """
    slots = {"market": cfg.framework.market_priorities, "enabling": cfg.framework.enabling_competencies}
    side = np.asarray(sides.side, dtype=object)
    p = sc.stability.top_k_probability.astype(np.float64).copy()
    k = np.full(side.size, sc.k, dtype=np.int64)
    labels = [""] * side.size
    if sc.stability.ranks is not None:
        within = pr.top_k_within(sc.stability.ranks, side, slots)
        for name, n_slots in slots.items():
            on = side == name
            p[on], k[on] = within[on], n_slots
            for i in np.flatnonzero(on):
                labels[i] = f" of the {int(on.sum())} {name}-side themes"
    return p, k, labels


def side_phrase(sides: fw.SideAssignment, i: int) -> str:
    """Why a theme sits on its side, in numbers."""
    ki, tr = sides.knowledge_share[i], sides.traded_share[i]
    shares = (f"{100 * np.nan_to_num(ki):.0f}% of its jobs knowledge- or technology-intensive (Eurostat), "
              f"{100 * np.nan_to_num(tr):.0f}% in traded activities")
    e, m = sides.enabling_index[i], sides.market_index[i]
    idx = f", enabling index {e:+.2f} vs market index {m:+.2f}" if np.isfinite(e) and np.isfinite(m) else ""
    return shares + idx


def framework_table(
    cfg: AuditConfig, ev: EvidenceSet, themes: list[Theme], sides: fw.SideAssignment, scored: list[ScaleScores]
) -> pd.DataFrame:
    """One row per scored scale x theme: side, indices, pin, role, role rank, verdict, reasons."""
    rows: list[dict[str, object]] = []
    n = len(themes)
    for sc in scored:
        s = sc.scale
        strength = sc.indicators[sc.criteria.index("strength")] if "strength" in sc.criteria else (
            "lq" if ev.available("lq").sel(scale=s).any() else "gva_lq")
        lq = ev.value(strength).sel(scale=s).values
        low = ev.value(strength, "low").sel(scale=s).values
        high = ev.value(strength, "high").sel(scale=s).values
        ce = ev.value("competitive_effect").sel(scale=s).values
        growth_ind = "growth_pct" if ev.available("growth_pct").sel(scale=s).any() else "gva_growth_pct"
        growth = ev.value(growth_ind).sel(scale=s).values
        missing = missing_evidence(cfg, sc)
        estimated = ev.value(strength, "status").sel(scale=s).values == "estimated"
        p, k, k_label = side_top_k(cfg, sc, sides)
        verdicts = [
            fw.hypothesis_verdict(top_k_probability=float(p[i]), k=int(k[i]), k_label=k_label[i], lq=float(lq[i]),
                                  lq_low=_opt(low[i]),
                                  lq_high=_opt(high[i]), competitive_effect=_opt(ce[i]), growth_pct=_opt(growth[i]),
                                  strength_label=("estimated " if estimated[i] else "") + INDICATORS[strength].label,
                                  interval_label=("interval with the estimation error" if estimated[i]
                                                  else "95% interval"),
                                  growth_label="GVA" if growth_ind == "gva_growth_pct" else "employment",
                                  missing=missing)
            for i in range(n)
        ]
        rank, n_side = side_ranks(sc.score, sides.side)
        elig = [fw.eligible_for_role(side=sides.side[i], conflict=sides.conflict[i], rank=int(rank[i]),
                                     n_themes=int(n_side[i]), specialised=verdicts[i].specialised,
                                     verdict=verdicts[i].verdict, missing=missing, top_k_probability=float(p[i]),
                                     significant=verdicts[i].significant,
                                     of_what=f" {sides.side[i]}-side themes")
                for i in range(n)]
        sel = fw.select_framework(sc.score, sides.side, n_market=cfg.framework.market_priorities,
                                  n_enabling=cfg.framework.enabling_competencies, eligible=[e for e, _ in elig])
        role = {i: (MARKET, r + 1) for r, i in enumerate(sel.market_priorities)}
        role.update({i: (ENABLING, r + 1) for r, i in enumerate(sel.enabling_competencies)})
        for i, t in enumerate(themes):
            r, rr = role.get(i, ("", 0))
            if r:
                lead = f"{r} {rr}: ranked {int(sc.rank[i])} of {n}, {verdicts[i].verdict}"
            elif elig[i][0]:
                lead = f"no role: eligible, but the {sides.side[i]} side is full"
            else:
                lead = f"no role: {elig[i][1]}"
            extra = []
            if t.origin != "analyst" and p[i] >= 0.5:
                extra.append(f"not hypothesised, yet in the top {int(k[i])}{k_label[i]} in {100 * p[i]:.0f}% of draws")
            reasons = [lead, *verdicts[i].reasons, side_phrase(sides, i), *extra]
            rows.append({
                "scale": s, "theme": t.id, "side": sides.side[i], "enabling_index": sides.enabling_index[i],
                "market_index": sides.market_index[i], "pinned": sides.pinned[i], "role": r, "role_rank": rr,
                "verdict": verdicts[i].verdict, "reasons": "; ".join(x.replace(";", ",") for x in reasons),
                "hypothesised": t.origin == "analyst", "eligible": elig[i][0],
                "knowledge_share": sides.knowledge_share[i], "traded_share": sides.traded_share[i],
                "strength_indicator": strength, "p_top_side": p[i],
            })
    cols = [*TABLE_COLUMNS["framework"], "eligible", "knowledge_share", "traded_share", "strength_indicator",
            "p_top_side"]
    return pd.DataFrame(rows, columns=cols)


def unfilled_sides(cfg: AuditConfig, framework: pd.DataFrame) -> list[str]:
    """One note per scale and side with fewer entries than asked for, saying why (the commonest reasons)."""
    notes = []
    asked = {MARKET: cfg.framework.market_priorities, ENABLING: cfg.framework.enabling_competencies}
    side_of = {MARKET: "market", ENABLING: "enabling"}
    for scale, sub in framework.groupby("scale", sort=True):
        for role, n in asked.items():
            got = int((sub["role"] == role).sum())
            if got >= n:
                continue
            on_side = sub[(sub["side"] == side_of[role]) & (sub["role"] == "")]
            why = on_side["reasons"].str.split("; ").str[0].str.removeprefix("no role: ")
            common = why.str.replace(r"^ranked \d+ of \d+: ", "", regex=True).value_counts()
            detail = ", ".join(f"{k} ({v})" for k, v in common.head(3).items()) or f"no theme is on the {role} side"
            notes.append(f"scale {scale}: {got} of {n} {role} slots filled; the other {side_of[role]}-side themes: "
                         f"{detail}")
    return notes
