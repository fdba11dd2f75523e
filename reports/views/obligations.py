from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class ObligationListView(LoginRequiredMixin, TemplateView):
    """Placeholder until the director's obligations page lands."""

    template_name = "reports/obligation_list.html"
