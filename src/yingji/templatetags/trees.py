"""``{% for node, label in nodes|tree_options %}``: a tree's nodes in the order every
dropdown shows them, each label indented by its depth (yingji.trees)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from yingji import trees

register = template.Library()


@register.filter
def tree_options(nodes: Iterable[Any]) -> list[tuple[Any, str]]:
    return [
        (node, trees.indented(str(getattr(node, "label", node)), depth))
        for node, depth in trees.in_tree_order(nodes)
    ]
