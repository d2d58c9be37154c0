"""A storekeeper in 白石镇, a township and a village warehouse, and three items."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.resources.models import Category, Item, Warehouse


@dataclass
class Store:
    city: personas.City
    keeper: User
    actor: Actor
    main: Warehouse
    spare: Warehouse
    water: Item
    kit: Item
    megaphone: Item


@pytest.fixture
def store(city: personas.City) -> Store:
    keeper = personas.make_user("keeper", city.baishizhen, Role.STOREKEEPER, name="库管员")
    category = Category.objects.get(code="food_water")
    return Store(
        city=city,
        keeper=keeper,
        actor=Actor(user=keeper),
        main=Warehouse.objects.create(name="白石镇应急物资仓库", unit=city.baishizhen),
        spare=Warehouse.objects.create(name="白石村物资点", unit=city.baishicun),
        water=Item.objects.create(name="饮用水", category=category, measure="箱", expires=True),
        kit=Item.objects.create(
            name="急救箱", category=Category.objects.get(code="first_aid"), measure="个"
        ),
        megaphone=Item.objects.create(
            name="扩音器", category=Category.objects.get(code="publicity"), measure="个"
        ),
    )
