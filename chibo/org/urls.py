from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/children/", views.children, name="children"),
    path("unit/<int:pk>/", views.unit_detail, name="unit"),
    path("unit/<int:pk>/restructure/<slug:kind>/", views.restructure, name="restructure"),
    path("unit/<int:pk>/terms/new/", views.add_term, name="add_term"),
    path("import/", views.import_tree, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("export.xlsx", views.export_tree, name="export"),
]
