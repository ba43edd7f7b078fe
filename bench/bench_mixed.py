"""Search and chat latency while vendors are being written: 16 mixed clients under gunicorn.

Builds a registry of N synthetic vendors (bulk-inserted; setup not measured), serves it with
`xborder serve`'s gunicorn app on 127.0.0.1, and runs C clients, each a person who sends a
request, reads the answer and thinks for a moment (--think seconds, uniformly 0..2x) before
the next. Of the requests, --write-share are vendor writes (read the vendor for its ETag, then
PATCH a new alias: every write changes the registry's names), the rest split evenly between
a search (a whole name, its first word, or a name with two letters swapped) and an assistant
question ("Where is <name> headquartered?"). Reports p50/p95 per kind, and the server
workers' CPU time per request (steadier than latency on a shared machine).

--code DIR (repeatable) runs the same load against another checkout of the code (say, the
commit before a change), each on a database of its own, alternating in one run:

    python bench/bench_mixed.py --vendors 30000 --seconds 30
    python bench/bench_mixed.py --code /tmp/before --code . --rounds 2
    python bench/bench_mixed.py --db postgresql+psycopg://postgres@127.0.0.1:5432/bench_mixed
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from harness import run_threads

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

SETUP = r"""
import json, sys
sys.path.insert(0, sys.argv[3])
from bench_registry import populate
from service import create_app
from service.auth.services import create_token, create_user
from service.db import session_scope

slugs, names = populate(sys.argv[1], int(sys.argv[2]))
app = create_app({"DATABASE_URL": sys.argv[1], "LOAD_CATALOG": False, "SECRET_KEY": "bench"})
tokens = {}
with app.app_context(), session_scope() as session:
    for role in ("viewer", "admin"):
        user = create_user(session=session, email=f"{role}@bench.test", role=role)
        tokens[role] = create_token(session=session, user=user)[1]
app.extensions["xborder.engine"].dispose()
print(json.dumps({"tokens": tokens, "slugs": slugs, "names": names}))
"""

SERVER = (BENCH / "bench_registry.py").read_text(encoding="utf-8").split('SERVER = r"""')[1]
SERVER = SERVER.split('"""')[0]


def swap_two(word: str, rng: random.Random) -> str:
    """Swap two neighbouring letters of the first word (a typo)."""
    first, _, rest = word.partition(" ")
    i = rng.randrange(1, len(first) - 1)
    return f"{first[: i - 1]}{first[i]}{first[i - 1]}{first[i + 1 :]} {rest}".strip()


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    values = sorted(values)
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(values[min(len(values) - 1, int(len(values) * 0.95))] * 1000, 1),
    }


