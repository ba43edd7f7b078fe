"""Vendor names, aliases, legal entities, SDK names and domains compiled into one matcher."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from assessments.catalog.vendors import VendorRecord
from assessments.scanner.lexicon import Lexicon, default_lexicon
from assessments.scanner.phrases import PhraseHit, PhraseIndex, longest_leftmost
from assessments.scanner.text import fold_key, has_cjk, is_cjk

# How a name can identify a vendor, most specific first (a key two vendors share goes to the
# vendor whose record names it most specifically; a tie drops the key, see `conflicts`).
HOW_RANK = {"legal_entity": 0, "domain": 1, "name": 2, "sdk": 3, "alias": 4}
# A company name without its legal form ("Google" of "Google LLC"): it names one of the
# company's products only when the sentence says which kind (see scan._resolve_brands).
BRAND = "brand"
# Company-level records of platform owners ("Apple", "Google"): a text names them bare for
# many products, so their name resolves like a brand (the cued product), else to the company.
UMBRELLA_CATEGORIES = frozenset({"app_platform"})
_LEGAL_FORM = re.compile(
    r"(?:[,\s]+(?:Inc\.?|LLC|L\.L\.C\.|Ltd\.?|Limited|Corp\.?|Corporation|PLC|plc|GmbH|AG|SE|"
    r"S\.A\.|B\.V\.|N\.V\.|K\.K\.|SAS|SARL|S\.à r\.l\.|Co\.,?\s*Ltd\.?|Pte\.?\s*Ltd\.?|"
    r"sp\. z o\.o\.|Holdings?|Group))+$|(?:股份)?有限(?:责任)?公司$"
)
_TOKEN = re.compile(r"[^\W_]+")
_SEPARATOR = re.compile(r"(?<=\w)[._](?=\w)")
_DOMAIN_LIKE = re.compile(r"\.[a-z]{2,6}$")


@dataclass(frozen=True)
class VendorNames:
    """What the matcher reads of a vendor: every way a policy may name it, and its category.

    Built from a catalog VendorRecord (`vendor_names`) or from a registry row by the service.
    """

    slug: str
    name: str
    category: str | None = None
    aliases: tuple[str, ...] = ()
    legal_entities: tuple[str, ...] = ()
    parent: str | None = None
    ios_frameworks: tuple[str, ...] = ()
    android_packages: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    content_hash: str = ""


def vendor_names(record: VendorRecord) -> VendorNames:
    """The names of a catalog record."""
    sdk = record.sdk
    return VendorNames(
        slug=record.slug,
        name=record.name,
        category=record.category,
        aliases=record.aliases,
        legal_entities=tuple(e.name for e in record.legal_entities),
        parent=record.parent,
        ios_frameworks=sdk.ios_frameworks if sdk else (),
        android_packages=sdk.android_packages if sdk else (),
        domains=sdk.domains if sdk else (),
        content_hash=record.content_hash,
    )


@dataclass(frozen=True)
class Alias:
    """One way the text may name a vendor, with what matching it needs.

    ambiguous: an ordinary word or a very short name, so it counts only with its capital and
    a cue nearby. exact_case: an acronym ("AWS", "HERE") that counts only in capitals.
    """

    slug: str
    text: str
    how: str
    ambiguous: bool
    exact_case: bool


@dataclass(frozen=True)
class Matcher:
    """Every registry vendor's names in one automaton, built once and reused for every scan."""

    version: str
    names: Mapping[str, str]
    aliases: tuple[Alias, ...]
    index: PhraseIndex
    conflicts: tuple[str, ...]
    brands: Mapping[int, tuple[tuple[str, str], ...]]
    # A brand that is also a vendor's own name ("Google", the company record): that vendor
    # (slug, category), named when the text points to none of the brand's products.
    brand_fallback: Mapping[int, tuple[str, str]] = field(default_factory=dict)

    def find(self, folded: str) -> list[PhraseHit]:
        """Raw, non-overlapping alias hits in folded text (longest leftmost)."""
        return longest_leftmost(self.index.find(folded))


def is_ambiguous(text: str, how: str, common_words: frozenset[str]) -> bool:
    """True when a vendor name could be an ordinary word or is too short to trust alone."""
    if how in {"legal_entity", "domain"}:
        return False
    key = fold_key(text)
    if has_cjk(key):
        return len(key) <= 2 and all(is_cjk(ch) for ch in key)
    tokens = _TOKEN.findall(key)
    if not tokens or sum(len(t) for t in tokens) <= 2:
        return True
    return all(_is_common(token, common_words) for token in tokens)


def _is_common(token: str, common_words: frozenset[str]) -> bool:
    """In the word list, directly or as a plural of a listed word ("metrics", "ads")."""
    if token in common_words:
        return True
    if token.endswith("ies") and token[:-3] + "y" in common_words:
        return True
    if token.endswith("es") and token[:-2] in common_words:
        return True
    return token.endswith("s") and token[:-1] in common_words


def _is_acronym(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters) and not has_cjk(text)


