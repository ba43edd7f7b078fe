"""Editable deliverables: DOCX of the PIPIA beside bare python-docx and weasyprint, and the
render cache seen through HTTP.

1. Rendering, one process, inputs prepared before timing: our DOCX (`render_docx`), a bare
   python-docx writer of the same content (every paragraph and table through python-docx's
   ordinary API: `add_heading`, `add_paragraph(style=...)`, `add_table` + `cell().text`), and
   weasyprint's PDF of the same document (`render_pdf`). Warm = median of interleaved runs.
2. Cache, through the Flask test client on a fresh SQLite database with the catalog loaded:
   GET /api/v1/assessments/<id>/report.{docx,pdf} of one version, first download (renders)
   and the following ones (served from the cache: sign-in, reads, digest, cache hit).

    python bench/bench_deliverables.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import functools
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_reports import prepare_inputs  # noqa: E402


def document(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The PIPIA of the sample review with its checklists, as the service renders it."""
    from assessments.documents import build_assessment, build_checklists

    doc = build_assessment("pipia", inputs["review"], inputs["evaluation"], inputs["vendor"])
    doc["checklists"] = build_checklists(inputs["evaluation"], inputs["review"], inputs["vendor"])
    return doc


def bare_docx(doc: Mapping[str, Any]) -> bytes:
    """The same content written with python-docx's ordinary API and nothing else."""
    from docx import Document

    out = Document()
    out.add_heading(str(doc["title"]), 0)
    out.add_paragraph(str(doc["subtitle"]))
    words = doc["labels"]

    def table(rows: list[list[Any]]) -> None:
        if not rows:
            return
        grid = out.add_table(rows=len(rows), cols=len(rows[0]))
        grid.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                grid.cell(r, c).text = "" if value is None else str(value)

    out.add_heading(str(words["summary"]), 1)
    table([[s["name"], s["verdict_label"], s["mechanism_label"], s["why"]] for s in doc["summary"]])
    for section in doc["sections"]:
        out.add_heading(f"{section['number']}. {section['title']}", 1)
        out.add_paragraph(str(section["citation"]))
        for line in str(section["text"]).splitlines():
            out.add_paragraph(line)
        table([[f["label"], f["value"]] for f in section["facts"]])
        for entry in section["findings"] + section["obligations"]:
            text = entry.get("explanation") or entry.get("text")
            out.add_paragraph(f"{text} [{entry['citation']}]", style="List Bullet")
    out.add_heading(str(words["risk_register"]), 1)
    for risk in doc["risks"]:
        out.add_heading(f"{risk['id']} {risk['risk']}", 3)
        table(
            [
                [words["likelihood"], risk["likelihood"], risk["likelihood_basis"]],
                [words["severity"], risk["severity"], risk["severity_basis"]],
            ]
        )
        for line in str(risk["measure"] or "").splitlines():
            out.add_paragraph(line.lstrip("- "), style="List Bullet")
    out.add_heading(str(words["rules"]), 1)
    table([[r["regime_name"], r["citation"], r["explanation"]] for r in doc["rules"]])
    out.add_heading(str(words["obligations"]), 1)
    table([[o["regime_name"], o["text"], o["citation"], o["due"]] for o in doc["obligations"]])
    for checklist in doc["checklists"]:
        out.add_heading(str(checklist["title"]), 2)
        table([[i["group"], i["text"], i["citation"], i["status"]] for i in checklist["items"]])
    out.add_heading(str(words["appendix"]), 1)
    for rows in doc["appendix"].values():
        table([list(row) for row in rows])
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def rendering(repeat: int) -> None:
    from pypdf import PdfReader

    from service.reports.docx import render_docx
    from service.reports.rendering import render_pdf

    doc = document(prepare_inputs())
    runs: dict[str, Callable[[], bytes]] = {
        "ours: render_docx": lambda: render_docx(doc),
        "bare python-docx": lambda: bare_docx(doc),
        "weasyprint PDF (render_pdf)": lambda: render_pdf(doc),
    }
    cold = {name: timed(run) for name, run in runs.items()}
    warm: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            warm[name].append(timed(run))
    pages = len(PdfReader(io.BytesIO(render_pdf(doc))).pages)
    print(f"PIPIA: {pages} PDF pages, {len(render_docx(doc)):,} bytes of DOCX")
    print("| | first (s) | warm median (s) | warm min (s) |")
    print("|---|---|---|---|")
    for name in runs:
        print(
            f"| {name} | {cold[name]:.3f} | {statistics.median(warm[name]):.3f} | "
            f"{min(warm[name]):.3f} |"
        )


def cache(repeat: int) -> None:
    from service import create_app
    from service.auth.services import create_token, create_user
    from service.db import session_scope

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                "DATA_DIR": Path(tmp) / "data",
                "SECRET_KEY": "bench",
                "TESTING": True,
                "LOAD_CATALOG": True,
            }
        )
        tokens = {}
        with app.app_context(), session_scope() as session:
            for role in ("procurement", "legal"):
                user = create_user(session=session, email=f"{role}@bench.test", role=role)
                plain = create_token(session=session, user=user)[1]
                tokens[role] = {"Authorization": f"Bearer {plain}"}
        client = app.test_client()
        inputs = prepare_inputs()
        transfer = {k: v for k, v in inputs["review"]["transfer"].items() if k != "importer"}
        review = client.post(
            "/api/v1/reviews",
            json={"vendor": "firebase", "transfer": transfer, "purpose": "bench"},
            headers=tokens["procurement"],
        ).get_json()
        assessment = client.post(
            f"/api/v1/reviews/{review['id']}/assessments",
            json={"kind": "pipia"},
            headers=tokens["legal"],
        ).get_json()
        print("| download | first (s) | repeat median (ms) | repeat max (ms) |")
        print("|---|---|---|---|")
        for ext in ("docx", "pdf"):
            url = f"/api/v1/assessments/{assessment['id']}/report.{ext}"
            download = functools.partial(client.get, url, headers=tokens["legal"])
            first = timed(download)
            again = [timed(download) for _ in range(repeat)]
            print(
                f"| report.{ext} | {first:.3f} | {1000 * statistics.median(again):.1f} | "
                f"{1000 * max(again):.1f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rendering(args.repeat)
    print()
    cache(args.repeat)


if __name__ == "__main__":
    main()
