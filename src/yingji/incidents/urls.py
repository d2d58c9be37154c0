from django.urls import path

from yingji.incidents import (
    command_views,
    intake_views,
    report_views,
    review_views,
    task_views,
    views,
)

app_name = "incidents"

urlpatterns = [
    path("", intake_views.incident_list, name="list"),
    path("new/", intake_views.incident_new, name="new"),
    path("from-petition/<id:petition_pk>/", intake_views.from_petition, name="from_petition"),
    path("tasks/", task_views.my_tasks, name="my_tasks"),
    path("tasks/<id:pk>/", task_views.task_detail, name="task"),
    path("tasks/<id:pk>/<str:action>/", task_views.move_task, name="move_task"),
    path("tasks/<id:pk>/notes/<id:note_pk>/photo/", task_views.task_photo, name="task_photo"),
    path("groups/<id:pk>/people/", command_views.group_people, name="group_people"),
    path("requests/<id:pk>/decide/", views.decide_request, name="decide_request"),
    path("<id:pk>/", views.board, name="board"),
    path("<id:pk>/stream/", views.stream, name="stream"),
    path("<id:pk>/facts/", views.update_facts, name="facts"),
    path("<id:pk>/grade/", views.grade, name="grade"),
    path("<id:pk>/activate/", views.activate, name="activate"),
    path("<id:pk>/bring-in/", views.bring_in, name="bring_in"),
    path("<id:pk>/tasks/new/", command_views.add_task, name="add_task"),
    path("<id:pk>/instructions/new/", command_views.add_instruction, name="add_instruction"),
    path("<id:pk>/invite/", command_views.invite, name="invite"),
    path("<id:pk>/milestone/<str:name>/", views.milestone, name="milestone"),
    path("<id:pk>/release/", views.release, name="release"),
    path("<id:pk>/request/", views.request_resources, name="request"),
    path("<id:pk>/reporter/", views.reveal_reporter, name="reveal_reporter"),
    path("<id:pk>/timeline.xlsx", views.timeline_export, name="timeline_export"),
    path("<id:pk>/reports/", report_views.reports, name="reports"),
    path("<id:pk>/reports/new/<str:stage>/", report_views.report_edit, name="report_new"),
    path("<id:pk>/reports/<id:report_pk>/", report_views.report_edit, name="report_edit"),
    path(
        "<id:pk>/reports/<id:report_pk>/document/",
        report_views.report_document,
        name="report_document",
    ),
    path("<id:pk>/reports/<id:report_pk>/view/", report_views.report_detail, name="report"),
    path(
        "<id:pk>/reports/<id:report_pk>/receipt/",
        report_views.report_receipt,
        name="report_receipt",
    ),
    path("<id:pk>/phone-report/", report_views.phone_report, name="phone_report"),
    path("<id:pk>/end/", review_views.end, name="end"),
    path("<id:pk>/close/", review_views.close, name="close"),
    path("<id:pk>/review/", review_views.review, name="review"),
    path("<id:pk>/review.docx", review_views.review_document, name="review_document"),
]
