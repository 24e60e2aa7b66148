"""The rule expression language: a small, safe subset of Python expression syntax.

Analysts write conditions over feature columns:

    origin_country in ["EC", "CO"] and reefer and value_per_kg < 0.5 * value_per_kg_low
    startswith(consignee_name, "OOO ") or contains(goods_description, "BANANA")

The text is parsed with Python's `ast` in "eval" mode and only a whitelist of node types is
accepted: comparisons (also chained, also `in [...]` / `not in [...]` with a literal list),
and / or / not, + - * / %, unary minus, numbers, strings, true/false, field names and the
functions in FUNCTIONS. Everything else (attribute access, subscripts, lambdas, any other
call, names with "__") is refused with a RuleError giving line and column, before anything
runs. The accepted tree is compiled to one polars expression; nothing is ever evaluated by
Python itself.
"""

from __future__ import annotations

import ast
import difflib
import io
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

MAX_LENGTH = 2000  # characters; a rule longer than this is not a rule an analyst can review
MAX_NODES = 500
MAX_DEPTH = 30
MAX_LIST = 1000
NUM, STR, BOOL, DATE = "number", "text", "true/false", "date"
KINDS_RU = {NUM: "число", STR: "текст", BOOL: "логическое значение (истина/ложь)", DATE: "дата"}


def kind_ru(kind: str) -> str:
    """A value kind in Russian, in the nominative ("число", "дата"...)."""
    return KINDS_RU.get(kind, kind)


def _place(template: str, where: str) -> str:
    return template.replace("{where}", where) if "{where}" in template else f"{template} ({where})"


class RuleError(ValueError):
    """A rule that cannot be used; `line` and `column` are 1-based, `code` is stable.

    `message` is English and is what str() gives; `message_ru` is the same in Russian (see
    `text`). Either may hold "{where}" for the position, or else it is appended in brackets.
    """

    def __init__(self, message: str, line: int = 1, column: int = 1, code: str = "invalid",
                 message_ru: str | None = None):
        self.message, self.line, self.column, self.code = message, line, column, code
        self.message_ru = message_ru
        where = f"at column {column}" if line == 1 else f"at line {line}, column {column}"
        super().__init__(_place(message, where))

    def text(self, language: str | None) -> str:
        """The message in `language` ("ru", "ru-RU"... give Russian), else English."""
        if self.message_ru is None or not (language or "").lower().startswith("ru"):
            return str(self)
        where = (f"в столбце {self.column}" if self.line == 1
                 else f"в строке {self.line}, столбце {self.column}")
        return _place(self.message_ru, where)

    def to_dict(self) -> dict[str, object]:
        return {"message": str(self), "line": self.line, "column": self.column,
                "code": self.code}


@dataclass(frozen=True)
class Typed:
    expr: pl.Expr
    kind: str
    literal: Any = None  # the Python value, for constants (lists for `in`)
    is_literal: bool = False


def kind_of(dtype: pl.DataType) -> str | None:
    if dtype == pl.Boolean:
        return BOOL
    if dtype.is_numeric():
        return NUM
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        return STR
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return DATE
    return None  # lists and structs are not rule material


def rule_fields(fields: Mapping[str, pl.DataType]) -> dict[str, str]:
    """The fields a rule may name, with their kind: neither internal (a leading '_') nor a
    list or struct."""
    return {n: k for n, d in fields.items()
            if not n.startswith("_") and (k := kind_of(d)) is not None}


def _pos(node: ast.AST, source: str) -> tuple[int, int]:
    """1-based line and character column (ast gives byte offsets in UTF-8)."""
    line = getattr(node, "lineno", 1)
    offset = getattr(node, "col_offset", 0)
    text = source.splitlines()[line - 1] if source.splitlines() else ""
    return line, len(text.encode("utf-8")[:offset].decode("utf-8", "ignore")) + 1


