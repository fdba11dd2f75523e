from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from accounts.views import home

from .admin import site as admin_site
from .views import healthz

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("centers/", include("centers.urls")),
    path("reports/", include("reports.urls")),
    # /conferences/ and /directives/ (one "conferences" namespace, see conferences/urls.py).
    path("", include("conferences.urls")),
    path("notifications/", include("notifications.urls")),
    path("compliance/", include("inspections.urls")),
    path("documents/", include("documents.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin_site.urls),
    # Resolved at the first request, not on import: with DEBUG off the name comes from
    # collectstatic's manifest, and every manage.py command imports the URLs.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
]
