"""Forms of the conference and directive pages. Labels come from the models; the rules
(who may write, what an issued directive refuses, deadlines, file checks) are the
services', and a service's ValidationError lands on these forms (views.common.add_errors)."""

import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Fieldset, Layout, Row
from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from accounts.models import Division
from centers.choices import CenterKind
from centers.forms import NfcMixin
from centers.models import Center
from edu_portal.concurrency import EditVersionFormMixin
from edu_portal.params import DB_INT_MAX, StrictIntegerField, StrictModelMultipleChoiceField, parse_ids
from geo.collation import UNIT_ORDERING
from geo.models import AdministrativeUnit
from reports.models import ReportType

from .choices import ConferenceFileKind, DirectiveType
from .models import Conference, ConferenceQuestion, Directive, ParticipantGroup, Task
from .selectors import conferences_visible_to
from .services.directives import DEFAULT_AUTHORITY
from .services.tasks import ACTIVE_STATUSES, MAX_EVIDENCE_FILES, CenterSelection
from .validators import CONFERENCE_FILE_MAX_MB, CONFERENCE_FILE_TYPES, EVIDENCE_MAX_MB, EVIDENCE_TYPES, types_text

DATE_WIDGET = {"placeholder": "dd/mm/yyyy", "autocomplete": "off"}


