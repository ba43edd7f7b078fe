"""Closed vocabularies of the vendor record: roles, statuses, certifications, mechanisms."""

from __future__ import annotations

PRODUCT_TYPES = frozenset({"sdk", "service", "platform"})

DEFAULT_ROLES = frozenset({"processor", "controller"})

ENTITY_ROLES = frozenset(
    {
        "hq",  # the group's head office / top contracting entity
        "regional",  # the entity that contracts with customers in a region (e.g. EEA)
        "operator",  # the entity that runs this product, when it is not the HQ
        "eu_representative",  # GDPR Art. 27 representative
        "uk_representative",
        "cn_representative",  # PIPL Art. 53 representative
    }
)

STATUS_VALUES = frozenset({"active", "sunset", "licence_revoked", "sanctioned"})

# Only certifications that a source states; the vendor's own trust page counts.
CERTIFICATIONS = frozenset(
    {
        "iso_27001",
        "iso_27017",
        "iso_27018",
        "iso_27701",
        "iso_22301",
        "soc1",
        "soc2",
        "soc3",
        "pci_dss_l1",
        "csa_star",
        "c5",
        "tisax",
        "hipaa",
        "fedramp",
        "apec_cbpr",
        "apec_prp",
        "cn_mlps_3",  # PRC Multi-Level Protection Scheme, level 3 (等保三级)
        "cn_mlps_4",
        "truste",
    }
)

TRANSFER_MECHANISMS = frozenset(
    {
        "eu_dpf",  # EU-US Data Privacy Framework participation
        "uk_dpf",  # UK Extension to the EU-US DPF
        "swiss_dpf",  # Swiss-US DPF
        "eu_scc",  # EU Standard Contractual Clauses offered in the DPA
        "uk_idta",  # UK International Data Transfer Agreement / Addendum
        "eu_bcr",  # approved Binding Corporate Rules
        "cn_standard_contract",  # PRC standard contract for outbound PI
        "cn_certification",
        "cn_security_assessment",
        "apec_cbpr",
    }
)

URL_KINDS = frozenset(
    {
        "website",
        "privacy_policy",
        "sdk_privacy_policy",
        "dpa",
        "subprocessors",
        "trust_center",
    }
)

# Fields a source may support (named in a source's `facts`).
FACT_FIELDS = frozenset(
    {
        "name",
        "aliases",
        "description",
        "category",
        "product_type",
        "parent",
        "hq_country",
        "legal_entities",
        "processing_countries",
        "data_categories",
        "purposes",
        "default_role",
        "certifications",
        "transfer_mechanisms",
        "dpf_certified",
        "covered_person_candidate",
        "sdk",
        "status",
        "urls",
    }
)

# Fields that state a checkable fact: when filled, some source must name them.
SOURCED_FIELDS = (
    "parent",
    "hq_country",
    "legal_entities",
    "processing_countries",
    "certifications",
    "transfer_mechanisms",
    "dpf_certified",
    "sdk",
)

# 28 CFR 202.601: China (with Hong Kong and Macau), Cuba, Iran, North Korea, Russia, Venezuela.
DOJ_COUNTRIES_OF_CONCERN = frozenset({"CN", "HK", "MO", "CU", "IR", "KP", "RU", "VE"})

# The ids transfer-contract.md requires; used only while vendor_data/taxonomy.yaml is absent.
CONTRACT_DATA_CATEGORIES = frozenset(
    {
        "contact",
        "account",
        "identifiers.government",
        "identifiers.device",
        "identifiers.advertising",
        "identifiers.online",
        "location.precise",
        "location.approximate",
        "financial.payment_card",
        "financial.account",
        "financial.transactions",
        "biometric",
        "health",
        "genetic",
        "special.religion",
        "special.ethnicity",
        "special.political",
        "special.sex_life",
        "special.trade_union",
        "criminal",
        "communications.content",
        "communications.metadata",
        "contacts.address_book",
        "usage.browsing",
        "usage.app_activity",
        "usage.diagnostics",
        "profile.inferences",
        "demographic",
        "employment",
        "purchase.history",
        "user_content.media",
    }
)
CONTRACT_PURPOSES = frozenset(
    {
        "analytics",
        "advertising",
        "marketing",
        "payment",
        "authentication",
        "messaging",
        "push_notifications",
        "crash_reporting",
        "maps_location",
        "hosting",
        "customer_support",
        "hr_management",
        "delivery",
        "security_fraud",
        "research",
        "sms_verification",
    }
)
