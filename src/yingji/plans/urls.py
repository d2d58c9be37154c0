from django.urls import path

from yingji.plans import editor_views, import_views, views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_new, name="new"),
    path("filings/", views.filing_list, name="filings"),
    path("versions/<id:pk>/filing/<str:answer>/", views.filing_answer, name="filing_answer"),
    path("import/", import_views.plan_import, name="import"),
    path("import/save/", import_views.plan_import_save, name="import_save"),
    path("import/<id:pk>/", import_views.plan_import_review, name="import_review"),
    path("import/<id:pk>/<id:part>/", import_views.plan_import_part, name="import_part"),
    path("<id:pk>/", views.plan_detail, name="detail"),
    path("<id:pk>/new-version/", views.plan_new_version, name="new_version"),
    path("<id:pk>/sources/<id:document_pk>/", import_views.plan_source, name="source"),
    path("versions/<id:pk>/", views.version_detail, name="version"),
    path("versions/<id:pk>/do/<str:action>/", views.version_act, name="act"),
    path("versions/<id:pk>/evaluate/", views.version_evaluate, name="evaluate"),
    path("versions/<id:pk>/compare/<id:other>/", views.version_compare, name="compare"),
    path("versions/<id:pk>/cards/", views.role_cards, name="cards"),
    path("versions/<id:pk>/plan.docx", views.version_docx, name="docx"),
    path("versions/<id:pk>/plan.pdf", views.version_pdf, name="pdf"),
    path("versions/<id:pk>/edit/", editor_views.version_edit, name="edit"),
    path("editor/row/<str:kind>/", editor_views.editor_row, name="row"),
]
