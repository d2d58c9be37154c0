"""A dropdown's options read from a page, and the check that they show a tree in order
(yingji.trees): each node once, under its parent, indented by its depth, siblings in
their order."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

INDENT = "\u3000"


@dataclass
class Option:
    value: str
    label: str

    @property
    def depth(self) -> int:
        return len(self.label) - len(self.label.lstrip(INDENT))


def options(page: str, select_id: str) -> list[Option]:
    """The options of the select with this id, less the empty choice."""
    match = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert match, select_id
    return [
        Option(value, html.unescape(label))
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', match[1])
        if value
    ]


def assert_tree_in_order(
    shown: list[Option],
    nodes: Iterable[Any],
    value: Callable[[Any], str] = lambda node: str(node.pk),
    name: Callable[[Any], str] = lambda node: node.name,
) -> None:
    by_value = {value(node): node for node in nodes}
    assert sorted(o.value for o in shown) == sorted(by_value)
    parents: list[Any] = []
    for option in shown:
        node = by_value[option.value]
        del parents[option.depth :]
        assert option.label == INDENT * option.depth + name(node)
        assert node.parent_id == (parents[-1].pk if parents else None), option.label
        parents.append(node)
    for parent in [None, *by_value.values()]:
        siblings = [by_value[o.value] for o in shown if by_value[o.value].parent == parent]
        assert siblings == sorted(siblings, key=lambda node: (node.sort, node.code))
