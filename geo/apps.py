from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "geo"
    verbose_name = _("Đơn vị hành chính")

    def ready(self):
        # The "vi-x-icu" collation on SQLite, before any connection is made (geo.collation).
        from .collation import connect

        connect()
