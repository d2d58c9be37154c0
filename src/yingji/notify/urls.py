from django.urls import path

from yingji.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<id:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("settings/", views.preferences, name="preferences"),
    path("stream/", views.stream, name="stream"),
    path("failures/", views.failures, name="failures"),
    path("failures/<id:pk>/retry/", views.retry, name="retry"),
    path("ack/<str:token>/", views.ack_by_link, name="ack"),
]
