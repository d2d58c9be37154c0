from django.urls import path

from yingji.accounts import oidc_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("2fa/", views.two_factor, name="two_factor"),
    path("oidc/authenticate/", oidc_views.AuthenticateView.as_view(), name="oidc_authenticate"),
    path("oidc/callback/", oidc_views.CallbackView.as_view(), name="oidc_callback"),
    path("users/", views.user_list, name="user_list"),
]
