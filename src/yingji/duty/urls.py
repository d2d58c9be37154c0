from django.urls import path

from yingji.duty import views

app_name = "duty"

urlpatterns = [
    path("", views.board, name="board"),
    path("units/<id:pk>/", views.this_month, name="unit"),
    path("units/<id:pk>/<id:year>/<id:number>/", views.month, name="month"),
    path("shifts/<id:pk>/handover/", views.handover, name="handover"),
    path("shifts/<id:pk>/change/", views.change, name="change"),
    path("changes/", views.changes, name="changes"),
    path("changes/<id:pk>/decide/", views.decide, name="decide"),
    path("feed/mine/", views.my_feed, name="my_feed"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
