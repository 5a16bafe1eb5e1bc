"""Fixtures and helpers shared by the consultation-app tests (``tests/test_app_*.py``).

Import the fixtures into a test module with ``from app_fixtures import *`` is avoided; tests import the
names they use. ``db_url`` is parametrised over SQLite and PostgreSQL; the PostgreSQL server is a throwaway
cluster started here (initdb + pg_ctl on a free port, Unix socket in a temporary directory, as the
``postgres`` user when running as root) and skipped when the binaries are missing, unless ``CI=true``.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ADMIN = "test-admin-token-0123456789abcdef"
FAC = {"Authorization": f"Bearer {ADMIN}"}
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(message: str) -> None:
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ------------------------------------------------------------------------------------------- PostgreSQL
def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("pg_ctl")
    return Path(which).parent if which else None


@dataclass
class PgServer:
    socket_dir: str
    port: int
    counter: int = 0

    def new_database(self) -> str:
        import psycopg

        self.counter += 1
        name = f"t{os.getpid()}_{self.counter}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(host=self.socket_dir, port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@/{name}?host={self.socket_dir}&port={self.port}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bindir = _pg_bin()
    if bindir is None:
        skip_or_fail("PostgreSQL binaries (initdb, pg_ctl) not found; apt-get install postgresql")
    base = tempfile.mkdtemp(prefix="sia-pg-")
    data, sock = os.path.join(base, "data"), os.path.join(base, "sock")
    os.makedirs(sock)
    prefix: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        try:
            import pwd

            pw = pwd.getpwnam("postgres")
        except KeyError:
            skip_or_fail("running as root and there is no 'postgres' user to run the PostgreSQL server")
        if runuser is None:
            skip_or_fail("running as root and runuser is missing")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        os.chown(sock, pw.pw_uid, pw.pw_gid)
        prefix = [runuser, "-u", "postgres", "--"]
    port = free_port()
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"],
                   check=True, capture_output=True)
    opts = f"-p {port} -k {sock} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", data, "-o", opts, "-w", "-l",
                    os.path.join(base, "log"), "start"], check=True, capture_output=True)
    try:
        yield PgServer(sock, port)
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", data, "-m", "immediate", "-W", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


_ENGINES: list[Any] = []


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: an SQLite file, or a new database on the throwaway PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.db'}"
    else:
        yield request.getfixturevalue("pg_server").new_database()
    while _ENGINES:  # close pooled connections of the apps built in the test
        _ENGINES.pop().dispose()


# ------------------------------------------------------------------------------------------- app world
THEMES = [
    {"name": "Advanced manufacturing", "description": "Machinery and automotive", "codes": "28;29", "data_score": 2.5},
    {"name": "Life sciences", "description": "Pharma and medtech", "codes": "21;26.6", "data_score": 1.0},
    {"name": "Digital", "description": "Software and data", "codes": "62;63", "data_score": 0.4},
]


@dataclass
class World:
    """An app with two consultations A and B, one invited participant each, round 1 open in both."""

    app: Any
    url: str
    a: int
    b: int
    themes_a: list[int]
    themes_b: list[int]
    tok_a: str
    tok_b: str
    pid_a: int
    extra: dict[str, Any] = field(default_factory=dict)

    def client(self) -> Any:
        from fastapi.testclient import TestClient

        return TestClient(self.app, follow_redirects=False)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def create_consultation(c: Any, title: str = "Consultation", themes: list[dict] | None = None,
                        criteria: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"title": title, "themes": themes or THEMES}
    if criteria:
        body["criteria"] = criteria
    r = c.post("/api/consultations", json=body, headers=FAC)
    assert r.status_code == 201, r.text
    return r.json()


def invite(c: Any, cid: int, org: str = "business", label: str = "someone") -> dict[str, Any]:
    r = c.post(f"/api/consultations/{cid}/participants", json={"label": label, "org_type": org}, headers=FAC)
    assert r.status_code == 201, r.text
    return r.json()


def join(c: Any, cid: int, org: str = "business", label: str = "someone") -> tuple[int, str]:
    """Invite and accept through the API; returns (participant_id, api_token)."""
    inv = invite(c, cid, org, label)
    r = c.post("/api/invitations/accept", json={"token": inv["invitation_token"]})
    assert r.status_code == 200, r.text
    return inv["participant_id"], r.json()["api_token"]


def make_world(db_url: str, **kwargs: Any) -> World:
    from sia.app import create_app

    kwargs.setdefault("rate_limit", (10_000.0, 1000.0))
    app = create_app(db_url, ADMIN, **kwargs)
    _ENGINES.append(app.state.engine)
    w = World(app, db_url, 0, 0, [], [], "", "", 0)
    c = w.client()
    ca, cb = create_consultation(c, "A"), create_consultation(c, "B")
    w.a, w.b = ca["id"], cb["id"]
    w.themes_a = [t["id"] for t in ca["themes"]]
    w.themes_b = [t["id"] for t in cb["themes"]]
    w.pid_a, w.tok_a = join(c, w.a, "university", "Uni A")
    _, w.tok_b = join(c, w.b, "business", "Firm B")
    for cid in (w.a, w.b):
        assert c.post(f"/api/consultations/{cid}/rounds", headers=FAC).status_code == 201
    return w


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no csrf_token in page"
    return m.group(1)


def web_participant(w: World, cid: int, org: str = "business", label: str = "web") -> tuple[Any, str]:
    """A TestClient logged in as a new participant of ``cid`` through the invitation pages; (client, csrf)."""
    fac = w.client()
    inv = invite(fac, cid, org, label)
    c = w.client()
    page = c.get(f"/invite/{inv['invitation_token']}")
    assert page.status_code == 200, page.text
    r = c.post(f"/invite/{inv['invitation_token']}", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 200, r.text
    return c, csrf_of(r.text)


def web_facilitator(w: World) -> tuple[Any, str]:
    c = w.client()
    page = c.get("/login")
    r = c.post("/login", data={"csrf_token": csrf_of(page.text), "token": ADMIN})
    assert r.status_code == 303, r.text
    return c, csrf_of(c.get("/facilitator").text)


def submission(themes: list[int], scores: list[int | None], criterion: str = "strength", **extra: Any) -> dict:
    pairs = zip(themes, scores, strict=True)
    return {"submission_id": str(uuid.uuid4()),
            "scores": [{"theme_id": t, "criterion": criterion, "score": s} for t, s in pairs], **extra}


# ------------------------------------------------------------------------------------------- real server
class Server:
    """``sia serve`` in a subprocess on a free loopback port."""

    def __init__(self, database: str, env: dict[str, str] | None = None, rate: tuple[float, float] = (10_000, 1000),
                 args: list[str] | None = None, log: Path | None = None):
        self.database = database
        self.args = args or []
        self.log = log  # stdout and stderr of the server go to this file (default: stdout discarded)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "SIA_ADMIN_TOKEN": ADMIN, **(env or {})}
        self.rate = rate
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> Server:
        cmd = [sys.executable, "-c", "from sia.cli import main; main()", "serve", "--host", "127.0.0.1",
               "--port", str(self.port), "--database", self.database,
               "--rate-burst", str(self.rate[0]), "--rate-per-second", str(self.rate[1]), *self.args]
        if self.log is not None:
            out = self.log.open("wb")
            self.proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT)
            out.close()
        else:
            self.proc = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else self.log.read_text() if self.log else ""
                raise RuntimeError(f"sia serve exited: {err}")
            try:
                if httpx.get(self.base + "/api/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("sia serve did not become ready")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
