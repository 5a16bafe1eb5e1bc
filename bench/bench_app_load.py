"""Load test of ``sia serve`` on loopback: simulated participants submitting a full consultation.

Usage::

    python bench/bench_app_load.py --participants 200 --themes 40 --workers 16 [--database URL]

Phases
------
1. ``sia serve`` starts in a subprocess on a free 127.0.0.1 port (SQLite file by default, WAL, synchronous=FULL).
2. The facilitator API creates a consultation of ``--themes`` themes x 3 criteria and invites
   ``--participants`` participants (each accepts its invitation to get an API token); round 1 opens.
3. Load: every participant submits one submission (all themes x criteria, ~10% "don't know", a comment on
   every fifth theme) from ``--workers`` concurrent threads; each request's latency is recorded.
   Then every submission is replayed once (idempotency under load: all must answer ``replayed: true``).
4. Check: the stored answers (facilitator ``/answers``) equal the sent ones exactly, with no duplicates.
5. Kill and restart: a fresh database; participants submit while the server is SIGKILLed after about half
   of them were acknowledged; the server restarts on the same file; every acknowledged submission must be
   stored exactly once, and every other participant has all or none of its answers (atomicity).

Only loopback is used; the run is bounded by its sizes (a few minutes at most on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from app_fixtures import FAC, Server

CRITERIA = ("strength", "opportunity", "readiness")
ORGS = ("business", "university", "lep", "local_authority", "science_park", "catapult", "network_organisation")


def setup(base: str, n_participants: int, n_themes: int) -> tuple[int, list[int], list[str]]:
    with httpx.Client(base_url=base, timeout=30) as c:
        themes = [{"name": f"Theme {i:03d}", "description": f"candidate theme {i}", "data_score": float(i % 7)}
                  for i in range(n_themes)]
        r = c.post("/api/consultations", json={"title": "load", "themes": themes}, headers=FAC)
        r.raise_for_status()
        cid, tids = r.json()["id"], [t["id"] for t in r.json()["themes"]]
        tokens = []
        for i in range(n_participants):
            inv = c.post(f"/api/consultations/{cid}/participants",
                         json={"label": f"p{i}", "org_type": ORGS[i % len(ORGS)]}, headers=FAC).json()
            acc = c.post("/api/invitations/accept", json={"token": inv["invitation_token"]})
            acc.raise_for_status()
            tokens.append(acc.json()["api_token"])
        c.post(f"/api/consultations/{cid}/rounds", headers=FAC).raise_for_status()
    return cid, tids, tokens


def payload(rng: random.Random, tids: list[int]) -> dict[str, Any]:
    scores = [{"theme_id": t, "criterion": k, "score": None if rng.random() < 0.1 else rng.randint(1, 5)}
              for t in tids for k in CRITERIA]
    comments = [{"theme_id": t, "text": f"note {rng.randint(0, 999)} on theme {t}"} for t in tids[::5]]
    return {"submission_id": str(uuid.uuid4()), "round": 1, "scores": scores, "comments": comments}


_local = threading.local()


def post(base: str, cid: int, token: str, body: dict[str, Any]) -> tuple[float, int, dict[str, Any]]:
    client = getattr(_local, "client", None)
    if client is None or str(client.base_url).rstrip("/") != base:
        client = _local.client = httpx.Client(base_url=base, timeout=60)
    t0 = time.perf_counter()
    r = client.post(f"/api/consultations/{cid}/submissions", json=body, headers={"Authorization": f"Bearer {token}"})
    return time.perf_counter() - t0, r.status_code, r.json()


def stored_answers(base: str, cid: int) -> dict[int, list[tuple[int, str, int | None]]]:
    with httpx.Client(base_url=base, timeout=120) as c:
        rows = c.get(f"/api/consultations/{cid}/answers?round=1", headers=FAC).json()
    out: dict[int, list[tuple[int, str, int | None]]] = {}
    for a in rows:
        out.setdefault(a["participant_id"], []).append((a["theme_id"], a["criterion"], a["score"]))
    return {k: sorted(v, key=lambda x: (x[0], x[1])) for k, v in out.items()}


def expected(body: dict[str, Any]) -> list[tuple[int, str, int | None]]:
    return sorted(((s["theme_id"], s["criterion"], s["score"]) for s in body["scores"]), key=lambda x: (x[0], x[1]))


def participant_ids(base: str, cid: int) -> list[int]:
    with httpx.Client(base_url=base, timeout=30) as c:
        return [p["id"] for p in c.get(f"/api/consultations/{cid}/participants", headers=FAC).json()]


def load(database: str, n_participants: int, n_themes: int, workers: int, seed: int = 1) -> dict[str, Any]:
    server = Server(database).start()
    try:
        t0 = time.perf_counter()
        cid, tids, tokens = setup(server.base, n_participants, n_themes)
        setup_s = time.perf_counter() - t0
        rng = random.Random(seed)
        bodies = [payload(rng, tids) for _ in tokens]
        t0 = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(lambda i: post(server.base, cid, tokens[i], bodies[i]), range(len(tokens))))
        wall = time.perf_counter() - t0
        with ThreadPoolExecutor(workers) as pool:
            replays = list(pool.map(lambda i: post(server.base, cid, tokens[i], bodies[i]), range(len(tokens))))
        lat = sorted(r[0] for r in results)
        assert all(r[1] == 201 for r in results), {r[1] for r in results}
        assert all(r[1] == 200 and r[2]["replayed"] for r in replays)
        stored = stored_answers(server.base, cid)
        pids = participant_ids(server.base, cid)
        exact = all(stored.get(pid) == expected(b) for pid, b in zip(pids, bodies, strict=True))
        n_answers = sum(len(v) for v in stored.values())
        return {"participants": n_participants, "themes": n_themes, "criteria": len(CRITERIA), "workers": workers,
                "setup_s": round(setup_s, 2), "load_wall_s": round(wall, 2),
                "submissions_per_s": round(len(results) / wall, 1),
                "answers_per_s": round(n_answers / wall, 0),
                "latency_median_ms": round(1000 * statistics.median(lat), 1),
                "latency_p95_ms": round(1000 * lat[int(0.95 * (len(lat) - 1))], 1),
                "latency_max_ms": round(1000 * lat[-1], 1),
                "stored_answers": n_answers, "stored_equal_sent": exact,
                "replays_all_idempotent": True}
    finally:
        server.stop()


def kill_restart(database: str, n_participants: int, n_themes: int, workers: int, seed: int = 2) -> dict[str, Any]:
    """SIGKILL the server after about half of the submissions were acknowledged, restart, verify."""
    server = Server(database).start()
    cid, tids, tokens = setup(server.base, n_participants, n_themes)
    pids = participant_ids(server.base, cid)
    rng = random.Random(seed)
    bodies = [payload(rng, tids) for _ in tokens]
    acked: dict[int, dict[str, Any]] = {}
    lock = threading.Lock()
    half = threading.Event()

    def one(i: int) -> None:
        try:
            _, code, resp = post(server.base, cid, tokens[i], bodies[i])
        except httpx.HTTPError:
            return
        if code == 201:
            with lock:
                acked[i] = resp
                if len(acked) >= n_participants // 2:
                    half.set()

    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(one, i) for i in range(n_participants)]
        half.wait(120)
        server.kill()
        for f in futures:
            f.result()
    n_acked = len(acked)
    server2 = Server(database)
    server2.port, server2.base = server.port, server.base
    server2.start()
    try:
        stored = stored_answers(server2.base, cid)
        lost = [i for i in acked if stored.get(pids[i]) != expected(bodies[i])]
        partial = [i for i in range(n_participants) if i not in acked
                   and stored.get(pids[i]) not in (None, expected(bodies[i]))]
        replays = [post(server2.base, cid, tokens[i], bodies[i]) for i in acked]
        replay_ok = all(r[1] == 200 and r[2]["replayed"] and {**acked[i], "replayed": True} == r[2]
                        for i, r in zip(acked, replays, strict=True))
        n_stored_submitters = len(stored)
    finally:
        server2.stop()
    return {"participants": n_participants, "acknowledged_before_kill": n_acked,
            "stored_after_restart": n_stored_submitters, "acknowledged_lost": len(lost),
            "partially_stored": len(partial), "replays_return_stored_result": replay_ok}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=200)
    ap.add_argument("--themes", type=int, default=40)
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--database", default=None, help="default: an SQLite file in a temporary directory")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.database or str(Path(tmp) / "load.db")
        res = {"machine": f"{platform.machine()} {platform.system()} python {platform.python_version()}",
               "load": load(db, args.participants, args.themes, args.workers),
               "kill_restart": kill_restart(args.database or str(Path(tmp) / "kill.db"), args.participants,
                                            args.themes, args.workers)}
    text = json.dumps(res, indent=2)
    if args.json:
        args.json.write_text(text)
    sys.stdout.write(text + "\n")
    ok = res["load"]["stored_equal_sent"] and res["kill_restart"]["acknowledged_lost"] == 0 \
        and res["kill_restart"]["partially_stored"] == 0 and res["kill_restart"]["replays_return_stored_result"]
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
