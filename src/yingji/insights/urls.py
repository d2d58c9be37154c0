from yingji.insights import report_views, views

app_name = "insights"
urlpatterns = [*views.routes, *report_views.routes]
