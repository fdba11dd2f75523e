from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class DashboardView(LoginRequiredMixin, TemplateView):
    """Placeholder until the completeness dashboard lands."""

    template_name = "reports/dashboard.html"
