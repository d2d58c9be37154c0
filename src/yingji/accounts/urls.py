from django.urls import path

from yingji.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("2fa/", views.two_factor, name="two_factor"),
    path("users/", views.user_list, name="user_list"),
]
