"""What a vendor file import accepts, run now or as a job: how to read the file, and the file."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from service.vendors.io import formats


class ImportFormatArgsSchema(Schema):
    """How to read the upload."""

    format = fields.String(
        validate=validate.OneOf(tuple(formats.FORMATS)),
        metadata={"description": "default: from the file name"},
    )


class ImportFileSchema(Schema):
    """The upload: one CSV, JSON or YAML file in the `file` field."""

    file = Upload(required=True)
