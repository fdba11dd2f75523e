from django.urls import path

from .views import dashboard, obligations, pdf, review

app_name = "reports"

urlpatterns = [
    # Directors' obligations, submission, receipts, attachments; staff review.
    path("", obligations.ObligationListView.as_view(), name="obligation_list"),
    path("<int:pk>/", obligations.ObligationDetailView.as_view(), name="obligation_detail"),
    path("<int:pk>/draft/", obligations.obligation_draft_save, name="obligation_draft_save"),
    path("<int:pk>/submit/", obligations.obligation_submit, name="obligation_submit"),
    path("<int:pk>/attachments/", obligations.attachment_upload, name="attachment_upload"),
    path("<int:pk>/extension/", obligations.ExtensionRequestCreateView.as_view(), name="extension_request_create"),
    path("attachments/<int:pk>/", obligations.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", obligations.attachment_delete, name="attachment_delete"),
    path("versions/<int:pk>/receipt/", obligations.VersionReceiptView.as_view(), name="version_receipt"),
    path("versions/<int:pk>/pdf/", pdf.version_pdf_view, name="version_pdf"),
    # Completeness and timeliness dashboard, exports.
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("dashboard/<int:period_pk>/missing/", dashboard.MissingCentersView.as_view(), name="dashboard_missing"),
    path("dashboard/<int:period_pk>/summary.xlsx", dashboard.dashboard_export_summary, name="dashboard_export_summary"),
    path("dashboard/<int:period_pk>/values.xlsx", dashboard.dashboard_export_values, name="dashboard_export_values"),
    # Review by the Department: queue, one report, decisions; requests for more time.
    path("review/", review.ReviewQueueView.as_view(), name="review_list"),
    path("review/<int:pk>/", review.ObligationReviewView.as_view(), name="review_detail"),
    path("review/<int:pk>/accept/", review.review_accept, name="review_accept"),
    path("review/<int:pk>/return/", review.review_return, name="review_return"),
    path("review/extensions/", review.ExtensionListView.as_view(), name="extension_list"),
    path("review/extensions/<int:pk>/decide/", review.extension_decide_view, name="extension_decide"),
]
