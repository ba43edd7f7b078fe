"""Command-line start-up: `xborder --help` and `xborder assess FILE`, cold, beside `python -c pass`.

Each sample is a fresh process (imports included; the OS file cache is warm, as it is for a
person who ran any command before). The database is migrated and the catalog loaded by one
untimed run first, so `assess` measures a normal start, not the first one. Samples of each
command (and of each --code checkout) are interleaved; the figures are medians of wall time
and of the process's CPU time (user + system; on a shared machine the steadier figure), and
their differences from `python -c pass` measured in the same run.

    python bench/bench_cli.py --repeat 15
    python bench/bench_cli.py --code /tmp/before --code . --repeat 15
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = "import sys; from service.cli import main; sys.exit(main())"
TRANSFER = ROOT / "tests" / "data" / "jus_firebase_transfer.yaml"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of argv."""
    started, cpu = time.perf_counter(), _children_cpu()
    subprocess.run(
        argv,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tempfile.gettempdir(),
    )
    return time.perf_counter() - started, _children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--code", action="append", type=Path, help="a checkout to run")
    args = parser.parse_args()
    codes = [c.resolve() for c in args.code or [ROOT]]
    tmp = Path(tempfile.mkdtemp(prefix="xborder-cli-"))
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "python -c pass": ([sys.executable, "-c", "pass"], dict(os.environ))
    }
    for n, code in enumerate(codes):
        env = {
            **os.environ,
            "PYTHONPATH": str(code),
            "XBORDER_DATA_DIR": str(tmp / f"data{n}"),
            "XBORDER_ADMIN_EMAIL": "bench@example.test",
            "XBORDER_ADMIN_PASSWORD": "bench-password-123",
        }
        env.pop("DATABASE_URL", None)
        label = code.name if len(codes) > 1 else ""
        commands[f"{label} xborder --help".strip()] = ([sys.executable, "-c", ENTRY, "--help"], env)
        assess = [sys.executable, "-c", ENTRY, "assess", str(TRANSFER)]
        commands[f"{label} xborder assess FILE".strip()] = (assess, env)
        timed(assess, env)  # first start: migrate, load the catalog, create the admin
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, (argv, env) in commands.items():
            samples[name].append(timed(argv, env))
    python = samples["python -c pass"]
    wall0 = statistics.median(w for w, _ in python)
    cpu0 = statistics.median(c for _, c in python)
    out = {}
    for name, values in samples.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        out[name] = {
            "wall_median_s": round(wall, 3),
            "wall_minus_python_s": round(wall - wall0, 3),
            "cpu_median_s": round(cpu, 3),
            "cpu_minus_python_s": round(cpu - cpu0, 3),
        }
    print(
        json.dumps(
            {"repeat": args.repeat, "load_1min": round(os.getloadavg()[0], 2), "results": out},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
