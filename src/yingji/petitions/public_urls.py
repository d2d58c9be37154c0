from django.urls import path

from yingji.petitions import public

app_name = "public"

urlpatterns = [
    path("petition/", public.petition_form, name="petition"),
    path("status/", public.status, name="status"),
    path("status/rate/", public.rate, name="rate"),
    path("status/review/", public.request_review, name="review"),
    path("status/recheck/", public.request_recheck, name="recheck"),
    path("status/reply/<id:document_pk>/", public.reply_document, name="reply"),
    path("status/opinion/<id:document_pk>/", public.opinion_document, name="opinion"),
]
