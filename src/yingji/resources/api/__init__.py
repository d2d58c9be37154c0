"""The resources API, by use case: the catalogue and warehouses (catalogue.py), stock and
its movements with incident requests (stock.py), teams and experts (people.py),
equipment and vehicles (equipment.py) and
readiness against a plan (readiness.py). Importing this package registers every
operation on ``router``, which yingji.api adds to the one NinjaAPI."""

from __future__ import annotations

from yingji.resources.api import catalogue, equipment, people, readiness, stock
from yingji.resources.api.common import router

__all__ = ["catalogue", "equipment", "people", "readiness", "router", "stock"]
