"""What an official list import accepts (its options and its files, run now or as a job) and
what it answers (the diff: the facts it sets, the entries it skips)."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from assessments.catalog.lists import FactChange
from service.schemas import dataclass_schema


class ListImportArgsSchema(Schema):
    """Whether to write the changes, and the day the file was downloaded."""

    apply = fields.Boolean(load_default=False, metadata={"description": "write the changes"})
    retrieved = fields.Date(
        metadata={"description": "day the file was downloaded (default: its own date, else today)"}
    )


class ListImportFileSchema(Schema):
    """The list file, and for tcf_gvl optionally the Additional Vendor Information List."""

    file = Upload(required=True)
    avil = Upload(metadata={"description": "tcf_gvl only: the AVIL JSON"})


# One fact the import sets. The diff is dumped from its JSON-ready values
# (`lists.diff_to_plain`): the date is already an ISO string.
FactChangeSchema = dataclass_schema(FactChange, "FactChangeSchema", date=fields.String())


class SkippedSchema(Schema):
    """An entry that matched a vendor but sets no fact."""

    entry = fields.String()
    slug = fields.String()
    reason = fields.String()


class ListImportSchema(Schema):
    """The diff (and, when applied, the vendors updated)."""

    kind = fields.String()
    source = fields.String()
    date = fields.String()
    entries = fields.Integer()
    applied = fields.Boolean()
    updated = fields.List(fields.String())
    changes = fields.List(fields.Nested(FactChangeSchema))
    unmatched = fields.List(fields.String())
    skipped = fields.List(fields.Nested(SkippedSchema))
