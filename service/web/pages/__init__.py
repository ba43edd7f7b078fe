"""The UI's pages, one module per area; importing this package registers their routes."""

from service.web.pages import (
    account,
    activities,
    admin,
    assessments,
    assistant,
    jobs,
    lifecycle,
    reviews,
    vendors,
)

__all__ = [
    "account",
    "activities",
    "admin",
    "assessments",
    "assistant",
    "jobs",
    "lifecycle",
    "reviews",
    "vendors",
]
