"""The rule language: what compiles, what is refused (and where), and applying rules."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from portcontrol.engine import features as F
from portcontrol.engine.rules import MAX_LENGTH, Rule, RuleError, apply_rules, validate
from portcontrol.engine.rules.language import Compiler

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


# Russian messages: every refusal also reads in Russian, and the English text is unchanged
# (the expected English below was produced by the code before Russian was added).

def _check(expression: object) -> Callable[[], object]:
    return lambda: validate(expression, FIELDS)  # type: ignore[arg-type]


def _apply(*rules: Rule) -> Callable[[], object]:
    return lambda: apply_rules(pl.DataFrame(schema=FIELDS), list(rules), on=date(2026, 11, 23))


def _long_list() -> None:
    """Length and size limits come first in validate, so the list limit is reached directly."""
    source = "hub_count in [" + ", ".join(["1"] * 1001) + "]"
    Compiler(source, FIELDS).visit(ast.parse(source, mode="eval").body, 0)


BILINGUAL = [
    # id, what raises, str(error) exactly as before
    ("syntax", _check("value_per_kg === 1"), "cannot read this at column 16"),
    ("syntax-hint", _check("a b"), "cannot read this. Perhaps you forgot a comma? at column 1"),
    ("syntax-python-message", _check("reefer 'x"),
     "unterminated string literal (detected at line 2) at column 8"),
    ("too-many-parentheses", _check("(" * 250 + "reefer" + ")" * 250),
     "too many nested parentheses at column 200"),
    ("ends-early", _check("value_per_kg <"), "rule ends too early at column 15"),
    ("ends-early-line-2", _check("reefer and\n  value_per_kg <"),
     "rule ends too early at line 2, column 17"),
    ("never-closed", _check("reefer and (ind_route > 0"), "'(' is never closed at column 12"),
    ("closes-nothing", _check("reefer)"), "')' closes nothing at column 7"),
    ("unknown-field-hint", _check("valu_per_kg < 3"),
     "unknown field 'valu_per_kg' at column 1; did you mean 'value_per_kg'?"),
    ("unknown-field-hint-line-2", _check("reefer and\n  valu_per_kg > 1"),
     "unknown field 'valu_per_kg' at line 2, column 3; did you mean 'value_per_kg'?"),
    ("unknown-field", _check("zzzz > 1"), "unknown field 'zzzz' at column 1"),
    ("underscore", _check("_hubs == 'x'"),
     "names starting with '_' are not allowed: '_hubs' (at column 1)"),
    ("not-condition-number", _check("value_per_kg"),
     "a rule must be a condition (true or false), not a number (at column 1)"),
    ("not-condition-text", _check("origin_country"),
     "a rule must be a condition (true or false), not a text (at column 1)"),
    ("not-condition-date", _check("arrival_date"),
     "a rule must be a condition (true or false), not a date (at column 1)"),
    ("compare-kinds", _check("origin_country == 5"),
     "cannot compare text with number (at column 19)"),
    ("compare-bool-order", _check("reefer < true"),
     "true/false values can only be compared with == or != (at column 10)"),
    ("compare-is", _check("reefer is true"),
     "only == != < <= > >= in and not in compare values (at column 11)"),
    ("in-without-list", _check("hub_count in hub_count"),
     "'in' needs a list written out, like in [\"EC\", \"CO\"] (at column 14)"),
    ("in-on-bool", _check("reefer in [1]"),
     "'in' works on numbers and texts, not true/false (at column 1)"),
    ("list-mixed", _check('hs4 in ["0803", 803]'),
     "list value 803 is a number; the field is text (at column 17)"),
    ("list-not-literal", _check("hub_count in [hub_count]"),
     "a list may hold only numbers or texts written out (at column 15)"),
    ("list-starred", _check("hub_count in [*hub_count]"), "* is not allowed (at column 15)"),
    ("list-too-long", _long_list, "a list may hold at most 1000 values (at column 14)"),
    ("attribute", _check("reefer.x"),
     ("attribute access (a.b) is not allowed; use the functions, like "
      "startswith(field, \"X\") (at column 1)")),
    ("subscript", _check("origin_country[0] == 'E'"),
     "indexing (a[...]) is not allowed (at column 1)"),
    ("lambda", _check("lambda: reefer"), "lambda is not allowed (at column 1)"),
    ("if-expression", _check("reefer if reefer else reefer"),
     "'x if c else y' is not allowed; combine conditions with and / or (at column 1)"),
    ("walrus", _check("(x := 1)"), "assignment (:=) is not allowed (at column 2)"),
    ("dict", _check("{1: 2}"), "dictionaries are not allowed (at column 1)"),
    ("set", _check("{1, 2}"), "sets are not allowed; use [...] (at column 1)"),
    ("comprehension", _check("[c for c in ()]"), "comprehensions are not allowed (at column 1)"),
    ("generator", _check("(c for c in ())"), "comprehensions are not allowed (at column 1)"),
    ("f-string", _check('f"{reefer}" == origin_country'),
     "f-strings are not allowed (at column 1)"),
    ("await", _check("await reefer"), "await is not allowed (at column 1)"),
    ("bare-list", _check("[1, 2]"),
     "a list is allowed only after 'in' or 'not in' (at column 1)"),
    ("other-node", _check("yield reefer"), "Yield is not allowed in a rule (at column 1)"),
    ("none-value", _check("None == reefer"),
     "NoneType values are not allowed in a rule (at column 1)"),
    ("bytes-value", _check("b'x' == origin_country"),
     "bytes values are not allowed in a rule (at column 1)"),
    ("power", _check("hub_count ** 2 > 1"),
     "only + - * / % are allowed in arithmetic (at column 1)"),
    ("arithmetic-on-text", _check('value_per_kg + "x" > 1'),
     "arithmetic needs numbers, not text (at column 1)"),
    ("arithmetic-on-date", _check("arrival_date == arrival_date + 1"),
     "arithmetic needs numbers, not date (at column 17)"),
    ("sign-on-bool", _check("-reefer"),
     "a sign (+ or -) goes only before a number (at column 1)"),
    ("and-on-number", _check("reefer and hub_count"),
     "expected a condition (true or false), not a number (at column 12)"),
    ("not-on-text", _check("not origin_country"),
     "expected a condition (true or false), not a text (at column 5)"),
    ("bad-date", _check('arrival_date > "yesterday"'),
     "'yesterday' is not a date like 2026-11-30 (at column 16)"),
    ("too-long", _check("reefer or " * 1000 + "reefer"),
     "rule is too long (10006 characters; at most 2000) (at column 2001)"),
    ("empty", _check(""), "rule expression is empty (at column 1)"),
    ("not-text", _check(5), "a rule expression must be text (at column 1)"),
    ("too-deep", _check("not " * 60 + "reefer"),
     "rule is nested too deeply (more than 30 levels) (at column 125)"),
    ("too-complex", _check("hub_count in [" + ",".join(["1"] * 600) + "]"),
     "rule is too complex (607 parts; at most 500) (at column 1)"),
    ("call-attribute", _check("reefer.x()"),
     "only the listed functions can be called, like startswith(field, \"X\") (at column 1)"),
    ("unknown-function", _check("foo(reefer)"),
     ("unknown function 'foo'; the functions are abs, contains, endswith, is_null, len, "
      "lower, max, min, startswith, upper (at column 1)")),
    ("keyword-argument", _check("startswith(origin_country, prefix='E')"),
     "startswith() takes plain arguments only (at column 1)"),
    ("argument-count", _check("startswith(origin_country)"),
     ("wrong number of arguments: startswith(text, prefix): the text begins with prefix "
      "(at column 1)")),
    ("argument-count-variadic", _check("max(1) > 0"),
     "wrong number of arguments: max(a, b, ...): the largest number (at column 1)"),
    ("argument-kind", _check("startswith(value_per_kg, 'E')"),
     ("startswith() needs text here, not number: startswith(text, prefix): the text begins "
      "with prefix (at column 12)")),
    ("argument-kind-bool", _check("len(reefer) > 1"),
     "len() needs text here, not true/false: len(text): number of characters (at column 5)"),
    ("rule-id", lambda: Rule("bad id!", "reefer"),
     "rule id 'bad id!' must be 1-64 letters, digits, '_', '.' or '-' (at column 1)"),
    ("rule-weight", lambda: Rule("R1", "reefer", weight=1.5),
     "rule R1: weight 1.5 must be between 0 and 1 (at column 1)"),
    ("rule-validity",
     lambda: Rule("R1", "reefer", valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1)),
     "rule R1: valid_to 2026-01-01 is before valid_from 2026-02-01 (at column 1)"),
    ("rule-ids-repeat", _apply(Rule("R1", "reefer"), Rule("R1", "not reefer")),
     "rule ids repeat: ['R1'] (at column 1)"),
    ("rule-names-itself", _apply(Rule("R-bad", "reefr")),
     "rule R-bad: unknown field 'reefr' at column 1; did you mean 'reefer'?"),
    ("rule-names-itself-no-where", _apply(Rule("R-num", "value_per_kg")),
     "rule R-num: a rule must be a condition (true or false), not a number (at column 1)"),
    ("rule-names-itself-line-2", _apply(Rule("R-x", "reefer and\n (")),
     "rule R-x: '(' is never closed at line 2, column 2"),
]
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def _assert_bilingual(error: RuleError, english: str) -> None:
    assert str(error) == english
    assert error.to_dict()["message"] == english
    assert error.text("en") == error.text(None) == error.text("") == english
    assert error.message_ru is not None
    russian = error.text("ru")
    assert error.text("ru-RU") == error.text("RU") == russian
    assert CYRILLIC.search(russian) and russian != english, russian
    assert "{" not in russian and "}" not in russian, russian
    for line_no in re.findall(r"at line (\d+),", english):
        assert f"в строке {line_no}, " in russian, russian
    for column in re.findall(r"column (\d+)", english):
        assert f"столбце {column}" in russian, russian


@pytest.mark.parametrize("make,english", [b[1:] for b in BILINGUAL],
                         ids=[b[0] for b in BILINGUAL])
def test_errors_read_in_russian_and_english_is_unchanged(make: Callable[[], object],
                                                         english: str) -> None:
    with pytest.raises(RuleError) as caught:
        make()
    _assert_bilingual(caught.value, english)


def test_deep_nesting_the_parser_cannot_take_reads_in_russian(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def too_deep(*args: object, **kwargs: object) -> None:
        raise RecursionError
    monkeypatch.setattr(ast, "parse", too_deep)
    with pytest.raises(RuleError) as caught:
        validate("reefer", FIELDS)
    _assert_bilingual(caught.value, "rule is nested too deeply (at column 1)")


def test_russian_text_places_the_position_like_english() -> None:
    inline = RuleError("x is wrong {where}", 3, 7, message_ru="x {where} неверно")
    appended = RuleError("x is wrong", 1, 4, message_ru="x неверно")
    assert (str(inline), inline.text("ru")) == ("x is wrong at line 3, column 7",
                                                "x в строке 3, столбце 7 неверно")
    assert (str(appended), appended.text("ru")) == ("x is wrong (at column 4)",
                                                    "x неверно (в столбце 4)")
    english_only = RuleError("x is wrong")
    assert english_only.message_ru is None and english_only.text("ru") == str(english_only)
    assert inline.message == "x is wrong {where}" and inline.message_ru == "x {where} неверно"
    assert inline.to_dict() == {"message": "x is wrong at line 3, column 7", "line": 3,
                                "column": 7, "code": "invalid"}


def test_every_rule_error_in_the_rules_package_has_russian() -> None:
    """Each RuleError(...) gives message_ru (keyword or fifth argument); Compiler.error
    requires it by signature, so a call without it fails as soon as it runs."""
    package = Path(validate.__code__.co_filename).parent
    missing = []
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            russian = any(k.arg == "message_ru" for k in node.keywords)
            if (name == "RuleError" and len(node.args) < 5 and not russian) or (
                    name == "error" and not russian):
                missing.append(f"{path.name}:{node.lineno}")
    assert not missing
