#!/usr/bin/env bash
# Rebuild the inputs of examples/midlands-engine.toml from the live public sources.
#
#   bash scripts/fetch_midlands_engine.sh DATA_DIR [--dry-run] [--offline] [--cache-dir DIR] [--gva-xlsx DIR]
#   sia audit examples/midlands-engine.toml -o out/midlands-engine --data-dir DATA_DIR
#
# NOMIS files (BRES, UK Business Counts) are fetched with `sia fetch` / the sia NOMIS client, cached and
# paged; each gets a `<file>.provenance.json` with every query URL and its retrieval time.
# ONS files (regional GVA, input-output tables) and the Nesta innovation indicators are spreadsheets or
# repository files: the script prints where to download them. With --gva-xlsx DIR it converts the ONS GVA
# workbooks saved in DIR into the two GVA parquet files the config reads (see docs/data-sources.md).
#
# --dry-run prints the NOMIS request URLs and writes nothing (no network).
# Environment: SIA (the sia command, default `sia`), SIA_PYTHON (the Python that has sia installed;
# default: the python next to `sia`), SIA_NOMIS_UID (optional NOMIS API key: 100,000 rows per call).
set -euo pipefail

usage() { sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; }

OUT=""
DRY=()
PASS=()
GVA_XLSX=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) DRY=(--dry-run); shift ;;
    --offline) PASS+=(--offline); shift ;;
    --cache-dir) PASS+=(--cache-dir "$2"); shift 2 ;;
    --gva-xlsx) GVA_XLSX="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "error: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) if [[ -n "$OUT" ]]; then echo "error: one DATA_DIR only (got $OUT and $1)" >&2; exit 2; fi; OUT="$1"; shift ;;
  esac
done
if [[ -z "$OUT" ]]; then echo "error: give the output folder (the data root for --data-dir)" >&2; usage >&2; exit 2; fi

REPO="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "${SIA:-}" ]]; then
  SIA=sia  # on PATH, else a virtualenv in or next to the checkout
  for cand in "$REPO/.venv/bin/sia" "$REPO/venv/bin/sia" "$REPO/../venv/bin/sia"; do
    if ! command -v sia >/dev/null 2>&1 && [[ -x "$cand" ]]; then SIA="$cand"; break; fi
  done
fi
if ! command -v "$SIA" >/dev/null 2>&1; then echo "error: '$SIA' not found; install sia or set SIA=/path/to/sia" >&2; exit 2; fi
PY="${SIA_PYTHON:-$(dirname "$(command -v "$SIA")")/python}"
[[ -x "$PY" ]] || PY=python3

