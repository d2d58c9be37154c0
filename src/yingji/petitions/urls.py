from django.urls import path

from yingji.petitions import views

app_name = "petitions"

urlpatterns = [
    path("", views.petition_list, name="list"),
    path("new/", views.petition_new, name="new"),
    path("ledger.xlsx", views.ledger_export, name="ledger"),
    path("import/", views.ledger_import, name="import"),
    path("<int:pk>/", views.petition_detail, name="detail"),
    path("<int:pk>/reveal/", views.petition_reveal, name="reveal"),
    path("<int:pk>/decide/", views.petition_decide, name="decide"),
    path("<int:pk>/clarify/", views.petition_clarify, name="clarify"),
    path("<int:pk>/assign/", views.petition_assign, name="assign"),
    path(
        "<int:pk>/assignments/<int:assignment_pk>/answer/", views.assignment_answer, name="answer"
    ),
    path("<int:pk>/extend/", views.petition_extend, name="extend"),
    path("<int:pk>/reply/", views.petition_reply, name="reply"),
    path("<int:pk>/reply/delivery/", views.reply_deliver, name="deliver"),
    path("<int:pk>/documents/<int:document_pk>/", views.document_download, name="document"),
    path("<int:pk>/follow-up/", views.petition_follow_up, name="follow_up"),
    path("<int:pk>/reopen/", views.petition_reopen, name="reopen"),
    path("<int:pk>/reviews/<int:review_pk>/decide/", views.review_decide, name="review_decide"),
    path("<int:pk>/hearing/", views.petition_hearing, name="hearing"),
    path("<int:pk>/supervise/", views.petition_supervise, name="supervise"),
    path("<int:pk>/link/", views.petition_link, name="link"),
    path("<int:pk>/object/", views.petition_object, name="object"),
    path("<int:pk>/attachments/", views.petition_attach, name="attach"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
]
