"""The one name index: search, the assistant and the scanner follow every vendor write."""

from __future__ import annotations

import random
import string
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from rapidfuzz import fuzz

from assessments.catalog.names import name_key
from service.vendors.names import MAX_TYPOS, NameIndex, name_index
from tests.helpers import Headers


def search(client: FlaskClient, headers: dict[str, str], q: str) -> list[str]:
    response = client.get("/api/v1/vendors", query_string={"q": q}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [v["slug"] for v in response.get_json()["items"]]


def ask(client: FlaskClient, headers: dict[str, str], question: str) -> str:
    response = client.post("/api/v1/assistant/chat", json={"message": question}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return str(response.get_json()["answer"])


def scan(client: FlaskClient, headers: dict[str, str], text: str) -> set[str]:
    response = client.post("/api/v1/policies/scan", json={"text": text}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {v["slug"] for v in response.get_json()["vendors"]}


def test_every_reader_sees_each_write_without_rebuilding_the_index(
    app: Flask, client: FlaskClient, auth: Headers
) -> None:
    admin, viewer = auth("admin"), auth("viewer")
    for slug, name in (("quillora", "Quillora Metrics"), ("brandel", "Brandel Pay")):
        made = client.post("/api/v1/vendors", json={"slug": slug, "name": name}, headers=admin)
        assert made.status_code == 201, made.get_data(as_text=True)
    assert search(client, viewer, "Quilora Metrics") == ["quillora"]  # a typo
    index = name_index(app)
    assert index.builds == 1

    vendor = client.get("/api/v1/vendors/quillora", headers=viewer)
    renamed = client.patch(
        "/api/v1/vendors/quillora",
        json={"aliases": ["Zentrova Analytics"]},
        headers={**admin, "If-Match": vendor.headers["ETag"]},
    )
    assert renamed.status_code == 200, renamed.get_data(as_text=True)
    assert search(client, viewer, "Zentrova Analytcs") == ["quillora"]  # the new alias, a typo
    assert "Quillora Metrics" in ask(client, viewer, "Where is Zentrova Analytics based?")
    assert scan(client, viewer, "We share data with Zentrova Analytics.") == {"quillora"}

    etag = client.get("/api/v1/vendors/brandel", headers=viewer).headers["ETag"]
    archived = client.delete("/api/v1/vendors/brandel", headers={**admin, "If-Match": etag})
    assert archived.status_code == 204, archived.get_data(as_text=True)
    assert scan(client, viewer, "Payments go through Brandel Pay.") == set()
    assert index.builds == 1  # each write was applied as it came, not by reading everything
    assert index.version is not None and index.version >= 4


def test_a_write_through_one_worker_reaches_another(
    make_app: Callable[..., Flask], auth: Headers
) -> None:
    writer, reader = make_app(), make_app()  # two processes' apps on one database
    viewer = auth("viewer")
    assert search(reader.test_client(), viewer, "Velquist") == []
    made = writer.test_client().post(
        "/api/v1/vendors", json={"slug": "velquist", "name": "Velquist"}, headers=auth("admin")
    )
    assert made.status_code == 201
    assert search(reader.test_client(), viewer, "Velqiust") == ["velquist"]


def test_typo_candidates_hold_every_key_within_two_typos() -> None:
    rng = random.Random(19)
    index = NameIndex()
    keys: list[str] = []
    for vendor_id in range(1, 3001):
        word = "".join(rng.choices("aeioukmlrstvnp", k=rng.randint(5, 9)))
        name = f"{word.capitalize()} {rng.choice(['Analytics', 'Cloud', 'Pay'])} {vendor_id}"
        keys.append(name_key(name))
        index.put(vendor_id, f"v{vendor_id}", name, [(name_key(name), name, True)])
    for _ in range(300):
        original = rng.choice(keys)
        typed = list(original)
        for _typo in range(rng.randint(1, MAX_TYPOS)):
            i = rng.randrange(len(typed) - 1)
            kind = rng.randrange(4)
            if kind == 0:
                typed[i] = rng.choice(string.ascii_lowercase)  # a wrong letter
            elif kind == 1:
                typed[i], typed[i + 1] = typed[i + 1], typed[i]  # swapped neighbours
            elif kind == 2:
                del typed[i]  # a letter left out
            else:
                typed.insert(i, rng.choice(string.ascii_lowercase))  # one too many
        query = "".join(typed)
        assert original in index.typo_candidates(query)
        # Keys one typo away are compared first, two only when none is near enough; what
        # rapidfuzz keeps is what comparing every key would keep among those candidates.
        for typos in range(1, MAX_TYPOS + 1):
            candidates = set(index.typo_candidates(query, typos))
            expected = {k for k in candidates if fuzz.ratio(query, k) >= 80}
            if expected:
                break
        kept = {name_key(entry.alias) for entry, _ in index.similar(query, cutoff=80, limit=None)}
        assert kept == expected
