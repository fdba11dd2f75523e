from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo định kỳ")

    def ready(self):
        # Registers the reports' large PDFs with documents.registry.
        from . import pdf  # noqa: F401