def _form_helper() -> FormHelper:
    """The template owns the <form> tag, the CSRF token and the buttons; hidden fields
    left out of a layout (the edit version) are rendered all the same."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.render_hidden_fields = True
    return helper


# Conferences


class ConferenceForm(EditVersionFormMixin, NfcMixin, forms.ModelForm):
    class Meta:
        model = Conference
        fields = [
            "title", "kind", "held_on", "starts_at", "ends_at", "place", "host_unit", "chair_name", "chair_position",
            "secretary_name", "secretary_position", "speeches_count",
            "assessment", "topics", "difficulties", "conclusions", "source",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs=DATE_WIDGET),
            "starts_at": forms.TimeInput(attrs={"placeholder": "hh:mm", "inputmode": "numeric"}, format="%H:%M"),
            "ends_at": forms.TimeInput(attrs={"placeholder": "hh:mm", "inputmode": "numeric"}, format="%H:%M"),
            "assessment": forms.Textarea(attrs={"rows": 4}),
            "topics": forms.Textarea(attrs={"rows": 5}),
            "difficulties": forms.Textarea(attrs={"rows": 4}),
            "conclusions": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _form_helper()
        self.helper.layout = Layout(
            Fieldset(
                _("Thông tin chung"),
                "title",
                Row(Column("kind", css_class="col-md-4"), Column("held_on", css_class="col-md-3"), Column("place")),
                Row(Column("starts_at", css_class="col-6 col-md-3"), Column("ends_at", css_class="col-6 col-md-3")),
                Row(Column("host_unit"), Column("speeches_count", css_class="col-md-3")),
                Row(Column("chair_name"), Column("chair_position")),
                Row(Column("secretary_name"), Column("secretary_position")),
            ),
            Fieldset(_("Nội dung"), "assessment", "topics", "difficulties", "conclusions", "source"),
        )


class ParticipantGroupForm(NfcMixin, forms.ModelForm):
    """A row of the participants table (plain widgets: the table header is the label)."""

    class Meta:
        model = ParticipantGroup
        fields = ["unit", "role", "count"]
        widgets = {
            "unit": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "role": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "count": forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 0}),
        }


class QuestionForm(NfcMixin, forms.ModelForm):
    class Meta:
        model = ConferenceQuestion
        fields = ["raised_by", "question", "answered_by", "answer"]
        widgets = {"question": forms.Textarea(attrs={"rows": 2}), "answer": forms.Textarea(attrs={"rows": 2})}


class OrderedInlineFormSet(forms.BaseInlineFormSet):
    """Rows keep the order they are shown in (the `order` column is not a field)."""

    def save(self, commit=True):
        saved = super().save(commit=False)
        if not commit:
            return saved
        for obj in self.deleted_objects:
            obj.delete()
        deleted = set(self.deleted_forms) if self.can_delete else set()
        kept = [f.instance for f in self.forms if f not in deleted and (f.instance.pk or f.instance in saved)]
        for index, obj in enumerate(kept):
            if obj.order != index or obj in saved:
                obj.order = index
                obj.save()
        return saved


ParticipantGroupFormSet = inlineformset_factory(
    Conference, ParticipantGroup, form=ParticipantGroupForm, formset=OrderedInlineFormSet, extra=1,
    can_delete=True,
)
QuestionFormSet = inlineformset_factory(
    Conference, ConferenceQuestion, form=QuestionForm, formset=OrderedInlineFormSet, extra=1, can_delete=True,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (type by content, size)."""

    def __init__(self, *args, max_files: int, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > self.max_files:
            raise forms.ValidationError(
                _("Mỗi lần gửi tối đa %(n)s tệp.") % {"n": self.max_files}, code="too_many",
            )
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


def _accept(types: list[str]) -> str:
    return ",".join(f".{t}" for t in types) + (",.jpeg" if "jpg" in types else "")


class ConferenceAttachmentForm(forms.Form):
    """Photos, slides and documents of a conference: several files of one kind at once."""

    kind = forms.ChoiceField(label=_("Loại tệp"), choices=ConferenceFileKind.choices)
    caption = forms.CharField(label=_("Chú thích"), max_length=255, required=False)
    files = MultipleFileField(
        label=_("Chọn tệp"), max_files=20, error_messages={"required": _("Chưa chọn tệp.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs.update({"accept": _accept(CONFERENCE_FILE_TYPES)})
        self.fields["files"].help_text = _("Nhận %(types)s, tối đa %(size)s MB mỗi tệp.") % {
            "types": types_text(CONFERENCE_FILE_TYPES), "size": CONFERENCE_FILE_MAX_MB,
        }
        self.helper = _form_helper()
        self.helper.layout = Layout(Row(Column("kind", css_class="col-md-3"), Column("caption"), Column("files")))


# Directives


# Which doc types show a part of the directive form (static/js/directive_form.js hides the
# others; without scripts every part shows and the service says what does not belong).
ADDRESSED_TYPES = " ".join(t for t in DirectiveType.values if DirectiveType.is_addressed(t))


class DirectiveForm(EditVersionFormMixin, NfcMixin, forms.ModelForm):
    """A draft: what the PDF prints. Number and date come from issuing, never typed.

    A quyết định's own parts (authority, bases, proposal, articles, executors) are laid
    out by the template (templates/conferences/directive_form.html) around the articles'
    rows, outside the crispy layout."""

    DECISION_FIELDS = ("authority", "legal_bases", "proposal", "executors")

    class Meta:
        model = Directive
        fields = [
            "doc_type", "drafting_division", "conference", "subject", "body", "closing", "addressees", "recipients",
            "authority", "legal_bases", "proposal", "executors",
            "signing_prefix", "signing_authority", "signer_position", "signer_name",
        ]
        widgets = {
            "subject": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 12}),
            "closing": forms.Textarea(attrs={"rows": 4}),
            "addressees": forms.Textarea(attrs={"rows": 3}),
            "recipients": forms.Textarea(attrs={"rows": 3}),
            "legal_bases": forms.Textarea(attrs={"rows": 4}),
            "proposal": forms.TextInput(),
            "executors": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        province_id = self.instance.province_id or user.province_id
        self.fields["drafting_division"].queryset = Division.objects.filter(
            province_id=province_id, is_active=True,
        ).order_by("name")
        self.fields["conference"].queryset = conferences_visible_to(user).filter(province_id=province_id).only(
            "pk", "title", "held_on",
        )
        self.fields["authority"].widget.attrs["placeholder"] = DEFAULT_AUTHORITY
        self.fields["legal_bases"].widget.attrs["placeholder"] = _(
            "Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019\nCăn cứ ..."
        )
        self.helper = _form_helper()
        self.helper.layout = Layout(
            Fieldset(
                _("Văn bản"),
                Row(Column("doc_type", css_class="col-md-4"), Column("drafting_division"), Column("conference")),
                "subject",
                Div("addressees", data_doc_types=ADDRESSED_TYPES),
                Div("body", "closing", data_hide_for=DirectiveType.DECISION),
                "recipients",
            ),
            Fieldset(
                _("Người ký"),
                Row(Column("signing_prefix", css_class="col-md-3"), Column("signing_authority"),
                    Column("signer_position"), Column("signer_name")),
            ),
        )


class ArticleForm(NfcMixin, forms.Form):
    """One article of a quyết định (a row of the form; empty rows are ignored)."""

    text = forms.CharField(
        label=_("Nội dung điều"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Không ghi «Điều 1.»: số điều được đánh tự động. Mỗi khoản một dòng."),
    )


class BaseArticleFormSet(forms.BaseFormSet):
    def texts(self) -> list[str]:
        """The articles in the order shown, deleted and empty rows left out."""
        return [
            form.cleaned_data["text"] for form in self.forms
            if form.cleaned_data.get("text") and not (self.can_delete and self._should_delete_form(form))
        ]


ArticleFormSet = forms.formset_factory(ArticleForm, formset=BaseArticleFormSet, extra=1, can_delete=True,
                                       max_num=50, validate_max=True)


class DirectiveIssueForm(forms.Form):
    issued_on = forms.DateField(
        label=_("Ngày ban hành"), widget=forms.DateInput(attrs=DATE_WIDGET),
        help_text=_("Số văn bản được lấy tự động từ sổ đăng ký văn bản đi khi ban hành."),
    )


# The register


class RegisterStartForm(NfcMixin, forms.Form):
    """Where a register goes on: the next number it gives, the date of the last number
    already given outside it (on paper, before the portal or in between), and why.
    `seen_last` is the register's last number when the page was opened (stale forms are
    refused by the service)."""

    doc_type = forms.ChoiceField(label=_("Loại văn bản"), choices=DirectiveType.choices)
    year = StrictIntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    next_number = StrictIntegerField(
        label=_("Số tiếp theo"), min_value=1, max_value=999_999,
        help_text=_("Số mà cổng sẽ cấp cho văn bản ban hành tiếp theo."),
    )
    last_on = forms.DateField(
        label=_("Ngày của số cuối cùng đã cấp ngoài cổng"), required=False, widget=forms.DateInput(attrs=DATE_WIDGET),
        help_text=_("Ngày của số liền trước số tiếp theo (trên sổ giấy hoặc cấp ngoài cổng). Văn bản ban hành "
                    "sau đó không được ghi ngày trước ngày này."),
    )
    reason = forms.CharField(
        label=_("Lý do"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Hãy ghi lý do.")},
        help_text=_("Ví dụ: Bắt đầu dùng cổng từ tháng 12, các số 01-57 đã cấp trên sổ giấy."),
    )
    seen_last = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=DB_INT_MAX)

    def __init__(self, *args, register=None, **kwargs):
        super().__init__(*args, **kwargs)
        if register is not None:
            # On a register's own page: its type and year are fixed.
            for name in ("doc_type", "year"):
                self.fields[name].widget = forms.HiddenInput()
            self.initial.update({"doc_type": register.doc_type, "year": register.year,
                                 "next_number": register.next_number, "seen_last": register.last_number})
        self.helper = _form_helper()
        self.helper.layout = Layout(
            Row(Column("doc_type", css_class="col-md-4"), Column("year", css_class="col-md-2"),
                Column("next_number", css_class="col-md-2"), Column("last_on", css_class="col-md-4")),
            "reason",
        )


class RegisterCancelForm(NfcMixin, forms.Form):
    """Record the register's next number as cancelled (given outside the portal to a
    document that was not issued)."""

    dated = forms.DateField(label=_("Ngày của số bị hủy"), widget=forms.DateInput(attrs=DATE_WIDGET))
    reason = forms.CharField(
        label=_("Lý do hủy số"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Hãy ghi lý do.")},
    )
    seen_last = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=DB_INT_MAX)

    def __init__(self, *args, register, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("seen_last", register.last_number)
        self.helper = _form_helper()
        self.helper.layout = Layout(Row(Column("dated", css_class="col-md-4"), Column("reason")))


class TaskForm(EditVersionFormMixin, NfcMixin, forms.ModelForm):
    class Meta:
        model = Task
        fields = ["group", "number", "text", "lead_unit", "coordinating_units", "deadline", "report_type"]
        widgets = {"deadline": forms.DateInput(attrs=DATE_WIDGET), "text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, directive: Directive, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.directive = directive
        self.fields["number"].required = False
        self.fields["number"].help_text = _("Để trống: số tiếp theo.")
        self.fields["report_type"].queryset = ReportType.objects.filter(
            province_id=directive.province_id, frequency="one_off", is_active=True,
        ).order_by("title")
        self.helper = _form_helper()
        self.helper.layout = Layout(
            Row(Column("number", css_class="col-md-2"), Column("group")),
            "text",
            Row(Column("lead_unit"), Column("coordinating_units")),
            Row(Column("deadline", css_class="col-md-3"), Column("report_type")),
        )

    def validate_unique(self):
        # task_save turns a duplicate number into a form error (after the auto number).
        pass


class CenterAutocomplete(forms.SelectMultiple):
    """A multiple select that renders only the chosen centers: the province may have
    thousands. static/js/autocomplete.js adds the search box that fetches the others."""

    def __init__(self, *args, url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.url = url

    def get_context(self, name, value, attrs):
        attrs = {**(attrs or {}), "data-autocomplete": self.url}
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        ids = parse_ids(value)
        centers = Center.objects.filter(pk__in=ids).select_related("commune") if ids else []
        options = [
            self.create_option(name, str(c.pk), f"{c.name} ({c.code})", True, index)
            for index, c in enumerate(centers)
        ]
        return [(None, options, 0)]


class TaskAssignForm(forms.Form):
    """Divisions, communes, single centers, or a selection of centers by kinds and commune
    (one assignment per center). Choices are the directive's province's."""

    divisions = StrictModelMultipleChoiceField(
        label=_("Phòng, ban thuộc Sở"), queryset=Division.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    communes = StrictModelMultipleChoiceField(
        label=_("UBND xã/phường"), queryset=AdministrativeUnit.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Giữ Ctrl (hoặc Cmd) để chọn nhiều."),
    )
    centers = StrictModelMultipleChoiceField(
        label=_("Từng trung tâm"), queryset=Center.objects.none(), required=False,
        help_text=_("Gõ tên hoặc mã trung tâm (không dấu cũng được) rồi chọn."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Loại hình"), choices=CenterKind.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Chọn loại hình, địa bàn hoặc cả hai: mỗi trung tâm đang hoạt động thuộc nhóm nhận một "
                    "nhiệm vụ riêng. Để trống loại hình: mọi loại hình."),
    )
    commune = forms.ModelChoiceField(
        label=_("Trên địa bàn"), queryset=AdministrativeUnit.objects.none(), required=False,
        empty_label=_("Toàn tỉnh"),
    )
    # Only needed for the one group that has nothing to choose: every kind, the whole
    # province. Choosing kinds or a commune is a group in itself (issue 13).
    by_selection = forms.BooleanField(
        label=_("Mọi trung tâm đang hoạt động của tỉnh"), required=False,
        help_text=_("Không cần đánh dấu khi đã chọn loại hình hoặc địa bàn."),
    )

    def __init__(self, *args, directive: Directive, autocomplete_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        province_id = directive.province_id
        communes = AdministrativeUnit.objects.filter(
            level=AdministrativeUnit.Level.COMMUNE, parent_id=province_id,
        ).order_by(*UNIT_ORDERING)
        self.fields["divisions"].queryset = Division.objects.filter(province_id=province_id, is_active=True)
        self.fields["communes"].queryset = communes
        self.fields["commune"].queryset = communes
        self.fields["centers"].queryset = Center.objects.filter(province_id=province_id, status__in=ACTIVE_STATUSES)
        self.fields["centers"].widget = CenterAutocomplete(
            url=autocomplete_url, attrs={"size": 4, "data-placeholder": _("Gõ tên hoặc mã trung tâm...")},
        )
        self.helper = _form_helper()
        self.helper.layout = Layout(
            Fieldset(_("Giao cho từng đơn vị"), Row(Column("divisions", css_class="col-md-4"), Column("communes"),
                                                    Column("centers"))),
            Fieldset(_("Giao theo nhóm trung tâm"),
                     Row(Column("kinds", css_class="col-md-7"), Column("commune")), "by_selection"),
        )

    def clean(self):
        """`selection` is the group of centers to assign, or None: kinds or a commune make
        one, and so does the "every center" box on its own."""
        cleaned = super().clean()
        kinds, commune = cleaned.get("kinds") or [], cleaned.get("commune")
        by_group = bool(kinds or commune or cleaned.get("by_selection"))
        cleaned["selection"] = CenterSelection(kinds=list(kinds), commune=commune) if by_group else None
        chosen = any(cleaned.get(name) for name in ("divisions", "communes", "centers"))
        if not chosen and not by_group:
            raise forms.ValidationError(_("Chưa chọn đơn vị nào để giao."))
        return cleaned


# Assignments


class ProgressForm(forms.Form):
    """An assignee's progress report: what was done, evidence files, and "done" if so."""

    note = forms.CharField(
        label=_("Nội dung đã thực hiện"), widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Hãy ghi nội dung đã thực hiện.")},
    )
    files = MultipleFileField(label=_("Tệp minh chứng"), required=False, max_files=MAX_EVIDENCE_FILES)
    marks_done = forms.BooleanField(label=_("Đã hoàn thành nhiệm vụ (gửi Sở xác nhận)"), required=False)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs.update({"accept": _accept(EVIDENCE_TYPES)})
        self.fields["files"].help_text = _("Nhận %(types)s, tối đa %(size)s MB mỗi tệp, %(n)s tệp mỗi lần.") % {
            "types": types_text(EVIDENCE_TYPES), "size": EVIDENCE_MAX_MB, "n": MAX_EVIDENCE_FILES,
        }
        self.helper = _form_helper()


class ReopenForm(forms.Form):
    note = forms.CharField(
        label=_("Lý do yêu cầu thực hiện lại"), widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Hãy ghi lý do yêu cầu thực hiện lại.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _form_helper()
