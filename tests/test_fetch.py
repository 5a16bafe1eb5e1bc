"""Live-data clients tested with no network: recorded NOMIS / ONS responses replayed by an httpx transport.

The replay serves the raw NOMIS API outputs in ``shared/data`` (files named ``*nomis_raw*``) page by
page as NOMIS does (``recordoffset``), and the shared ONS lookup CSV as ArcGIS JSON pages, and can
inject HTTP 429, HTTP 500 and truncated bodies.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pandas as pd
import pytest
from typer.testing import CliRunner

from sia.sources import nomis_api, ons_geography
from sia.sources.http_cache import FetchError, HttpCache

RAW_FILES = (
    "io/bres_gb_2021_at_ioat_sic_levels_nomis_raw.csv.gz",
    "employment/bres_scotland_2019_sic5_nomis_raw.csv.gz",
)


def _read_raw(path: Path) -> tuple[list[str], list[list[str]]]:
    data = path.read_bytes()
    import gzip

    text = gzip.decompress(data)
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        decoded = text.decode("cp1252")
    rows = list(csv.reader(io.StringIO(decoded)))
    return rows[0], rows[1:]


class NomisReplay:
    """An httpx handler that answers NOMIS data and definition calls from a recorded file."""

    def __init__(self, header: list[str], rows: list[list[str]], page: int) -> None:
        self.header, self.rows, self.page = header, rows, page
        self.calls: list[str] = []
        self.fail_queue: list[str] = []  # "429", "500", "truncate" consumed one per data call

    def _csv(self, rows: list[list[str]]) -> bytes:
        buf = io.StringIO()
        w = csv.writer(buf, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        w.writerow(self.header)
        w.writerows(rows)
        return buf.getvalue().encode()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.calls.append(url)
        if url.endswith(".def.sdmx.json"):
            doc = {
                "structure": {
                    "keyfamilies": {
                        "keyfamily": [
                            {
                                "name": {"value": "Business Register and Employment Survey : open access"},
                                "annotations": {
                                    "annotation": [{"annotationtitle": "LastUpdated", "annotationtext": "2022-10-05"}]
                                },
                            }
                        ]
                    }
                }
            }
            return httpx.Response(200, json=doc)
        if self.fail_queue:
            what = self.fail_queue.pop(0)
            if what == "429":
                return httpx.Response(429, headers={"Retry-After": "7"}, text="slow down")
            if what == "500":
                return httpx.Response(500, text="server error")
            if what == "truncate":
                offset = int(parse_qs(urlparse(url).query).get("recordoffset", ["0"])[0])
                body = self._csv(self.rows[offset : offset + self.page])
                return httpx.Response(200, content=body[: len(body) // 2])
        offset = int(parse_qs(urlparse(url).query).get("recordoffset", ["0"])[0])
        return httpx.Response(200, content=self._csv(self.rows[offset : offset + self.page]))


@pytest.fixture
def replay(shared_data: Callable[[str], Path]) -> NomisReplay:
    header, rows = _read_raw(shared_data(RAW_FILES[0]))
    return NomisReplay(header, rows, page=100)


def _client(handler: NomisReplay, cache: Path, **kw: object) -> tuple[nomis_api.NomisClient, list[float]]:
    sleeps: list[float] = []
    http = HttpCache(cache, client=httpx.Client(transport=httpx.MockTransport(handler)), sleep=sleeps.append, **kw)
    return nomis_api.NomisClient(http, uid=""), sleeps


def _query() -> nomis_api.NomisQuery:
    return nomis_api.bres_query(geography="K03000001", years=[2021], sic_codes=["01", "101", "1101"])


def test_industry_ids_match_the_recorded_nomis_ids(shared_data: Callable[[str], Path]) -> None:
    for name in RAW_FILES:
        header, rows = _read_raw(shared_data(name))
        i_id, i_code = header.index("INDUSTRY"), header.index("INDUSTRY_CODE")
        pairs = {(r[i_id], r[i_code]) for r in rows}
        assert pairs, name
        for nomis_id, code in pairs:
            assert nomis_api.sic_industry_id(code) == int(nomis_id), (name, code)
    assert nomis_api.sic_industry_id("A") == 36 * 2**22 + 1
    assert nomis_api.sic_industry_id("30.3") == 34 * 2**22 + 303
    with pytest.raises(ValueError, match="not a SIC 2007"):
        nomis_api.sic_industry_id("3x")


def test_paged_fetch_reproduces_the_recording(replay: NomisReplay, tmp_path: Path) -> None:
    client, _ = _client(replay, tmp_path / "cache")
    out = tmp_path / "bres.csv"
    pages: list[tuple[int, int]] = []
    result = client.fetch([_query()], out, progress=lambda done, total: pages.append((done, total)))
    n = len(replay.rows)
    assert result.rows == n == 608
    assert pages[-1] == (n, n) and len(pages) == 7  # 608 rows in pages of 100
    got = pd.read_csv(out, dtype=str)
    want = pd.DataFrame(replay.rows, columns=replay.header)
    pd.testing.assert_frame_equal(got.fillna(""), want.fillna(""), check_dtype=False)
    offsets = [parse_qs(urlparse(u).query).get("recordoffset", ["0"])[0] for u in result.urls]
    assert offsets == ["0", "100", "200", "300", "400", "500", "600"]
    prov = json.loads((tmp_path / "bres.csv.provenance.json").read_text())
    assert prov["dataset_last_updated"] == "2022-10-05"
    assert prov["queries"][0].startswith("https://www.nomisweb.co.uk/api/v01/dataset/NM_189_1.data.csv?")
    assert "employment_status=4" in prov["queries"][0]
    assert len(prov["retrieved"]) == 7


def test_retries_on_429_500_and_truncation(replay: NomisReplay, tmp_path: Path) -> None:
    replay.fail_queue = ["429", "500", "truncate"]
    client, sleeps = _client(replay, tmp_path / "cache", backoff=0.5)
    result = client.fetch([_query()], tmp_path / "out.csv")
    assert result.rows == 608
    # Retry-After honoured for 429, then exponential backoff 0.5 * 2**attempt
    assert sleeps == [7.0, 1.0, 2.0]


def test_gives_up_with_a_clear_message(replay: NomisReplay, tmp_path: Path) -> None:
    replay.fail_queue = ["truncate"] * 10
    client, _ = _client(replay, tmp_path / "cache", max_retries=2)
    with pytest.raises(FetchError, match=r"gave up after 3 tries \(invalid response: .*truncated"):
        client.fetch([_query()], tmp_path / "out.csv")


def test_cache_hit_and_offline(replay: NomisReplay, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    client, _ = _client(replay, cache)
    client.fetch([_query()], tmp_path / "a.csv")
    sent = len(replay.calls)
    again, _ = _client(replay, cache)
    result = again.fetch([_query()], tmp_path / "b.csv")
    assert len(replay.calls) == sent  # nothing sent: every page from the cache
    assert result.from_cache == 7
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    offline, _ = _client(replay, cache, offline=True)
    assert offline.fetch([_query()], tmp_path / "c.csv").rows == 608
    other = nomis_api.bres_query(geography="K03000001", years=[2020], sic_level=2)
    with pytest.raises(FetchError, match=r"offline and not in the cache .*date=2020"):
        offline.fetch([other], tmp_path / "d.csv")


def test_dry_run_sends_nothing(replay: NomisReplay, tmp_path: Path) -> None:
    client, _ = _client(replay, tmp_path / "cache", dry_run=True)
    result = client.fetch([_query()], tmp_path / "x.csv")
    assert replay.calls == []
    assert not (tmp_path / "x.csv").exists()
    assert result.urls == [_query().url()]
    assert client.http.planned[-1] == _query().url()


def test_api_key_is_sent_but_not_cached(replay: NomisReplay, tmp_path: Path) -> None:
    http = HttpCache(tmp_path / "cache", client=httpx.Client(transport=httpx.MockTransport(replay)))
    client = nomis_api.NomisClient(http, uid="SECRET123")
    result = client.fetch([_query()], tmp_path / "k.csv")
    assert all("uid=SECRET123" in c for c in replay.calls if ".data.csv" in c)
    assert not any("SECRET" in u for u in result.urls)
    assert "SECRET" not in (tmp_path / "k.csv.provenance.json").read_text()
    assert not any("SECRET" in p.read_text() for p in (tmp_path / "cache").glob("*.json"))


def test_query_validation() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        nomis_api.industry_selection()
    with pytest.raises(ValueError, match="sic_level"):
        nomis_api.industry_selection(sic_level=7)
    with pytest.raises(ValueError, match="BRES measure"):
        nomis_api.bres_query(geography="x", years=[2021], sic_level=2, measure="salary")
    assert nomis_api.parse_years("2015-2017,2021") == [2015, 2016, 2017, 2021]
    assert nomis_api.industry_selection(sic_level=5) == "TYPE32"


class ArcGisReplay:
    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        q = parse_qs(urlparse(str(request.url)).query)
        offset, size = int(q["resultOffset"][0]), int(q["resultRecordCount"][0])
        page = self.frame.iloc[offset : offset + size]
        feats = [{"attributes": rec} for rec in page.to_dict("records")]
        return httpx.Response(200, json={"features": feats, "exceededTransferLimit": offset + size < len(self.frame)})


def test_ons_lookup_paged(shared_data: Callable[[str], Path], tmp_path: Path) -> None:
    frame = pd.read_csv(shared_data("geography/lad23_lau121_itl321_itl221_itl121_uk_lookup.csv"), dtype=str)
    handler = ArcGisReplay(frame)
    http = HttpCache(tmp_path / "cache", client=httpx.Client(transport=httpx.MockTransport(handler)))
    res = ons_geography.fetch_lookup(http, "lad23-itl21", tmp_path / "lookup.csv", page_size=150)
    assert res.rows == len(frame)
    assert handler.calls == -(-len(frame) // 150)
    got = pd.read_csv(tmp_path / "lookup.csv", dtype=str)
    pd.testing.assert_frame_equal(got, frame)
    assert "LAD23_LAU121_ITL321_ITL221_ITL121_UK_LU" in res.urls[0]


def test_cli_fetch_dry_run_and_offline(replay: NomisReplay, tmp_path: Path) -> None:
    from sia.cli import app

    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "fetch",
            "bres",
            "--geography",
            "E08000025,E08000026",
            "--sic-level",
            "2",
            "--years",
            "2015-2021",
            "--dry-run",
            "--cache-dir",
            str(tmp_path / "c"),
            "-o",
            str(tmp_path / "o.csv"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "NM_189_1.data.csv" in res.output
    assert "date=2015,2016,2017,2018,2019,2020,2021" in res.output
    res = runner.invoke(
        app,
        [
            "fetch",
            "bres",
            "--geography",
            "K03000001",
            "--sic",
            "01,101",
            "--years",
            "2021",
            "--offline",
            "--cache-dir",
            str(tmp_path / "c"),
            "-o",
            str(tmp_path / "o.csv"),
        ],
    )
    assert res.exit_code == 2
    assert "offline and not in the cache" in res.output


def test_ubc_query_broad_groups_and_size_bands(tmp_path: Path) -> None:
    q = nomis_api.ubc_query(geography="E08000025", years=[2021], broad_industry=True)
    url = q.url()
    assert "/NM_142_1.data.csv?" in url  # enterprises
    assert "industry=TYPE39" in url and "employment_sizeband=0,10,20,30,40" in url
    with pytest.raises(ValueError, match="not both"):
        nomis_api.ubc_query(geography="x", years=[2021], broad_industry=True, sic_level=2)
    res = CliRunner().invoke(
        __import__("sia.cli", fromlist=["app"]).app,
        [
            "fetch",
            "ubc",
            "--geography",
            "E08000025",
            "--years",
            "2021",
            "--broad-industry",
            "--dry-run",
            "--cache-dir",
            str(tmp_path),
            "-o",
            str(tmp_path / "u.csv"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "industry=TYPE39" in res.output
