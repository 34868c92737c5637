from django.urls import path

from . import views

# Included into the accounts namespace (chibo/accounts/urls.py).
urlpatterns = [
    path("2fa/", views.overview, name="2fa"),
    path("2fa/enrol/", views.enrol, name="2fa_enrol"),
    path("2fa/verify/", views.verify, name="2fa_verify"),
    path("<int:pk>/2fa/reset/", views.reset, name="2fa_reset"),
]
