from django.urls import path

from yingji.incidents import command_views, views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_new, name="new"),
    path("from-petition/<id:petition_pk>/", views.from_petition, name="from_petition"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<id:pk>/", views.task_detail, name="task"),
    path("tasks/<id:pk>/<str:action>/", views.move_task, name="move_task"),
    path("tasks/<id:pk>/notes/<id:note_pk>/photo/", views.task_photo, name="task_photo"),
    path("groups/<id:pk>/people/", views.group_people, name="group_people"),
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
    path("<id:pk>/reports/", views.reports, name="reports"),
    path("<id:pk>/reports/new/<str:stage>/", views.report_edit, name="report_new"),
    path("<id:pk>/reports/<id:report_pk>/", views.report_edit, name="report_edit"),
    path("<id:pk>/reports/<id:report_pk>/document/", views.report_document, name="report_document"),
    path("<id:pk>/reports/<id:report_pk>/view/", views.report_detail, name="report"),
    path("<id:pk>/reports/<id:report_pk>/receipt/", views.report_receipt, name="report_receipt"),
    path("<id:pk>/phone-report/", views.phone_report, name="phone_report"),
    path("<id:pk>/end/", views.end, name="end"),
    path("<id:pk>/close/", views.close, name="close"),
    path("<id:pk>/review/", views.review, name="review"),
    path("<id:pk>/review.docx", views.review_document, name="review_document"),
]
