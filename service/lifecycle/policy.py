"""Who may do what with tasks: close one, and list everyone's.

One owner for these rules: the lifecycle service enforces `ensure_may_complete`, and the
task pages ask `may_complete` and `may_list_all` what to offer. A task is closed by its
assignee or an admin. Whose tasks a list shows is `auth.models.whose` (everyone's for the
overseers, legal and admins; the others' own), which GET /tasks and the assistant call and
`may_list_all` reads.
"""

from __future__ import annotations

from typing import Protocol

from service import errors
from service.auth.models import Actor, whose
from service.lifecycle.models import TASK_OPEN

CLOSERS = frozenset({"admin"})  # roles that close anyone's task, not only their own


class Assigned(Protocol):
    """A task as far as the policy reads it: whose it is and whether it is still open."""

    @property
    def assignee(self) -> str: ...

    @property
    def status(self) -> str: ...


def may_close(task: Assigned, user: Actor) -> bool:
    """Whether the user may close this task at all: its assignee, or an admin."""
    return task.assignee == user.email or user.role in CLOSERS


def may_complete(task: Assigned, user: Actor) -> bool:
    """Whether to offer the user to close this task now (an open task they may close)."""
    return task.status == TASK_OPEN and may_close(task, user)


def ensure_may_complete(task: Assigned, user: Actor) -> None:
    """403 unless the user is the task's assignee or an admin (closing a done task again
    changes nothing, so the service answers it without a second audit event)."""
    if not may_close(task, user):
        raise errors.Forbidden("Only the task's assignee or an admin may close it.")


def may_list_all(user: Actor) -> bool:
    """Whether the user may list everyone's tasks (`mine=false`), not only their own: whose
    lists show everyone's work (auth.models.whose)."""
    return whose(user) is None