def _variants(text: str) -> list[str]:
    """The name as written, and with dots/underscores between words read as spaces."""
    out = [text]
    if _DOMAIN_LIKE.search(text):
        return out
    spaced = _SEPARATOR.sub(" ", text)
    if spaced != text:
        out.append(spaced)
    return out


def _entries(vendor: VendorNames) -> Iterable[tuple[str, str]]:
    yield vendor.name, "name"
    for alias in vendor.aliases:
        yield alias, "alias"
    for entity in vendor.legal_entities:
        yield entity, "legal_entity"
    for framework in vendor.ios_frameworks:
        yield framework, "sdk"
    for package in vendor.android_packages:
        if package.strip(".").count(".") >= 1:
            yield package.strip("."), "sdk"
    for domain in vendor.domains:
        yield domain.strip(".").lower(), "domain"


def brand_of(company: str) -> str | None:
    """A company's name without its legal form, or None when nothing distinctive is left."""
    brand = _LEGAL_FORM.sub("", company.strip()).strip(" ,")
    if brand == company.strip() or len(brand) < 3:
        return None
    return brand


def _brands(vendor: VendorNames) -> set[str]:
    companies = list(vendor.legal_entities)
    if vendor.parent:
        companies.append(vendor.parent)
    return {b for b in (brand_of(c) for c in companies) if b}


def catalog_version(vendors: Iterable[VendorNames]) -> str:
    """A short hash over the records' slugs and content hashes."""
    digest = hashlib.sha256()
    for vendor in sorted(vendors, key=lambda v: v.slug):
        digest.update(f"{vendor.slug}\x1f{vendor.content_hash or vendor.name}\x1e".encode())
    return digest.hexdigest()[:16]


def compile_matcher(
    vendors: Iterable[VendorRecord | VendorNames], *, lexicon: Lexicon | None = None
) -> Matcher:
    """Compile the vendors' names into one matcher (do it once per catalog version)."""
    records = [v if isinstance(v, VendorNames) else vendor_names(v) for v in vendors]
    common = (lexicon or default_lexicon()).common_words
    by_key: dict[str, list[Alias]] = {}
    for vendor in records:
        for text, how in _entries(vendor):
            if not text.strip():
                continue
            for variant in _variants(text) if how != "domain" else [text]:
                alias = Alias(
                    slug=vendor.slug,
                    text=variant,
                    how=how,
                    ambiguous=is_ambiguous(variant, how, common),
                    exact_case=how not in {"domain", "legal_entity"} and _is_acronym(variant),
                )
                by_key.setdefault(fold_key(variant), []).append(alias)
    brand_products: dict[str, dict[str, str]] = {}
    brand_text: dict[str, str] = {}
    for vendor in records:
        for brand in _brands(vendor):
            key = fold_key(brand)
            brand_products.setdefault(key, {})[vendor.slug] = vendor.category or ""
            brand_text.setdefault(key, brand)
    aliases: list[Alias] = []
    phrases: list[tuple[str, int]] = []
    conflicts: list[str] = []
    brands: dict[int, tuple[tuple[str, str], ...]] = {}
    fallback: dict[int, tuple[str, str]] = {}
    categories = {v.slug: v.category or "" for v in records}
    umbrellas = {v.slug for v in records if v.category in UMBRELLA_CATEGORIES}
    for key, candidates in by_key.items():
        best = min(HOW_RANK[a.how] for a in candidates)
        top = [a for a in candidates if HOW_RANK[a.how] == best]
        if len({a.slug for a in top}) > 1:
            conflicts.append(key)
            continue
        chosen = top[0]
        # The same spelling as an ordinary word in any record makes it ambiguous for all.
        if any(a.ambiguous for a in candidates if a.slug == chosen.slug):
            chosen = Alias(chosen.slug, chosen.text, chosen.how, True, chosen.exact_case)
        products = {
            slug: category
            for slug, category in brand_products.get(key, {}).items()
            if slug != chosen.slug
        }
        if chosen.how in {"name", "alias"} and products and chosen.slug in umbrellas:
            # "Google": the company record, unless the sentence says which product
            brands[len(aliases)] = tuple(sorted(products.items()))
            fallback[len(aliases)] = (chosen.slug, categories[chosen.slug])
            chosen = Alias(chosen.slug, chosen.text, BRAND, chosen.ambiguous, chosen.exact_case)
        phrases.append((key, len(aliases)))
        aliases.append(chosen)
    for key, products in brand_products.items():
        if key in by_key:  # a vendor is called by this name outright: handled above
            continue
        text = brand_text[key]
        brands[len(aliases)] = tuple(sorted(products.items()))
        phrases.append((key, len(aliases)))
        aliases.append(Alias("", text, BRAND, is_ambiguous(text, BRAND, common), _is_acronym(text)))
    return Matcher(
        version=catalog_version(records),
        names={v.slug: v.name for v in records},
        aliases=tuple(aliases),
        index=PhraseIndex(phrases),
        conflicts=tuple(sorted(conflicts)),
        brands=brands,
        brand_fallback=fallback,
    )
