"""Analysts' rules: a safe expression language over feature columns, compiled to polars.

    validate('origin_country in ["EC", "CO"] and reefer')  # raises RuleError if not valid
    frame = apply_rules(featured, rules, on=date(2026, 11, 23))  # adds rule_<id> columns

See docs/risk-engine.md for the language reference.
"""

from .functions import FUNCTIONS
from .language import MAX_LENGTH, RuleError
from .rule import PREFIX, Checked, Rule, apply_rules, fields_by_kind, validate

__all__ = ["FUNCTIONS", "MAX_LENGTH", "PREFIX", "Checked", "Rule", "RuleError", "apply_rules",
           "fields_by_kind", "validate"]