class Compiler:
    """One compilation of one expression against the known fields."""

    def __init__(self, source: str, fields: Mapping[str, pl.DataType]):
        self.source = source
        self.fields = rule_fields(fields)
        self.used: set[str] = set()

    def error(self, node: ast.AST, message: str, code: str, *, message_ru: str) -> RuleError:
        line, column = _pos(node, self.source)
        return RuleError(message, line, column, code, message_ru)

    def compile(self) -> Typed:
        tree = parse(self.source)
        nodes = list(ast.walk(tree))
        if len(nodes) > MAX_NODES:
            raise RuleError(f"rule is too complex ({len(nodes)} parts; at most {MAX_NODES})",
                            code="too_complex",
                            message_ru=f"правило слишком сложное: частей — {len(nodes)}, "
                                       f"допускается не больше {MAX_NODES}")
        result = self.visit(tree.body, 0)
        if result.kind != BOOL:
            raise self.error(tree.body, f"a rule must be a condition (true or false), not a "
                             f"{result.kind}", "not_condition",
                             message_ru=f"правило должно быть условием (истина или ложь), "
                                        f"а здесь: {kind_ru(result.kind)}")
        return result

    def visit(self, node: ast.AST, depth: int) -> Typed:
        if depth > MAX_DEPTH:
            raise self.error(node, f"rule is nested too deeply (more than {MAX_DEPTH} levels)",
                             "too_deep", message_ru=f"в правиле слишком глубокая вложенность: "
                                                    f"предельная глубина — {MAX_DEPTH}")
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            message, message_ru = _refusal(node)
            raise self.error(node, message, "not_allowed", message_ru=message_ru)
        return method(node, depth + 1)

    def visit_Constant(self, node: ast.Constant, depth: int) -> Typed:
        value = node.value
        if isinstance(value, bool):
            return Typed(pl.lit(value), BOOL, value, True)
        if isinstance(value, (int, float)):
            return Typed(pl.lit(value), NUM, value, True)
        if isinstance(value, str):
            return Typed(pl.lit(value, pl.String), STR, value, True)
        raise self.error(node, f"{type(value).__name__} values are not allowed in a rule",
                         "not_allowed", message_ru=f"значения типа {type(value).__name__} "
                                                   f"в правиле не допускаются")

    def visit_Name(self, node: ast.Name, depth: int) -> Typed:
        name = node.id
        if name.lower() in ("true", "false"):
            value = name.lower() == "true"
            return Typed(pl.lit(value), BOOL, value, True)
        if name.startswith("_"):
            raise self.error(node, f"names starting with '_' are not allowed: {name!r}",
                             "not_allowed",
                             message_ru=f"имена, начинающиеся с '_', не допускаются: {name!r}")
        if name not in self.fields:
            close = difflib.get_close_matches(name, list(self.fields), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            hint_ru = f"; возможно, имелось в виду {close[0]!r}?" if close else ""
            raise self.error(node, f"unknown field {name!r} {{where}}{hint}", "unknown_field",
                             message_ru=f"неизвестное поле {name!r} {{where}}{hint_ru}")
        self.used.add(name)
        return Typed(pl.col(name), self.fields[name])

    def visit_BoolOp(self, node: ast.BoolOp, depth: int) -> Typed:
        parts = [self.condition(v, depth) for v in node.values]
        combined = parts[0]
        for part in parts[1:]:
            combined = combined & part if isinstance(node.op, ast.And) else combined | part
        return Typed(combined, BOOL)

    def visit_UnaryOp(self, node: ast.UnaryOp, depth: int) -> Typed:
        if isinstance(node.op, ast.Not):
            return Typed(~self.condition(node.operand, depth), BOOL)
        operand = self.visit(node.operand, depth)
        if operand.kind != NUM or not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise self.error(node, "a sign (+ or -) goes only before a number", "type",
                             message_ru="знак (+ или -) ставится только перед числом")
        negative = isinstance(node.op, ast.USub)
        value = -operand.literal if negative and operand.is_literal else operand.literal
        return Typed(-operand.expr if negative else operand.expr, NUM, value,
                     operand.is_literal)

    def visit_BinOp(self, node: ast.BinOp, depth: int) -> Typed:
        ops = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__",
               ast.Div: "__truediv__", ast.Mod: "__mod__"}
        method = ops.get(type(node.op))
        if method is None:
            raise self.error(node, "only + - * / % are allowed in arithmetic", "not_allowed",
                             message_ru="в арифметике допускаются только + - * / %")
        left, right = self.visit(node.left, depth), self.visit(node.right, depth)
        for side in (left, right):
            if side.kind != NUM:
                raise self.error(node, f"arithmetic needs numbers, not {side.kind}", "type",
                                 message_ru=f"в арифметике нужны числа, а здесь: "
                                            f"{kind_ru(side.kind)}")
        return Typed(getattr(left.expr, method)(right.expr), NUM)

    def visit_Compare(self, node: ast.Compare, depth: int) -> Typed:
        left = self.visit(node.left, depth)
        result: pl.Expr | None = None
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            part, right = self.compare(node, left, op, right_node, depth)
            result = part if result is None else result & part
            left = right
        assert result is not None
        return Typed(result, BOOL)

    def visit_Call(self, node: ast.Call, depth: int) -> Typed:
        from .functions import call  # the function table is kept apart for readability
        return call(self, node, depth)

    def condition(self, node: ast.AST, depth: int) -> pl.Expr:
        typed = self.visit(node, depth)
        if typed.kind != BOOL:
            raise self.error(node, f"expected a condition (true or false), not a {typed.kind}",
                             "type", message_ru=f"нужно условие (истина или ложь), а здесь: "
                                                f"{kind_ru(typed.kind)}")
        return typed.expr

    def compare(self, node: ast.Compare, left: Typed, op: ast.cmpop, right_node: ast.AST,
                depth: int) -> tuple[pl.Expr, Typed]:
        if isinstance(op, (ast.In, ast.NotIn)):
            if left.kind not in (NUM, STR):
                raise self.error(node, f"'in' works on numbers and texts, not {left.kind}",
                                 "type", message_ru=f"'in' работает с числами и текстом, "
                                                    f"а здесь: {kind_ru(left.kind)}")
            right = self.literal_list(right_node, left.kind)
            values = pl.Series(right.literal, dtype=pl.Float64 if left.kind == NUM
                               else pl.String)
            subject = left.expr.cast(pl.Float64) if left.kind == NUM else left.expr
            member = subject.is_in(values.implode())
            return (~member if isinstance(op, ast.NotIn) else member), right
        right = self.visit(right_node, depth)
        left, right = self.coerce_dates(left, right, right_node)
        if left.kind != right.kind:
            raise self.error(right_node, f"cannot compare {left.kind} with {right.kind}", "type",
                             message_ru=f"нельзя сравнивать значения разных видов: слева "
                                        f"{kind_ru(left.kind)}, справа {kind_ru(right.kind)}")
        ordered = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
        if isinstance(op, ordered) and left.kind == BOOL:
            raise self.error(right_node, "true/false values can only be compared with == or !=",
                             "type", message_ru="значения истина/ложь сравниваются только "
                                                "через == или !=")
        ops = {ast.Eq: "__eq__", ast.NotEq: "__ne__", ast.Lt: "__lt__", ast.LtE: "__le__",
               ast.Gt: "__gt__", ast.GtE: "__ge__"}
        method = ops.get(type(op))
        if method is None:
            raise self.error(right_node, "only == != < <= > >= in and not in compare values",
                             "not_allowed", message_ru="для сравнения допускаются только "
                                                       "== != < <= > >= in и not in")
        return getattr(left.expr, method)(right.expr), right

    def coerce_dates(self, left: Typed, right: Typed, node: ast.AST) -> tuple[Typed, Typed]:
        """A date field compares with a "2026-11-30" literal."""
        def as_date(t: Typed) -> Typed:
            try:
                day = date.fromisoformat(str(t.literal))
            except ValueError:
                raise self.error(node, f"{t.literal!r} is not a date like 2026-11-30", "type",
                                 message_ru=f"{t.literal!r} — не дата; дату пишут так: "
                                            f"2026-11-30") from None
            return Typed(pl.lit(day), DATE, day, True)
        if left.kind == DATE and right.kind == STR and right.is_literal:
            return left, as_date(right)
        if right.kind == DATE and left.kind == STR and left.is_literal:
            return as_date(left), right
        return left, right

    def literal_list(self, node: ast.AST, kind: str) -> Typed:
        if not isinstance(node, (ast.List, ast.Tuple)):
            raise self.error(node, "'in' needs a list written out, like in [\"EC\", \"CO\"]",
                             "type", message_ru="после 'in' нужен список, записанный явно, "
                                                "например in [\"EC\", \"CO\"]")
        if len(node.elts) > MAX_LIST:
            raise self.error(node, f"a list may hold at most {MAX_LIST} values", "too_complex",
                             message_ru=f"в списке может быть не больше {MAX_LIST} значений")
        values = []
        for element in node.elts:
            item = self.visit(element, 1)
            if not item.is_literal:
                raise self.error(element, "a list may hold only numbers or texts written out",
                                 "type", message_ru="в списке могут быть только числа или "
                                                    "тексты, записанные явно")
            if item.kind != kind:
                raise self.error(element, f"list value {item.literal!r} is a {item.kind}; the "
                                 f"field is {kind}", "type",
                                 message_ru=f"значение списка {item.literal!r} — "
                                            f"{kind_ru(item.kind)}, а поле — {kind_ru(kind)}")
            values.append(item.literal)
        return Typed(pl.lit(None), kind, values, True)  # used by `in` only


