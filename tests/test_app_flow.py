"""A two-round Delphi consultation through the API and the pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import math

import pandas as pd

import app_fixtures as fx
from app_fixtures import FAC, bearer, join, make_world, submission, web_facilitator, web_participant

db_url = fx.db_url
pg_server = fx.pg_server


def test_two_round_delphi(db_url: str) -> None:
    w = make_world(db_url)
    c = w.client()
    t = w.themes_a
    tokens = [w.tok_a] + [join(c, w.a, org)[1] for org in ("business", "business", "lep")]
    # round 1 scores on "strength" for theme 0: 1, 2, 4, 5 (and theme 1: don't know from everyone)
    for tok, s0, text in zip(tokens, [1, 2, 4, 5], ["skills shortage", "skills and supply chain", "", "supply"],
                             strict=True):
        body = submission(t[:2], [s0, None], comments=[{"theme_id": t[0], "text": text}] if text else [])
        assert c.post(f"/api/consultations/{w.a}/submissions", json=body, headers=bearer(tok)).status_code == 201
    assert c.post(f"/api/consultations/{w.a}/rounds/close", headers=FAC).status_code == 200
    assert c.post(f"/api/consultations/{w.a}/rounds", headers=FAC).json() == {"round": 2, "open": True}
    fb = c.get(f"/api/consultations/{w.a}/feedback?round=1", headers=bearer(tokens[1])).json()
    f0 = fb["themes"][0]["criteria"]["strength"]
    # sorted 1,2,4,5: q1 = 1 + .75*(2-1) = 1.75, median 3, q3 = 4 + .25*(5-4) = 4.25
    assert f0 == {"n": 4, "n_dont_know": 0, "suppressed": False, "median": 3.0, "q1": 1.75, "q3": 4.25,
                  "iqr": 2.5, "counts": [1, 1, 0, 1, 1]}
    assert fb["themes"][1]["criteria"]["strength"] == {"n": 0, "n_dont_know": 4, "suppressed": True}
    assert fb["themes"][0]["comments"] == ["skills and supply chain", "skills shortage", "supply"]
    assert fb["themes"][0]["keywords"] == [{"word": "skills", "comments": 2}, {"word": "supply", "comments": 2}]
    assert "participant_id" not in str(fb)
    # round 2: everyone moves towards 3 or 4
    for tok, s0 in zip(tokens, [3, 3, 4, 4], strict=True):
        body = submission(t[:1], [s0])
        assert c.post(f"/api/consultations/{w.a}/submissions", json=body, headers=bearer(tok)).status_code == 201
    res = pd.DataFrame(c.get(f"/api/consultations/{w.a}/results", headers=FAC).json())
    row = res[(res.theme_id == t[0]) & (res.criterion == "strength")].iloc[0]
    # 3,3,4,4: median 3.5, q1 = 3 + .75*0 = 3, q3 = 4 + .25*0 = 4 -> IQR 1 -> agreement;
    # Tastle-Wierman: mu 3.5, 1 + 2*.5*log2(1 - .5/4) = 1 + log2(.875)
    assert (row["round"], row["n"], row["median"], row["iqr"], row["agreement"]) == (2, 4, 3.5, 1.0, True)
    assert abs(row["consensus_tw"] - (1 + math.log2(0.875))) < 1e-12
    assert (row["n_university"], row["n_business"], row["n_lep"]) == (1, 2, 1)
    r1 = pd.DataFrame(c.get(f"/api/consultations/{w.a}/results?round=1", headers=FAC).json())
    assert r1[(r1.theme_id == t[0]) & (r1.criterion == "strength")].iloc[0]["median"] == 3.0
    parquet = c.get(f"/api/consultations/{w.a}/export?format=parquet", headers=FAC)
    exported = pd.read_parquet(io.BytesIO(parquet.content))
    assert len(exported) == 3 * 3 and exported["round"].unique().tolist() == [2]
    # web pages: round-2 participant page shows the round-1 distribution; admin page lists the audit log
    part, _ = web_participant(w, w.a)
    html = part.get(f"/c/{w.a}").text
    assert "Round 2" in html and "median 3.0, IQR 2.5, n 4" in html and "skills shortage" in html
    fac, _ = web_facilitator(w)
    admin = fac.get(f"/facilitator/c/{w.a}").text
    for action in ("create_consultation", "add_participant", "open_round", "close_round"):
        assert action in admin
    log = c.get("/api/audit-log", headers=FAC).json()
    assert [x["action"] for x in log if x["consultation_id"] == w.a].count("open_round") == 2
