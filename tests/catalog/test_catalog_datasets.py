"""Every Exodus, Privado and datenanfragen id that the catalog cites exists in the data set."""

from __future__ import annotations

import json

import pytest

from assessments.catalog import Catalog, Source
from assessments.catalog.datasets import DATENANFRAGEN, EXODUS, PRIVADO, DatasetId, dataset_ids
from tests.conftest import SHARED

REFERENCE = SHARED / "reference"


@pytest.fixture(scope="module")
def known_ids() -> dict[str, set[str]]:
    """The ids in ../shared/reference (not shipped with xborder); skips without it."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data sets not found at {REFERENCE} (they live outside the repo)")
    exodus = json.loads((REFERENCE / "exodus/trackers_slim.json").read_text(encoding="utf-8"))
    privado = json.loads(
        (REFERENCE / "privado/privado_third_party_sinks.json").read_text(encoding="utf-8")
    )
    companies = json.loads(
        (REFERENCE / "datenanfragen/companies_all.json").read_text(encoding="utf-8")
    )
    return {
        EXODUS: {str(t["id"]) for t in exodus["trackers"]},
        PRIVADO: {s["id"] for s in privado["sinks"]}
        | {f for s in privado["sinks"] for f in s["rule_files"]},
        DATENANFRAGEN: {c["slug"] for c in companies["records"]},
    }


def test_every_cited_dataset_id_exists(catalog: Catalog, known_ids: dict[str, set[str]]) -> None:
    cited = [(v.slug, i) for v in catalog.vendors for s in v.sources for i in dataset_ids(s)]
    assert len({i.dataset for _, i in cited}) == 3  # the parser still sees all three data sets
    missing = [
        f"{slug}: {i.dataset} {i.id}" for slug, i in cited if i.id not in known_ids[i.dataset]
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("source", "ids"),
    [
        (
            Source(facts=("sdk",), ref="exodus trackers 167, 244 (Exodus Privacy)"),
            [DatasetId(EXODUS, "167"), DatasetId(EXODUS, "244")],
        ),
        (
            Source(
                facts=("sdk",),
                url="https://reports.exodus-privacy.eu.org/en/trackers/119/",
                ref="Exodus tracker 119",
            ),
            [DatasetId(EXODUS, "119")],
        ),
        (
            Source(
                facts=("sdk",),
                ref="privado sinks ThirdParties.SDK.Braze, ThirdParties.SDK.Pixel.Braze "
                "(Privado, LGPL-3.0)",
            ),
            [
                DatasetId(PRIVADO, "ThirdParties.SDK.Braze"),
                DatasetId(PRIVADO, "ThirdParties.SDK.Pixel.Braze"),
            ],
        ),
        (
            Source(
                facts=("legal_entities",),
                url="https://www.datarequests.org/company/adobe/",
                ref="datenanfragen companies/adobe.json (CC0, commit 0a29c3d6)",
            ),
            [DatasetId(DATENANFRAGEN, "adobe")],
        ),
    ],
    ids=["exodus-ref", "exodus-url", "privado-ref", "datenanfragen-url"],
)
def test_ids_are_read_from_refs_and_openable_urls(source: Source, ids: list[DatasetId]) -> None:
    assert dataset_ids(source) == ids
