"""Reading and checking the whole catalog: every problem with its file and line."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from marshmallow import ValidationError

from assessments.catalog.categories import Category, CategorySchema
from assessments.catalog.names import name_key
from assessments.catalog.vendors import (
    LEGACY_FIELDS,
    VendorRecord,
    VendorSchema,
    build_record,
    covered_person_reasons,
)
from assessments.catalog.vocabulary import (
    CONTRACT_DATA_CATEGORIES,
    CONTRACT_PURPOSES,
    DOJ_COUNTRIES_OF_CONCERN,
    SOURCED_FIELDS,
    SOURCED_FIELDS_STRICT,
)
from assessments.catalog.yamlmarks import PathKey, YamlDocument, YamlSyntaxError, parse_yaml

VENDORS_DIR = "vendors"
CATEGORIES_FILE = "categories.yaml"
TAXONOMY_FILE = "taxonomy.yaml"
COUNTRIES_FILE = "countries.yaml"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the catalog, where it is written."""

    file: str
    line: int | None
    message: str
    severity: str = "error"  # "warning": a strict check the shipped data does not pass yet

    def __str__(self) -> str:
        tag = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line or 1}: {tag}{self.message}"


class CatalogError(Exception):
    """The catalog did not validate; `problems` says where and why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        head = "; ".join(str(p) for p in self.problems[:3])
        more = f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""
        super().__init__(f"{len(self.problems)} catalog problem(s): {head}{more}")


@dataclass(frozen=True)
class Taxonomy:
    """The data-category and purpose ids vendor records may use."""

    data_categories: frozenset[str]
    purposes: frozenset[str]
    from_file: bool


@dataclass(frozen=True)
class Catalog:
    """Everything read from a catalog directory, valid records only, plus the problems."""

    vendors: tuple[VendorRecord, ...]
    categories: tuple[Category, ...]
    taxonomy: Taxonomy
    version: str
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...] = ()


def catalog_version(data_dir: Path) -> str:
    """A short content hash of every YAML file in the catalog: changes when any file does."""
    digest = hashlib.sha256()
    for path in sorted(Path(data_dir).rglob("*.yaml")):
        digest.update(path.relative_to(data_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def load_vendors(data_dir: Path) -> list[VendorRecord]:
    """Load every vendor of the catalog in `data_dir`; raise CatalogError on any problem."""
    catalog = read_catalog(data_dir)
    if catalog.problems:
        raise CatalogError(catalog.problems)
    return list(catalog.vendors)


def load_categories(data_dir: Path) -> list[Category]:
    """Load the vendor categories of the catalog; raise CatalogError on any problem."""
    problems: list[Problem] = []
    categories = _read_categories(Path(data_dir), problems)
    if problems:
        raise CatalogError(problems)
    return categories


def validate_catalog(data_dir: Path, *, strict: bool = False) -> list[Problem]:
    """Every problem in the catalog at `data_dir`, in file order; empty when it is clean.

    With `strict`, the strict checks (warnings otherwise) are problems too."""
    return list(read_catalog(data_dir, strict=strict).problems)


def read_catalog(data_dir: Path, *, strict: bool = False) -> Catalog:
    """Read and cross-check categories, taxonomy and vendor files; never raises on bad data.

    Strict checks (sources with openable URLs for every fact, ...) go to `warnings`, or, with
    `strict`, to `problems` as errors, so a record failing them is not loaded."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    categories = _read_categories(data_dir, problems)
    taxonomy = _read_taxonomy(data_dir, problems)
    concern = _doj_countries(data_dir)
    category_ids = {c.id for c in categories}
    vendors: list[VendorRecord] = []
    alias_owner: dict[str, tuple[str, str]] = {}
    slug_file: dict[str, str] = {}
    vendor_dir = data_dir / VENDORS_DIR
    files = sorted(vendor_dir.glob("*.yaml")) if vendor_dir.is_dir() else []
    if not files:
        problems.append(Problem(_display(data_dir, vendor_dir), None, "no vendor files found"))
    for path in files:
        shown = _display(data_dir, path)
        doc = _parse_file(path, shown, problems)
        if doc is None:
            continue
        record = _load_vendor(doc, shown, problems)
        if record is None:
            continue
        before = len(problems)
        _check_vendor(record, doc, shown, path, category_ids, taxonomy, concern, problems)
        _check_facts(record, doc, shown, concern, problems, problems if strict else warnings)
        _check_unique(record, doc, shown, slug_file, alias_owner, problems)
        if len(problems) == before:
            vendors.append(record)
    _check_designated_owners(vendors, data_dir, problems if strict else warnings, strict)
    return Catalog(
        vendors=tuple(vendors),
        categories=tuple(categories),
        taxonomy=taxonomy,
        version=catalog_version(data_dir),
        problems=tuple(problems),
        warnings=tuple(warnings),
    )


