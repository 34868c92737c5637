from django.urls import path

from .views import imports, records, reports

app_name = "members"
urlpatterns = [
    path("", records.member_list, name="list"),
    path("me/", records.my_record, name="me"),
    path("export.xlsx", records.member_export, name="export"),
    path("import/", imports.import_start, name="import"),
    path("import/template.xlsx", imports.import_template, name="import_template"),
    path("import/<str:token>/", imports.import_job, name="import_job"),
    path("duplicates/", reports.duplicates_view, name="duplicates"),
    path("merge/<int:keep>/<int:drop>/", reports.merge_view, name="merge"),
    path("admit/", records.admit_view, name="admit"),
    path("decisions/<int:pk>/ceremony/", records.ceremony_view, name="ceremony"),
    path("deadlines/", records.deadlines, name="deadlines"),
    path("roll/<int:pk>/", records.roll, name="roll"),
    path("stats/<int:pk>/", reports.stats_view, name="stats"),
    path("reconciliation/<int:pk>/", reports.reconciliation_view, name="reconciliation"),
    path("seats/<int:pk>/new/", records.seat_add, name="seat_add"),
    path("transfers/<int:pk>/letter/", reports.transfer_letter, name="letter"),
    path("transfers/<int:pk>/arrive/", records.transfer_arrive, name="arrive"),
    path("<int:pk>/", records.member_detail, name="detail"),
    path("<int:pk>/edit/", records.member_edit, name="edit"),
    path("<int:pk>/party-group/", records.party_group_view, name="party_group"),
    path("<int:pk>/photo/", records.photo_view, name="photo"),
    path("<int:pk>/transfer/", records.member_transfer, name="transfer"),
    path("<int:pk>/events/<slug:kind>/", records.member_event, name="event"),
]
