"""Stage 8, outputs: the manifest (methods, data treatment, inputs) and the files of an audit."""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from sia import __version__
from sia.audit.config import AuditConfig
from sia.audit.inputs import Inputs
from sia.audit.scales import ScaleInfo
from sia.audit.themes import Theme


@dataclass
class AuditResult:
    """The audit's tables (name -> frame, rows in key order), manifest, and framework by scale."""

    tables: dict[str, pd.DataFrame]
    manifest: dict[str, object]
    framework_by_scale: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)


def build_manifest(
    cfg: AuditConfig, inputs: Inputs, scales: list[ScaleInfo], themes: list[Theme], notes: list[str]
) -> dict[str, object]:
    """``manifest.json``: versions, the config and its hash, every input with its sha256, methods, data treatment."""
    packages = {}
    for name in ("numpy", "scipy", "pandas", "pyarrow", "xarray", "networkx", "pydantic"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = ""
    config = cfg.model_dump(mode="json")
    return {
        "sia_version": __version__,
        "python": platform.python_version(),
        "packages": packages,
        "config": config,
        "config_sha256": hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest(),
        "inputs": inputs.entries,
        "methods": METHODS,
        "data_treatment": [*DATA_TREATMENT, *notes],  # shown in the report's appendix
        "notes": notes,
        "scales": [s.id for s in scales],
        "themes": [t.id for t in themes],
    }


METHODS = [
    {
        "name": "Location quotient",
        "formula": "LQ = (x_rt / x_r.) / (X_.t / X_..)",
        "reference": "Isard (1960); Balassa (1965)",
        "convention": "reference = all areas of the source (GB for BRES)",
    },
    {
        "name": "LQ confidence interval",
        "formula": "exp(ln LQ +/- z sqrt(1/x_rt - 1/x_r. + 1/X_.t - 1/X_..))",
        "reference": "Moineddin, Beyene & Boyle (2003); Crawley, Beynon & Munday (2013)",
        "convention": "95%, delta method",
    },
    {
        "name": "Shift-share competitive effect",
        "formula": "CE = x_1 - x_0 (1 + g_c), summed over the theme's activities",
        "reference": "Dunn (1960)",
        "convention": "per SIC subclass against the reference's growth",
    },
    {
        "name": "Productivity",
        "formula": "theme GVA = sum_g (GVA_g / jobs_g) x jobs_(theme in g)",
        "reference": "ONS regional GVA (balanced) by industry",
        "convention": "uniform productivity within a published code",
    },
    {
        "name": "Proximity",
        "formula": "phi_ij = C_ij / max(k_i, k_j)",
        "reference": "Hidalgo et al. (2007)",
        "convention": "M = 1{LQ >= 1} across NUTS2 areas",
    },
    {
        "name": "Relatedness density",
        "formula": "d_c = sum_j M_j phi_jc / sum_j phi_jc",
        "reference": "Hidalgo et al. (2007); Balland et al. (2019)",
        "convention": "without the activity's own proximity",
    },
    {
        "name": "Product complexity",
        "formula": "second eigenvector of D_c^-1 M' D_r^-1 M",
        "reference": "Hidalgo & Hausmann (2009)",
        "convention": "sia: symmetric eigenproblem, z-scored; sign set so that ECI correlates positively with "
        "regional GVA per job (the diversity rule of country trade points the wrong way on UK regions)",
    },
    {
        "name": "Complexity outlook gain",
        "formula": "COG_rc = (1 - M_rc) sum_j (1 - M_rj) phi_jc PCI_j / sum_k phi_jk",
        "reference": "Hausmann et al. (2014), Atlas of Economic Complexity",
        "convention": "Atlas form",
    },
    {
        "name": "Traded and local-serving activities",
        "formula": "traded = concentrated across NUTS2 regions (locational Gini, share of regions specialised, "
        "employment in the most specialised regions); retail, construction, personal services local by definition",
        "reference": "Delgado, Porter & Stern (2016); Porter (2003)",
        "convention": "thresholds in sia.metrics.traded; data-driven clusters are built from traded classes only",
    },
    {
        "name": "Knowledge- and technology-intensive activities",
        "formula": "Eurostat aggregations of NACE Rev. 2: high-tech and medium-high-tech manufacturing, "
        "knowledge-intensive services",
        "reference": "Eurostat, High-tech industry and knowledge-intensive services (htec) metadata",
        "convention": "a theme is a capability when >= 50% of its GB jobs are knowledge-intensive; only "
        "capabilities can be enabling competencies",
    },
    {
        "name": "Weighted-sum score",
        "formula": "S_t = sum_j w_j z_tj / sum_j w_j over known criteria",
        "reference": "OECD/JRC (2008) Handbook on Constructing Composite Indicators",
        "convention": "min-max by default",
    },
    {
        "name": "TOPSIS",
        "formula": "C_t = d-_t / (d+_t + d-_t)",
        "reference": "Hwang & Yoon (1981)",
        "convention": "missing values take the criterion median",
    },
    {
        "name": "Rank stability",
        "formula": "P(rank_t <= k) over Dirichlet(kappa w) weights and LQ-interval draws",
        "reference": "Saisana, Saltelli & Tarantola (2005)",
        "convention": "seeded, deterministic",
    },
    {
        "name": "Complementarity score",
        "formula": "sqrt(coverage x (1 - mean sibling Jaccard))",
        "reference": "sia (see docs/audit.md)",
        "convention": "children specialised = LQ >= 1",
    },
]

DATA_TREATMENT = [
    "BRES open-access employment is rounded by ONS; LQ intervals treat the counts as exact, so they are approximate.",
    "Suppressed or missing cells add nothing to a sum, and any total that includes one is marked 'incomplete' "
    "(never shown as a complete figure).",
    "GVA is published by industry codes coarser than SIC subclasses: theme GVA is apportioned by employment "
    "within each code and marked 'estimated'; imputed rent (68IMP) is left out.",
    "Evidence is used only at scales that are exact unions of the source's areas; elsewhere it is "
    "'not available at this scale'.",
    "Districts that sat in two LEPs are counted once in any union; in complementarity they are split equally "
    "between the children that contain them.",
    "NUTS 2016 / NUTS 2013 codes are matched to ITL 2021 codes through the explicit alias table only.",
]


def write_outputs(result: AuditResult, outdir: str | Path) -> Path:
    """Write every table as Parquet and CSV, and ``manifest.json``, to ``outdir``."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for name, frame in result.tables.items():
        frame.to_csv(outdir / f"{name}.csv", index=False, lineterminator="\n")
        frame.to_parquet(outdir / f"{name}.parquet", index=False)
    (outdir / "manifest.json").write_text(json.dumps(result.manifest, indent=2, sort_keys=True, default=str))
    return outdir
