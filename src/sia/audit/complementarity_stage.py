"""Stage 7, complementarity: how the priorities of each parent's child scales fit the parent's.

The measures are :mod:`sia.audit.complementarity`'s (see ``docs/audit.md`` section 6); a child is
specialised by :func:`~sia.audit.complementarity.child_specialised` on its strength LQ (employment
LQ where BRES covers it, else the GVA LQ).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from sia.audit import complementarity as comp
from sia.audit.config import AuditConfig
from sia.audit.evidence import area_matrix
from sia.audit.evidence_set import EvidenceSet
from sia.audit.gather import Gathered
from sia.audit.scales import ScaleInfo
from sia.audit.themes import Theme
from sia.audit.vocabulary import TABLE_COLUMNS
from sia.panel import Panel


def strength_lq(ev: EvidenceSet) -> xr.DataArray:
    """``(scale, theme)`` LQ: the employment LQ where it is available at the scale, else the GVA LQ."""
    emp = ev.value("lq")
    gva = ev.value("gva_lq")
    has_emp = emp.notnull().any("theme")
    return emp.where(has_emp, gva)


def complementarity_tables(
    cfg: AuditConfig,
    scales: list[ScaleInfo],
    themes: list[Theme],
    ev: EvidenceSet,
    framework: pd.DataFrame,
    g: Gathered,
    emp_panel: Panel,
    notes: list[str],
) -> dict[str, pd.DataFrame]:
    """Complementarity of each parent and its children (see docs/audit.md section 6).

    Jobs are used when every scale involved has employment evidence and the children do not overlap
    (jobs cannot be split below the employment grain); otherwise LAD-level GVA, where a district inside
    several children is split equally between them. A parent with neither is reported in ``notes``.
    """
    emp, emp_scales, lad, lad_scales, membership = g.emp, g.emp_scales, g.lad, g.lad_scales, g.membership
    theme_ids = [t.id for t in themes]
    role = {(r.scale, r.theme): bool(r.role) for r in framework.itertuples()}
    lq = strength_lq(ev)
    rows, summary, siblings = [], [], []
    for parent in scales:
        children = [s for s in scales if s.parent == parent.id]
        if not children:
            continue
        ids = [parent.id] + [c.id for c in children]
        parent_lads = sorted(parent.lads)
        overlap = bool((np.sum([[x in c.lads for x in parent_lads] for c in children], axis=0) > 1).any())
        use_jobs = emp is not None and all(i in emp_scales for i in ids) and not overlap
        if not use_jobs and (lad is None or not all(i in lad_scales for i in ids)):
            notes.append(
                f"complementarity of {parent.id} not computed: its children are not all measurable in jobs "
                "(without overlaps) or in LAD GVA"
            )
            continue
        # allocate each LAD of the parent to the children containing it (1/k each) so it counts once
        alloc = np.array([[1.0 if lad_ in c.lads else 0.0 for lad_ in parent_lads] for c in children])
        k_cnt = alloc.sum(axis=0)
        alloc = np.where(k_cnt > 0, alloc / np.where(k_cnt > 0, k_cnt, 1.0), 0.0)
        if use_jobs:
            il = emp_panel.years.index(cfg.audit.latest_year)
            child_vals = np.array([emp.jobs[il, emp.scales.index(c.id)] for c in children])
            child_tot = np.array([emp.totals[il, emp.scales.index(c.id)] for c in children])
            p_vals, p_tot = emp.jobs[il, emp.scales.index(parent.id)], emp.totals[il, emp.scales.index(parent.id)]
            measure = "jobs"
        else:
            yl = lad.years.index(cfg.audit.latest_year)
            A = area_matrix({"p": parent_lads}, lad.lads)[0]
            lad_idx = np.flatnonzero(A)
            lad_order = [lad.lads[i] for i in lad_idx]
            pos = [parent_lads.index(x) for x in lad_order]
            child_vals = alloc[:, pos] @ lad.theme_gva[yl][lad_idx]
            child_tot = alloc[:, pos] @ lad.total_gva[yl][lad_idx]
            p_vals, p_tot = lad.theme_gva[yl][lad_idx].sum(axis=0), lad.total_gva[yl][lad_idx].sum()
            measure = "GVA"
        remainder = p_vals - child_vals.sum(axis=0)
        shares = comp.contribution_shares(child_vals, p_vals)
        ratio = comp.contribution_ratio(child_vals, child_tot, p_vals, p_tot)
        p_prio = np.array([role.get((parent.id, t), False) for t in theme_ids])
        c_prio = np.array([[role.get((c.id, t), False) for t in theme_ids] for c in children])
        c_spec = comp.child_specialised(lq.sel(scale=[c.id for c in children]).values)
        align = comp.alignment_matrix(p_prio, c_prio, c_spec)
        for c_i, c in enumerate(children):
            for t_i, t in enumerate(theme_ids):
                rows.append(
                    {
                        "parent": parent.id,
                        "child": c.id,
                        "theme": t,
                        "measure": measure,
                        "child_share": shares[c_i, t_i],
                        "overall_share": child_tot[c_i] / p_tot,
                        "contribution_ratio": ratio[c_i, t_i],
                        "child_specialised": bool(c_spec[c_i, t_i]),
                        "child_priority": bool(c_prio[c_i, t_i]),
                        "parent_priority": bool(p_prio[t_i]),
                        "alignment": align[c_i, t_i],
                    }
                )
        for t_i, t in enumerate(theme_ids):
            rows.append(
                {
                    "parent": parent.id,
                    "child": "_rest",
                    "theme": t,
                    "measure": measure,
                    "child_share": remainder[t_i] / p_vals[t_i] if p_vals[t_i] else np.nan,
                    "overall_share": (p_tot - child_tot.sum()) / p_tot,
                    "contribution_ratio": np.nan,
                    "child_specialised": False,
                    "child_priority": False,
                    "parent_priority": bool(p_prio[t_i]),
                    "alignment": "",
                }
            )
        score, cov, distinct = comp.complementarity_score(p_prio, c_prio, c_spec)
        cv = comp.coverage(p_prio, c_spec, c_prio)
        summary.append(
            {
                "parent": parent.id,
                "score": score,
                "coverage": cov,
                "distinctiveness": distinct,
                "n_children": len(children),
                "measure": measure,
                "uncovered_priorities": ";".join(
                    t for t, u in zip(theme_ids, cv.uncovered_parent_priorities, strict=True) if u
                ),
                "child_only_priorities": ";".join(
                    sorted(
                        {
                            t
                            for c_i in range(len(children))
                            for t, u in zip(theme_ids, cv.child_only_priorities[c_i], strict=True)
                            if u
                        }
                    )
                ),
            }
        )
        jac = comp.jaccard_matrix(c_prio)
        for a in range(len(children)):
            for b in range(a + 1, len(children)):
                shared = [t_i for t_i in range(len(theme_ids)) if c_prio[a, t_i] and c_prio[b, t_i]]
                for t_i in shared:
                    sim = np.nan
                    if use_jobs:
                        il = emp_panel.years.index(cfg.audit.latest_year)
                        cells = emp.cells[il][[emp.scales.index(children[a].id), emp.scales.index(children[b].id)]]
                        sims = comp.within_theme_similarity(cells, membership.matrix[[t_i]])
                        sim = float(sims[0, 0, 1])
                    siblings.append(
                        {
                            "parent": parent.id,
                            "child_a": children[a].id,
                            "child_b": children[b].id,
                            "jaccard": jac[a, b],
                            "theme": theme_ids[t_i],
                            "within_theme_similarity": sim,
                            "relation": "duplication" if sim >= 0.9 else "complementary",
                        }
                    )
    return {
        "complementarity": pd.DataFrame(rows, columns=[*TABLE_COLUMNS["complementarity"][:3], "measure",
                                                       *TABLE_COLUMNS["complementarity"][3:]]),
        "complementarity_summary": pd.DataFrame(summary, columns=[*TABLE_COLUMNS["complementarity_summary"],
                                                                  "measure"]),
        "sibling_overlap": pd.DataFrame(siblings, columns=list(TABLE_COLUMNS["sibling_overlap"])),
    }


