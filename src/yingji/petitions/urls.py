from django.urls import path

from yingji.petitions import delivery_views, finding, views

app_name = "petitions"

urlpatterns = [
    path("", views.petition_list, name="list"),
    path("new/", views.petition_new, name="new"),
    path("new/similar/", finding.similar_while_typing, name="similar"),
    path("by-petitioner/", finding.petitioner_search, name="by_petitioner"),
    path("ledger.xlsx", views.ledger_export, name="ledger"),
    path("import/", views.ledger_import, name="import"),
    path("<id:pk>/", views.petition_detail, name="detail"),
    path("<id:pk>/reveal/", views.petition_reveal, name="reveal"),
    path("<id:pk>/decide/", views.petition_decide, name="decide"),
    path("<id:pk>/clarify/", views.petition_clarify, name="clarify"),
    path("<id:pk>/assign/", views.petition_assign, name="assign"),
    path("<id:pk>/assignments/<id:assignment_pk>/answer/", views.assignment_answer, name="answer"),
    path("<id:pk>/extend/", views.petition_extend, name="extend"),
    path("<id:pk>/reply/", views.petition_reply, name="reply"),
    path("<id:pk>/reply/delivery/", views.reply_deliver, name="deliver"),
    path("<id:pk>/documents/<id:document_pk>/", views.document_download, name="document"),
    path("<id:pk>/follow-up/", views.petition_follow_up, name="follow_up"),
    path("<id:pk>/reopen/", views.petition_reopen, name="reopen"),
    path("<id:pk>/reviews/<id:review_pk>/decide/", views.review_decide, name="review_decide"),
    path(
        "<id:pk>/reviews/<id:review_pk>/delivery/",
        delivery_views.review_deliver,
        name="review_deliver",
    ),
    path("<id:pk>/hearing/", views.petition_hearing, name="hearing"),
    path("<id:pk>/supervise/", views.petition_supervise, name="supervise"),
    path("<id:pk>/link/", views.petition_link, name="link"),
    path("<id:pk>/object/", views.petition_object, name="object"),
    path("<id:pk>/attachments/", views.petition_attach, name="attach"),
    path("<id:pk>/attachments/<id:attachment_pk>/", views.attachment_download, name="attachment"),
]
