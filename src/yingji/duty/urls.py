from django.urls import path

from yingji.duty import views

app_name = "duty"

urlpatterns = [
    path("", views.board, name="board"),
    path("units/<int:pk>/", views.this_month, name="unit"),
    path("units/<int:pk>/<int:year>/<int:number>/", views.month, name="month"),
    path("shifts/<int:pk>/handover/", views.handover, name="handover"),
    path("shifts/<int:pk>/change/", views.change, name="change"),
    path("changes/", views.changes, name="changes"),
    path("changes/<int:pk>/decide/", views.decide, name="decide"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
