"""Client for lookup tables of the ONS Open Geography Portal (ArcGIS REST feature services).

A lookup such as "LAD (April 2023) to LAU1 to ITL3 to ITL2 to ITL1 (January 2021)" is a feature
service on the portal; its rows are read with the ArcGIS REST ``query`` operation
(``.../FeatureServer/0/query?where=1=1&outFields=*&f=json``), which returns at most a server-set
number of features per call and says ``exceededTransferLimit: true`` when more remain; further
pages are read with ``resultOffset``. The rows are written as a CSV with the service's own column
names (``LAD23CD, LAD23NM, ITL321CD, ...``), the layout that
:meth:`sia.geography.Geography.from_lookup_csv` and the built-in UK geography read.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sia.sources.http_cache import FetchError, HttpCache, build_url
from sia.sources.ons_lookups import LOOKUPS  # re-exported: the short names live there

#: The ONS Open Geography Portal's ArcGIS organisation.
ONS_ARCGIS_BASE = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"
PAGE_SIZE = 2000

def query_url(service: str, offset: int, page_size: int = PAGE_SIZE) -> str:
    return build_url(
        f"{ONS_ARCGIS_BASE}/{service}/FeatureServer/0/query",
        {
            "where": "1=1",
            "outFields": "*",
            "returnGeometry": "false",
            "resultOffset": offset,
            "resultRecordCount": page_size,
            "f": "json",
        },
    )


@dataclass
class LookupResult:
    path: Path
    rows: int
    service: str
    urls: list[str] = field(default_factory=list)
    retrieved: list[str] = field(default_factory=list)

    def provenance(self) -> dict[str, object]:
        return {
            "source": "ONS Open Geography Portal",
            "service": self.service,
            "queries": self.urls,
            "retrieved": self.retrieved,
            "rows": self.rows,
            "licence": "Open Government Licence v3.0; contains OS data (c) Crown copyright and database right",
        }


def _parse_page(body: bytes) -> tuple[list[dict[str, object]], bool]:
    try:
        doc = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON (truncated?): {exc}") from exc
    if "error" in doc:
        raise FetchError(f"ArcGIS error: {doc['error']}")
    if "features" not in doc:
        raise ValueError("no 'features' in the response")
    rows = [f.get("attributes", {}) for f in doc["features"]]
    return rows, bool(doc.get("exceededTransferLimit", False))


def fetch_lookup(
    http: HttpCache,
    lookup: str,
    out: str | Path | None,
    *,
    page_size: int = PAGE_SIZE,
    progress: Callable[[int], None] | None = None,
) -> LookupResult:
    """Fetch every row of a lookup service (short name from :data:`LOOKUPS` or a service name) to CSV.

    In a dry run (``http.dry_run``) nothing is written and ``out`` may be ``None``.
    """
    service = LOOKUPS.get(lookup, lookup)
    if out is None and not http.dry_run:
        raise ValueError("fetch_lookup needs the output file (out=None only in a dry run)")
    out = Path(out) if out is not None else Path("-")
    result = LookupResult(out, 0, service)
    rows: list[dict[str, object]] = []
    offset = 0
    while True:
        url = query_url(service, offset, page_size)
        response = http.get(url, validate=lambda body: _parse_page(body))
        result.urls.append(url)
        if http.dry_run:
            return result
        result.retrieved.append(response.retrieved)
        page, more = _parse_page(response.body)
        rows.extend(page)
        offset += len(page)
        if progress is not None:
            progress(offset)
        if not more or not page:
            break
    columns = list(rows[0].keys()) if rows else []
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    result.rows = len(rows)
    out.with_name(out.name + ".provenance.json").write_text(json.dumps(result.provenance(), indent=2))
    return result
