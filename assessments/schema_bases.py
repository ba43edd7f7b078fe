"""The bases the domain's marshmallow schemas share: strict (an unknown key is an error), and
strict schemas whose load is their frozen dataclass."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, post_load, validate

# A share in percent (of a company, of revenue).
PERCENT = validate.Range(min=0, max=100)


class StrictSchema(Schema):
    """A schema that refuses keys it does not declare."""

    class Meta:
        unknown = RAISE


class DataclassSchema(StrictSchema):
    """A strict schema that loads into `builds`, called with the loaded fields as they are."""

    builds: ClassVar[Callable[..., Any]]

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Any:
        """The loaded fields as the schema's dataclass."""
        return self.builds(**data)
