from .views import criteria, duties, history, orgs, reports, rounds

app_name = "reviews"
urlpatterns = [
    *duties.urls,
    *criteria.urls,
    *rounds.urls,
    *orgs.urls,
    *reports.urls,
    *history.urls,
]