def drive(port: int, data: dict[str, Any], args: argparse.Namespace, seed: int) -> dict[str, Any]:
    """Run the clients for args.seconds; latency per kind of request."""
    viewer = {"Authorization": f"Bearer {data['tokens']['viewer']}"}
    admin = {"Authorization": f"Bearer {data['tokens']['admin']}"}
    slugs, names = data["slugs"], data["names"]
    samples: dict[str, list[float]] = {"search": [], "chat": [], "write": []}
    failures: dict[str, int] = {}
    lock = threading.Lock()
    stop = time.perf_counter() + args.seconds

    def call(conn: http.client.HTTPConnection, method: str, path: str, **kw: Any) -> Any:
        conn.request(method, path, **kw)
        response = conn.getresponse()
        body = response.read()
        return response, body

    def client(n: int) -> None:
        rng = random.Random(seed * 100 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: dict[str, list[float]] = {"search": [], "chat": [], "write": []}
        bad: dict[str, int] = {}
        while time.perf_counter() < stop:
            i = rng.randrange(len(slugs))
            draw = rng.random()
            if draw < args.write_share:
                kind = "write"
                got, _ = call(conn, "GET", f"/api/v1/vendors/{slugs[i]}", headers=admin)
                etag = got.getheader("ETag")
                alias = f"{names[i]} {''.join(rng.choices('ABCDEFGHJKLMNPQRSTUVWXYZ', k=4))}"
                body = json.dumps({"aliases": [alias]})
                headers = {**admin, "If-Match": etag, "Content-Type": "application/json"}
                t0 = time.perf_counter()
                response, _ = call(
                    conn, "PATCH", f"/api/v1/vendors/{slugs[i]}", body=body, headers=headers
                )
                ok = response.status in (200, 412)  # 412: another client wrote it first
            elif draw < args.write_share + (1 - args.write_share) / 2:
                kind = "search"
                q = rng.choice([names[i], names[i].split()[0], swap_two(names[i], rng)])
                path = f"/api/v1/vendors?{urlencode({'q': q, 'per_page': 10})}"
                t0 = time.perf_counter()
                response, _ = call(conn, "GET", path, headers=viewer)
                ok = response.status == 200
            else:
                kind = "chat"
                body = json.dumps({"message": f"Where is {names[i]} headquartered?"})
                headers = {**viewer, "Content-Type": "application/json"}
                t0 = time.perf_counter()
                response, _ = call(
                    conn, "POST", "/api/v1/assistant/chat", body=body, headers=headers
                )
                ok = response.status == 200
            mine[kind].append(time.perf_counter() - t0)
            if not ok:
                bad[f"{kind} {response.status}"] = bad.get(f"{kind} {response.status}", 0) + 1
            time.sleep(rng.uniform(0, 2 * args.think))
        conn.close()
        with lock:
            for key, values in mine.items():
                samples[key].extend(values)
            for key, count in bad.items():
                failures[key] = failures.get(key, 0) + count

    elapsed = run_threads(client, range(args.clients))
    total = sum(len(v) for v in samples.values())
    return {
        "requests_per_s": round(total / elapsed, 1),
        **{kind: _percentiles(values) for kind, values in samples.items()},
        "unexpected_status": failures,
    }


def worker_cpu(server_pid: int) -> float:
    """CPU seconds (user + system) used so far by the server's worker processes (Linux)."""
    try:
        children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    except OSError:
        return float("nan")
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def run_code(code: Path, url: str, args: argparse.Namespace, seed: int) -> dict[str, Any]:
    """Populate a database with this code's schema, serve it with this code, drive it."""
    env = {
        **os.environ,
        "PYTHONPATH": str(code),
        "DATABASE_URL": url,
        "XBORDER_LOAD_CATALOG": "false",
        "XBORDER_SECRET_KEY": "bench",
        "XBORDER_ADMIN_EMAIL": "bench@example.test",
        "XBORDER_ADMIN_PASSWORD": "bench-password-123",
    }
    setup = subprocess.run(
        [sys.executable, "-c", SETUP, url, str(args.vendors), str(BENCH)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(args.port), str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tempfile.gettempdir(),
    )
    try:
        for _ in range(150):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=1)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        warm = argparse.Namespace(**{**vars(args), "seconds": args.warmup})
        drive(args.port, data, warm, seed=0)  # every worker reads the registry once
        cpu = worker_cpu(server.pid)
        result = drive(args.port, data, args, seed=seed)
        used = worker_cpu(server.pid) - cpu
        requests = sum(result[k].get("n", 0) for k in ("search", "chat", "write"))
        # Load-independent: the servers' CPU per request (a write counts its GET and PATCH).
        result["server_cpu_ms_per_request"] = round(used * 1000 / max(requests, 1), 2)
        return result
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=30_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--think", type=float, default=0.25, help="mean pause between requests")
    parser.add_argument("--write-share", type=float, default=0.10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18766)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--code", action="append", type=Path, help="a checkout to run")
    parser.add_argument("--db", help="an empty PostgreSQL database (default: SQLite files)")
    args = parser.parse_args()
    codes = [c.resolve() for c in args.code or [ROOT]]
    if args.db and len(codes) > 1:
        parser.error("--db takes one --code (each checkout needs a database of its own)")
    tmp = Path(tempfile.mkdtemp(prefix="xborder-mixed-"))
    results = []
    for round_ in range(args.rounds):
        for n, code in enumerate(codes):
            url = args.db or f"sqlite:///{tmp / f'r{round_}-c{n}.sqlite3'}"
            started = time.perf_counter()
            result = run_code(code, url, args, seed=round_ + 1)
            load = os.getloadavg()[0]
            wall = round(time.perf_counter() - started, 1)
            results.append(
                {
                    "round": round_ + 1,
                    "code": str(code),
                    "load_1min": round(load, 2),
                    "wall_s": wall,
                    **result,
                }
            )
            print(json.dumps(results[-1]), flush=True)
    settings = {
        k: getattr(args, k)
        for k in ("vendors", "clients", "think", "write_share", "seconds", "workers")
    }
    print(json.dumps({"settings": settings, "database": (args.db or "sqlite").split(":")[0]}))


if __name__ == "__main__":
    main()
