from django.urls import re_path

from yingji.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery_root"),
    re_path(r"^v2/discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^v2/services" + FMT, views.services, name="services"),
    re_path(r"^v2/services/(?P<code>[^/]{1,100})" + FMT, views.service, name="service"),
    re_path(r"^v2/requests" + FMT, views.requests, name="requests"),
    re_path(r"^v2/requests/(?P<number>[^/]{1,40})" + FMT, views.request_one, name="request"),
    re_path(r"^v2/tokens/(?P<value>[^/]{1,100})" + FMT, views.token, name="token"),
    re_path(r"^(?P<rest>.*?)(?:\.(?P<fmt>json|xml))?$", views.unknown, name="unknown"),
]
