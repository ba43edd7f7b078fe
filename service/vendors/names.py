"""The registry's names: one index per process, kept in step with the registry version.

One index serves the vendor search (typo candidates), the assistant (names inside a question)
and the policy scanner (its automaton is compiled from the same records). Every transaction
that writes vendors raises the registry version once per write (`next_registry_version`, in
that transaction) and stamps the vendors it wrote with it. A reader reads the version (one
primary-key probe); when it moved, only the vendors written since are read again and
swapped in. A write therefore costs the next reader one small query, not a rebuild.

Typo candidates come from a trigram index: a key within t typos of the query shares all but
at most 4t of its trigrams, so it holds one of the query's 4t+1 rarest trigrams; only the keys
found that way are compared with rapidfuzz. Keys one typo away are looked for first, two typos
away only when none is near enough. Short queries (too few trigrams for that) compare the
keys of a similar length instead.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app
from rapidfuzz import fuzz, process
from sqlalchemy import Table, func, insert, select, update
from sqlmodel import Session, col

from assessments.catalog.names import name_key
from assessments.scanner import Matcher
from assessments.scanner.matcher import VendorNames
from service.vendors.models import RegistryState, Vendor, VendorAlias

_EXTENSION = "xborder.registry_names"
# A delta larger than this (a bulk import, say) is read as a rebuild.
MAX_DELTA = 5000
# Typos tolerated by the trigram candidates; each typo loses at most four trigrams.
MAX_TYPOS = 2
_LOST_PER_TYPO = 4


def _state() -> Table:
    table: Table = RegistryState.__table__  # type: ignore[attr-defined]
    return table


def next_registry_version(session: Session) -> int:
    """Raise the registry version in the caller's transaction; stamp written vendors with it.

    The row stays locked until the transaction ends, so versions follow commit order.
    """
    state = _state()
    # Before any pending vendor change is flushed: every writer locks this row first and
    # vendor rows after it, so two writers never wait for each other in a circle.
    with session.no_autoflush:
        row = session.execute(
            update(state)
            .where(state.c.id == 1)
            .values(version=state.c.version + 1)
            .returning(state.c.version)
        ).first()
    if row is not None:
        return int(row[0])
    # No row (a database emptied by hand): start again above every stamped vendor.
    top = session.execute(
        select(func.coalesce(func.max(col(Vendor.registry_version)), 0))
    ).scalar_one()
    version = int(top) + 1
    session.execute(insert(state).values(id=1, version=version))
    return version


def registry_version(session: Session) -> int:
    """The registry version as committed now."""
    state = _state()
    value = session.execute(select(state.c.version).where(state.c.id == 1)).scalar_one_or_none()
    return int(value or 0)


@dataclass(frozen=True, slots=True)
class NameEntry:
    """A vendor found under a key: its id, slug, display name, the alias and whether it is
    the vendor's own name (an alias of the slug itself has alias == slug)."""

    vendor_id: int
    slug: str
    name: str
    alias: str
    is_name: bool


@dataclass(frozen=True, slots=True)
class _Record:
    slug: str
    name: str
    archived: bool
    entries: tuple[tuple[str, NameEntry], ...]  # (key, entry) from vendor_alias
    slug_key: str


