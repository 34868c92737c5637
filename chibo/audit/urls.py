from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.log_list, name="list"),
    path("export.xlsx", views.log_export, name="export"),
    path("exports/<str:token>/", views.export_job, name="export_job"),
    path("exports/<str:token>/download", views.export_download, name="export_download"),
]
