"""Client for the NOMIS REST API (BRES employment, UK Business Counts, APS).

Writes the raw NOMIS CSV layout (all NOMIS columns: ``DATE``, ``GEOGRAPHY_CODE``,
``INDUSTRY_CODE``, ``OBS_VALUE``, ``OBS_STATUS``, ``RECORD_OFFSET``, ``RECORD_COUNT``, ...) that
the NOMIS loader in :mod:`sia.sources` reads, plus a ``.provenance.json`` sidecar with every
query URL, its retrieval time and the dataset's own last-updated date.

API facts used here (NOMIS API documentation, https://www.nomisweb.co.uk/api/v01/help):

- data: ``/api/v01/dataset/{id}.data.csv?{dimension}={selection}&...``; a call returns at most
  25,000 rows without an API key (``uid``); further rows are paged with ``recordoffset``, and every
  row carries ``RECORD_OFFSET`` and ``RECORD_COUNT`` (the total for the query);
- dataset metadata: ``/api/v01/dataset/{id}.def.sdmx.json`` (its annotations include the
  last-update date);
- industry ids are ``typecode * 2**22 + int(code)``: SIC 2007 subclass (5 digit) typecode 32, class
  (4 digit) 33, group (3 digit) 34, division (2 digit) 35, section 36 (A=1 ... U=21); all codes of
  one level are selected with ``TYPE{typecode}``. The subclass, class, group and division
  typecodes and ids are confirmed by the raw NOMIS files in ``shared/data`` (e.g. ``146800641`` =
  division 01, ``138413133`` = class 1101).
- geographies are selected by GSS code (``E08000025``), by type (``TYPE{n}``), or by type within a
  parent (``{parent}TYPE{n}``). Geography ids follow the same rule as industry ids
  (``typecode * 2**22 + n``: ``1811939329`` is item 1 of ``TYPE432``). Type codes used in the docs:
  ``TYPE499`` countries, ``TYPE480`` regions, ``TYPE432`` local authority districts as of April 2021,
  ``TYPE424`` districts as of April 2023, ``TYPE438`` NUTS 2016 level 2 (the ITL2 areas), ``TYPE450``
  NUTS 2013 level 2 (see docs/data-sources.md for the public sources of each);
- UK Business Counts: ``NM_142_1`` counts enterprises and ``NM_141_1`` local units; the NOMIS broad
  industry groups 1-18 are industry typecode 39 (``163577857...163577874``); the broad employment
  size bands are ``employment_sizeband`` 0 (Total), 10, 20, 30, 40 (micro ... large).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sia.sources.http_cache import FetchError, HttpCache, build_url

NOMIS_BASE = "https://www.nomisweb.co.uk/api/v01/dataset"

#: Dataset ids (from the NOMIS dataset list).
DATASETS: dict[str, str] = {
    "bres": "NM_189_1",  # Business Register and Employment Survey: open access, 2015 onwards
    "ubc": "NM_142_1",  # UK Business Counts - enterprises by industry and employment size band
    "ubc-local-units": "NM_141_1",  # UK Business Counts - local units by industry and employment size band
    "aps": "NM_17_5",  # Annual Population Survey
}

#: NOMIS industry typecode per SIC 2007 level (digits; 1 = section).
SIC_TYPECODES: dict[int, int] = {1: 36, 2: 35, 3: 34, 4: 33, 5: 32}

#: NOMIS industry typecode of the 18 broad industry groups of UK Business Counts (ids 163577857 ... 163577874).
BROAD_INDUSTRY_TYPECODE = 39

#: UK Business Counts ``employment_sizeband`` codes of the broad size bands, with the names the UBC loader reads.
UBC_SIZEBANDS: dict[int, str] = {
    0: "Total",
    10: "Micro (0 to 9)",
    20: "Small (10 to 49)",
    30: "Medium-sized (50 to 249)",
    40: "Large (250+)",
}

#: BRES ``employment_status`` values.
BRES_EMPLOYMENT_STATUS: dict[str, int] = {"employees": 1, "full-time": 2, "part-time": 3, "employment": 4}

REQUIRED_COLUMNS = ("DATE", "GEOGRAPHY_CODE", "OBS_VALUE", "RECORD_OFFSET", "RECORD_COUNT")


def sic_industry_id(code: str) -> int:
    """NOMIS industry id of a SIC 2007 code: ``typecode * 2**22 + int(code)`` (sections by letter)."""
    raw = code.replace(".", "").strip().upper()
    if len(raw) == 1 and "A" <= raw <= "U":
        return SIC_TYPECODES[1] * 2**22 + (ord(raw) - ord("A") + 1)
    if not raw.isdigit() or not 2 <= len(raw) <= 5:
        raise ValueError(f"not a SIC 2007 section letter or 2-5 digit code: {code!r}")
    return SIC_TYPECODES[len(raw)] * 2**22 + int(raw)


def industry_selection(*, sic_level: int | None = None, sic_codes: Sequence[str] | None = None) -> str:
    """The ``industry`` parameter: all codes of a SIC level, or a list of codes (any levels)."""
    if (sic_level is None) == (sic_codes is None):
        raise ValueError("give exactly one of sic_level (1-5) or sic_codes")
    if sic_level is not None:
        if sic_level not in SIC_TYPECODES:
            raise ValueError(f"sic_level must be 1 (section) to 5 (subclass), not {sic_level}")
        return f"TYPE{SIC_TYPECODES[sic_level]}"
    return ",".join(str(sic_industry_id(c)) for c in sic_codes or ())


def parse_years(spec: str) -> list[int]:
    """``"2015-2021"`` or ``"2015,2017"`` or ``"2021"`` -> list of years."""
    years: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        if "-" in part:
            a, b = (int(x) for x in part.split("-", 1))
            if b < a:
                raise ValueError(f"year range {part!r} runs backwards")
            years.extend(range(a, b + 1))
        elif part:
            years.append(int(part))
    if not years:
        raise ValueError(f"no years in {spec!r}")
    return years


@dataclass(frozen=True)
class NomisQuery:
    """One NOMIS data query: dataset id and dimension selections (sent as given)."""

    dataset: str
    params: tuple[tuple[str, str], ...]

    def url(self, offset: int = 0) -> str:
        params = dict(self.params)
        if offset:
            params["recordoffset"] = str(offset)
        return build_url(f"{NOMIS_BASE}/{self.dataset}.data.csv", params)


def bres_query(
    *,
    geography: str,
    years: Sequence[int],
    sic_level: int | None = None,
    sic_codes: Sequence[str] | None = None,
    measure: str = "employment",
) -> NomisQuery:
    """BRES open access (``NM_189_1``): count of ``measure`` (employment, employees, full-time, part-time)."""
    if measure not in BRES_EMPLOYMENT_STATUS:
        raise ValueError(f"BRES measure must be one of {sorted(BRES_EMPLOYMENT_STATUS)}, not {measure!r}")
    return NomisQuery(
        DATASETS["bres"],
        (
            ("date", ",".join(str(y) for y in years)),
            ("geography", geography),
            ("industry", industry_selection(sic_level=sic_level, sic_codes=sic_codes)),
            ("employment_status", str(BRES_EMPLOYMENT_STATUS[measure])),
            ("measure", "1"),
            ("measures", "20100"),
        ),
    )


def ubc_query(
    *,
    geography: str,
    years: Sequence[int],
    sic_level: int | None = None,
    sic_codes: Sequence[str] | None = None,
    local_units: bool = False,
    sizebands: Sequence[int] = tuple(UBC_SIZEBANDS),
    broad_industry: bool = False,
) -> NomisQuery:
    """UK Business Counts (enterprises ``NM_142_1`` or local units ``NM_141_1``) by employment size band.

    ``sizebands`` are NOMIS ``employment_sizeband`` codes, by default the broad bands of
    :data:`UBC_SIZEBANDS` (Total, micro, small, medium-sized, large), selected explicitly so that
    the finer bands (0-4, 5-9, ...) never mix with the broad ones they add up to.
    ``broad_industry=True`` selects the 18 NOMIS broad industry groups instead of SIC codes.
    """
    if broad_industry and (sic_level is not None or sic_codes is not None):
        raise ValueError("give either broad_industry or a SIC selection, not both")
    industry = (f"TYPE{BROAD_INDUSTRY_TYPECODE}" if broad_industry
                else industry_selection(sic_level=sic_level, sic_codes=sic_codes))
    return NomisQuery(
        DATASETS["ubc-local-units" if local_units else "ubc"],
        (
            ("date", ",".join(str(y) for y in years)),
            ("geography", geography),
            ("industry", industry),
            ("employment_sizeband", ",".join(str(b) for b in sizebands)),
            ("legal_status", "0"),
            ("measures", "20100"),
        ),
    )


@dataclass
class FetchResult:
    """What a fetch wrote and where every row came from."""

    path: Path
    rows: int
    urls: list[str] = field(default_factory=list)
    retrieved: list[str] = field(default_factory=list)
    from_cache: int = 0
    dataset_updated: str = ""
    dataset_name: str = ""

    def provenance(self) -> dict[str, object]:
        return {
            "source": "NOMIS API",
            "queries": self.urls,
            "retrieved": self.retrieved,
            "dataset_last_updated": self.dataset_updated,
            "dataset_name": self.dataset_name,
            "rows": self.rows,
            "licence": "Open Government Licence v3.0 (ONS / NOMIS)",
        }


def _check_page(body: bytes, expected_offset: int) -> list[list[str]]:
    """Parse one CSV page and reject truncated or inconsistent responses (raises ValueError)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:  # some NOMIS extracts arrive in Windows-1252
        text = body.decode("cp1252")
    if not text.strip():
        raise ValueError("empty response")
    if not text.endswith("\n"):
        raise ValueError("response does not end with a newline (truncated)")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValueError(f"header lacks NOMIS columns {missing}")
    width = len(header)
    bad = [i + 1 for i, r in enumerate(rows[1:], start=1) if len(r) != width]
    if bad:
        raise ValueError(f"rows {bad[:5]} have the wrong number of fields (truncated)")
    off = header.index("RECORD_OFFSET")
    offsets = [int(r[off]) for r in rows[1:]]
    if offsets and offsets != list(range(expected_offset, expected_offset + len(offsets))):
        raise ValueError(f"record offsets do not run from {expected_offset} without gaps")
    return rows