# ---- reading --------------------------------------------------------------------------------


def _display(data_dir: Path, path: Path) -> str:
    try:
        return path.relative_to(data_dir.parent).as_posix()
    except ValueError:
        return str(path)


def _parse_file(path: Path, shown: str, problems: list[Problem]) -> YamlDocument | None:
    try:
        doc = parse_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(Problem(shown, None, f"not UTF-8 text: {exc}"))
        return None
    except YamlSyntaxError as exc:
        problems.append(Problem(shown, exc.line, f"YAML syntax error: {exc.message}"))
        return None
    for key, line in doc.duplicate_keys:
        problems.append(Problem(shown, line, f"duplicate key {key!r}"))
    if not isinstance(doc.data, dict):
        problems.append(Problem(shown, 1, "expected a mapping at the top level"))
        return None
    return doc


def _schema_problems(error: ValidationError, doc: YamlDocument, shown: str) -> list[Problem]:
    found: list[Problem] = []
    for path, message in _flatten(error.messages, ()):
        where = ".".join(str(p) for p in path if p != "_schema") or "record"
        found.append(Problem(shown, doc.line_of(path), f"{where}: {message}"))
    return found


def _flatten(messages: Any, path: PathKey) -> Iterable[tuple[PathKey, str]]:
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            yield from _flatten(value, path if key == "_schema" else (*path, key))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        for message in messages:
            yield path, message
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, path)
    else:
        yield path, str(messages)


def _load_vendor(doc: YamlDocument, shown: str, problems: list[Problem]) -> VendorRecord | None:
    try:
        loaded = VendorSchema().load(doc.data)
    except ValidationError as exc:
        problems.extend(_schema_problems(exc, doc, shown))
        return None
    return build_record(loaded, doc.data)


def _read_categories(data_dir: Path, problems: list[Problem]) -> list[Category]:
    path = data_dir / CATEGORIES_FILE
    shown = _display(data_dir, path)
    if not path.is_file():
        problems.append(Problem(shown, None, "categories file is missing"))
        return []
    doc = _parse_file(path, shown, problems)
    if doc is None:
        return []
    items = doc.data.get("categories")
    unknown = sorted(set(doc.data) - {"categories"})
    for key in unknown:
        problems.append(Problem(shown, doc.line_of((key,)), f"{key}: Unknown field."))
    if not isinstance(items, list) or not items:
        problems.append(
            Problem(shown, doc.line_of(("categories",)), "expected a `categories` list")
        )
        return []
    categories: list[Category] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        try:
            loaded = CategorySchema().load(item)
        except ValidationError as exc:
            prefixed = ValidationError({"categories": {index: exc.messages}})
            problems.extend(_schema_problems(prefixed, doc, shown))
            continue
        if loaded["id"] in seen:
            line = doc.line_of(("categories", index, "id"))
            problems.append(Problem(shown, line, f"duplicate category id {loaded['id']!r}"))
            continue
        seen.add(loaded["id"])
        categories.append(Category(**loaded))
    return categories


def _read_taxonomy(data_dir: Path, problems: list[Problem]) -> Taxonomy:
    """Ids from taxonomy.yaml when it exists, else the ids transfer-contract.md requires."""
    path = data_dir / TAXONOMY_FILE
    if not path.is_file():
        return Taxonomy(CONTRACT_DATA_CATEGORIES, CONTRACT_PURPOSES, from_file=False)
    shown = _display(data_dir, path)
    doc = _parse_file(path, shown, problems)
    if doc is None:
        return Taxonomy(CONTRACT_DATA_CATEGORIES, CONTRACT_PURPOSES, from_file=False)
    sections: dict[str, frozenset[str]] = {}
    for section in ("data_categories", "purposes"):
        ids = _section_ids(doc.data.get(section))
        if ids is None:
            problems.append(
                Problem(shown, doc.line_of((section,)), f"no readable {section!r} id list")
            )
            ids = set()
        sections[section] = frozenset(ids)
    return Taxonomy(sections["data_categories"], sections["purposes"], from_file=True)


