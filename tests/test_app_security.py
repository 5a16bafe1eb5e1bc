"""Security of the consultation app: authorisation matrix, CSRF, XSS, SQL injection, tokens, headers.

Every test runs against SQLite and PostgreSQL (``db_url`` is parametrised in ``app_fixtures``).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from sqlalchemy import create_engine, text

import app_fixtures as fx
from app_fixtures import (
    ADMIN,
    FAC,
    World,
    bearer,
    create_consultation,
    csrf_of,
    invite,
    join,
    make_world,
    submission,
    web_facilitator,
    web_participant,
)

db_url = fx.db_url  # pytest fixtures shared by the app tests
pg_server = fx.pg_server

ROLES = ("anonymous", "other", "participant", "facilitator")

# expected status per role, by access class
FAC_ONLY = {"anonymous": 401, "other": 403, "participant": 403}
MEMBER = {"anonymous": 401, "other": 404}
PARTICIPANT_ONLY = {"anonymous": 401, "other": 404, "facilitator": 403}


def api_cases(w: World) -> list[tuple[str, str, Any, dict[str, int], int]]:
    """(method, path, json, expected-by-role for the denied roles, expected success status)."""
    a, t = w.a, w.themes_a
    return [
        ("GET", f"/api/consultations/{a}", None, MEMBER, 200),
        ("GET", f"/api/consultations/{a}/participants", None, FAC_ONLY, 200),
        ("POST", f"/api/consultations/{a}/participants", {"label": "x", "org_type": "lep"}, FAC_ONLY, 201),
        ("POST", f"/api/consultations/{a}/participants/{w.pid_a}/invitations", {"days": 1}, FAC_ONLY, 201),
        ("POST", f"/api/consultations/{a}/rounds/close", None, FAC_ONLY, 200),
        ("GET", f"/api/consultations/{a}/results", None, FAC_ONLY, 200),
        ("GET", f"/api/consultations/{a}/answers", None, FAC_ONLY, 200),
        ("GET", f"/api/consultations/{a}/proposals", None, FAC_ONLY, 200),
        ("GET", f"/api/consultations/{a}/export?format=parquet", None, FAC_ONLY, 200),
        ("GET", "/api/audit-log", None, {"anonymous": 401, "other": 403, "participant": 403}, 200),
        ("POST", "/api/consultations", {"title": "New", "themes": [{"name": "x"}]},
         {"anonymous": 401, "other": 403, "participant": 403}, 201),
        ("POST", f"/api/consultations/{a}/submissions", submission(t, [1, 2, 3]), PARTICIPANT_ONLY, 201),
        ("GET", f"/api/consultations/{a}/me?round=1", None, PARTICIPANT_ONLY, 200),
        ("GET", f"/api/consultations/{a}/feedback?round=1", None, {**MEMBER, "participant": 403}, 200),
    ]


API_NAMES = ["get", "participants", "add_participant", "reinvite", "close_round", "results", "answers", "proposals",
             "export", "audit_log", "create", "submit", "me", "feedback"]


@pytest.mark.parametrize("case", range(len(API_NAMES)), ids=API_NAMES)
def test_api_authorisation_matrix(db_url: str, case: int) -> None:
    """Each API endpoint x anonymous / participant of another consultation / participant / facilitator."""
    w = make_world(db_url)
    c = w.client()
    method, path, body, denied, ok = api_cases(w)[case]
    headers = {"anonymous": {}, "other": bearer(w.tok_b), "participant": bearer(w.tok_a), "facilitator": FAC}
    for role in ROLES:
        r = c.request(method, path, json=body, headers=headers[role])
        expected = denied.get(role, ok)
        if path.endswith("feedback?round=1") and role == "participant":
            expected = 403  # round 1 is still open: no feedback yet
        assert r.status_code == expected, f"{method} {path} as {role}: {r.status_code} {r.text[:200]}"
    # a participant never sees another consultation in the list
    listed = c.get("/api/consultations", headers=bearer(w.tok_a)).json()
    assert [x["id"] for x in listed] == [w.a]


WEB_CASES = {
    "dashboard": ("GET", "/facilitator", FAC_ONLY, 200),
    "admin_page": ("GET", "/facilitator/c/{a}", FAC_ONLY, 200),
    "results_page": ("GET", "/facilitator/c/{a}/results", FAC_ONLY, 200),
    "export_csv": ("GET", "/facilitator/c/{a}/export.csv", FAC_ONLY, 200),
    "add_participant_form": ("POST", "/facilitator/c/{a}/participants", FAC_ONLY, 201),
    "close_round_form": ("POST", "/facilitator/c/{a}/rounds/close", FAC_ONLY, 303),
    "participant_page": ("GET", "/c/{a}", {"anonymous": 401, "other": 404, "facilitator": 403}, 200),
    "submit_form": ("POST", "/c/{a}/submit", {"anonymous": 401, "other": 404, "facilitator": 403}, 303),
}


@pytest.mark.parametrize("name", list(WEB_CASES))
def test_web_authorisation_matrix(db_url: str, name: str) -> None:
    w = make_world(db_url)
    method, path, denied, ok = WEB_CASES[name]
    path = path.format(a=w.a)
    fac, fac_csrf = web_facilitator(w)
    part, part_csrf = web_participant(w, w.a)
    other, other_csrf = web_participant(w, w.b)
    anon = w.client()
    anon_csrf = csrf_of(anon.get("/login").text)
    clients = {"anonymous": (anon, anon_csrf), "other": (other, other_csrf), "participant": (part, part_csrf),
               "facilitator": (fac, fac_csrf)}
    for role in ROLES:
        client, token = clients[role]
        if method == "GET":
            r = client.get(path)
        else:
            data = {"csrf_token": token, "label": "x", "org_type": "lep", "submission_id": str(uuid.uuid4()),
                    f"score-{w.themes_a[0]}-strength": "4"}
            r = client.post(path, data=data)
        expected = denied.get(role, ok)
        assert r.status_code == expected, f"{method} {path} as {role}: {r.status_code} {r.text[:300]}"
        if role != "facilitator" and method == "GET":
            assert "Uni A" not in r.text  # facilitator-only data never leaks into a denied page


def test_csrf(db_url: str) -> None:
    w = make_world(db_url)
    part, token = web_participant(w, w.a)
    form = {"submission_id": str(uuid.uuid4()), f"score-{w.themes_a[0]}-strength": "5"}
    assert part.post(f"/c/{w.a}/submit", data=form).status_code == 403  # no token
    assert part.post(f"/c/{w.a}/submit", data={**form, "csrf_token": "forged"}).status_code == 403
    cross = part.post(f"/c/{w.a}/submit", data={**form, "csrf_token": token}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    fac = w.client()
    assert fac.get(f"/api/consultations/{w.a}/me?round=1", headers=bearer(w.tok_a)).json()["scores"] == []
    ok = part.post(f"/c/{w.a}/submit", data={**form, "csrf_token": token})
    assert ok.status_code == 303
    # login form: double-submit cookie; a token from another browser is refused
    anon = w.client()
    csrf_of(anon.get("/login").text)
    assert anon.post("/login", data={"csrf_token": token, "token": ADMIN}).status_code == 403
    assert anon.post("/login", data={"token": ADMIN}).status_code == 403
    # the refused posts stored nothing: exactly the one accepted score
    answers = fac.get(f"/api/consultations/{w.a}/answers", headers=FAC).json()
    assert [(a["theme_id"], a["criterion"], a["score"]) for a in answers] == [(w.themes_a[0], "strength", 5)]


XSS = "<script>alert(1)</script>"


def test_stored_xss_is_escaped(db_url: str) -> None:
    w = make_world(db_url, feedback_min_n=1)
    fac = w.client()
    created = create_consultation(fac, "X " + XSS, themes=[{"name": XSS, "description": XSS}])
    cid, tid = created["id"], created["themes"][0]["id"]
    fac.post(f"/api/consultations/{cid}/rounds", headers=FAC)
    part, _ = web_participant(w, cid, label=XSS)
    _, tok = join(fac, cid)
    body = submission([tid], [3], comments=[{"theme_id": tid, "text": XSS}], proposals=[{"name": XSS}])
    assert fac.post(f"/api/consultations/{cid}/submissions", json=body, headers=bearer(tok)).status_code == 201
    fac.post(f"/api/consultations/{cid}/rounds/close", headers=FAC)
    fac.post(f"/api/consultations/{cid}/rounds", headers=FAC)
    fweb, _ = web_facilitator(w)
    pages = [part.get(f"/c/{cid}").text, fweb.get(f"/facilitator/c/{cid}").text,
             fweb.get(f"/facilitator/c/{cid}/results").text, fweb.get("/facilitator").text]
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for html in pages:
        assert XSS not in html
        assert escaped in html
    # the participant page shows the comment (escaped) in the round-1 feedback
    assert pages[0].count(escaped) >= 3  # theme name, description, comment
    # only nonce'd scripts exist on the page
    for m in re.finditer(r"<script([^>]*)>", pages[0]):
        assert "nonce=" in m.group(1)


SQLI = ["'); DROP TABLE answer; --", "x' OR '1'='1", "1; DELETE FROM participant", "\" OR \"\"=\""]


def test_sql_injection_payloads_are_data(db_url: str) -> None:
    w = make_world(db_url)
    c = w.client()
    created = create_consultation(c, SQLI[0], themes=[{"name": s, "description": s} for s in SQLI])
    cid = created["id"]
    assert [t["name"] for t in created["themes"]] == SQLI
    inv = invite(c, cid, "lep", SQLI[1])
    assert c.get(f"/api/consultations/{cid}/participants", headers=FAC).json()[0]["label"] == SQLI[1]
    # payloads in path and query parameters are rejected by validation, not executed
    assert c.get("/api/consultations/1 OR 1=1", headers=FAC).status_code == 422
    assert c.get(f"/api/consultations/{cid}/results?round=1 OR 1=1", headers=FAC).status_code == 422
    assert c.post("/api/invitations/accept", json={"token": SQLI[1]}).status_code == 401
    assert c.get(f"/invite/{SQLI[1]}").status_code == 401
    assert c.get("/api/consultations", headers=bearer(SQLI[1])).status_code == 401
    accepted = c.post("/api/invitations/accept", json={"token": inv["invitation_token"]})
    assert accepted.status_code == 200
    engine = create_engine(w.url.replace("postgresql+psycopg", "postgresql+psycopg"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM participant")).scalar() == 3
        assert conn.execute(text("SELECT count(*) FROM theme")).scalar() == 3 + 3 + len(SQLI)
        conn.execute(text("SELECT count(*) FROM answer")).scalar()  # the table still exists
    engine.dispose()


def test_invitation_single_use_and_expiry(db_url: str) -> None:
    w = make_world(db_url)
    c = w.client()
    inv = invite(c, w.a)
    first = c.post("/api/invitations/accept", json={"token": inv["invitation_token"]})
    assert first.status_code == 200
    assert c.post("/api/invitations/accept", json={"token": inv["invitation_token"]}).status_code == 401
    assert c.get(f"/invite/{inv['invitation_token']}").status_code == 401
    # tokens are stored hashed: the raw token appears nowhere in the database
    engine = create_engine(w.url)
    with engine.connect() as conn:
        hashes = [r[0] for r in conn.execute(text("SELECT token_hash FROM invitation"))]
        assert inv["invitation_token"] not in hashes and all(len(h) == 64 for h in hashes)
        # expire a fresh invitation by moving its expiry into the past
        inv2 = invite(c, w.a)
    with engine.begin() as conn:
        conn.execute(text("UPDATE invitation SET expires_at = :t WHERE used_at IS NULL"),
                     {"t": "2000-01-01 00:00:00"})
    engine.dispose()
    assert c.post("/api/invitations/accept", json={"token": inv2["invitation_token"]}).status_code == 401
    # re-invitation revokes the participant's earlier API token
    pid = first.json()["participant_id"]
    old = first.json()["api_token"]
    assert c.get(f"/api/consultations/{w.a}", headers=bearer(old)).status_code == 200
    again = c.post(f"/api/consultations/{w.a}/participants/{pid}/invitations", json={"days": 1}, headers=FAC).json()
    new = c.post("/api/invitations/accept", json={"token": again["invitation_token"]}).json()["api_token"]
    assert c.get(f"/api/consultations/{w.a}", headers=bearer(old)).status_code == 401
    assert c.get(f"/api/consultations/{w.a}", headers=bearer(new)).status_code == 200


def test_rate_limit_on_token_endpoints(tmp_path: Any) -> None:
    # burst 5: the two invitations accepted while building the world leave 3
    w = make_world(f"sqlite:///{tmp_path / 'r.db'}", rate_limit=(5.0, 0.001))
    c = w.client()
    codes = [c.post("/api/invitations/accept", json={"token": f"wrong-{i}"}).status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    r = c.get("/api/consultations", headers=bearer("still-wrong"))
    assert r.status_code == 429 and "Retry-After" in r.headers


def test_security_headers_and_openapi(tmp_path: Any) -> None:
    w = make_world(f"sqlite:///{tmp_path / 'h.db'}")
    c = w.client()
    part, _ = web_participant(w, w.a)
    r = part.get(f"/c/{w.a}")
    csp = r.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert f'<script nonce="{nonce}">' in r.text and f'<style nonce="{nonce}">' in r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "http://" not in r.text.replace("http://testserver", "") and "https://" not in r.text  # no CDN
    assert c.get("/docs").status_code == 404  # the Swagger UI would load from a CDN; it is not served
    spec = c.get("/openapi.json").json()
    assert "/api/consultations/{cid}/submissions" in spec["paths"]
    assert all(p.startswith("/api/") for p in spec["paths"])


def test_idempotent_submission(db_url: str) -> None:
    w = make_world(db_url)
    c = w.client()
    body = submission(w.themes_a, [4, None, 2], comments=[{"theme_id": w.themes_a[0], "text": "ok"}])
    first = c.post(f"/api/consultations/{w.a}/submissions", json=body, headers=bearer(w.tok_a))
    again = c.post(f"/api/consultations/{w.a}/submissions", json=body, headers=bearer(w.tok_a))
    assert (first.status_code, again.status_code) == (201, 200)
    assert {**first.json(), "replayed": True} == again.json()
    changed = {**body, "scores": [{"theme_id": w.themes_a[0], "criterion": "strength", "score": 1}]}
    assert c.post(f"/api/consultations/{w.a}/submissions", json=changed, headers=bearer(w.tok_a)).status_code == 409
    # web double post of the same form (same hidden submission_id) stores once
    part, token = web_participant(w, w.a)
    form = {"csrf_token": token, "submission_id": str(uuid.uuid4()), f"score-{w.themes_a[1]}-opportunity": "3"}
    assert part.post(f"/c/{w.a}/submit", data=form).status_code == 303
    assert part.post(f"/c/{w.a}/submit", data=form).status_code == 303
    engine = create_engine(w.url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM submission")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM answer")).scalar() == 4
    engine.dispose()
    answers = c.get(f"/api/consultations/{w.a}/answers", headers=FAC).json()
    got = sorted((a["theme_id"], a["criterion"], a["score"]) for a in answers)
    want = sorted([(w.themes_a[0], "strength", 4), (w.themes_a[1], "strength", None),
                   (w.themes_a[2], "strength", 2), (w.themes_a[1], "opportunity", 3)])
    assert got == want


def test_input_bounds(tmp_path: Any) -> None:
    w = make_world(f"sqlite:///{tmp_path / 'b.db'}")
    c = w.client()
    h = bearer(w.tok_a)
    url = f"/api/consultations/{w.a}/submissions"
    assert c.post(url, json=submission(w.themes_a, [6, 1, 1]), headers=h).status_code == 422  # score > 5
    assert c.post(url, json=submission(w.themes_a, [0, 1, 1]), headers=h).status_code == 422
    assert c.post(url, json=submission(w.themes_b, [1, 1, 1]), headers=h).status_code == 422  # B's themes
    assert c.post(url, json=submission(w.themes_a, [1, 1, 1], criterion="bogus"), headers=h).status_code == 422
    long = submission(w.themes_a, [1, 1, 1], comments=[{"theme_id": w.themes_a[0], "text": "x" * 2001}])
    assert c.post(url, json=long, headers=h).status_code == 422
    bad_id = {**submission(w.themes_a, [1, 1, 1]), "submission_id": "not-a-uuid"}
    assert c.post(url, json=bad_id, headers=h).status_code == 422
    twice = submission([w.themes_a[0], w.themes_a[0]], [1, 2])
    assert c.post(url, json=twice, headers=h).status_code == 422
    assert c.post(url, json={**submission(w.themes_a, [1, 1, 1]), "round": 2}, headers=h).status_code == 409
    assert c.get(f"/api/consultations/{w.a}/answers", headers=FAC).json() == []
