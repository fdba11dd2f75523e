"""Conferences at /conferences/, directives and their tasks at /directives/: one
namespace, "conferences" (edu_portal/urls.py includes this module at the root)."""

from django.urls import include, path

from .views import assignments, conferences, directives, pdf, registers, tasks

app_name = "conferences"

conference_urls = [
    path("", conferences.ConferenceListView.as_view(), name="conference_list"),
    path("new/", conferences.ConferenceCreateView.as_view(), name="conference_create"),
    path("<int:pk>/", conferences.ConferenceDetailView.as_view(), name="conference_detail"),
    path("<int:pk>/edit/", conferences.ConferenceUpdateView.as_view(), name="conference_update"),
    path("<int:pk>/attachments/", conferences.conference_attachment_upload, name="conference_attachment_upload"),
    path("<int:pk>/minutes.pdf", pdf.conference_minutes_pdf, name="conference_minutes_pdf"),
    path("attachments/<int:pk>/", conferences.conference_attachment_download, name="conference_attachment_download"),
]

directive_urls = [
    # Directives: list, draft, issue, correct, PDF.
    path("", directives.DirectiveListView.as_view(), name="directive_list"),
    path("new/", directives.DirectiveCreateView.as_view(), name="directive_create"),
    path("<int:pk>/", directives.DirectiveDetailView.as_view(), name="directive_detail"),
    path("<int:pk>/edit/", directives.DirectiveUpdateView.as_view(), name="directive_update"),
    path("<int:pk>/issue/", directives.DirectiveIssueView.as_view(), name="directive_issue"),
    path("<int:pk>/correct/", directives.directive_correct_view, name="directive_correct"),
    path("<int:pk>/delete/", directives.directive_delete_view, name="directive_delete"),
    path("<int:pk>/pdf/", pdf.directive_pdf, name="directive_pdf"),
    # The registers of issued documents: numbers, start number, gaps and cancellations.
    path("registers/", registers.RegisterListView.as_view(), name="register_list"),
    path("registers/<int:pk>/", registers.RegisterDetailView.as_view(), name="register_detail"),
    # Tasks of a draft and their assignees.
    path("<int:pk>/tasks/new/", tasks.TaskCreateView.as_view(), name="task_create"),
    path("tasks/<int:pk>/edit/", tasks.TaskUpdateView.as_view(), name="task_update"),
    path("tasks/<int:pk>/delete/", tasks.task_delete_view, name="task_delete"),
    path("tasks/<int:pk>/assign/", tasks.TaskAssignView.as_view(), name="task_assign"),
    path("assignments/<int:pk>/remove/", tasks.assignment_remove_view, name="assignment_remove"),
    path("centers/autocomplete/", tasks.center_autocomplete, name="center_autocomplete"),
    # Follow-up: everyone's tasks, one assignment, progress and review, units.
    path("tasks/", assignments.AssignmentListView.as_view(), name="assignment_list"),
    path("assignments/<int:pk>/", assignments.AssignmentDetailView.as_view(), name="assignment_detail"),
    path("assignments/<int:pk>/progress/", assignments.progress_create, name="progress_create"),
    path("assignments/<int:pk>/accept/", assignments.assignment_accept_view, name="assignment_accept"),
    path("assignments/<int:pk>/reopen/", assignments.assignment_reopen_view, name="assignment_reopen"),
    path("evidence/<int:pk>/", assignments.evidence_download, name="evidence_download"),
    path("units/center/<int:pk>/", assignments.CenterAssignmentsView.as_view(), name="unit_center"),
    path("units/commune/<int:pk>/", assignments.CommuneAssignmentsView.as_view(), name="unit_commune"),
    path("units/division/<int:pk>/", assignments.DivisionAssignmentsView.as_view(), name="unit_division"),
]

urlpatterns = [
    path("conferences/", include(conference_urls)),
    path("directives/", include(directive_urls)),
]
