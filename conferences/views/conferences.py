"""Conference pages: the list with filters and the folded search, one conference with its
participants, questions, files and directives, the form (with inline rows) for the
Department's staff, and the files.

Conferences are the Department's record: its staff write them, inspectors read them,
directors and local officers have no conference pages (403 on the list, 404 on an object).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from accounts.permissions import ActionRequiredMixin, action_required, may
from edu_portal.concurrency import edit_conflict_response
from edu_portal.files import content_type_for, private_download
from edu_portal.views import ScopedFilterView, add_errors

from ..filters import ConferenceFilterSet
from ..forms import (
    ConferenceAttachmentForm,
    ConferenceForm,
    ParticipantGroupFormSet,
    QuestionFormSet,
)
from ..models import Conference, ConferenceAttachment
from ..selectors import conference_get, conferences_visible_to, directives_visible_to
from ..services import conference_attachment_add, conference_save
from ..services.conferences import conference_refresh_search
from ..validators import CONFERENCE_FILE_MAX_MB, CONFERENCE_FILE_TYPES, PHOTO_TYPES, check_file


class ConferenceListView(ActionRequiredMixin, ScopedFilterView):
    action = "conferences.view"
    filterset_class = ConferenceFilterSet
    template_name = "conferences/conference_list.html"
    paginate_by = 30
    context_object_name = "conferences"


    def get_queryset(self):
        return (
            conferences_visible_to(self.request.user)
            .annotate(n_directives=Count("directives"))
            .prefetch_related("participant_groups")
            # Meta.ordering is not applied to a query with GROUP BY.
            .order_by(*Conference._meta.ordering)
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_edit=may(self.request.user, "conferences.record"), **kwargs)


class ConferenceDetailView(ActionRequiredMixin, DetailView):
    action = "conferences.view"
    template_name = "conferences/conference_detail.html"
    context_object_name = "conference"

    def get_object(self, queryset=None):
        return conference_get(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        conference = self.object
        user = self.request.user
        can_edit = may(user, "conferences.record")
        attachments = list(conference.attachments.all())
        return super().get_context_data(
            groups=list(conference.participant_groups.all()),
            questions=list(conference.questions.all()),
            photos=[a for a in attachments if a.file_type in ("jpg", "png")],
            files=[a for a in attachments if a.file_type not in ("jpg", "png")],
            directives=directives_visible_to(user).filter(conference=conference).order_by("issued_on", "pk"),
            can_edit=can_edit,
            attachment_form=ConferenceAttachmentForm() if can_edit else None,
            topics=[line.strip() for line in conference.topics.splitlines() if line.strip()],
            **kwargs,
        )


class ConferenceEditMixin(ActionRequiredMixin, View):
    """The conference form with its participant groups and questions as inline rows,
    saved together through conference_save (then the search text is rebuilt)."""
    action = "conferences.record"

    template_name = "conferences/conference_form.html"

    def load_objects(self, request, *args, **kwargs):
        self.conference = self.get_conference()

    def get_conference(self) -> Conference:
        raise NotImplementedError

    def forms(self, data=None):
        instance = self.conference
        return (
            ConferenceForm(data, instance=instance),
            ParticipantGroupFormSet(data, instance=instance, prefix="groups"),
            QuestionFormSet(data, instance=instance, prefix="questions"),
        )

    def render(self, form, groups, questions):
        return render(self.request, self.template_name, {
            "form": form, "groups": groups, "questions": questions, "conference": self.conference,
        })

    def get(self, request, *args, **kwargs):
        return self.render(*self.forms())

    def post(self, request, *args, **kwargs):
        form, groups, questions = self.forms(request.POST)
        if form.is_valid() and groups.is_valid() and questions.is_valid():
            try:
                with transaction.atomic():
                    conference = conference_save(conference=form.instance, user=request.user)
                    groups.instance = questions.instance = conference
                    groups.save()
                    questions.save()
                    conference_refresh_search(conference)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Đã lưu hội nghị."))
                return redirect(conference)
        if form.edit_conflict is not None:
            # Saved by someone else since it was opened: the record as saved (with the
            # user's entries where nobody else changed a field), its rows as saved.
            return edit_conflict_response(self.render(form.conflict_form(), *self.forms()[1:]))
        return self.render(form, groups, questions)


class ConferenceCreateView(ConferenceEditMixin):
    def get_conference(self) -> Conference:
        return Conference(province_id=self.request.user.province_id)


class ConferenceUpdateView(ConferenceEditMixin):
    def get_conference(self) -> Conference:
        return conference_get(self.request.user, self.kwargs["pk"])


@action_required("conferences.record")
@require_POST
def conference_attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Photos, slides, documents: every file is checked (type by content, size) before
    any is stored, so one bad file refuses the upload."""
    conference = conference_get(request.user, pk)
    form = ConferenceAttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        uploads = form.cleaned_data["files"]
        try:
            for upload in uploads:
                check_file(upload, name=upload.name, size=upload.size, allowed=CONFERENCE_FILE_TYPES,
                           max_mb=CONFERENCE_FILE_MAX_MB)
            with transaction.atomic():
                for upload in uploads:
                    conference_attachment_add(conference=conference, user=request.user, upload=upload,
                                              kind=form.cleaned_data["kind"], caption=form.cleaned_data["caption"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã tải lên %(n)s tệp.") % {"n": len(uploads)})
    else:
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return redirect(conference.get_absolute_url() + "#attachments")


@action_required("conferences.view")
def conference_attachment_download(request: HttpRequest, pk: int):
    """A conference's file, for those who see the conference; photos may be shown inline."""
    attachment = get_object_or_404(
        ConferenceAttachment.objects.filter(conference__in=conferences_visible_to(request.user)), pk=pk,
    )
    # ?inline=1 shows a photo in the page (its thumbnail); other types stay downloads.
    return private_download(attachment.file, attachment.original_name,
                            content_type=content_type_for(attachment.file_type),
                            inline=attachment.file_type in PHOTO_TYPES and request.GET.get("inline") == "1")

