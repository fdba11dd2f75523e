from django.urls import path

from .views import dashboard, obligations

app_name = "reports"

urlpatterns = [
    # Directors' obligations, submission, receipts, attachments; staff review.
    path("", obligations.ObligationListView.as_view(), name="obligation_list"),
    # Completeness and timeliness dashboard, exports.
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
]
