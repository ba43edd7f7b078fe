"""Lifecycle request and response shapes: tasks, verdict changes, review dates, deadlines
and what is due, the calendar feed."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from marshmallow_dataclass import class_schema

from service.auth.models import ROLES
from service.lifecycle.deadlines import Deadline
from service.lifecycle.models import DATE_KEYS, TASK_OPEN, TASK_STATUSES


class TaskSchema(Schema):
    """Something to do about a review."""

    id = fields.Integer()
    review_id = fields.Integer()
    assignee = fields.String()
    kind = fields.String()
    title = fields.String()
    detail = fields.Raw()
    status = fields.String()
    due = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    done_at = fields.DateTime(allow_none=True)
    done_by = fields.String(allow_none=True)


class TaskArgsSchema(Schema):
    """Whose tasks, in which status."""

    mine = fields.Boolean(load_default=True)
    status = fields.String(load_default=TASK_OPEN, validate=validate.OneOf(TASK_STATUSES))


class ChangeSchema(Schema):
    """A verdict change from re-assessment, and why."""

    id = fields.Integer()
    cause_kind = fields.String()
    cause = fields.String()
    job_id = fields.Integer(allow_none=True)
    before = fields.Raw()
    after = fields.Raw()
    at = fields.DateTime()


class ChangesSchema(Schema):
    """A review's change history and the assessments it left out of date."""

    changes = fields.List(fields.Nested(ChangeSchema))
    assessments_out_of_date = fields.List(fields.Integer())


DatesSchema = Schema.from_dict(
    {key: fields.Date(allow_none=True) for key in DATE_KEYS}, name="ReviewDatesSchema"
)


# One deadline (the component `Deadline`, the dataclass's name).
DeadlineSchema = class_schema(Deadline)


class DueSchema(Schema):
    """Deadlines within the horizon (overdue ones too) and open tasks."""

    deadlines = fields.List(fields.Nested(DeadlineSchema))
    tasks = fields.List(fields.Nested(TaskSchema))


class DueArgsSchema(Schema):
    """Whose: yours (default) or a team's (a role); how far ahead."""

    team = fields.String(validate=validate.OneOf(ROLES))
    within_days = fields.Integer(load_default=60, validate=validate.Range(0, 3660))


class FeedSchema(Schema):
    """The secret feed URL (shown once)."""

    url = fields.String()
