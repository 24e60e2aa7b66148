"""The only functions a rule may call: name -> argument kinds, result kind, polars builder.

Text matching is literal (`contains` is not a regular expression), so a rule cannot be
made to backtrack for minutes on a long goods description.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from .language import BOOL, NUM, STR, Typed, kind_ru

if TYPE_CHECKING:
    from .language import Compiler

ANY = "any"


@dataclass(frozen=True)
class Function:
    args: tuple[str, ...]
    result: str
    build: Callable[..., pl.Expr]
    help: str
    variadic: bool = False  # args[0] repeated, at least two


FUNCTIONS: dict[str, Function] = {
    "startswith": Function((STR, STR), BOOL, lambda s, p: s.str.starts_with(p),
                           "startswith(text, prefix): the text begins with prefix"),
    "endswith": Function((STR, STR), BOOL, lambda s, p: s.str.ends_with(p),
                         "endswith(text, suffix): the text ends with suffix"),
    "contains": Function((STR, STR), BOOL, lambda s, p: s.str.contains(p, literal=True),
                         "contains(text, part): part occurs in the text (exact letters)"),
    "lower": Function((STR,), STR, lambda s: s.str.to_lowercase(),
                      "lower(text): the text in small letters"),
    "upper": Function((STR,), STR, lambda s: s.str.to_uppercase(),
                      "upper(text): the text in capital letters"),
    "len": Function((STR,), NUM, lambda s: s.str.len_chars(),
                    "len(text): number of characters"),
    "abs": Function((NUM,), NUM, lambda n: n.abs(), "abs(number): the number without sign"),
    "is_null": Function((ANY,), BOOL, lambda x: x.is_null(),
                        "is_null(field): the field has no value"),
    "min": Function((NUM,), NUM, lambda *xs: pl.min_horizontal(*xs),
                    "min(a, b, ...): the smallest number", variadic=True),
    "max": Function((NUM,), NUM, lambda *xs: pl.max_horizontal(*xs),
                    "max(a, b, ...): the largest number", variadic=True),
}


def call(compiler: Compiler, node: ast.Call, depth: int) -> Typed:
    if not isinstance(node.func, ast.Name):
        raise compiler.error(node, "only the listed functions can be called, like "
                             "startswith(field, \"X\")", "not_allowed",
                             message_ru="вызывать можно только функции из списка, например "
                                        "startswith(field, \"X\")")
    name = node.func.id
    function = FUNCTIONS.get(name)
    if function is None:
        known = ", ".join(sorted(FUNCTIONS))
        raise compiler.error(node, f"unknown function {name!r}; the functions are {known}",
                             "unknown_function",
                             message_ru=f"неизвестная функция {name!r}; есть функции: {known}")
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise compiler.error(node, f"{name}() takes plain arguments only", "arguments",
                             message_ru=f"{name}(): аргументы перечисляются по порядку, "
                                        f"без имён и без *")
    kinds = _expected(function, len(node.args))
    if kinds is None:
        raise compiler.error(node, f"wrong number of arguments: {function.help}", "arguments",
                             message_ru=f"неверное число аргументов: {function.help}")
    args = []
    for arg, kind in zip(node.args, kinds, strict=True):
        typed = compiler.visit(arg, depth)
        if kind != ANY and typed.kind != kind:
            raise compiler.error(arg, f"{name}() needs {kind} here, not {typed.kind}: "
                                 f"{function.help}", "type",
                                 message_ru=f"{name}(): здесь ожидается {kind_ru(kind)}, "
                                            f"а передано: {kind_ru(typed.kind)}; "
                                            f"{function.help}")
        args.append(typed.expr)
    return Typed(function.build(*args), function.result)


def _expected(function: Function, count: int) -> tuple[str, ...] | None:
    if function.variadic:
        return (function.args[0],) * count if count >= 2 else None
    return function.args if count == len(function.args) else None
