"""The offline back end (no network, no model): assistant.py reads the question and picks the
answer; vendors.py and transfers.py compose it from the tools' records."""
