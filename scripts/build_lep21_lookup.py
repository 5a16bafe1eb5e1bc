"""Build ``src/sia/data/lad23_lep21.csv``: LAD (Dec 2023) -> LEP (May 2021) by polygon overlay.

No LAD -> LEP 2021 lookup is held in the shared data, but the shared boundary files hold the ONS
LAD Dec 2023 BUC polygons and the LEP May 2021 BUC polygons (``boundaries/PROVENANCE.md``).
LEPs of 2021 do not overlap and are unions of whole districts, so every English LAD23 should lie
(up to BUC generalisation error) inside exactly one LEP21 polygon. For each LAD23 the script
computes the share of its polygon area inside every LEP21 polygon (planar area in lon/lat degrees;
only the *shares* are used, so the projection error is negligible at this scale) and assigns the
LEP holding the largest share. The share is written out; the script fails if any English LAD's
largest share is below 0.95 (a LAD that really straddles two LEPs) or any LEP21 receives no LAD.

Run: ``python scripts/build_lep21_lookup.py [SHARED_DATA_DIR]`` (needs shapely >= 2; shapely is a
build-time tool only, the package reads the CSV).
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

from shapely.geometry import shape
from shapely.strtree import STRtree
from shapely.validation import make_valid

REPO = Path(__file__).resolve().parents[1]


def main(shared: Path) -> None:
    lads = json.loads((shared / "boundaries" / "lad23_dec_uk_buc.geojson").read_text())["features"]
    leps = json.loads((shared / "boundaries" / "lep21_may_en_buc.geojson").read_text())["features"]
    lep_geoms = [make_valid(shape(f["geometry"])) for f in leps]
    tree = STRtree(lep_geoms)
    rows = []
    for f in lads:
        code = f["properties"]["LAD23CD"]
        if not code.startswith("E"):
            continue
        geom = make_valid(shape(f["geometry"]))
        shares = {}
        for i in tree.query(geom):
            inter = geom.intersection(lep_geoms[i]).area
            if inter > 0:
                shares[i] = inter / geom.area
        best = max(shares, key=shares.get)
        if shares[best] < 0.95:
            raise SystemExit(f"{code} {f['properties']['LAD23NM']}: largest LEP21 share {shares[best]:.3f} < 0.95")
        p = leps[best]["properties"]
        rows.append((code, f["properties"]["LAD23NM"], p["LEP21CD"], p["LEP21NM"], f"{shares[best]:.4f}"))
    got = {r[2] for r in rows}
    missing = {f["properties"]["LEP21CD"] for f in leps} - got
    if missing:
        raise SystemExit(f"LEP21 codes with no LAD: {sorted(missing)}")
    rows.sort()
    out = REPO / "src" / "sia" / "data" / "lad23_lep21.csv"
    with out.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["LAD23CD", "LAD23NM", "LEP21CD", "LEP21NM", "area_share", "method"])
        for r in rows:
            w.writerow([*r, "polygon overlay of boundaries/lad23_dec_uk_buc.geojson on lep21_may_en_buc.geojson"])
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    default = os.environ.get("SIA_SHARED_DATA", REPO.parent / "shared" / "data")
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(default)
    main(root)
