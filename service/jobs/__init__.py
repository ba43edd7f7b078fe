"""Background jobs: a `job` row per piece of work, run by Dramatiq workers (or in-process)."""