def _trigrams(key: str) -> set[str]:
    padded = f"^{key}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class NameIndex:
    """Every vendor's names and alias keys; `sync(session)` brings it to the registry version.

    Thread-safe: changes and the lookups that iterate hold one lock.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.builds = 0  # full reads of the registry
        self.matcher_builds = 0
        self._clear()

    def _clear(self) -> None:
        self.version: int | None = None
        self._records: dict[int, _Record] = {}
        self._by_key: dict[str, NameEntry] = {}
        self._slug_keys: dict[str, dict[int, NameEntry]] = {}
        self._refs: Counter[str] = Counter()  # live keys (alias or slug keys) and their uses
        self._by_length: dict[int, dict[str, None]] = {}
        self._key_ids: dict[str, int] = {}
        self._id_keys: list[str | None] = []
        # Built on the first typo lookup (most processes never need them), then kept up.
        self._postings: dict[str, list[int]] | None = None
        self._dead = 0
        self._filtered: dict[Callable[[str], bool], tuple[str, ...]] = {}
        self._matcher: Matcher | None = None
        self._matcher_version: int | None = None

    # ------------------------------------------------------------------ keeping in step

    def sync(self, session: Session) -> NameIndex:
        """Apply the vendors written since the last sync (or read them all the first time)."""
        current = registry_version(session)
        with self._lock:
            if self.version == current:
                return self
            since = self.version
            if since is None:
                self._rebuild(session, current)
                return self
            changed = [
                int(v)
                for v in session.execute(
                    select(col(Vendor.id)).where(col(Vendor.registry_version) > since)
                ).scalars()
            ]
            if len(changed) > MAX_DELTA:
                self._rebuild(session, current)
                return self
            self._apply(_read(session, changed), changed)
            self.version = current
        return self

    def _rebuild(self, session: Session, version: int) -> None:
        self._clear()
        self.builds += 1
        records = _read(session, None)
        self._apply(records, list(records))
        self.version = version

    def _apply(self, records: dict[int, _Record], ids: Iterable[int]) -> None:
        for vendor_id in ids:
            old = self._records.pop(vendor_id, None)
            if old is not None:
                self._remove(vendor_id, old)
            new = records.get(vendor_id)
            if new is not None:
                self._records[vendor_id] = new
                self._add(vendor_id, new)
        self._filtered = {}
        if self._postings is not None and self._dead > max(1000, len(self._key_ids)):
            self._postings = None  # rebuilt from the live keys on the next typo lookup

    def put(
        self, vendor_id: int, slug: str, name: str, aliases: Iterable[tuple[str, str, bool]]
    ) -> None:
        """Set one vendor's names by hand: (key, alias, is_name) rows (a registry-less index)."""
        record = _Record(
            slug=slug,
            name=name,
            archived=False,
            entries=tuple(
                (key, NameEntry(vendor_id, slug, name, alias, is_name))
                for key, alias, is_name in aliases
            ),
            slug_key=name_key(slug),
        )
        with self._lock:
            self._apply({vendor_id: record}, [vendor_id])

    def _add(self, vendor_id: int, record: _Record) -> None:
        for key, entry in record.entries:
            self._by_key[key] = entry
            self._use(key)
        if record.slug_key:
            entry = NameEntry(vendor_id, record.slug, record.name, record.slug, False)
            self._slug_keys.setdefault(record.slug_key, {})[vendor_id] = entry
            self._use(record.slug_key)

    def _remove(self, vendor_id: int, record: _Record) -> None:
        for key, entry in record.entries:
            if self._by_key.get(key) == entry:
                del self._by_key[key]
            self._release(key)
        if record.slug_key:
            owners = self._slug_keys.get(record.slug_key, {})
            owners.pop(vendor_id, None)
            if not owners:
                self._slug_keys.pop(record.slug_key, None)
            self._release(record.slug_key)

    def _use(self, key: str) -> None:
        self._refs[key] += 1
        if self._refs[key] > 1:
            return
        self._by_length.setdefault(len(key), {})[key] = None
        key_id = len(self._id_keys)
        self._id_keys.append(key)
        self._key_ids[key] = key_id
        if self._postings is not None:
            for gram in _trigrams(key):
                self._postings.setdefault(gram, []).append(key_id)

    def _release(self, key: str) -> None:
        self._refs[key] -= 1
        if self._refs[key] > 0:
            return
        del self._refs[key]
        self._by_length[len(key)].pop(key, None)
        self._id_keys[self._key_ids.pop(key)] = None
        self._dead += 1

    def _trigram_postings(self) -> dict[str, list[int]]:
        """Trigram -> ids of the keys holding it; built from the live keys when missing."""
        if self._postings is None:
            live = list(self._key_ids)
            self._id_keys = list[str | None](live)
            self._key_ids = {key: i for i, key in enumerate(live)}
            postings: dict[str, list[int]] = {}
            for key_id, key in enumerate(live):
                for gram in _trigrams(key):
                    postings.setdefault(gram, []).append(key_id)
            self._postings = postings
            self._dead = 0
        return self._postings

    # ------------------------------------------------------------------ lookups

    def exact(self, key: str) -> NameEntry | None:
        """The vendor whose name or alias folds to key, else the one whose slug does."""
        with self._lock:
            entry = self._by_key.get(key)
            if entry is not None:
                return entry
            owners = self._slug_keys.get(key)
            return owners[min(owners)] if owners else None

    def keys(self) -> list[str]:
        """Every live key (names, aliases, slugs)."""
        with self._lock:
            return list(self._refs)

    def keys_where(self, predicate: Callable[[str], bool]) -> tuple[str, ...]:
        """The keys for which predicate holds (e.g. Chinese script), longest first; cached
        per predicate until the index changes."""
        with self._lock:
            found = self._filtered.get(predicate)
            if found is None:
                matching = (k for k in self._refs if predicate(k))
                found = tuple(sorted(matching, key=len, reverse=True))
                self._filtered[predicate] = found
            return found

    def near_length(self, key: str, ratio: float) -> list[str]:
        """Keys whose length allows a similarity of `ratio` with key."""
        low, high = int(len(key) * ratio), int(len(key) / ratio) + 1
        with self._lock:
            return [k for n in range(low, high + 1) for k in self._by_length.get(n, ())]

    def typo_candidates(self, key: str, typos: int = MAX_TYPOS) -> list[str]:
        """Keys that may be within `typos` typos of key (a superset; compare them after)."""
        grams = _trigrams(key)
        lost = typos * _LOST_PER_TYPO
        if len(grams) <= lost:
            return self.near_length(key, 0.6)
        with self._lock:
            index = self._trigram_postings()
            postings = sorted((index.get(g, ()) for g in grams), key=len)
            ids: set[int] = set()
            for found in postings[: lost + 1]:
                ids.update(found)
            id_keys = self._id_keys
            return [k for k in (id_keys[i] for i in ids) if k is not None]

    def similar(
        self, key: str, *, cutoff: float, limit: int | None
    ) -> list[tuple[NameEntry, float]]:
        """Entries whose key is similar to key (rapidfuzz ratio >= cutoff), best first.

        Keys one typo away are looked for first (fewer candidates); two typos only when that
        finds nothing.
        """
        hits: list[tuple[str, float, int]] = []
        for typos in range(1, MAX_TYPOS + 1):
            candidates = self.typo_candidates(key, typos)
            hits = process.extract(
                key, candidates, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit
            )
            if hits:
                break
        out = []
        for candidate, score, _pos in hits:
            entry = self.exact(candidate)
            if entry is not None:
                out.append((entry, float(score)))
        return out

    def matcher(
        self, session: Session, compile_matcher: Callable[[list[VendorNames]], Matcher]
    ) -> Matcher:
        """The scanner's matcher over the active vendors, compiled once per registry version
        (call sync first; the scanner's fields are read when it is compiled)."""
        with self._lock:
            if self._matcher is None or self._matcher_version != self.version:
                self._matcher = compile_matcher(_scanner_names(session))
                self._matcher_version = self.version
                self.matcher_builds += 1
            return self._matcher


