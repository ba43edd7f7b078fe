"""The regimes' rules as dated YAML data, with their schema and loader."""

from assessments.rules.loader import (
    RULES_DIR,
    ActiveRules,
    Param,
    RegimeRules,
    Rule,
    RulesError,
    RuleSet,
    Scoring,
    Track,
    default_rules,
    load_rules,
)

__all__ = [
    "RULES_DIR",
    "ActiveRules",
    "Param",
    "RegimeRules",
    "Rule",
    "RuleSet",
    "RulesError",
    "Scoring",
    "Track",
    "default_rules",
    "load_rules",
]
