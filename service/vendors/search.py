"""Vendor search: folded-name keys, full text (SQLite FTS5 / PostgreSQL tsvector) and fuzzy.

One interface, two full-text back ends chosen by the database dialect. Results are ranked by
how well the query matches a vendor's name or aliases (rapidfuzz), with exact key matches
first, so "UMeng", "Umeng+" and "友盟" find Umeng+ and "Yandex Money" finds YooMoney.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from sqlalchemy import select, text
from sqlmodel import Session, col

from assessments.catalog.names import name_key
from service.vendors.models import Vendor, VendorAlias
from service.vendors.names import NameIndex

_TOKEN = re.compile(r"\w+", re.UNICODE)
FTS_CANDIDATES = 100
FUZZY_CUTOFF = 80.0
FTS_BASE_SCORE = 75.0


def fts_index(session: Session, vendor: Vendor) -> None:
    """Refresh the full-text row of one vendor (SQLite; PostgreSQL indexes by itself)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(text("DELETE FROM vendor_fts WHERE rowid = :id"), {"id": vendor.id})
    session.execute(
        text("INSERT INTO vendor_fts(rowid, search_text) VALUES (:id, :t)"),
        {"id": vendor.id, "t": vendor.search_text},
    )


def _fts_ids(session: Session, query: str) -> list[int]:
    tokens = [t for t in _TOKEN.findall(query) if t]
    if not tokens:
        return []
    if session.get_bind().dialect.name == "sqlite":
        match = " ".join('"' + t.replace('"', "") + '"*' for t in tokens)
        rows = session.execute(
            text("SELECT rowid FROM vendor_fts WHERE vendor_fts MATCH :m ORDER BY rank LIMIT :n"),
            {"m": match, "n": FTS_CANDIDATES},
        )
    else:
        tsquery = " & ".join(re.sub(r"[^\w]", "", t) + ":*" for t in tokens)
        rows = session.execute(
            text(
                "SELECT id FROM vendor WHERE to_tsvector('simple', search_text) "
                "@@ to_tsquery('simple', :q) LIMIT :n"
            ),
            {"q": tsquery, "n": FTS_CANDIDATES},
        )
    return [int(r[0]) for r in rows]


def rank(query: str, names: list[tuple[str, bool]]) -> float:
    """Relevance of a vendor for a query from its (alias, is_name) rows: the name counts most."""
    key = name_key(query)
    keys = [(name_key(alias), is_name) for alias, is_name in names]
    for k, is_name in keys:
        if key and k == key:
            return 200.0 if is_name else 190.0
    prefixed = [k for k, _ in keys if key and k.startswith(key)]
    if prefixed:
        return 150.0 + len(key) / max(len(k) for k in prefixed)
    folded = query.casefold()
    return float(max(fuzz.WRatio(folded, alias.casefold()) for alias, _ in names))


def alias_rows(session: Session, vendor_ids: list[int]) -> dict[int, list[tuple[str, bool]]]:
    """(alias, is_name) rows of each vendor, for ranking without loading whole vendors."""
    rows: dict[int, list[tuple[str, bool]]] = {}
    for vid, alias, is_name in session.execute(
        select(col(VendorAlias.vendor_id), col(VendorAlias.alias), col(VendorAlias.is_name)).where(
            col(VendorAlias.vendor_id).in_(vendor_ids)
        )
    ):
        rows.setdefault(int(vid), []).append((alias, bool(is_name)))
    return rows


def candidate_ids(session: Session, query: str, names: NameIndex) -> dict[int, float]:
    """Vendor ids that may match query, with a fuzzy similarity where one was computed."""
    key = name_key(query)
    found: dict[int, float] = {}
    if key:
        for vid in session.execute(
            select(col(VendorAlias.vendor_id)).where(col(VendorAlias.key) == key)
        ).scalars():
            found[int(vid)] = 100.0
    # A full-text hit (name, alias, legal entity or description) is relevant in its own
    # right, ranked below name matches and in the order the index ranks it.
    for position, vid in enumerate(_fts_ids(session, query)):
        found[vid] = max(found.get(vid, 0.0), FTS_BASE_SCORE - position * 0.01)
    # Typo tolerance only where the exact and full-text paths found nothing: the name index's
    # trigram candidates, compared with rapidfuzz.
    if not found and key:
        for entry, score in names.sync(session).similar(key, cutoff=FUZZY_CUTOFF, limit=20):
            found[entry.vendor_id] = max(found.get(entry.vendor_id, 0.0), score)
    return found
