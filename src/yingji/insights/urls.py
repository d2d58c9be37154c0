from yingji.insights import incident_views, report_views, views

app_name = "insights"
urlpatterns = [*views.routes, *incident_views.routes, *report_views.routes]
