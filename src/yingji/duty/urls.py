from django.urls import path

from yingji.duty import views

app_name = "duty"

urlpatterns = [
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
