"""Analysis the builders pre-write from what the engine knows: destination law, risk ratings.

Destination law comes from vendor_data/countries.yaml (`government_access`, adequacy, EEA)
through data/destination_law.yaml. Risk ratings use the CNIL 1-4 scale and are reasoned from
the data categories (taxonomy treatment), the number of people, children, the destination
and the declared safeguards; every rating carries the basis it rests on, in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from assessments.catalog.reference import Reference, default_reference
from assessments.documents._data import load
from assessments.documents.vocabulary import label, labels_of, separator, tidy
from assessments.facts import sensitive_categories

LARGE_SCALE = 100_000  # people; above it a breach is both likelier and wider
VERY_LARGE_SCALE = 1_000_000
# Safeguards that keep the data unreadable to the recipient or anyone who reaches it.
TECHNICAL: frozenset[str] = frozenset({"encryption_exporter_keys", "e2e_encryption"})
PARTIAL: frozenset[str] = frozenset({"pseudonymisation"})
# Categories whose exposure can lead to financial loss, discrimination or identity theft.
GRAVE: frozenset[str] = frozenset(
    {"identifiers.government", "financial.payment_card", "financial.account", "genetic"}
    | {"genetic.omic", "biometric", "health", "criminal"}
)

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "grave": "categories whose exposure can cause financial loss, discrimination or "
        "identity theft: {cats}",
        "sensitive": "sensitive or special-category data: {cats}",
        "ordinary": "no sensitive category ({cats})",
        "minors": "children's data included (+1)",
        "severity_lower": "one step lower: the event affects availability or accuracy, "
        "not confidentiality",
        "scale_very_large": "{n:,} people (very large scale, +1)",
        "scale_large": "{n:,} people (large scale, +1)",
        "scale_small": "{n:,} people",
        "scale_unknown": "number of people unknown (counted as large, +1)",
        "baseline": "baseline 2: no fact on record lowers it",
        "technical": "declared {what} keeps the data unreadable (-1)",
        "partial": "declared pseudonymisation (-1)",
        "gov_laws": "{country}: {laws}, with no safeguards the EDPB recognises (4)",
        "gov_safeguarded": "{country}: {laws}, limited by {safeguards} (2)",
        "gov_not_for": "{country}: {laws}; the safeguards of {safeguards} protect individuals "
        "of the EU/EEA, not the individuals of this assessment (3)",
        "gov_adequate": "{country}: covered by {decision} (1)",
        "gov_eea": "{country}: GDPR applies at the recipient (1)",
        "gov_none": "{country}: no public-authority access law on record",
        "dest_unknown": "destination not given",
        "rights_unknown": "no channel for requests against the recipient on record (+1)",
        "joiner": "; ",
    },
    "zh": {
        "grave": "泄露可能导致财产损失、歧视或身份盗用的类别：{cats}",
        "sensitive": "敏感个人信息或特殊类别数据：{cats}",
        "ordinary": "无敏感类别（{cats}）",
        "minors": "包含儿童的个人信息（+1）",
        "severity_lower": "降低一级：该事件影响可用性或准确性，而非保密性",
        "scale_very_large": "{n:,} 人（超大规模，+1）",
        "scale_large": "{n:,} 人（大规模，+1）",
        "scale_small": "{n:,} 人",
        "scale_unknown": "人数未知（按大规模计，+1）",
        "baseline": "基准值 2：无记录事实可将其降低",
        "technical": "已声明{what}，数据不可读（-1）",
        "partial": "已声明去标识化（-1）",
        "gov_laws": "{country}：{laws}，无欧洲数据保护委员会认可的保障（4）",
        "gov_safeguarded": "{country}：{laws}，受{safeguards}限制（2）",
        "gov_not_for": "{country}：{laws}；{safeguards}的保障仅适用于欧盟/欧洲经济区个人，"
        "不适用于本评估涉及的个人（3）",
        "gov_adequate": "{country}：适用{decision}（1）",
        "gov_eea": "{country}：接收方适用《通用数据保护条例》（1）",
        "gov_none": "{country}：未记录公权力访问法律",
        "dest_unknown": "未提供接收地",
        "rights_unknown": "未记录个人向接收方提出请求的渠道（+1）",
        "joiner": "；",
    },
}
LAW_NAMES_ZH: dict[str, str] = {
    "FISA Section 702 (50 U.S.C. 1881a)": "《外国情报监视法》第702条（50 U.S.C. 1881a）",
    "Executive Order 12333": "第12333号行政令",
    "National Intelligence Law of the PRC (2017) Art. 7": "《国家情报法》（2017年）第七条",
    "Hong Kong National Security Law (2020) Art. 43": "《香港国家安全法》（2020年）第四十三条",
    "Federal Law No. 374-FZ (2016) on retention and access to communications data": (
        "第374-FZ号联邦法律（2016年，通信数据留存与访问）"
    ),
    "Executive Order 14086 and the Data Protection Review Court (28 CFR Part 201)": (
        "第14086号行政令和数据保护审查法院（28 CFR Part 201）"
    ),
}


def _clamp(value: int) -> int:
    return max(1, min(4, value))


def _law(name: str, language: str) -> str:
    return LAW_NAMES_ZH.get(name, name) if language == "zh" else name


def _on(as_of: str | None) -> date:
    try:
        return date.fromisoformat(str(as_of)[:10])
    except ValueError:
        return date.today()


def destination_law(
    destinations: Iterable[str],
    as_of: str | None,
    language: str,
    reference: Reference | None = None,
) -> str | None:
    """The destination-law analysis for each destination, None when no destination is known."""
    reference = reference or default_reference()
    texts = load("destination_law.yaml")[language]
    on = _on(as_of)
    paragraphs = []
    for code in dict.fromkeys(destinations):
        name = label("countries", code, language)
        if code in texts:
            paragraphs.append(str(texts[code]).strip())
        elif reference.is_eea(code, on):
            paragraphs.append(str(texts["eea"]).format(country=name).strip())
        elif (decision := reference.adequacy_on(code, on)) is not None:
            paragraphs.append(
                str(texts["adequacy"]).format(country=name, decision=decision.decision).strip()
            )
        else:
            paragraphs.append(str(texts["none"]).format(country=name).strip())
    return tidy("\n\n".join(paragraphs), language) or None


@dataclass(frozen=True, slots=True)
class Profile:
    """What the risk ratings rest on."""

    categories: tuple[str, ...]
    people: int | None
    minors: bool
    destinations: tuple[str, ...]
    safeguards: frozenset[str]
    as_of: str | None


def profile(transfer: Mapping[str, Any]) -> Profile:
    """The facts of a Transfer dict that the ratings read."""
    groups = [g for g in transfer.get("data_subjects") or [] if isinstance(g, Mapping)]
    counts = [g.get("count") for g in groups]
    people = sum(int(c) for c in counts if c) if groups and all(counts) else None
    return Profile(
        categories=tuple(str(c) for c in transfer.get("data_categories") or []),
        people=people,
        minors=any(bool(g.get("minors")) for g in groups),
        destinations=tuple(str(d) for d in transfer.get("destinations") or []),
        safeguards=frozenset(str(s) for s in transfer.get("safeguards") or []),
        as_of=transfer.get("as_of"),
    )


def _severity(facts: Profile, language: str, reference: Reference) -> tuple[int, list[str]]:
    """Severity of a confidentiality breach for the people concerned, with its basis."""
    words = WORDS[language]
    cats = facts.categories
    grave = [c for c in cats if c in GRAVE]
    # The taxonomy's reading (assessments.facts.SENSITIVITY), as the engine's.
    sensitive = list(
        dict.fromkeys(
            sensitive_categories(reference, cats, "pipl_sensitive")
            + sensitive_categories(reference, cats, "wp248_sensitive")
        )
    )

    def names(codes: Iterable[str]) -> str:
        return separator(language).join(labels_of("data_categories", codes, language))

    if grave:
        value, basis = 4, [words["grave"].format(cats=names(grave))]
    elif sensitive:
        value, basis = 3, [words["sensitive"].format(cats=names(sensitive))]
    else:
        value, basis = 2, [words["ordinary"].format(cats=names(cats))]
    if facts.minors:
        value += 1
        basis.append(words["minors"])
    return _clamp(value), basis


def _scale(facts: Profile, words: Mapping[str, str]) -> tuple[int, str]:
    if facts.people is None:
        return 1, words["scale_unknown"]
    if facts.people >= VERY_LARGE_SCALE:
        return 1, words["scale_very_large"].format(n=facts.people)
    if facts.people >= LARGE_SCALE:
        return 1, words["scale_large"].format(n=facts.people)
    return 0, words["scale_small"].format(n=facts.people)


def _government(
    facts: Profile, language: str, reference: Reference, eu_view: bool
) -> tuple[int | None, list[str]]:
    """Likelihood of disproportionate public-authority access, from the destinations."""
    words = WORDS[language]
    on = _on(facts.as_of)
    if not facts.destinations:
        return None, [words["dest_unknown"]]
    worst: int | None = 0
    basis = []
    for code in dict.fromkeys(facts.destinations):
        country = label("countries", code, language)
        access = reference.government_access.get(code)
        if access is not None:
            laws = separator(language).join(_law(law, language) for law in access.laws)
            if access.safeguards:
                # EO 14086 redress is for individuals of qualifying states (the EU/EEA).
                value, key = (2, "gov_safeguarded") if eu_view else (3, "gov_not_for")
                basis.append(
                    words[key].format(
                        country=country, laws=laws, safeguards=_law(access.safeguards, language)
                    )
                )
            else:
                value = 4
                basis.append(words["gov_laws"].format(country=country, laws=laws))
        elif reference.is_eea(code, on):
            value = 1
            basis.append(words["gov_eea"].format(country=country))
        elif (decision := reference.adequacy_on(code, on)) is not None:
            value = 1
            basis.append(words["gov_adequate"].format(country=country, decision=decision.decision))
        else:
            basis.append(words["gov_none"].format(country=country))
            worst = None
            continue
        if worst is not None:
            worst = max(worst, value)
    return worst, basis


def rate(
    category: str,
    facts: Profile,
    language: str,
    *,
    regime: str = "EU",
    rights_channel_known: bool = False,
) -> dict[str, Any]:
    """Likelihood and severity (1-4) of one feared event, each with its basis in words.

    `regime` is the assessment's primary regime: safeguards a destination grants EU/EEA
    individuals only count for an EU assessment. A rating the facts cannot support (a
    destination without law on record) is None.
    """
    reference = default_reference()
    words = WORDS[language]
    severity, severity_basis = _severity(facts, language, reference)
    if category in ("unwanted_modification", "disappearance"):
        severity = _clamp(severity - 1)
        severity_basis.append(words["severity_lower"])
    likelihood: int | None
    if category == "legal_environment":
        likelihood, likelihood_basis = _government(facts, language, reference, regime == "EU")
    else:
        likelihood, likelihood_basis = 2, [words["baseline"]]
        step, scale_text = _scale(facts, words)
        likelihood += step
        likelihood_basis.append(scale_text)
        if category == "rights" and not rights_channel_known:
            likelihood += 1
            likelihood_basis.append(words["rights_unknown"])
    if likelihood is not None and category in ("illegitimate_access", "legal_environment"):
        technical = sorted(facts.safeguards & TECHNICAL)
        if technical:
            likelihood -= 1
            what = separator(language).join(labels_of("safeguards", technical, language))
            likelihood_basis.append(words["technical"].format(what=what))
        elif facts.safeguards & PARTIAL:
            likelihood -= 1
            likelihood_basis.append(words["partial"])
    joiner = words["joiner"]
    return {
        "likelihood": _clamp(likelihood) if likelihood is not None else None,
        "likelihood_basis": joiner.join(likelihood_basis),
        "severity": severity,
        "severity_basis": joiner.join(severity_basis),
    }
