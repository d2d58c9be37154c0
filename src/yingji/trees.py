"""Classification trees kept by parent links (petition categories, event types): the one
order every dropdown shows them in, and the nodes a filter on one of them covers.

A tree's nodes are few (tens, a few hundred at most) and change rarely, so both read
the whole table's links at once and walk them in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, Protocol, TypeVar

from django import forms
from django.db import models

INDENT = "\u3000"  # an ideographic space per level: option text keeps it, unlike spaces


class Node(Protocol):
    pk: Any
    parent_id: Any
    sort: int
    code: str


N = TypeVar("N", bound=Node)


def in_tree_order(nodes: Iterable[N]) -> list[tuple[N, int]]:
    """Each node with its depth (0 for a top-level node), every node followed by its
    children, siblings by ``sort`` then ``code``.

    A node whose parent is not among ``nodes`` (an inactive parent, say) is shown at
    the top level, so that no node is lost.
    """
    nodes = list(nodes)
    present = {node.pk for node in nodes}
    children: dict[Any, list[N]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id if node.parent_id in present else None].append(node)
    for siblings in children.values():
        siblings.sort(key=lambda node: (node.sort, node.code))
    ordered: list[tuple[N, int]] = []
    seen: set[Any] = set()
    stack = [(node, 0) for node in reversed(children[None])]
    while stack:
        node, depth = stack.pop()
        if node.pk in seen:
            continue
        seen.add(node.pk)
        ordered.append((node, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(node.pk, [])))
    # Nodes in a loop of parents reach no top-level node: shown last, at the top level.
    ordered.extend((node, 0) for node in nodes if node.pk not in seen)
    return ordered


def indented(label: str, depth: int) -> str:
    return INDENT * depth + label


def subtree_ids(model: type[models.Model], root: Any) -> list[Any]:
    """``root``'s id and those of every node below it, at any depth, active or not: a
    filter on a node covers its children's and grandchildren's rows too."""
    children: dict[Any, list[Any]] = defaultdict(list)
    for pk, parent in model._default_manager.values_list("pk", "parent_id"):
        children[parent].append(pk)
    found: dict[Any, None] = {}
    todo = [root]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found[pk] = None
            todo.extend(children.get(pk, []))
    return list(found)


class TreeChoiceIterator(forms.models.ModelChoiceIterator):
    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for node, depth in in_tree_order(self.queryset.all()):
            value, label = self.choice(node)
            yield value, indented(str(label), depth)


class TreeChoiceField(forms.ModelChoiceField):
    """A choice of one node, offered in tree order, each indented by its depth; the
    label is the node's own name (``label``, else its text), the tree showing its place."""

    iterator = TreeChoiceIterator

    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "label", obj))
