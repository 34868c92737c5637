from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("plan/<int:pk>/", views.plan, name="plan"),
    path("plan/<int:pk>/day/", views.set_day, name="set_day"),
    path("plan/<int:pk>/year/", views.plan_year, name="plan_year"),
    path("plan/<int:pk>/add/", views.add, name="add"),
    path("<int:pk>/held/", views.held, name="held"),
]
