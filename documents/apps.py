from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Official PDFs too large for a request: the job row, its Celery task, and the
    registry of builders that other apps fill from their own pdf.py (imported in their
    AppConfig.ready()). This app imports none of them."""

    name = "documents"
    verbose_name = _("Văn bản PDF")
