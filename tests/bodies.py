"""Request bodies that several test modules file as they stand."""

from __future__ import annotations

from typing import Any

# A German company's app sends device ids of 300,000 people in the EU to Firebase for analytics.
EU_ANALYTICS_REVIEW: dict[str, Any] = {
    "vendor": "firebase",
    "transfer": {
        "exporter": {"name": "Acme GmbH", "country": "DE", "role": "controller"},
        "data_subjects": [{"jurisdiction": "EU", "count": 300_000}],
        "data_categories": ["identifiers.device"],
        "purposes": ["analytics"],
    },
    "purpose": "Analytics",
}

JUS = {"name": "Ningbo Jus Internet Technology", "country": "CN", "role": "controller"}

# The Jus/Firebase crash-reporting review: device ids and diagnostics of 2,000,000 people in
# mainland China and 300,000 in the EU.
JUS_CRASH_REVIEW: dict[str, Any] = {
    "vendor": "firebase",
    "transfer": {
        "exporter": JUS,
        "data_subjects": [
            {"jurisdiction": "CN", "count": 2_000_000},
            {"jurisdiction": "EU", "count": 300_000},
        ],
        "data_categories": ["identifiers.device", "usage.diagnostics"],
        "purposes": ["analytics", "crash_reporting"],
    },
    "purpose": "Crash reporting",
}
