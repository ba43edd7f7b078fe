"""The append-only audit trail: who changed what, when, with a before/after diff."""
