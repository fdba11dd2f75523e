from django.contrib import admin
from django.urls import include, path

from accounts.views import home

from .views import healthz

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("centers/", include("centers.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
