from django.urls import path

from yingji.petitions import views

app_name = "petitions"

urlpatterns = [
    path("", views.petition_list, name="list"),
    path("new/", views.petition_new, name="new"),
    path("<int:pk>/", views.petition_detail, name="detail"),
    path("<int:pk>/reveal/", views.petition_reveal, name="reveal"),
    path("<int:pk>/decide/", views.petition_decide, name="decide"),
    path("<int:pk>/clarify/", views.petition_clarify, name="clarify"),
]
