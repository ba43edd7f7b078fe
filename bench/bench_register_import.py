"""A 2,500-row risk register imported as a job, then its PDF rendered as a job (issue 16).

In a fresh SQLite data directory with the shipped catalog, one DPIA of one review; jobs run
on the embedded broker's threads (no XBORDER_BROKER_URL). It prints the time the web request
took to answer 202, the import job's run time (started_at to finished_at) and the PDF report
job's run time for the imported register - the work a web worker no longer does.

    .venv/bin/python bench/bench_register_import.py [--rows 2500]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.app import create_app  # noqa: E402
from service.db import session_scope  # noqa: E402
from service.jobs import runtime  # noqa: E402
from service.jobs.models import Job  # noqa: E402
from tests.helpers import EU_ANALYTICS_REVIEW, bearer_users  # noqa: E402


def register(count: int) -> list[dict[str, Any]]:
    """Made-up rows of about 400 bytes each."""
    return [
        {
            "category": "illegitimate_access",
            "risk": f"Imported risk number {n}: " + "device identifiers reach support staff " * 4,
            "likelihood": 1 + n % 4,
            "severity": 1 + (n // 4) % 4,
            "measure": "Encrypt at rest with keys held by the exporter. " * 3,
            "owner": "IT security",
        }
        for n in range(count)
    ]


def run_seconds(app: Any, job_id: int) -> dict[str, Any]:
    with app.app_context(), session_scope() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.started_at and job.finished_at, job
        took = (job.finished_at - job.started_at).total_seconds()
        return {"status": job.status, "run_s": round(took, 2), "result": job.result}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2500)
    args = parser.parse_args()
    app = create_app({"DATA_DIR": Path(tempfile.mkdtemp()), "SECRET_KEY": "bench"})
    headers = bearer_users(app, [("legal", "legal")])["legal"]
    client = app.test_client()
    filed = client.post("/api/v1/reviews", json=EU_ANALYTICS_REVIEW, headers=headers)
    review = filed.get_json()["id"]
    made = client.post(
        f"/api/v1/reviews/{review}/assessments", json={"kind": "dpia"}, headers=headers
    )
    assessment, etag = made.get_json()["id"], made.headers["ETag"]
    body = {"risks": register(args.rows)}
    start = time.perf_counter()
    answer = client.post(
        f"/api/v1/assessments/{assessment}/risk-register-jobs",
        json=body,
        headers={**headers, "If-Match": etag},
    )
    answered = time.perf_counter() - start
    assert answer.status_code == 202, answer.get_data(as_text=True)
    jobs = runtime.runtime(app)
    jobs.join(timeout_ms=900_000)
    imported = run_seconds(app, answer.get_json()["id"])
    pdf = client.post(
        f"/api/v1/assessments/{assessment}/report-jobs", json={"format": "pdf"}, headers=headers
    )
    jobs.join(timeout_ms=900_000)
    rendered = run_seconds(app, pdf.get_json()["id"])
    jobs.stop()
    print(
        json.dumps(
            {
                "rows": args.rows,
                "body_bytes": len(json.dumps(body)),
                "answer_202_s": round(answered, 2),
                "import_job": imported,
                "pdf_job": rendered,
                "machine": f"{platform.python_version()}",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