if [[ ${#DRY[@]} -eq 0 ]]; then mkdir -p "$OUT/geography" "$OUT/sectors" "$OUT/employment" "$OUT/business_counts" "$OUT/gva" "$OUT/io" "$OUT/innovation"; fi

echo "== 0/3 geography lookups (ONS Open Geography Portal) for the built-in UK geography"
for pair in lad23-itl21:lad23_lau121_itl321_itl221_itl121_uk_lookup lad23-cauth23:lad23_cauth23_lookup_en \
            lad24-cauth24:lad24_cauth24_lookup_en lad25-cauth25:lad25_cauth25_lookup_en; do
  "$SIA" fetch geography "${pair%%:*}" -o "$OUT/geography/${pair#*:}.csv" "${DRY[@]}" "${PASS[@]}"
done

echo "== 1/3 BRES open access (NOMIS NM_189_1): employment, ITL2 (NUTS 2016 level 2, TYPE438) x SIC 5-digit, 2015-2021"
"$SIA" fetch bres --geography TYPE438 --years 2015-2021 --sic-level 5 --measure employment \
  -o "$OUT/employment/bres_itl2_sic5_employment_2015_2021.csv" "${DRY[@]}" "${PASS[@]}"

echo "== 2/3 BRES open access: employment, NUTS 2013 level 2 (TYPE450) x SIC 4-digit, 2015-2018"
"$SIA" fetch bres --geography TYPE450 --years 2015-2018 --sic-level 4 --measure employment \
  -o "$OUT/employment/bres_nuts2_2013_sic4_employment_2015_2018_nomis_raw.csv" "${DRY[@]}" "${PASS[@]}"

echo "== 3/3 UK Business Counts (NOMIS NM_142_1): enterprises, LADs (April 2021, TYPE432) + England x 18 broad"
echo "       industry groups x 5 size bands, 2018-2022"
# `sia fetch ubc` selects SIC levels only, not NOMIS's broad industry groups, so this step uses the same client.
"$PY" - "$OUT" "${DRY[@]}" "${PASS[@]}" <<'PY'
import sys
from pathlib import Path

from sia.sources import nomis_api
from sia.sources.http_cache import FetchError, HttpCache

out = Path(sys.argv[1])
args = sys.argv[2:]
dry, offline = "--dry-run" in args, "--offline" in args
cache = args[args.index("--cache-dir") + 1] if "--cache-dir" in args else None
query = nomis_api.NomisQuery(
    nomis_api.DATASETS["ubc"],
    (
        ("date", "2018,2019,2020,2021,2022"),
        ("geography", "TYPE432,E92000001"),
        ("industry", f"{nomis_api.BROAD_INDUSTRY_TYPECODE * 2**22 + 1}...{nomis_api.BROAD_INDUSTRY_TYPECODE * 2**22 + 18}"),
        ("employment_sizeband", ",".join(str(b) for b in nomis_api.UBC_SIZEBANDS)),
        ("legal_status", "0"),
        ("measures", "20100"),
    ),
)
client = nomis_api.NomisClient(HttpCache(cache, offline=offline, dry_run=dry))
raw = out / "business_counts" / "ubc_enterprises_lad_broadindustry_sizeband_2018_2022_nomis_raw.csv"
try:
    result = client.fetch([query], raw)
except (FetchError, ValueError) as exc:
    sys.exit(f"error: {exc}")
if dry:
    print("dry run: this request would be sent (first page):")
    print(*result.urls, sep="\n")
else:
    print(f"wrote {result.rows:,} rows to {raw} ({result.from_cache} of {len(result.urls)} pages from the cache)")
PY

if [[ ${#DRY[@]} -eq 0 ]]; then
  echo "== converting the NOMIS files to the layouts the example config reads"
  "$PY" - "$OUT" <<'PY'
import gzip
import shutil
import sys
from pathlib import Path

import pandas as pd

from sia.sources import nomis_api

out = Path(sys.argv[1])
NORMAL = {"A", "B", "P"}  # NOMIS observation status: normal, break in series, provisional


def read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    odd = frame[~frame["OBS_STATUS"].isin(NORMAL) | (frame["OBS_CONF"].str.upper() != "F")]
    if len(odd):
        row = odd.index[0]
        sys.exit(f"error: {path}: {len(odd)} rows are not normal, published values (first: line {row + 2}, "
                 f"OBS_STATUS={odd.at[row, 'OBS_STATUS']!r}, OBS_CONF={odd.at[row, 'OBS_CONF']!r}); this layout "
                 "cannot carry NOMIS flags, so load the raw file itself (see docs/data-sources.md)")
    return frame


def gzip_to(src: Path, dest: Path) -> None:
    with src.open("rb") as fin, gzip.GzipFile(dest, "wb", mtime=0) as fout:
        shutil.copyfileobj(fin, fout)


# 1. ITL2 x SIC5: the raw NOMIS layout is read as it is (flags carried into the panel's status); gzip it.
itl2 = out / "employment" / "bres_itl2_sic5_employment_2015_2021.csv"
gzip_to(itl2, itl2.with_name(itl2.name + ".gz"))
itl2.unlink()
print(f"{itl2}.gz: raw NOMIS layout")

# 2. NUTS2 2013 x SIC4: Nesta's layout (year, geo_type, geo_nm, geo_cd, SIC4, value), whose NUTS 2013 codes
#    (UKM2, UKM3) the loader keeps as published instead of resolving them through the ITL geography.
raw = out / "employment" / "bres_nuts2_2013_sic4_employment_2015_2018_nomis_raw.csv"
f = read(raw)
nuts = pd.DataFrame({"year": f["DATE"], "geo_type": f["GEOGRAPHY_TYPE"], "geo_nm": f["GEOGRAPHY_NAME"],
                     "geo_cd": f["GEOGRAPHY_CODE"], "SIC4": f["INDUSTRY_CODE"].str.zfill(4), "value": f["OBS_VALUE"]})
dest = out / "employment" / "bres_nuts2_2013_sic4_employment_2015_2018.csv.gz"
with gzip.GzipFile(dest, "wb", mtime=0) as fh:
    fh.write(nuts.to_csv(index=False, lineterminator="\n").encode())
print(f"{dest}: {len(nuts):,} rows (of {len(f):,} raw rows)")

# 3. UK Business Counts: the long layout of the UBC loader. NOMIS names broad groups "1 : Agriculture, ...".
raw = out / "business_counts" / "ubc_enterprises_lad_broadindustry_sizeband_2018_2022_nomis_raw.csv"
f = read(raw)
parts = f["INDUSTRY_NAME"].str.extract(r"^\s*(\d{1,2})\s*:\s*(.*?)\s*$")
if parts[0].isna().any():
    bad = f.loc[parts[0].isna(), "INDUSTRY_NAME"].iloc[0]
    sys.exit(f"error: {raw}: INDUSTRY_NAME {bad!r} is not 'N : name' (a NOMIS broad industry group)")
band = pd.to_numeric(f["EMPLOYMENT_SIZEBAND"]).map(nomis_api.UBC_SIZEBANDS)
if band.isna().any():
    sys.exit(f"error: {raw}: EMPLOYMENT_SIZEBAND {f.loc[band.isna(), 'EMPLOYMENT_SIZEBAND'].iloc[0]!r} is not one of "
             f"{sorted(nomis_api.UBC_SIZEBANDS)}")
is_country = f["GEOGRAPHY_CODE"] == "E92000001"
ubc = pd.DataFrame({"year": f["DATE"], "geog_type": is_country.map({True: "country", False: "ladu"}),
                    "area_name": f["GEOGRAPHY_NAME"], "industry_code": parts[0], "industry_name": parts[1],
                    "sizeband": band, "enterprises": f["OBS_VALUE"]})
dest = out / "business_counts" / "ubc_enterprises_lad_broadindustry_sizeband_2018_2022.csv.gz"
with gzip.GzipFile(dest, "wb", mtime=0) as fh:
    fh.write(ubc.to_csv(index=False, lineterminator="\n").encode())
print(f"{dest}: {len(ubc):,} rows (of {len(f):,} raw rows)")
PY
fi

if [[ -n "$GVA_XLSX" && ${#DRY[@]} -eq 0 ]]; then
  echo "== converting the ONS regional GVA workbooks in $GVA_XLSX"
  "$PY" - "$GVA_XLSX" "$OUT/gva" <<'PY'
import sys
from pathlib import Path

import pandas as pd

src, dest = Path(sys.argv[1]), Path(sys.argv[2])
NA = ["[c]", "[u]", "[x]", "[z]"]
LAD_NAMES = ["CVM Index", "GVA Constant Prices £m", "GVA Current Prices £m", "Implied deflator"]
ITL_VARS = {"a": ("cvm", "CVM Index", "2022 = 100"), "b": ("constant", "Constant prices", "2022 £m"),
            "c": ("current", "Current prices", "£m"), "d": ("deflators", "Implied deflator", "2022 = 100")}


def col(frame: pd.DataFrame, *names: str) -> str:
    for c in frame.columns:
        if str(c).strip().lower() in names:
            return c
    sys.exit(f"error: no column {names[0]!r} among {list(frame.columns)[:8]}")


def long(frame: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    years = [c for c in frame.columns if str(c)[:4].isdigit()]
    m = frame.melt(id_vars=ids, value_vars=years, var_name="year", value_name="value")
    m["dates.date"] = m["year"].astype(str).str[:4] + "-01-01"
    m["value"] = pd.to_numeric(m["value"], errors="raise")
    return m


def code(s: pd.Series) -> pd.Series:
    s = s.astype(str).str.strip()
    return s.where(~s.str.fullmatch(r"\d"), "0" + s)  # as the published parquet: 1 -> 01


frames = []
for book in sorted(src.glob("regionalgrossvalueaddedbalancedbyindustrylocalauthorities*.xlsx")):
    sheets = [s for s in pd.ExcelFile(book).sheet_names[3:]][:4]  # 3 cover/notes sheets, then the 4 tables
    for name, sheet in zip(LAD_NAMES, sheets, strict=True):
        t = pd.read_excel(book, sheet_name=sheet, header=1, na_values=NA, dtype={"SIC07": str})
        t = t[t[col(t, "la code")].notna()]
        ids = [col(t, "la code"), col(t, "la name"), col(t, "sic07"), col(t, "sic07 description")]
        m = long(t, ids)
        frames.append(pd.DataFrame({"dataset": "RGVA_LAD", "dates.date": m["dates.date"], "dates.freq": "a",
                                    "variable.name": name, "geography.code": m[ids[0]], "geography.name": m[ids[1]],
                                    "industry.code": code(m[ids[2]]), "industry.name": m[ids[3]],
                                    "value": m["value"]}))
if frames:
    lad = pd.concat(frames, ignore_index=True)
    lad.to_parquet(dest / "ons_rgva_balanced_lad_by_industry_1998_2023.parquet", index=False)
    print(f"LAD GVA: {len(lad):,} rows from {len(frames) // 4} workbooks")
else:
    print("no LAD workbooks (regionalgrossvalueaddedbalancedbyindustrylocalauthorities*.xlsx) found", file=sys.stderr)

books = sorted(src.glob("regionalgrossvalueaddedbalancedbyindustryandallitlregions*.xlsx"))
if books:
    frames = []
    for sheet in pd.ExcelFile(books[0]).sheet_names:
        key = sheet.replace(" ", "").lower()
        if not (key.startswith("table") and len(key) == 7 and key[5] in "123" and key[6] in ITL_VARS):
            continue
        vcode, vname, unit = ITL_VARS[key[6]]
        t = pd.read_excel(books[0], sheet_name=sheet, header=1, na_values=NA, dtype={"SIC07 code": str})
        ids = [col(t, "itl region code", "itl code"), col(t, "itl region name", "region name"),
               col(t, "sic07 code"), col(t, "sic07 description")]
        t = t[t[ids[2]].notna()]
        m = long(t, ids)
        gcode = m[ids[0]].astype(str).str.strip()
        gtype = pd.Series(f"ITL{key[5]}", index=m.index).where(~gcode.isin(["UK", "TLB"]), "ctry")
        frames.append(pd.DataFrame({"dataset": "RGVA", "dates.date": m["dates.date"], "dates.freq": "a",
                                    "geography.type": gtype, "geography.code": gcode, "geography.name": m[ids[1]],
                                    "industry.code": code(m[ids[2]]), "industry.name": m[ids[3]],
                                    "variable.code": vcode, "variable.name": vname, "variable.unit": unit,
                                    "value": m["value"]}))
    itl = pd.concat(frames, ignore_index=True)
    itl.to_parquet(dest / "ons_rgva_balanced_itl_by_industry_1998_2023.parquet", index=False)
    print(f"ITL GVA: {len(itl):,} rows from {len(frames)} tables of {books[0].name}")
else:
    print("no regionalgrossvalueaddedbalancedbyindustryandallitlregions*.xlsx found", file=sys.stderr)
PY
fi

cat <<EOF

== Download by hand (not on NOMIS), into $OUT:
  geography/ and sectors/: the DfE and SIC lookup files the built-in geography and SIC tree read
        (lad_lep_2020_dfe.csv, lad_codes_vintages_dfe.csv, lep_codes_vintages_dfe.csv, english_devolved_areas_dfe.csv,
        lad11_lad21_lookup_ew.csv, lad14_codes_names_uk.csv; sic2007_*.csv, nesta_sic4_industry_segment_lookup.csv,
        uk_industrial_strategy_2025_is8_sector_sic_definitions.csv): sources in docs/data-sources.md.
  gva/  ONS "Regional gross value added (balanced) by industry: all ITL regions" (one workbook)
          https://www.ons.gov.uk/economy/grossvalueaddedgva/datasets/nominalandrealregionalgrossvalueaddedbalancedbyindustry
        ONS "Regional gross value added (balanced) by industry: local authorities by ITL1 region" (one workbook per region)
          https://www.ons.gov.uk/economy/grossdomesticproductgdp/datasets/regionalgrossvalueaddedbalancedbyindustrylocalauthoritiesbyitl1region
        then rerun this script with --gva-xlsx FOLDER_WITH_THE_WORKBOOKS to write the two parquet files.
  io/   ONS "Input-output analytical tables" 2019 (nasu1719in.xlsx, sheet IOT) reshaped to long form, and the
        SIC -> IOAT bridge: see docs/data-sources.md (no converter here).
  innovation/  Nesta BEIS R&I place indicators: github.com/nestauk/beis-indicators, ds/data/processed/
        (rename <name>.nuts2.csv -> nesta_beis_<name>_nuts2.csv). See docs/data-sources.md.
Then: sia audit examples/midlands-engine.toml -o out/midlands-engine --data-dir $OUT
EOF
