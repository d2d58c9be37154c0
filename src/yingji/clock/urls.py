from django.urls import path

from yingji.clock import views

app_name = "clock"

urlpatterns = [
    path("calendar/", views.calendar_today, name="calendar_today"),
    path("calendar/<id:year>/", views.calendar_year, name="calendar"),
    path("deadlines/", views.deadline_list, name="deadlines"),
]
