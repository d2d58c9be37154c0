from django.urls import path

from yingji.resources.views import (
    catalogue,
    equipment,
    keeping,
    people,
    readiness,
    stock,
    workbooks,
)

app_name = "resources"

urlpatterns = [
    path("", stock.dashboard, name="dashboard"),
    path("warehouses/<id:pk>/", stock.warehouse, name="warehouse"),
    path("lots/<id:pk>/", stock.lot, name="lot"),
    path("items/", catalogue.items, name="items"),
    path("lots/<id:pk>/return/", stock.return_to_lot, name="return"),
    path("teams/", people.teams, name="teams"),
    path("experts/", people.experts, name="experts"),
    path("contact/<str:kind>/<id:pk>/", people.reveal, name="reveal"),
    path("equipment/", equipment.equipment, name="equipment"),
    path("equipment/<id:pk>/inspected/", equipment.inspect, name="inspect"),
    path("requests/", stock.requests, name="requests"),
    path("requests/<id:pk>/issue/", stock.issue_for_request, name="issue_for_request"),
    path("stock.xlsx", workbooks.stock_export, name="stock_export"),
    path("stock/import/", workbooks.stock_import, name="stock_import"),
    *(
        route
        for place, kind in (
            ("items", "item"),
            ("warehouses", "warehouse"),
            ("teams", "team"),
            ("experts", "expert"),
            ("equipment", "equipment"),
        )
        for route in (
            path(f"{place}/<id:pk>/edit/", keeping.edit, {"kind": kind}, name=f"edit_{kind}"),
            path(
                f"{place}/<id:pk>/active/",
                keeping.set_active,
                {"kind": kind},
                name=f"active_{kind}",
            ),
        )
    ),
    path("readiness/<id:pk>/", readiness.readiness, name="readiness"),
    path("readiness/<id:pk>.xlsx", readiness.readiness_export, name="readiness_export"),
]
