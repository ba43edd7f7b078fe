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
import tempfile
import time
from pathlib import Path
from typing import Any

from service.app import create_app
from service.auth.services import create_token, create_user
from service.db import session_scope
from service.jobs import runtime
from service.jobs.models import Job

REVIEW = {
    "vendor": "firebase",
    "transfer": {
        "exporter": {"name": "Acme GmbH", "country": "DE", "role": "controller"},
        "data_subjects": [{"jurisdiction": "EU", "count": 300_000}],
        "data_categories": ["identifiers.device"],
        "purposes": ["analytics"],
    },
    "purpose": "Analytics",
}


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
    with app.app_context(), session_scope() as session:
        user = create_user(session=session, email="legal@bench.test", role="legal")
        _token, plain = create_token(session=session, user=user)
    headers = {"Authorization": f"Bearer {plain}"}
    client = app.test_client()
    review = client.post("/api/v1/reviews", json=REVIEW, headers=headers).get_json()["id"]
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
