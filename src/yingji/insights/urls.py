from yingji.insights import incident_views, views

app_name = "insights"
urlpatterns = [*views.routes, *incident_views.routes]
