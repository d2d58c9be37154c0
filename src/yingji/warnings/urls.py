from yingji.warnings import inspection_views, risk_views, signal_views, warning_views

app_name = "warnings"

urlpatterns = [
    *warning_views.routes,
    *risk_views.routes,
    *inspection_views.routes,
    *signal_views.routes,
]