def _doj_countries(data_dir: Path) -> frozenset[str]:
    """DOJ countries of concern from countries.yaml, else the 28 CFR 202.601 list we carry."""
    path = data_dir / COUNTRIES_FILE
    if path.is_file():
        try:
            data = parse_yaml(path.read_text(encoding="utf-8")).data
        except (YamlSyntaxError, UnicodeDecodeError):
            data = None  # reference.py reports a broken countries file; fall back here
        section = data.get("doj_countries_of_concern") if isinstance(data, Mapping) else None
        rows = section.get("countries") if isinstance(section, Mapping) else None
        if isinstance(rows, list):
            codes = {str(r["code"]) for r in rows if isinstance(r, Mapping) and "code" in r}
            if codes:
                return frozenset(codes)
    return DOJ_COUNTRIES_OF_CONCERN


def _section_ids(section: Any) -> set[str] | None:
    """Ids of a taxonomy section written either as a list of {id: ...} or a mapping by id."""
    if isinstance(section, Mapping):
        return {str(key) for key in section}
    if isinstance(section, list):
        ids = {str(item["id"]) for item in section if isinstance(item, Mapping) and "id" in item}
        return ids if len(ids) == len(section) else None
    return None


# ---- cross-checks ---------------------------------------------------------------------------


def _check_vendor(
    record: VendorRecord,
    doc: YamlDocument,
    shown: str,
    path: Path,
    category_ids: set[str],
    taxonomy: Taxonomy,
    concern: frozenset[str],
    problems: list[Problem],
) -> None:
    def report(where: Sequence[str | int], message: str) -> None:
        problems.append(Problem(shown, doc.line_of(where), message))

    if path.stem != record.slug:
        report(("slug",), f"slug {record.slug!r} does not match the file name {path.name!r}")
    if category_ids and record.category not in category_ids:
        report(("category",), f"unknown category {record.category!r} (see categories.yaml)")
    for index, data_category in enumerate(record.data_categories):
        if data_category not in taxonomy.data_categories:
            report(("data_categories", index), f"unknown data category {data_category!r}")
    for index, purpose in enumerate(record.purposes):
        if purpose not in taxonomy.purposes:
            report(("purposes", index), f"unknown purpose {purpose!r}")
    _check_dates(record, report)
    _check_sources(record, doc, report)
    if record.dpf is None and record.dpf_certified and "eu_dpf" not in record.transfer_mechanisms:
        report(("transfer_mechanisms",), "dpf_certified is true but eu_dpf is not listed")
    if record.status.value != "active" and record.status.since is None and not record.status.note:
        # A source may give only the month ("ended in March 2024"): the note then says what
        # is known instead of a day the record would have to invent.
        report(
            ("status",),
            f"status {record.status.value!r} needs a `since` date, or a note saying when",
        )
    hq_entities = [e for e in record.legal_entities if e.role == "hq"]
    if len(hq_entities) > 1:
        report(("legal_entities",), "more than one legal entity with role 'hq'")
    if record.legal_entities and record.legal_entities[0].role != "hq" and hq_entities:
        report(("legal_entities", 0), "the hq entity must come first")
    if hq_entities and record.hq_country and hq_entities[0].country != record.hq_country:
        report(
            ("hq_country",),
            f"hq_country {record.hq_country} differs from the hq entity's country "
            f"{hq_entities[0].country}",
        )
    for field_name, values in (
        ("processing_countries", record.processing_countries),
        ("data_categories", record.data_categories),
        ("purposes", record.purposes),
        ("certifications", record.certifications),
        ("transfer_mechanisms", record.transfer_mechanisms),
    ):
        if len(set(values)) != len(values):
            report((field_name,), f"{field_name} lists a value twice")


