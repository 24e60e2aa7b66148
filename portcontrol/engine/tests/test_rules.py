"""The rule language: what compiles, what is refused (and where), and applying rules."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from portcontrol.engine import features as F
from portcontrol.engine.rules import MAX_LENGTH, Rule, RuleError, apply_rules, validate

from .helpers import CONFIG, frame, history, line

FIELDS = F.schema()


@pytest.fixture(scope="module")
def built() -> pl.DataFrame:
    rows = frame(
        line(0, origin_country="EC", reefer="1", size_type="45R1",
             goods_description="FRESH BANANAS", value=2000.0),
        line(1, consignee_name="OOO Vostok", port_of_call="PKKHI"),
        line(2, freight_terms=None, transshipment_ports="ESALG;GRPIR"),
    )
    return F.build(rows, history(), CONFIG)


VALID = [
    ('origin_country in ["EC", "CO"] and reefer', [True, False, False]),
    ('origin_country not in ["EC", "CO"]', [False, True, True]),
    ("value_per_kg < 0.5 * value_per_kg_low", [True, False, False]),
    ("0 < value_per_kg < 0.5", [True, False, False]),
    ('startswith(consignee_name, "OOO")', [False, True, False]),
    ('endswith(lower(consignee_name), "vostok")', [False, True, False]),
    ('contains(goods_description, "BANANA") or contains(route_listed_hubs, "ESALG")',
     [True, False, True]),
    ("is_null(freight_terms)", [False, False, True]),
    ("not is_null(freight_terms) and not reefer", [False, True, False]),
    ("reefer == true", [True, False, False]),
    ("reefer != True", [False, True, True]),
    ("len(origin_country) == 2 and abs(value_z) >= 0", [True, True, True]),
    ("max(ind_route, ind_value_low) >= 1", [True, False, False]),
    ('arrival_date >= "2026-11-23" and arrival_date <= "2026-11-23"', [True, True, True]),
    ("hub_count % 2 == 0 and hub_count - 1 + 1 == hub_count", [True, True, True]),
    ("value_per_kg in [0.1, 1]", [True, True, True]),
    ("reefer and\n   ind_value_low > 0.5", [True, False, False]),
    ("(freight_terms == 'COLLECT')", [False, False, False]),  # missing value never matches
]


@pytest.mark.parametrize("expression,expected", VALID, ids=[v[0] for v in VALID])
def test_valid_expressions(built: pl.DataFrame, expression: str,
                           expected: list[bool]) -> None:
    checked = validate(expression, built.schema)
    assert built.select(checked.expr)[:, 0].to_list() == expected


def test_validate_reports_the_fields_read() -> None:
    checked = validate('origin_country in ["EC"] and value_per_kg < value_per_kg_low')
    assert checked.fields == {"origin_country", "value_per_kg", "value_per_kg_low"}


ERRORS = [
    # expression, code, line, column, words in the message
    ("valu_per_kg < 3", "unknown_field", 1, 1,
     "unknown field 'valu_per_kg' at column 1; did you mean 'value_per_kg'?"),
    ("reefer and\n  valu_per_kg > 1", "unknown_field", 2, 3, "at line 2, column 3"),
    ('"é" == origin_country and qqq', "unknown_field", 1, 27, "'qqq'"),
    ("value_per_kg <", "syntax", 1, 15, "rule ends too early"),
    ("value_per_kg === 1", "syntax", 1, 16, "column 16"),
    ("reefer and (ind_route > 0", "syntax", 1, 12, "'(' is never closed"),
    ('origin_country == "EC") or (reefer', "syntax", 1, 23, "')' closes nothing"),
    ("reefer; import os", "syntax", 1, 7, "cannot read this"),
    ("value_per_kg", "not_condition", 1, 1, "must be a condition"),
    ("origin_country == 5", "type", 1, 19, "cannot compare text with number"),
    ('reefer == "yes"', "type", 1, 11, "true/false with text"),
    ("reefer < true", "type", 1, 10, "only be compared with == or !="),
    ('hs4 in ["0803", 803]', "type", 1, 17, "list value 803 is a number"),
    ("hs4 in hs2", "type", 1, 8, "'in' needs a list written out"),
    ('value_per_kg + "x" > 1', "type", 1, 1, "arithmetic needs numbers"),
    ('arrival_date > "yesterday"', "type", 1, 16, "is not a date"),
    ("startswith(origin_country)", "arguments", 1, 1, "wrong number of arguments"),
    ("startswith(value_per_kg, 'E')", "type", 1, 12, "needs text here, not number"),
    ("[1, 2]", "not_allowed", 1, 1, "a list is allowed only after 'in'"),
    ("reefer if reefer else reefer", "not_allowed", 1, 1, "'x if c else y' is not allowed"),
    ("origin_country[0] == 'E'", "not_allowed", 1, 1, "indexing"),
    ("_hubs == 'x'", "not_allowed", 1, 1, "names starting with '_'"),
    ("{1: 2}", "not_allowed", 1, 1, "dictionaries"),
    ('b"x" == origin_country', "not_allowed", 1, 1, "bytes"),
    ('f"{reefer}" == origin_country', "not_allowed", 1, 1, "f-strings"),
    ("(x := 1)", "not_allowed", 1, 2, "assignment"),
    ("", "syntax", 1, 1, "empty"),
]


@pytest.mark.parametrize("expression,code,line_no,column,words", ERRORS,
                         ids=[e[0] or "empty" for e in ERRORS])
def test_errors_say_what_and_where(expression: str, code: str, line_no: int, column: int,
                                   words: str) -> None:
    with pytest.raises(RuleError) as caught:
        validate(expression, FIELDS)
    error = caught.value
    assert (error.code, error.line, error.column) == (code, line_no, column), str(error)
    assert words in str(error)
    assert error.to_dict()["line"] == line_no


INJECTIONS = [
    "__import__('os').system('true')",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('x=1')",
    "reefer.__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "(lambda: 1)()",
    "[c for c in ()]",
    "__builtins__",
    "globals()",
    "getattr(reefer, '__class__')",
    "value_per_kg.real > 0",
    "str(reefer) == 'True'",
    "type(reefer) == bool",
    "*reefer",
    "await reefer",
    "yield reefer",
    "lambda: reefer",
]


@pytest.mark.parametrize("expression", INJECTIONS)
def test_injection_attempts_are_refused(expression: str) -> None:
    with pytest.raises(RuleError) as caught:
        validate(expression, FIELDS)
    assert caught.value.code in {"not_allowed", "unknown_function", "unknown_field", "syntax"}


def test_too_long_is_refused_before_parsing() -> None:
    with pytest.raises(RuleError) as caught:
        validate("reefer or " * 1000 + "reefer", FIELDS)
    assert caught.value.code == "too_long"
    assert caught.value.column == MAX_LENGTH + 1


@pytest.mark.parametrize("expression", [
    "(" * 250 + "reefer" + ")" * 250,
    "not " * 60 + "reefer",
    "-" * 200 + "value_z > 0",
    "+".join(["hub_count"] * 190) + " > 0",
])
def test_deep_or_huge_expressions_are_refused(expression: str) -> None:
    with pytest.raises(RuleError) as caught:
        validate(expression, FIELDS)
    assert caught.value.code in {"too_deep", "too_complex", "syntax"}


def test_functions_match_text_literally() -> None:
    rows = frame(line(goods_description="A.*B (X"))
    built = F.build(rows, history(), CONFIG)
    assert built.select(validate('contains(goods_description, ".*B (")', built.schema).expr
                        )[0, 0] is True


def _rules() -> list[Rule]:
    return [
        Rule("R-ec", 'origin_country == "EC"', 0.6, "From Ecuador"),
        Rule("R-old", "reefer", 0.5, valid_to=date(2026, 1, 1)),
        Rule("R-later", "reefer", 0.5, valid_from=date(2027, 1, 1)),
        Rule("R-poti", "not reefer", 0.3, unit="GEPTI"),
    ]


def test_apply_rules_in_one_pass_with_validity_and_unit(built: pl.DataFrame) -> None:
    out = apply_rules(built, _rules(), on=date(2026, 11, 23))
    assert "rule_R-old" not in out.columns and "rule_R-later" not in out.columns
    assert out["rule_R-ec"].to_list() == [True, False, False]
    # line 1 is at Karachi: the Poti unit's rule does not apply to it
    assert out["unit"].to_list() == ["GEPTI", "PKKHI", "GEPTI"]
    assert out["rule_R-poti"].to_list() == [False, False, True]


def test_unit_rule_without_unit_column_never_hits(built: pl.DataFrame) -> None:
    out = apply_rules(built.drop("unit"), _rules(), on=date(2026, 11, 23))
    assert not out["rule_R-poti"].any()


def test_broken_rule_names_itself(built: pl.DataFrame) -> None:
    with pytest.raises(RuleError, match="rule R-bad: unknown field 'reefr'"):
        apply_rules(built, [Rule("R-bad", "reefr")], on=date(2026, 11, 23))


@pytest.mark.parametrize("kwargs,words", [
    ({"id": "bad id!", "expression": "reefer"}, "rule id"),
    ({"id": "R1", "expression": "reefer", "weight": 1.5}, "between 0 and 1"),
    ({"id": "R1", "expression": "reefer", "valid_from": date(2026, 2, 1),
      "valid_to": date(2026, 1, 1)}, "before valid_from"),
])
def test_rule_fields_are_checked(kwargs: dict, words: str) -> None:
    with pytest.raises(RuleError, match=words):
        Rule(**kwargs)


def test_repeated_rule_ids_are_refused(built: pl.DataFrame) -> None:
    with pytest.raises(RuleError, match="repeat"):
        apply_rules(built, [Rule("R1", "reefer"), Rule("R1", "not reefer")],
                    on=date(2026, 11, 23))
