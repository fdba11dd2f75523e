from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentersConfig(AppConfig):
    name = "centers"
    verbose_name = _("Sổ đăng ký trung tâm")

    def ready(self):
        # Registers the registry's large PDFs with documents.registry.
        from . import pdf  # noqa: F401
        from .signals import fragments_connect

        fragments_connect()
