from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("jobs/new/", views.pdf_job_create, name="pdf_job_create"),
    path("jobs/<int:pk>/", views.PdfJobStatusView.as_view(), name="pdf_job_status"),
    path("jobs/<int:pk>/download/", views.pdf_job_download, name="pdf_job_download"),
]
