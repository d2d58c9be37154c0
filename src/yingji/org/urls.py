from django.urls import path

from yingji.org import views

app_name = "org"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/<id:pk>/", views.unit_detail, name="unit_detail"),
    path("people/", views.person_list, name="person_list"),
]
