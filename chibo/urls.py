from django.urls import include, path
from django.views.generic import RedirectView

from chibo.api import api
from chibo.meetings.views.meeting import service_worker

urlpatterns = [
    path("sw.js", service_worker, name="service_worker"),
    path("", RedirectView.as_view(pattern_name="org:tree", permanent=False)),
    path("accounts/", include("chibo.accounts.urls")),
    path("org/", include("chibo.org.urls")),
    path("audit/", include("chibo.audit.urls")),
    path("members/", include("chibo.members.urls")),
    path("meetings/", include("chibo.meetings.urls")),
    path("reviews/", include("chibo.reviews.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
