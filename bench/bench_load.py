"""16 clients against `xborder serve` for 60 s: 5xx, lost writes and p95 per route.

Starts `xborder serve` (gunicorn, its default workers and threads) on a fresh SQLite data
directory, or on the PostgreSQL database given with --db (migrated first with
`xborder db upgrade`; the catalog is loaded on first start either way). Signs in as the
first-start admin, makes one procurement user and one token per role, then runs C clients
for S seconds. Each client picks, per request: a vendor read, a vendor list page, a search,
a transfer evaluation (the golden Jus/Firebase transfer), an assistant question, or a write
(create a vendor of its own, or PATCH the note of one it created, with If-Match).

Afterwards every write that was answered 2xx is read back: a vendor that is missing, or whose
note is not the last one written with a 2xx, is a lost write. Prints, per route: requests,
p50, p95, and the status classes; then the totals of 5xx and lost writes (target: 0 and 0).

    python bench/bench_load.py                      # SQLite, 16 clients, 60 s
    python bench/bench_load.py --db postgresql+psycopg://postgres@127.0.0.1:5432/bench_load
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from service.api_examples import TRANSFER

ADMIN_EMAIL = "bench-admin@example.test"
ADMIN_PASSWORD = "bench admin password 1"
QUESTIONS = (
    "Can we use Umeng for EU users?",
    "Is Firebase in the Data Privacy Framework?",
    "Where is Adjust headquartered?",
)
MIX = (("read", 3), ("list", 2), ("search", 3), ("evaluate", 2), ("chat", 1), ("write", 2))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Api:
    """One keep-alive HTTP connection with a bearer token."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port, self.token = port, token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        sent = dict(headers or {})
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=sent)
                response = self.conn.getresponse()
                return response.status, dict(response.getheaders()), response.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def start_server(args: argparse.Namespace, data_dir: Path, port: int) -> subprocess.Popen[str]:
    xborder = shutil.which("xborder", path=str(Path(sys.executable).parent)) or "xborder"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XBORDER_", "DATABASE_URL"))}
    env.update(XBORDER_ADMIN_EMAIL=ADMIN_EMAIL, XBORDER_ADMIN_PASSWORD=ADMIN_PASSWORD)
    base = [xborder, "--data-dir", str(data_dir)] + (["--db", args.db] if args.db else [])
    if args.db:
        subprocess.run([*base, "db", "upgrade"], env=env, check=True, capture_output=True)
    log = (data_dir / "serve.log").open("w")
    server = subprocess.Popen(
        [*base, "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if Api(port).call("GET", "/readyz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not become ready:\n" + (data_dir / "serve.log").read_text())


def tokens(port: int) -> dict[str, str]:
    """An API token per role, made through the API as an admin would."""
    api = Api(port)
    status, headers, body = api.call(
        "POST", "/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert status == 200, body
    cookie = headers["Set-Cookie"].split(";")[0]
    session = {"Cookie": cookie, "X-CSRF-Token": json.loads(body)["csrf_token"]}
    out = {}
    for role in ("admin", "procurement", "viewer"):
        user_id = None
        if role != "admin":
            status, _, body = api.call(
                "POST",
                "/api/v1/users",
                {"email": f"bench-{role}@example.test", "role": role},
                session,
            )
            assert status == 201, body
            user_id = json.loads(body)["user"]["id"]
        request = {"name": f"bench {role}"} | ({"user_id": user_id} if user_id else {})
        status, _, body = api.call("POST", "/api/v1/tokens", request, session)
        assert status == 201, body
        out[role] = json.loads(body)["token"]
    return out


class Client(threading.Thread):
    """One client: a request, the answer, the next request, until the end."""

    def __init__(
        self,
        n: int,
        port: int,
        keys: dict[str, str],
        slugs: list[str],
        names: list[str],
        until: float,
        results: Any,
    ) -> None:
        super().__init__(daemon=True)
        self.n, self.until, self.results = n, until, results
        self.viewer = Api(port, keys["viewer"])
        self.writer = Api(port, keys["admin"])
        self.evaluator = Api(port, keys["procurement"])
        self.slugs, self.names = slugs, names
        self.random = random.Random(n)
        self.mine: dict[str, str | None] = {}  # slug -> the last note written with a 2xx
        self.kinds = [kind for kind, weight in MIX for _ in range(weight)]

    def run(self) -> None:
        count = 0
        while time.monotonic() < self.until:
            kind = self.random.choice(self.kinds)
            started = time.perf_counter()
            route, status = self.one(kind, count)
            self.results.append((route, status, time.perf_counter() - started))
            count += 1

    def one(self, kind: str, count: int) -> tuple[str, int]:
        pick = self.random.choice
        get = self.viewer.call
        if kind == "read":
            return "GET /vendors/{slug}", get("GET", f"/api/v1/vendors/{pick(self.slugs)}")[0]
        if kind == "list":
            page = self.random.randint(1, 10)
            return "GET /vendors", get("GET", f"/api/v1/vendors?per_page=20&page={page}")[0]
        if kind == "search":
            query = urlencode({"q": pick(self.names).split()[0]})
            return "GET /vendors?q=", get("GET", f"/api/v1/vendors?{query}")[0]
        if kind == "evaluate":
            return "POST /transfers/evaluate", self.evaluator.call(
                "POST", "/api/v1/transfers/evaluate", TRANSFER
            )[0]
        if kind == "chat":
            return "POST /assistant/chat", self.viewer.call(
                "POST", "/api/v1/assistant/chat", {"message": pick(QUESTIONS)}
            )[0]
        if not self.mine or self.random.random() < 0.4:
            slug = f"bench-{self.n}-{count}"
            status, _, _ = self.writer.call(
                "POST",
                "/api/v1/vendors",
                {
                    "slug": slug,
                    "name": f"Bench Vendor {self.n} {count}",
                    "hq_country": "DE",
                    "notes": "created",
                },
            )
            if 200 <= status < 300:
                self.mine[slug] = "created"
            return "POST /vendors", status
        slug = pick(list(self.mine))
        status, headers, _ = self.writer.call("GET", f"/api/v1/vendors/{quote(slug)}")
        if status != 200:
            return "GET /vendors/{slug}", status
        note = f"note {count}"
        status, _, _ = self.writer.call(
            "PATCH",
            f"/api/v1/vendors/{quote(slug)}",
            {"notes": note},
            {"If-Match": headers["ETag"]},
        )
        if 200 <= status < 300:
            self.mine[slug] = note
        return "PATCH /vendors/{slug}", status


def lost_writes(port: int, key: str, clients: list[Client]) -> int:
    api, lost = Api(port, key), 0
    for client in clients:
        for slug, note in client.mine.items():
            status, _, body = api.call("GET", f"/api/v1/vendors/{quote(slug)}")
            if status != 200 or json.loads(body).get("notes") != note:
                lost += 1
    return lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", help="a PostgreSQL URL (default: SQLite in a temp data dir)")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="xborder-bench-load-"))
    port = _free_port()
    server = start_server(args, data_dir, port)
    try:
        keys = tokens(port)
        _, _, body = Api(port, keys["viewer"]).call("GET", "/api/v1/vendors?per_page=100")
        items = json.loads(body)["items"]
        slugs, names = [v["slug"] for v in items], [v["name"] for v in items]
        results: list[tuple[str, int, float]] = []
        until = time.monotonic() + args.seconds
        clients = [Client(n, port, keys, slugs, names, until, results) for n in range(args.clients)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        lost = lost_writes(port, keys["admin"], clients)
    finally:
        server.terminate()
        server.wait(timeout=60)
    by_route: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for route, status, seconds in results:
        by_route[route].append((status, seconds))
    database = "PostgreSQL" if args.db else "SQLite"
    print(
        f"{database}: {args.clients} clients, {args.seconds:g} s, {args.workers} workers, "
        f"{len(results)} requests ({len(results) / args.seconds:.1f}/s)"
    )
    print(f"{'route':28} {'n':>6} {'p50 ms':>8} {'p95 ms':>8}  statuses")
    for route in sorted(by_route):
        rows = by_route[route]
        times = sorted(s for _, s in rows)
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        classes: dict[str, int] = defaultdict(int)
        for status, _ in rows:
            classes[str(status)] += 1
        print(
            f"{route:28} {len(rows):6} {statistics.median(times) * 1000:8.0f} {p95 * 1000:8.0f}"
            f"  {dict(sorted(classes.items()))}"
        )
    errors = sum(1 for _, status, _ in results if status >= 500)
    print(f"5xx: {errors}   lost writes: {lost}")
    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
