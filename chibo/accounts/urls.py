from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reset/", views.redeem_code, name="redeem"),
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("export.xlsx", views.account_export, name="export"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("tokens/", views.tokens, name="tokens"),
    path("", include("chibo.accounts.twofactor.urls")),  # two-factor sign-in
]
