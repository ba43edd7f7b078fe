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

# A vendor's `status.value`, in the order menus list them.
VENDOR_STATUSES = ("active", "sunset", "licence_revoked", "sanctioned")
STATUS_VALUES = frozenset(VENDOR_STATUSES)

# `dpf.status`: as the official DPF list shows the entity (or the vendor's own statement).
DPF_STATUSES = frozenset({"active", "inactive", "not_listed"})
DPF_PARTS = frozenset({"eu_us", "uk_extension", "swiss_us"})

# `sanctions[].lists`: the list a designation is on, with the name a reader knows it by.
SANCTION_LIST_NAMES = {
    "ofac_sdn": "OFAC SDN list",  # Specially Designated Nationals and Blocked Persons
    "ofac_ssi": "OFAC SSI list",  # Sectoral Sanctions Identifications
    "ofac_nscmic": "OFAC NS-CMIC list",  # Non-SDN Chinese Military-Industrial Complex Companies
    "bis_entity": "BIS Entity List",  # 15 CFR 744 Supp. 4
    "eu_consolidated": "EU consolidated sanctions list",
    "uk_sanctions": "UK sanctions list",  # OFSI / FCDO
    "un": "UN Security Council consolidated list",
}
SANCTION_LISTS = frozenset(SANCTION_LIST_NAMES)

# `history[].event`: what happened to the vendor, each with its date.
HISTORY_EVENTS = frozenset(
    {"renamed", "sold", "acquired", "licence_revoked", "merged", "founded", "sunset"}
)

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
        "eu_scc",  # EU Standard Contractual Clauses offered in the DPA, module not stated
        "eu_scc_c2c",  # SCC module 1: controller to controller
        "eu_scc_c2p",  # SCC module 2: controller to processor
        "eu_scc_p2p",  # SCC module 3: processor to processor
        "eu_scc_p2c",  # SCC module 4: processor to controller
        "uk_addendum",  # UK ICO International Data Transfer Addendum to the EU SCCs
        "uk_idta",  # UK International Data Transfer Agreement (stand-alone)
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
        "ownership",
        "dpf",
        "sanctions",
        "history",
        "data_locations",
    }
)

# Fields that state a checkable fact: when filled, some source must name them (an error).
SOURCED_FIELDS = (
    "parent",
    "hq_country",
    "legal_entities",
    "processing_countries",
    "certifications",
    "transfer_mechanisms",
    "dpf_certified",
    "sdk",
    "ownership",
    "dpf",
    "sanctions",
    "history",
    "data_locations",
)

# Filled facts that issue 12 also wants sourced; the shipped data does not pass yet, so a
# missing source is a warning (an error under `catalog validate --strict`).
SOURCED_FIELDS_STRICT = ("data_categories", "default_role", "purposes", "urls")

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
