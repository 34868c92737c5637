from django.urls import path

from . import views, views_import, views_reports

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("export.xlsx", views.member_export, name="export"),
    path("import/", views_import.import_start, name="import"),
    path("import/template.xlsx", views_import.import_template, name="import_template"),
    path("import/<str:token>/", views_import.import_job, name="import_job"),
    path("duplicates/", views_reports.duplicates_view, name="duplicates"),
    path("merge/<int:keep>/<int:drop>/", views_reports.merge_view, name="merge"),
    path("admit/", views.admit_view, name="admit"),
    path("decisions/<int:pk>/ceremony/", views.ceremony_view, name="ceremony"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("roll/<int:pk>/", views.roll, name="roll"),
    path("stats/<int:pk>/", views_reports.stats_view, name="stats"),
    path("reconciliation/<int:pk>/", views_reports.reconciliation_view, name="reconciliation"),
    path("seats/<int:pk>/new/", views.seat_add, name="seat_add"),
    path("transfers/<int:pk>/letter/", views_reports.transfer_letter, name="letter"),
    path("transfers/<int:pk>/arrive/", views.transfer_arrive, name="arrive"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/party-group/", views.party_group_view, name="party_group"),
    path("<int:pk>/photo/", views.photo_view, name="photo"),
    path("<int:pk>/transfer/", views.member_transfer, name="transfer"),
    path("<int:pk>/events/<slug:kind>/", views.member_event, name="event"),
]
