"""Browser test: Playwright drives Debian chromium (headless) against a real ``sia serve`` subprocess.

A facilitator logs in, creates a consultation from a themes CSV, invites two participants and opens round 1;
participant 1 completes round 1 in the browser (another answers through the API so the feedback reaches the
anonymity threshold); the facilitator closes round 1 and opens round 2; participant 1 sees the round-1
distribution and revises. No console errors and no request leaves 127.0.0.1.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from app_fixtures import FAC, Server, in_ci

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


@pytest.mark.browser
def test_facilitator_and_participant_in_browser(tmp_path: Path) -> None:
    if not os.path.exists(CHROMIUM):
        if in_ci():
            pytest.fail(f"{CHROMIUM} missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} missing")
    sync_api = pytest.importorskip("playwright.sync_api")
    csv = tmp_path / "themes.csv"
    csv.write_text("theme,description,codes,data_score\nAdvanced manufacturing,Machinery,28,2.1\n"
                   "Life sciences,Pharma,21,0.8\n")
    server = Server(str(tmp_path / "b.db")).start()
    problems: list[str] = []
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)

            def watch(page: Any) -> None:
                page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: problems.append(str(e)))
                page.on("request", lambda r: None if r.url.startswith((server.base, "data:"))
                        else problems.append("external " + r.url))

            fac = browser.new_context().new_page()
            watch(fac)
            fac.goto(server.base + "/login")
            fac.fill("#token", server.env["SIA_ADMIN_TOKEN"])
            fac.click("#login")
            fac.fill("#title", "Midlands EDP")
            fac.set_input_files("#themes_file", str(csv))
            fac.click("#create")
            fac.wait_for_selector("#open-round")
            cid = int(fac.url.rstrip("/").split("/")[-1])
            fac.fill("#p-label", "Firm One")
            fac.select_option("#p-org", "business")
            fac.click("#invite")
            link = fac.inner_text("#invitation-url").strip()
            assert link.startswith(server.base + "/invite/")
            fac.click("#open-round")
            fac.wait_for_selector("#close-round")

            # two more participants through the API (feedback needs 3 scores per theme)
            api = httpx.Client(base_url=server.base, timeout=10)
            themes = api.get(f"/api/consultations/{cid}", headers=FAC).json()["themes"]
            for org, score in (("university", 2), ("lep", 4)):
                inv = api.post(f"/api/consultations/{cid}/participants", json={"label": org, "org_type": org},
                               headers=FAC).json()
                tok = api.post("/api/invitations/accept", json={"token": inv["invitation_token"]}).json()["api_token"]
                body = {"submission_id": str(uuid.uuid4()),
                        "scores": [{"theme_id": t["id"], "criterion": c, "score": score}
                                   for t in themes for c in ("strength", "opportunity", "readiness")],
                        "comments": [{"theme_id": themes[0]["id"], "text": f"{org} sees a skills gap"}]}
                assert api.post(f"/api/consultations/{cid}/submissions", json=body,
                                headers={"Authorization": f"Bearer {tok}"}).status_code == 201

            part = browser.new_context().new_page()
            watch(part)
            part.goto(link)
            part.click("#accept")
            part.click("#continue")
            part.wait_for_selector("#round-heading")
            assert part.inner_text("#progress") == "Answered 0 of 6."
            for sel in part.query_selector_all("select.score"):
                sel.select_option("3")
            assert part.inner_text("#progress") == "Answered 6 of 6."  # the nonce'd inline script ran
            part.fill(f"textarea[name=comment-{themes[0]['id']}]", "Strong <b>cluster</b>")
            part.fill("#proposal-name", "Agri-tech")
            part.click("#submit")
            part.wait_for_selector("#saved")

            fac.click("#close-round")
            fac.wait_for_selector("#open-round")
            fac.click("#open-round")
            fac.wait_for_selector("#close-round")

            part.goto(f"{server.base}/c/{cid}")
            assert "Round 2" in part.inner_text("#round-heading")
            text = part.inner_text("main")
            assert "median 3.0, IQR 1.0, n 3" in text  # scores 2, 3, 4
            assert "Strong <b>cluster</b>" in part.text_content("ul.comments")  # shown as text, not markup
            assert part.query_selector("ul.comments b") is None
            first = part.query_selector_all("select.score")[0]
            assert first.input_value() == "3"  # pre-filled with the round-1 answer
            first.select_option("4")
            part.click("#submit")
            part.wait_for_selector("#saved")

            fac.goto(f"{server.base}/facilitator/c/{cid}/results")
            assert "Life sciences" in fac.inner_text("#results")
            fac.goto(f"{server.base}/facilitator/c/{cid}")
            assert "Agri-tech" in fac.inner_text("main")
            browser.close()
        answers = api.get(f"/api/consultations/{cid}/answers?round=2", headers=FAC).json()
        assert len(answers) == 6 and sorted(a["score"] for a in answers) == [3, 3, 3, 3, 3, 4]
        results = api.get(f"/api/consultations/{cid}/results?round=2", headers=FAC).json()
        assert results[0]["n"] == 1 and results[0]["median"] == 4.0
    finally:
        server.stop()
    assert problems == []
