"""Background jobs: a `job` row per piece of work, run by Dramatiq workers (or in-process)."""

PENDING_KEY = "xborder.jobs"  # session.info: the jobs a transaction submitted, sent once it commits
