from django.urls import path

from yingji.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_new, name="new"),
    path("from-petition/<int:petition_pk>/", views.from_petition, name="from_petition"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/<str:action>/", views.move_task, name="move_task"),
    path("tasks/<int:pk>/notes/<int:note_pk>/photo/", views.task_photo, name="task_photo"),
    path("groups/<int:pk>/people/", views.group_people, name="group_people"),
    path("requests/<int:pk>/decide/", views.decide_request, name="decide_request"),
    path("<int:pk>/", views.board, name="board"),
    path("<int:pk>/stream/", views.stream, name="stream"),
    path("<int:pk>/facts/", views.update_facts, name="facts"),
    path("<int:pk>/grade/", views.grade, name="grade"),
    path("<int:pk>/activate/", views.activate, name="activate"),
    path("<int:pk>/bring-in/", views.bring_in, name="bring_in"),
    path("<int:pk>/milestone/<str:name>/", views.milestone, name="milestone"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/request/", views.request_resources, name="request"),
    path("<int:pk>/reporter/", views.reveal_reporter, name="reveal_reporter"),
    path("<int:pk>/timeline.xlsx", views.timeline_export, name="timeline_export"),
    path("<int:pk>/reports/", views.reports, name="reports"),
    path("<int:pk>/reports/new/<str:stage>/", views.report_edit, name="report_new"),
    path("<int:pk>/reports/<int:report_pk>/", views.report_edit, name="report_edit"),
    path(
        "<int:pk>/reports/<int:report_pk>/document/", views.report_document, name="report_document"
    ),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/review.docx", views.review_document, name="review_document"),
]
