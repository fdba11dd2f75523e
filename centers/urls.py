from django.urls import path

from .views import excel, pdf, registry, upkeep

app_name = "centers"

urlpatterns = [
    path("", registry.CenterListView.as_view(), name="center_list"),
    path("new/", registry.CenterCreateView.as_view(), name="center_create"),
    path("<int:pk>/", registry.CenterDetailView.as_view(), name="center_detail"),
    path("<int:pk>/edit/", registry.CenterUpdateView.as_view(), name="center_update"),
    path("<int:pk>/admin/", registry.center_admin_redirect, name="center_admin"),
    path("<int:pk>/documents/new/", upkeep.LicenceDocumentCreateView.as_view(), name="licence_document_create"),
    path("<int:pk>/director/new/", upkeep.DirectorAppointView.as_view(), name="director_appoint"),
    path("<int:pk>/status/", upkeep.CenterStatusChangeView.as_view(), name="center_status_change"),
    path("<int:center_pk>/staff/new/", registry.StaffCreateView.as_view(), name="staff_create"),
    path("<int:center_pk>/staff/<int:pk>/edit/", registry.StaffUpdateView.as_view(), name="staff_update"),
    path("<int:pk>/documents/<int:doc_pk>/pdf/", pdf.licence_document_pdf, name="licence_document_pdf"),
    path("decisions-pdf/", pdf.CommuneDecisionsView.as_view(), name="commune_decisions_pdf"),
    path("export.xlsx", excel.center_export_xlsx, name="center_export_xlsx"),
    path("export.csv", excel.center_export_csv, name="center_export_csv"),
    path("import/", excel.CenterImportView.as_view(), name="center_import"),
    path("import/template.xlsx", excel.center_import_template, name="center_import_template"),
    path("import/<int:pk>/", excel.CenterImportStatusView.as_view(), name="center_import_status"),
    path("import/<int:pk>/confirm/", excel.center_import_confirm_view, name="center_import_confirm"),
    path("import/<int:pk>/cancel/", excel.center_import_cancel_view, name="center_import_cancel"),
]
