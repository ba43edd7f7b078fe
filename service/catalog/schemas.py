"""What an official list import accepts: its options and its files (run now or as a job)."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields


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