def _check_dates(record: VendorRecord, report: Any) -> None:
    earliest = date(1990, 1, 1)
    stamps: list[tuple[Sequence[str | int], date | None]] = [
        (("last_verified",), record.last_verified),
        (("status", "since"), record.status.since),
    ]
    stamps += [(("sources", i, "retrieved"), s.retrieved) for i, s in enumerate(record.sources)]
    for where, stamp in stamps:
        if stamp is not None and stamp < earliest:
            report(where, f"{'.'.join(map(str, where))}: date {stamp} is implausibly early")
    for index, source in enumerate(record.sources):
        if source.retrieved and source.retrieved > record.last_verified:
            report(
                ("sources", index, "retrieved"),
                f"source retrieved {source.retrieved} after last_verified {record.last_verified}",
            )


def _check_sources(record: VendorRecord, doc: YamlDocument, report: Any) -> None:
    supported = {fact for source in record.sources for fact in source.facts}
    for field_name in SOURCED_FIELDS:
        block = LEGACY_FIELDS.get(field_name)
        if block is not None and getattr(record, block) is not None:
            continue  # derived from its block, which is checked in its own right
        value = getattr(record, field_name)
        if value in (None, (), "") or field_name in supported:
            continue
        report((field_name,), f"{field_name} is filled but no source lists it in `facts`")
    if record.status.value != "active" and "status" not in supported:
        report(("status",), "a non-active status needs a source that lists `status`")


# Groups whose member vendors must name the group in `ownership` (issue 12 §2): the words
# that give a member away in its name, aliases, description or legal entities.
GROUP_MARKERS: dict[str, tuple[str, ...]] = {
    "Alibaba": ("alibaba", "阿里巴巴", "阿里云", "蚂蚁", "ant group"),
    "Tencent": ("tencent", "腾讯"),
    "Baidu": ("baidu", "百度"),
    "ByteDance": ("bytedance", "字节跳动"),
    "Kuaishou": ("kuaishou", "快手"),
    "Huawei": ("huawei", "华为"),
    "Xiaomi": ("xiaomi", "小米"),
    "JD": ("jd.com", "京东"),
    "Meituan": ("meituan", "美团"),
    "NetEase": ("netease", "网易"),
    "Sina/Weibo": ("sina", "weibo", "新浪", "微博"),
    "VK": ("vk company", "vkontakte", "вконтакте", "mail.ru"),
    "Yandex": ("yandex", "яндекс"),
    "Sber": ("sberbank", "сбербанк", "sber"),
}
GROUP_OWNER_WORDS: dict[str, tuple[str, ...]] = {
    "Alibaba": ("alibaba", "阿里巴巴", "ant group", "蚂蚁"),
    "Sina/Weibo": ("sina", "weibo", "新浪", "微博"),
    "VK": ("vk", "mail.ru", "вконтакте"),
    "Sber": ("sber", "сбер"),
}
# Archives a browser downloads instead of showing: a URL into one is not a page to open.
_ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".7z", ".rar", ".gz", ".jar", ".warc")
STRICT_NOTE = "(a strict check: an error under `catalog validate --strict`)"


