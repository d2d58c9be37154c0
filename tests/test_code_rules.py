"""Rules of the code that a reviewer cannot be trusted to see every time."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src" / "yingji"


def _chain(call: ast.Call) -> list[ast.Call]:
    """The calls of one method chain, outermost first: ``a.b().c().d()`` gives d, c, b."""
    calls = []
    node: ast.expr = call
    while True:
        if isinstance(node, ast.Call):
            calls.append(node)
            node = node.func
        elif isinstance(node, ast.Attribute):
            node = node.value
        else:
            return calls


def _name(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""


def locks_joined_rows(tree: ast.AST) -> list[int]:
    """Lines where a query locks rows FOR UPDATE and joins other tables without ``of=``."""
    found = []
    inner: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in inner:
            continue
        calls = _chain(node)
        inner.update(id(c) for c in calls[1:])
        names = {_name(c) for c in calls}
        locks = [c for c in calls if _name(c) == "select_for_update"]
        if "select_related" in names and any(
            not any(k.arg == "of" for k in c.keywords) for c in locks
        ):
            found.append(node.lineno)
    return found


def test_no_lock_takes_the_rows_of_joined_tables() -> None:
    """On PostgreSQL ``select_for_update().select_related(...)`` locks the joined rows too
    (a case's unit, its category): two writers through two processes then deadlocked
    (issue 28's load run). A lock names its own table with ``of=("self",)``."""
    offending = [
        f"{path.relative_to(SOURCE.parent)}:{line}"
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
        for line in locks_joined_rows(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offending == []


def test_the_rule_sees_both_orders_and_accepts_of_self() -> None:
    bad = "Petition.objects.select_for_update().select_related('unit').get(pk=1)\n"
    reversed_ = "Petition.objects.select_related('unit').filter(x=1).select_for_update()\n"
    good = "Petition.objects.select_for_update(of=('self',)).select_related('unit').get()\n"
    plain = "Petition.objects.select_for_update().get(pk=1)\n"
    assert locks_joined_rows(ast.parse(bad)) == [1]
    assert locks_joined_rows(ast.parse(reversed_)) == [1]
    assert locks_joined_rows(ast.parse(good)) == []
    assert locks_joined_rows(ast.parse(plain)) == []
