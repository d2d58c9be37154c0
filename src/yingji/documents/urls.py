from django.urls import path

from yingji.documents import views

app_name = "documents"

urlpatterns = [
    path("<id:pk>/", views.import_job, name="import_job"),
    path("<id:pk>/progress/", views.import_progress, name="import_progress"),
]
