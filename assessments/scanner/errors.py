"""Why a policy document cannot be read."""

from __future__ import annotations


class ExtractionError(ValueError):
    """The document cannot be read; `reason` says why (too_large, too_complex, unsupported,
    unreadable)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
