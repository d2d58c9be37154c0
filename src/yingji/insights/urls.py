from yingji.insights import views

app_name = "insights"
urlpatterns = [*views.routes]
