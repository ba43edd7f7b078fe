"""A real request body for every write in the OpenAPI description, shown by /api/docs.

Each example is a body the route accepts as it stands (tests/functional/test_api_docs.py loads
every one through its request schema): the transfer is the golden Jus/Firebase scenario, the
vendor a real SDK. `apply(spec)` puts them into the spec after the blueprints registered.
"""

from __future__ import annotations

from typing import Any

TRANSFER: dict[str, Any] = {
    "exporter": {
        "name": "Ningbo Jus Internet Technology",
        "country": "CN",
        "role": "controller",
        "ciio": False,
        "cn_processing_volume": 2_000_000,
    },
    "important_data": False,
    "importer": {
        "name": "Google LLC (Firebase)",
        "country": "US",
        "role": "processor",
        "dpf_certified": True,
    },
    "destinations": ["US"],
    "data_subjects": [
        {"jurisdiction": "CN", "count": 2_000_000},
        {"jurisdiction": "EU", "count": 300_000},
        {"jurisdiction": "US", "count": 200_000},
    ],
    "data_categories": ["identifiers.device", "identifiers.online", "usage.diagnostics"],
    "purposes": ["analytics", "crash_reporting"],
}

# An activity's shared facts: the transfer without its importer (each vendor is one).
ACTIVITY_FACTS = {
    k: TRANSFER[k] for k in ("exporter", "data_subjects", "data_categories", "purposes")
}

# (path, method) -> the JSON request body
EXAMPLES: dict[tuple[str, str], Any] = {
    ("/api/v1/vendors", "post"): {
        "slug": "openinstall",
        "name": "OpenInstall",
        "aliases": ["openinstall SDK"],
        "category": "analytics_sdk",
        "hq_country": "CN",
        "legal_entities": [
            {
                "name": "Shenzhen Fenxiang Network Technology Co., Ltd.",
                "country": "CN",
                "role": "hq",
            }
        ],
        "sdk": {
            "android_packages": ["io.openinstall"],
            "ios_frameworks": ["OpenInstallSDK"],
            "domains": ["openinstall.io"],
        },
        "data_categories": ["identifiers.device"],
    },
    ("/api/v1/vendors/{slug}", "patch"): {
        "description": "Mobile analytics and push SDKs.",
        "aliases": ["友盟+", "U-App", "Umeng"],
    },
    ("/auth/login", "post"): {"email": "legal@example.com", "password": "correct horse battery"},
    ("/api/v1/me/password", "post"): {
        "current_password": "correct horse battery",
        "new_password": "a different long password",
    },
    ("/api/v1/users", "post"): {
        "email": "li.wei@example.com",
        "role": "procurement",
        "name": "Li Wei",
    },
    ("/api/v1/users/{user_id}", "patch"): {"role": "legal"},
    ("/api/v1/tokens", "post"): {"name": "CI export job", "expires_in_days": 90},
    ("/api/v1/transfers/evaluate", "post"): TRANSFER,
    ("/api/v1/reviews", "post"): {
        "vendor": "firebase",
        "purpose": "Crash reporting and analytics in the JusTalk app",
        "requester": "procurement@example.com",
        "transfer": TRANSFER,
    },
    ("/api/v1/reviews/{review_id}", "patch"): {"status": "submitted"},
    ("/api/v1/reviews/{review_id}/assessments", "post"): {"kind": "pipia", "language": "en"},
    ("/api/v1/assessments/{assessment_id}", "patch"): {
        "sections": [{"id": "legality", "text": "Consent under PIPL Art. 13(1)."}],
        "risks": [
            {
                "category": "rights",
                "risk": "Access requests go unanswered",
                "likelihood": 2,
                "severity": 2,
                "measure": "DSR process with the vendor",
                "residual": 1,
                "owner": "Privacy office",
            }
        ],
        "note": "legal's first pass",
    },
    ("/api/v1/assessments/{assessment_id}/transitions", "post"): {
        "to": "in_review",
        "note": "Ready for the DPO.",
    },
    ("/api/v1/assessments/{assessment_id}/checklist-items/{item_id}", "patch"): {
        "status": "done",
        "who": "Privacy office",
        "when": "2026-12-01",
        "evidence": "Signed SCC annex, DMS ref. 2026-114",
    },
    ("/api/v1/assistant/chat", "post"): {"message": "Can we use Umeng for EU users?"},
    ("/api/v1/policies/scan", "post"): {
        "text": "JusTalk integrates Umeng+ SDK, which collects IMEI and OAID, and Firebase.",
        "format": "text",
    },
    ("/api/v1/settings/{key}", "put"): {"value": True},
    ("/api/v1/assessments/{assessment_id}/report-jobs", "post"): {"format": "pdf"},
    ("/api/v1/reviews/reevaluations", "post"): {"as_of": "2026-12-01", "batch_size": 500},
    ("/api/v1/assessments/{assessment_id}/risk-register-jobs", "post"): {
        "risks": [
            {
                "category": "illegitimate_access",
                "risk": "Device identifiers reach the vendor's US support staff",
                "likelihood": 2,
                "severity": 3,
                "measure": "Pseudonymise identifiers before upload",
                "residual": 1,
                "owner": "Mobile team",
            }
        ],
        "note": "Imported from the group risk register",
    },
    ("/api/v1/reviews/{review_id}/dates", "patch"): {"standard_contract_effective": "2026-11-01"},
    ("/api/v1/me/notifications", "patch"): {"email": True, "events": ["approval_requested"]},
    ("/api/v1/activities", "post"): {
        "name": "JusTalk app",
        "description": "Analytics and crash reporting in the app",
        "facts": ACTIVITY_FACTS,
        "vendors": [
            {"vendor": "firebase", "purpose": "Crash reporting"},
            {"vendor": "umeng", "transfer": {"data_categories": ["identifiers.device"]}},
        ],
    },
    ("/api/v1/activities/{activity_id}", "patch"): {
        "facts": {"data_subjects": [{"jurisdiction": "CN", "count": 2_500_000}]},
    },
    ("/api/v1/activities/{activity_id}/vendors", "post"): {
        "vendors": [{"vendor": "appsflyer", "purpose": "Install attribution"}],
    },
    ("/api/v1/webhooks", "post"): {
        "url": "https://hooks.example.com/xborder",
        "events": ["verdict_changed"],
    },
}


def apply(spec: Any) -> None:
    """Put each example on its operation's JSON request body."""
    paths: dict[str, dict[str, Any]] = spec._paths  # apispec keeps operations here
    for (path, method), example in EXAMPLES.items():
        operation = paths.get(path, {}).get(method)
        if operation is None:
            continue
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            content["application/json"]["example"] = example