def _refusal(node: ast.AST) -> tuple[str, str]:
    """Why a node is not allowed, in words an analyst understands: English, Russian."""
    comprehension = ("comprehensions are not allowed", "выражения с for не допускаются")
    attribute = ("attribute access (a.b) is not allowed; use the functions, like "
                 "startswith(field, \"X\")")
    attribute_ru = ("обращение к атрибуту (a.b) не допускается; используйте функции, "
                    "например startswith(field, \"X\")")
    reasons = {
        ast.Attribute: (attribute, attribute_ru),
        ast.Subscript: ("indexing (a[...]) is not allowed",
                        "индексация (a[...]) не допускается"),
        ast.Lambda: ("lambda is not allowed", "lambda не допускается"),
        ast.IfExp: ("'x if c else y' is not allowed; combine conditions with and / or",
                    "'x if c else y' не допускается; объединяйте условия через and / or"),
        ast.NamedExpr: ("assignment (:=) is not allowed", "присваивание (:=) не допускается"),
        ast.Dict: ("dictionaries are not allowed", "словари не допускаются"),
        ast.Set: ("sets are not allowed; use [...]",
                  "множества не допускаются; используйте [...]"),
        ast.ListComp: comprehension,
        ast.GeneratorExp: comprehension,
        ast.JoinedStr: ("f-strings are not allowed", "f-строки не допускаются"),
        ast.Starred: ("* is not allowed", "* не допускается"),
        ast.Await: ("await is not allowed", "await не допускается"),
    }
    texts = reasons.get(type(node))
    if texts is None and isinstance(node, (ast.List, ast.Tuple)):
        texts = ("a list is allowed only after 'in' or 'not in'",
                 "список допускается только после 'in' или 'not in'")
    name = type(node).__name__
    return texts or (f"{name} is not allowed in a rule", f"{name} в правиле не допускается")


