"""Excel export and import pages (placeholder until the import lands)."""

from django.http import Http404
from django.views import View


def _missing(*args, **kwargs):
    raise Http404


center_export_xlsx = center_export_csv = center_import_template = _missing


class CenterImportView(View):
    def get(self, request, *args, **kwargs):
        raise Http404


CenterImportStatusView = CenterImportView