def openable_url_problem(url: str) -> str | None:
    """Why `url` is not an address a person can open in a browser, or None when it is."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or "." not in (parts.hostname or ""):
        return "is not an http(s) address"
    if any(ch.isspace() for ch in url):
        return "contains white space"
    path = parts.path.lower()
    for suffix in _ARCHIVE_SUFFIXES:
        if f"{suffix}:" in path or f"{suffix}!/" in path or f"{suffix}/" in path:
            return f"points inside an archive ({suffix})"
    # A web page may well live under /home/ or /var/; these two are where a copy made on a
    # researcher's machine lives (the reference sets under /work, scratch files under /tmp).
    if path.startswith(("/tmp/", "/work/")):
        return "is a local file path"
    return None


def _check_facts(
    record: VendorRecord,
    doc: YamlDocument,
    shown: str,
    concern: frozenset[str],
    problems: list[Problem],
    warnings: list[Problem],
) -> None:
    """Issue-12 checks: screening from ownership, DPF scope, sanctions, sources, conflicts."""

    def report(where: Sequence[str | int], message: str) -> None:
        problems.append(Problem(shown, doc.line_of(where), message))

    def warn(where: Sequence[str | int], message: str) -> None:
        severity = "error" if warnings is problems else "warning"
        warnings.append(Problem(shown, doc.line_of(where), message, severity))

    reasons = covered_person_reasons(record, concern)
    if reasons and record.covered_person_candidate is not True:
        report(
            ("covered_person_candidate",),
            f"{'; '.join(reasons)}: a DOJ country of concern (28 CFR 202.601, 202.211) "
            "makes the vendor a covered-person candidate; covered_person_candidate must be true",
        )
    us_entity = record.hq_country == "US" or any(e.country == "US" for e in record.legal_entities)
    if record.dpf is not None and not us_entity:
        report(("dpf",), "dpf is only for vendors with a US HQ or a US legal entity")
    if record.dpf is not None and record.dpf.checked > record.last_verified:
        report(("dpf", "checked"), "dpf.checked is after last_verified")
    _check_sanctions(record, report, warn)
    _check_history(record, report)
    _check_source_urls(record, warn)
    _check_groups(record, warn)


def _check_sanctions(record: VendorRecord, report: Any, warn: Any) -> None:
    owners = {name_key(o.name) for o in (record.ownership.owners if record.ownership else ())}
    for index, sanction in enumerate(record.sanctions):
        if sanction.designated is None:
            warn(("sanctions", index), f"sanctions.{index}: no designation date {STRICT_NOTE}")
        elif sanction.designated > record.last_verified:
            report(("sanctions", index, "designated"), "designation date after last_verified")
        if sanction.through_ownership and name_key(sanction.party) not in owners:
            warn(
                ("sanctions", index, "party"),
                f"sanctions.{index}: {sanction.party!r} applies through ownership but is not "
                f"the parent or ultimate_parent in `ownership` {STRICT_NOTE}",
            )
    if record.status.value == "sanctioned" and not record.sanctions:
        warn(
            ("status",),
            f"status is sanctioned but no `sanctions` entry says by whom {STRICT_NOTE}",
        )


def _check_designated_owners(
    vendors: Sequence[VendorRecord], data_dir: Path, found: list[Problem], strict: bool
) -> None:
    """A vendor whose 50%+ (or unstated-share) owner is designated in another record is
    marked too: it carries a `sanctions` entry naming that owner (OFAC's 50% rule)."""
    designated = {
        name_key(s.party): (v.slug, s.party)
        for v in vendors
        for s in v.sanctions
        if not s.through_ownership
    }
    for vendor in vendors:
        if vendor.ownership is None:
            continue
        parties = {name_key(s.party) for s in vendor.sanctions}
        for owner in vendor.ownership.owners:
            key = name_key(owner.name)
            hit = designated.get(key)
            if hit is None or key in parties or (owner.share is not None and owner.share < 50):
                continue
            shown = _display(data_dir, data_dir / VENDORS_DIR / f"{vendor.slug}.yaml")
            found.append(
                Problem(
                    shown,
                    None,
                    f"owner {owner.name!r} is designated (sanctions of {hit[0]!r}): add a "
                    f"`sanctions` entry with through_ownership: true {STRICT_NOTE}",
                    "error" if strict else "warning",
                )
            )


def _check_history(record: VendorRecord, report: Any) -> None:
    """Where a sale is newer than the ownership the record states, keep the newer fact."""
    sales = sorted(
        (h for h in record.history if h.event in {"sold", "acquired", "merged"} and h.to),
        key=lambda h: h.date,
    )
    if not sales or record.ownership is None:
        return
    latest = sales[-1]
    owners = record.ownership.owners
    if any(name_key(latest.to or "") == name_key(o.name) for o in owners):
        return
    since = [o.since for o in owners if o.since is not None]
    if since and max(since) > latest.date:
        return  # the stated ownership is newer than the sale
    if record.ownership.note:
        return  # the record explains the conflict
    index = record.history.index(latest)
    report(
        ("history", index),
        f"history says {latest.event} to {latest.to!r} on {latest.date}, but `ownership` "
        "names another owner and no newer date: keep the newer fact, and say why in "
        "ownership.note",
    )


def _check_source_urls(record: VendorRecord, warn: Any) -> None:
    openable: set[str] = set()
    for index, source in enumerate(record.sources):
        if source.url is None:
            warn(
                ("sources", index),
                f"sources.{index}: {source.ref!r} has no url a person can open {STRICT_NOTE}",
            )
            continue
        why = openable_url_problem(source.url)
        if why:
            warn(("sources", index, "url"), f"sources.{index}.url {why} {STRICT_NOTE}")
        else:
            openable.update(source.facts)
    for kind, url in (record.urls or {}).items():
        why = openable_url_problem(url)
        if why:
            warn(("urls", kind), f"urls.{kind} {why} {STRICT_NOTE}")
    for field_name in (*SOURCED_FIELDS, *SOURCED_FIELDS_STRICT):
        block = LEGACY_FIELDS.get(field_name)
        if block is not None and getattr(record, block) is not None:
            continue
        value = getattr(record, field_name)
        if value in (None, (), "", {}) or field_name in openable:
            continue
        warn(
            (field_name,),
            f"{field_name} is filled but no source with an openable url and a retrieval "
            f"date lists it {STRICT_NOTE}",
        )


def _mentions(text: str, words: tuple[str, ...]) -> bool:
    """Whether `text` (casefolded) names one of `words`: Latin words only as whole words
    ("Sina" is not in "PT Sinar Digital"), Chinese and Cyrillic ones anywhere."""
    return any(_word_pattern(word).search(text) for word in words)


@functools.cache
def _word_pattern(word: str) -> re.Pattern[str]:
    if word.isascii():
        return re.compile(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])")
    return re.compile(re.escape(word))


