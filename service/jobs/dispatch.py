"""Jobs go to the broker after their transaction commits; `install()` (create_app) hooks it.

Jobs are recorded by `services.submit_job` in the caller's session (`session.info[PENDING_KEY]`);
this module sends them once that session commits and forgets them when it rolls back. The
broker runtime is imported only when there is a job to send, so a process that never submits
one does not load dramatiq.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from service.jobs import PENDING_KEY

log = logging.getLogger(__name__)


def send_after_commit(session: OrmSession) -> None:
    """Jobs submitted in a transaction go to the broker once it has committed."""
    pending = session.info.pop(PENDING_KEY, None)
    if not pending:
        return
    if not has_app_context():  # no app to send with: `jobs tick` picks them up
        log.warning("jobs %s committed outside an app; `xborder jobs tick` sends them", pending)
        return
    from service.jobs.runtime import send  # dramatiq: only in processes that send a job

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for job_id in dict.fromkeys(pending):
        try:
            send(app, job_id)
        except Exception:  # the broker is down: the row stays queued; `jobs tick` re-sends
            log.exception("could not send job %s to the broker", job_id)


def forget_after_rollback(session: OrmSession) -> None:
    """A rolled-back transaction's jobs were never recorded: nothing to send."""
    session.info.pop(PENDING_KEY, None)


def install() -> None:
    """Hook sending and forgetting into every ORM session (once per process)."""
    if not event.contains(OrmSession, "after_commit", send_after_commit):
        event.listen(OrmSession, "after_commit", send_after_commit)
        event.listen(OrmSession, "after_rollback", forget_after_rollback)
