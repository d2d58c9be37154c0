from django.urls import path

from yingji.duty import views

app_name = "duty"

urlpatterns = [
    path("", views.board, name="board"),
    path("units/<int:pk>/", views.this_month, name="unit"),
    path("units/<int:pk>/<int:year>/<int:number>/", views.month, name="month"),
    path("shifts/<int:pk>/handover/", views.handover, name="handover"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