def _sold_out_of(record: VendorRecord, markers: tuple[str, ...]) -> bool:
    """Whether the newest sale in the history took the vendor away from the group.

    A former name such as "Yandex.Money" then mentions the group without the group owning it.
    """
    sales = [event for event in record.history if event.event == "sold"]
    if not sales:
        return False
    newest = max(sales, key=lambda event: event.date)
    detail, buyer = newest.detail.casefold(), (newest.to or "").casefold()
    return _mentions(detail, markers) and not _mentions(buyer, markers)


def _check_groups(record: VendorRecord, warn: Any) -> None:
    if record.ownership is not None and record.ownership.independent:
        return
    text = " ".join(
        [*record.names, record.description or "", *(e.name for e in record.legal_entities)]
    ).casefold()
    owners = " ".join(o.name for o in (record.ownership.owners if record.ownership else ()))
    owners = owners.casefold()
    for group, markers in GROUP_MARKERS.items():
        if not _mentions(text, markers) or _sold_out_of(record, markers):
            continue
        if not _mentions(owners, GROUP_OWNER_WORDS.get(group, markers)):
            warn(
                ("ownership",),
                f"the record mentions {group} but `ownership` does not name the group "
                f"{STRICT_NOTE}",
            )


def _check_unique(
    record: VendorRecord,
    doc: YamlDocument,
    shown: str,
    slug_file: dict[str, str],
    alias_owner: dict[str, tuple[str, str]],
    problems: list[Problem],
) -> None:
    if record.slug in slug_file:
        problems.append(
            Problem(
                shown,
                doc.line_of(("slug",)),
                f"duplicate slug {record.slug!r} (also in {slug_file[record.slug]})",
            )
        )
    slug_file.setdefault(record.slug, shown)
    own: dict[str, str] = {}
    for index, alias in enumerate(record.names):
        where: PathKey = ("name",) if index == 0 else ("aliases", index - 1)
        key = name_key(alias)
        if not key:
            problems.append(Problem(shown, doc.line_of(where), f"{alias!r} has no letters"))
            continue
        if key in own:
            problems.append(
                Problem(
                    shown,
                    doc.line_of(where),
                    f"alias {alias!r} folds to the same key as {own[key]!r} in this record",
                )
            )
            continue
        own[key] = alias
        owner = alias_owner.get(key)
        if owner is not None and owner[0] != record.slug:
            problems.append(
                Problem(
                    shown,
                    doc.line_of(where),
                    f"name {alias!r} is already used by vendor {owner[0]!r} ({owner[1]!r})",
                )
            )
            continue
        alias_owner[key] = (record.slug, alias)