def _scanner_names(session: Session) -> list[VendorNames]:
    """Every active vendor's names as the scanner reads them."""
    rows = session.execute(
        select(
            col(Vendor.id),
            col(Vendor.slug),
            col(Vendor.name),
            col(Vendor.category),
            col(Vendor.aliases),
            col(Vendor.legal_entities),
            col(Vendor.parent),
            col(Vendor.sdk),
            col(Vendor.version),
        )
        .where(col(Vendor.archived).is_(False))
        .order_by(col(Vendor.id))
    )
    out = []
    for vendor_id, slug, name, category, aliases, entities, parent, sdk, version in rows:
        sdk = sdk or {}
        out.append(
            VendorNames(
                slug=slug,
                name=name,
                category=category,
                aliases=tuple(aliases or ()),
                legal_entities=tuple(e["name"] for e in entities or () if e.get("name")),
                parent=parent,
                ios_frameworks=tuple(sdk.get("ios_frameworks") or ()),
                android_packages=tuple(sdk.get("android_packages") or ()),
                domains=tuple(sdk.get("domains") or ()),
                content_hash=f"{vendor_id}:{version}",
            )
        )
    return out


def _read(session: Session, ids: list[int] | None) -> dict[int, _Record]:
    """The records of these vendors (all with None), with their alias keys."""
    records: dict[int, _Record] = {}
    if ids is not None and not ids:
        return records
    columns = (col(Vendor.id), col(Vendor.slug), col(Vendor.name), col(Vendor.archived))
    alias_columns = (
        col(VendorAlias.vendor_id),
        col(VendorAlias.key),
        col(VendorAlias.alias),
        col(VendorAlias.is_name),
    )
    chunks = [None] if ids is None else [ids[i : i + 500] for i in range(0, len(ids), 500)]
    for chunk in chunks:
        vendors = select(*columns)
        aliases = select(*alias_columns).order_by(col(VendorAlias.id))
        if chunk is not None:
            vendors = vendors.where(col(Vendor.id).in_(chunk))
            aliases = aliases.where(col(VendorAlias.vendor_id).in_(chunk))
        keys: dict[int, list[tuple[str, str, bool]]] = {}
        for vendor_id, key, alias, is_name in session.execute(aliases):
            keys.setdefault(vendor_id, []).append((key, alias, bool(is_name)))
        for vendor_id, slug, name, archived in session.execute(vendors):
            records[vendor_id] = _Record(
                slug=slug,
                name=name,
                archived=bool(archived),
                entries=tuple(
                    (key, NameEntry(vendor_id, slug, name, alias, is_name))
                    for key, alias, is_name in keys.get(vendor_id, ())
                ),
                slug_key=name_key(slug),
            )
    return records


def name_index(app: Flask | None = None) -> NameIndex:
    """The app's one name index (per process; each worker keeps its own in step)."""
    app = app or current_app
    index: NameIndex = app.extensions.setdefault(_EXTENSION, NameIndex())
    return index
