"""The inspectors' pages, under /compliance/ (edu_portal/urls.py)."""

from django.urls import path

from .views import complaints, compliance, inspections

app_name = "inspections"

urlpatterns = [
    # The compliance search, its export, the risk weights, saved searches.
    path("", compliance.ComplianceView.as_view(), name="compliance"),
    path("export.xlsx", compliance.compliance_export_xlsx, name="compliance_export"),
    path("weights/", compliance.weights_update, name="weights_update"),
    path("searches/", compliance.saved_search_list, name="saved_search_list"),
    path("searches/<int:pk>/", compliance.saved_search_open, name="saved_search_open"),
    path("searches/<int:pk>/delete/", compliance.saved_search_delete, name="saved_search_delete"),
    # Inspections: planned, carried out, followed up; the record as a PDF.
    path("inspections/", inspections.InspectionListView.as_view(), name="inspection_list"),
    path("inspections/new/", inspections.InspectionEditView.as_view(), name="inspection_create"),
    path("inspections/<int:pk>/", inspections.InspectionDetailView.as_view(), name="inspection_detail"),
    path("inspections/<int:pk>/edit/", inspections.InspectionEditView.as_view(), name="inspection_update"),
    path("inspections/<int:pk>/violations/new/", inspections.violation_create, name="violation_create"),
    path("inspections/<int:pk>/violations/<int:violation_pk>/remedied/", inspections.violation_remedied_view,
         name="violation_remedied"),
    path("inspections/<int:pk>/follow-up/", inspections.follow_up_add, name="follow_up_add"),
    path("inspections/<int:pk>/pdf/", inspections.inspection_pdf, name="inspection_pdf"),
    # Complaints (đơn thư).
    path("complaints/", complaints.ComplaintListView.as_view(), name="complaint_list"),
    path("complaints/new/", complaints.ComplaintEditView.as_view(), name="complaint_create"),
    path("complaints/<int:pk>/", complaints.ComplaintDetailView.as_view(), name="complaint_detail"),
    path("complaints/<int:pk>/edit/", complaints.ComplaintEditView.as_view(), name="complaint_update"),
]
