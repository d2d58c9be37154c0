from yingji.drills import action_views, calendar_views, check_views, evaluation_views, views

app_name = "drills"

urlpatterns = [
    *views.routes,
    *calendar_views.routes,
    *action_views.routes,
    *check_views.routes,
    *evaluation_views.routes,
]