def parse(source: str) -> ast.Expression:
    """The syntax tree of a rule, or a RuleError saying where it cannot be read.

    The text is parsed inside parentheses so that a rule may run over several lines
    without backslashes; line numbers are shifted back so positions match what was typed.
    """
    if not isinstance(source, str):
        raise RuleError("a rule expression must be text", code="syntax",
                        message_ru="выражение правила должно быть текстом")
    if len(source) > MAX_LENGTH:
        raise RuleError(f"rule is too long ({len(source)} characters; at most {MAX_LENGTH})",
                        1, MAX_LENGTH + 1, "too_long",
                        f"правило слишком длинное: символов — {len(source)}, "
                        f"допускается не больше {MAX_LENGTH}")
    if not source.strip():
        raise RuleError("rule expression is empty", code="syntax",
                        message_ru="выражение правила пустое")
    _check_brackets(source)
    try:
        tree = ast.parse(f"(\n{source}\n)", mode="eval")
    except SyntaxError as exc:
        raise _syntax_error(exc, source) from None
    except (RecursionError, MemoryError, ValueError):
        raise RuleError("rule is nested too deeply", code="too_deep",
                        message_ru="в правиле слишком глубокая вложенность") from None
    for node in ast.walk(tree):
        if hasattr(node, "lineno"):
            node.lineno -= 1  # type: ignore[attr-defined]
    return tree


def _syntax_error(exc: SyntaxError, source: str) -> RuleError:
    lines = source.split("\n")
    message = (exc.msg or "invalid syntax").replace("invalid syntax", "cannot read this")
    # Python's own wording cannot be translated case by case: it stays English, in brackets
    detail = (exc.msg or "").removeprefix("invalid syntax").lstrip(".;: ")
    message_ru = "не удаётся прочитать выражение {where}" + (f" ({detail})" if detail else "")
    line = (exc.lineno or 2) - 1  # the wrapper's "(" is line 1
    if line > len(lines):  # the wrapper's ")": the rule stopped in the middle
        return RuleError("rule ends too early {where}", len(lines), len(lines[-1]) + 1,
                         "syntax", "выражение не закончено: оно обрывается {where}")
    return RuleError(f"{message} {{where}}", max(line, 1), exc.offset or 1, "syntax",
                     message_ru)


def _check_brackets(source: str) -> None:
    """Every bracket closed, nothing closed that was not opened ("a) or (b"): the
    parentheses added by `parse` must not complete a rule that is unbalanced as typed."""
    opened: list[tuple[str, int, int]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type != tokenize.OP or token.string not in "()[]{}":
                continue
            line, col = token.start
            if token.string in "([{":
                opened.append((token.string, line, col + 1))
            elif not opened:
                raise RuleError(f"{token.string!r} closes nothing {{where}}", line, col + 1,
                                "syntax", f"скобка {token.string!r} {{where}} ничего не "
                                          f"закрывает")
            else:
                opened.pop()
    except (tokenize.TokenError, SyntaxError):
        pass  # bad characters and the like: ast.parse reports them with a position
    if opened:
        bracket, line, column = opened[-1]
        raise RuleError(f"{bracket!r} is never closed {{where}}", line, column, "syntax",
                        f"скобка {bracket!r} {{where}} так и не закрыта")
