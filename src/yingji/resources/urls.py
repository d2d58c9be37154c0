from django.urls import path

from yingji.resources import views

app_name = "resources"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("warehouses/<id:pk>/", views.warehouse, name="warehouse"),
    path("lots/<id:pk>/", views.lot, name="lot"),
    path("items/", views.items, name="items"),
    path("lots/<id:pk>/return/", views.return_to_lot, name="return"),
    path("teams/", views.teams, name="teams"),
    path("experts/", views.experts, name="experts"),
    path("contact/<str:kind>/<id:pk>/", views.reveal, name="reveal"),
    path("equipment/", views.equipment, name="equipment"),
    path("equipment/<id:pk>/inspected/", views.inspect, name="inspect"),
    path("requests/", views.requests, name="requests"),
    path("requests/<id:pk>/issue/", views.issue_for_request, name="issue_for_request"),
    path("stock.xlsx", views.stock_export, name="stock_export"),
    path("stock/import/", views.stock_import, name="stock_import"),
    path("readiness/<id:pk>/", views.readiness, name="readiness"),
    path("readiness/<id:pk>.xlsx", views.readiness_export, name="readiness_export"),
]
