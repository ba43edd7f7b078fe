"""`xborder worker` and `xborder jobs list|show|tick`: background jobs from the shell."""

from __future__ import annotations

import signal
import threading
from typing import Any

import click
from flask import current_app, g

from service.clikit import domain_command, dumps
from service.db import session_scope
from service.jobs import services
from service.jobs.models import STATUSES


@click.command("worker")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@domain_command
def worker(threads: int) -> None:
    """Run jobs from the broker in XBORDER_BROKER_URL until stopped (SIGTERM, Ctrl-C)."""
    import dramatiq

    from service.jobs.runtime import QUEUE, runtime

    if not current_app.config.get("BROKER_URL"):
        raise click.ClickException(
            "Set XBORDER_BROKER_URL (redis://... or amqp://...): without a broker, jobs run "
            "inside `xborder serve` and need no worker."
        )
    jobs = runtime(current_app)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    running = dramatiq.Worker(jobs.broker, worker_threads=threads, queues={QUEUE})
    running.start()
    click.echo(f"xborder worker: {threads} threads on {current_app.config['BROKER_URL']}", err=True)
    stop.wait()
    running.stop()


@click.group("jobs")
def jobs() -> None:
    """Background jobs: list them, show one, run the periodic tick."""


def _row(job: Any) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "attempts": job.attempts,
        "created_by": job.created_by,
        "created_at": job.created_at.isoformat(timespec="seconds"),
        "error": job.error,
        "result": job.result,
    }


@jobs.command("list")
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--kind", type=click.Choice(tuple(services.KINDS)))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@domain_command
def jobs_list(status: str | None, kind: str | None, limit: int, as_json: bool) -> None:
    """List jobs, newest first, with status and progress."""
    with session_scope(current_app) as session:
        rows = [
            _row(j)
            for j in services.list_jobs(session=session, status=status, kind=kind, limit=limit)
        ]
    if as_json:
        click.echo(dumps(rows))
        return
    click.echo(f"{'id':>6}  {'kind':<14} {'status':<10} {'%':>4}  {'try':>3}  created_by")
    for r in rows:
        click.echo(
            f"{r['id']:>6}  {r['kind']:<14} {r['status']:<10} {r['progress']:>4}  "
            f"{r['attempts']:>3}  {r['created_by']}"
        )
        if r["error"]:
            click.echo(f"{'':>8}error: {r['error']}")
    click.echo(f"{len(rows)} jobs")


@jobs.command("show")
@click.argument("job_id", type=int)
@domain_command
def jobs_show(job_id: int) -> None:
    """One job as JSON, with its result or error."""
    with session_scope(current_app) as session:
        click.echo(dumps(_row(services.get_job(session=session, job_id=job_id))))


@jobs.command("cleanup")
@click.option(
    "--days",
    type=click.IntRange(0, 36_500),
    help="Keep finished jobs this many days (default: XBORDER_JOB_RETENTION_DAYS, 30).",
)
@domain_command
def jobs_cleanup(days: int | None) -> None:
    """Delete finished (succeeded or failed) jobs and their files older than the retention."""
    from datetime import timedelta

    from service.models import utcnow

    keep = current_app.config["JOB_RETENTION_DAYS"] if days is None else days
    with session_scope(current_app) as session:
        deleted = services.purge_finished_jobs(
            session=session, before=utcnow() - timedelta(days=keep), actor=g.actor
        )
    click.echo(dumps({"deleted": deleted, "kept_days": keep}))


@jobs.command("tick")
@click.option(
    "--today", "day", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day (default: today)."
)
@click.option("--wait", is_flag=True, help="Without a broker: wait for the jobs it started.")
@domain_command
def jobs_tick(day: Any, wait: bool) -> None:
    """The periodic check (run it daily, e.g. from cron; a second run the same day does nothing
    new): re-assess reviews when the rules version changed or a rule's date or 1 January passed,
    remind owners of deadlines, send lost jobs and pending notifications again."""
    from service.lifecycle.services import tick
    from service.transfers.services import today

    with session_scope(current_app) as session:
        report = tick(session=session, actor=g.actor, day=day.date() if day else today())
    if wait and not current_app.config.get("BROKER_URL"):
        from service.jobs.runtime import runtime

        runtime(current_app).join()
    click.echo(dumps(report))
