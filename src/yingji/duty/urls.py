from django.urls import path

from yingji.duty import log_views, views

app_name = "duty"

urlpatterns = [
    path("", views.board, name="board"),
    path("units/<id:pk>/", views.this_month, name="unit"),
    path("units/<id:pk>/<id:year>/<id:number>/", views.month, name="month"),
    path("shifts/<id:pk>/handover/", views.handover, name="handover"),
    path("shifts/<id:pk>/change/", views.change, name="change"),
    path("units/<id:pk>/day/<str:day>/report/", log_views.day_report, name="day_report"),
    path(
        "units/<id:pk>/day/<str:day>/report.docx",
        log_views.day_report_docx,
        name="day_report_docx",
    ),
    path("log/", log_views.log_list, name="log"),
    path("log/new/", log_views.log_new, name="log_new"),
    path("log/<id:pk>/", log_views.log_entry, name="log_entry"),
    path("log/<id:pk>/edit/", log_views.log_edit, name="log_edit"),
    path("log/<id:pk>/incident/", log_views.log_to_incident, name="log_to_incident"),
    path("log/<id:pk>/petition/", log_views.log_to_petition, name="log_to_petition"),
    path("changes/", views.changes, name="changes"),
    path("changes/<id:pk>/decide/", views.decide, name="decide"),
    path("feed/mine/", views.my_feed, name="my_feed"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