class NomisClient:
    """Fetch NOMIS queries page by page through an :class:`HttpCache`.

    An API key in ``$SIA_NOMIS_UID`` raises NOMIS's row limit; it is sent but kept out of the
    cache key and of the provenance.
    """

    def __init__(self, http: HttpCache, *, uid: str | None = None) -> None:
        self.http = http
        self.uid = uid if uid is not None else os.environ.get("SIA_NOMIS_UID", "")

    def _get_page(self, query: NomisQuery, offset: int) -> tuple[list[list[str]], str, bool, str]:
        url = query.url(offset)
        secret = {"uid": self.uid} if self.uid else None
        response = self.http.get(url, validate=lambda body: _check_page(body, offset), secret_params=secret)
        if self.http.dry_run:
            return [], url, False, ""
        return _check_page(response.body, offset), url, response.from_cache, response.retrieved

    def dataset_info(self, dataset: str) -> tuple[str, str]:
        """(name, last updated) of a dataset from its ``def.sdmx.json`` (empty strings if absent)."""
        url = f"{NOMIS_BASE}/{dataset}.def.sdmx.json"
        response = self.http.get(url)
        if self.http.dry_run or not response.body:
            return "", ""
        try:
            doc = json.loads(response.body)
            family = doc["structure"]["keyfamilies"]["keyfamily"][0]
            name = family.get("name", {}).get("value", "")
            updated = ""
            for ann in family.get("annotations", {}).get("annotation", []):
                if ann.get("annotationtitle", "").replace(" ", "").lower() == "lastupdated":
                    updated = str(ann.get("annotationtext", ""))
            return name, updated
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise FetchError(f"unexpected dataset definition from {url}: {exc}") from exc

    def fetch(
        self,
        queries: Iterable[NomisQuery],
        out: str | Path | None,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> FetchResult:
        """Fetch every page of every query into one CSV at ``out`` (header once) plus a sidecar.

        ``progress(rows_done, rows_total)`` is called after each page. In dry-run mode nothing is
        written (``out`` may be ``None``) and :attr:`HttpCache.planned` lists the first page of
        each query.
        """
        if out is None and not self.http.dry_run:
            raise ValueError("fetch needs the output file (out=None only in a dry run)")
        out = Path(out) if out is not None else Path("-")
        result = FetchResult(out, 0)
        header: list[str] | None = None
        writer = None
        handle = None
        try:
            for query in queries:
                if not result.dataset_updated:
                    result.dataset_name, result.dataset_updated = self.dataset_info(query.dataset)
                offset = 0
                total = None
                while total is None or offset < total:
                    rows, url, cached, retrieved = self._get_page(query, offset)
                    if self.http.dry_run:
                        result.urls.append(url)
                        break
                    result.urls.append(url)
                    result.retrieved.append(retrieved)
                    result.from_cache += int(cached)
                    page_header, data = rows[0], rows[1:]
                    if header is None:
                        header = page_header
                        out.parent.mkdir(parents=True, exist_ok=True)
                        handle = out.open("w", newline="", encoding="utf-8")
                        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
                        writer.writerow(header)
                    elif page_header != header:
                        raise FetchError(f"page at offset {offset} of {url} has different columns")
                    count_col = header.index("RECORD_COUNT")
                    total = int(data[0][count_col]) if data else 0
                    if not data and offset < (total or 0):
                        raise FetchError(f"no rows at offset {offset} although the query has {total}: {url}")
                    assert writer is not None
                    writer.writerows(data)
                    result.rows += len(data)
                    offset += len(data)
                    if progress is not None:
                        progress(offset, total)
                    if not data:
                        break
        finally:
            if handle is not None:
                handle.close()
        if not self.http.dry_run:
            sidecar = out.with_name(out.name + ".provenance.json")
            sidecar.write_text(json.dumps(result.provenance(), indent=2))
        return result
