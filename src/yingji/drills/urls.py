from yingji.drills import calendar_views, views

app_name = "drills"

urlpatterns = [
    *views.routes,
    *calendar_views.routes,
]
