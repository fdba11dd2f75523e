from html import escape as html_escape

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from edu_portal.concurrency import EditVersionFormMixin
from geo.collation import UNIT_ORDERING
from geo.models import AdministrativeUnit
from geo.text import nfc

from .choices import CenterStatus, DocumentKind
from .models import Center, Director, LicenceDocument, Staff


class NfcMixin:
    """Store text in Unicode NFC whatever the browser or keyboard sent."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = nfc(value.strip())
        return cleaned


class QuickSelect(forms.Select):
    """forms.Select with its options written out in Python, for long lists (the communes
    of a province). Django renders every <option> through two template includes: for the
    168 communes of Hồ Chí Minh City that was 5-7 ms of a 40 ms registry page, against
    well under 1 ms here. Same markup as forms.Select (tests/centers/test_center_list.py)."""

    def render(self, name, value, attrs=None, renderer=None):
        if not self.allow_multiple_selected:
            flat = self._render_flat(name, value, attrs)
            if flat is not None:
                return flat
        widget = self.get_context(name, value, attrs)["widget"]
        html = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(format_html('<optgroup label="{}">', group_name))
            html.extend(
                f'<option value="{_escape(option["value"])}"{flatatt(option["attrs"]) if option["attrs"] else ""}>'
                f'{_escape(option["label"])}</option>'
                for option in options
            )
            if group_name:
                html.append("</optgroup>")
        html.append("</select>")
        return mark_safe("".join(html))

    def _render_flat(self, name, value, attrs):
        """A list without groups, straight from its choices: what Select.optgroups builds
        (a dict per option, then its attributes) is most of the cost of a long list.
        The same rules: the first option equal to the value is selected, None is ""."""
        # iter(): list() would first ask a ModelChoiceIterator its len(), a COUNT query.
        choices = list(iter(self.choices))
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return None  # groups: the general way above
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        wanted = set(widget["value"])
        html = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        selected = False
        for option_value, label in choices:
            if option_value is None:
                option_value = ""
            text = _escape(option_value)
            if not selected and str(option_value) in wanted:
                selected = True
                html.append(f'<option value="{text}" selected>{_escape(label)}</option>')
            else:
                html.append(f'<option value="{text}">{_escape(label)}</option>')
        html.append("</select>")
        return mark_safe("".join(html))


def _escape(value) -> str:
    """conditional_escape without its lazy-string wrapper (a measurable cost per option)."""
    return value.__html__() if hasattr(value, "__html__") else html_escape(str(value))


class CenterForm(EditVersionFormMixin, NfcMixin, forms.ModelForm):
    """The full record, for department staff."""

    class Meta:
        model = Center
        fields = [
            "code", "name", "kind", "commune", "street", "address_as_printed",
            "investor_name", "investor_tax_code", "founding_authority", "managing_authority",
            "phone", "email", "website",
        ]

    def __init__(self, *args, province=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.province = province or (self.instance.province if self.instance.province_id else None)
        communes = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.COMMUNE)
        if self.province is not None:
            communes = communes.filter(parent=self.province)
        self.fields["commune"].queryset = communes.order_by(*UNIT_ORDERING)
        self.helper = FormHelper()
        self.helper.render_hidden_fields = True  # the edit version, outside the layout
        self.helper.layout = Layout(
            Fieldset(_("Thông tin chung"), Row(Column("code", css_class="col-md-3"), Column("name")), "kind"),
            Fieldset(_("Địa chỉ"), Row(Column("street"), Column("commune")), "address_as_printed"),
            Fieldset(
                _("Chủ đầu tư, cơ quan quản lý"),
                Row(Column("investor_name"), Column("investor_tax_code", css_class="col-md-3")),
                Row(Column("founding_authority"), Column("managing_authority")),
            ),
            Fieldset(_("Liên hệ"), Row(Column("phone"), Column("email"), Column("website"))),
        )
        self.helper.add_input(Submit("submit", _("Lưu")))

    def clean_code(self):
        code = nfc(self.cleaned_data["code"].strip()).upper()
        clash = Center.objects.filter(province=self.province, code=code).exclude(pk=self.instance.pk)
        if self.province is not None and clash.exists():
            raise forms.ValidationError(_("Mã trung tâm này đã có trong sổ của Sở."))
        return code

    def save(self, commit=True):
        if self.province is not None:
            self.instance.province = self.province
        return super().save(commit)


class CenterContactForm(EditVersionFormMixin, NfcMixin, forms.ModelForm):
    """What a director keeps up to date for their own center."""

    class Meta:
        model = Center
        fields = ["phone", "email", "website"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Lưu")))


class StaffForm(EditVersionFormMixin, NfcMixin, forms.ModelForm):
    class Meta:
        model = Staff
        fields = [
            "full_name", "position", "qualifications", "is_active", "is_foreign", "nationality",
            "work_permit_number", "work_permit_issuer", "work_permit_valid_until", "work_permit_exempt",
        ]
        widgets = {"work_permit_valid_until": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.render_hidden_fields = True  # the edit version, outside the layout
        self.helper.layout = Layout(
            Row(Column("full_name"), Column("position", css_class="col-md-3")),
            "qualifications",
            Row(Column("is_active"), Column("is_foreign")),
            Fieldset(
                _("Giáo viên người nước ngoài"),
                Row(Column("nationality"), Column("work_permit_exempt")),
                Row(Column("work_permit_number"), Column("work_permit_issuer"), Column("work_permit_valid_until")),
            ),
        )
        self.helper.add_input(Submit("submit", _("Lưu")))


# Registry upkeep on the center's page (centers.views.upkeep): each form checks what the
# user typed; what it means for the register is the service's (centers.services).

DATE_WIDGET = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}


def _date_field(label, *, required=True, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(attrs=DATE_WIDGET))


def _not_in_future(value, message):
    import datetime

    from django.utils import timezone

    if value and value > timezone.localdate() + datetime.timedelta(days=1):
        raise forms.ValidationError(message)
    return value


class LicenceDocumentForm(NfcMixin, forms.ModelForm):
    """A decision or certificate added to the center's file; licence_document_create
    applies what it means (a licence makes the center operating, a suspension suspends it)."""

    ESSENTIAL = ["kind", "number", "signed_on", "issuer", "valid_until", "validity_stated", "scope",
                 "signer_title", "signer_name"]
    AS_PRINTED = ["place_as_printed", "issuer_parent_as_printed", "issuer_name_as_printed",
                  "center_name_as_printed", "address_as_printed", "applicant_as_printed", "proposer", "legal_bases"]

    class Meta:
        model = LicenceDocument
        fields = [
            "kind", "number", "signed_on", "issuer", "valid_until", "validity_stated", "scope",
            "signer_title", "signer_name", "place_as_printed", "issuer_parent_as_printed",
            "issuer_name_as_printed", "center_name_as_printed", "address_as_printed", "applicant_as_printed",
            "proposer", "legal_bases",
        ]
        widgets = {
            "signed_on": forms.DateInput(attrs=DATE_WIDGET),
            "valid_until": forms.DateInput(attrs=DATE_WIDGET),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "legal_bases": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "kind": _(
                "Quyết định cho phép hoạt động (hoặc thành lập và hoạt động), giấy chứng nhận đăng ký hoạt động: "
                "trung tâm chuyển sang «Đang hoạt động». Đình chỉ, cho hoạt động trở lại, thu hồi, giải thể: "
                "trạng thái đổi theo từ ngày ký."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "---------"), *DocumentKind.choices]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("Văn bản"),
                Row(Column("kind", css_class="col-md-6"), Column("number", css_class="col-md-6")),
                Row(Column("signed_on", css_class="col-sm-6 col-md-4"), Column("issuer", css_class="col-md-8")),
                Row(Column("valid_until", css_class="col-sm-6 col-md-4"), Column("validity_stated")),
                "scope",
            ),
            Fieldset(
                _("Người ký"),
                Row(Column("signer_title", css_class="col-md-6"), Column("signer_name", css_class="col-md-6")),
            ),
            Fieldset(
                _("Ghi như trên văn bản (không bắt buộc; để in lại đúng văn bản)"),
                Row(Column("issuer_parent_as_printed", css_class="col-md-6"),
                    Column("issuer_name_as_printed", css_class="col-md-6")),
                Row(Column("place_as_printed", css_class="col-md-4"), Column("center_name_as_printed")),
                "address_as_printed",
                Row(Column("applicant_as_printed", css_class="col-md-6"), Column("proposer", css_class="col-md-6")),
                "legal_bases",
            ),
        )


class DirectorAppointForm(NfcMixin, forms.ModelForm):
    """A new director with the decision recognising them; centers.services.director_appoint
    ends the previous director's tenure the day before and lets accounts.lifecycle follow."""

    class Meta:
        model = Director
        fields = [
            "full_name", "recognition_number", "recognition_date", "recognition_issuer", "term_end",
            "started_on", "birth_date", "phone", "email",
        ]
        widgets = {
            "recognition_date": forms.DateInput(attrs=DATE_WIDGET),
            "term_end": forms.DateInput(attrs=DATE_WIDGET),
            "started_on": forms.DateInput(attrs=DATE_WIDGET),
            "birth_date": forms.DateInput(attrs=DATE_WIDGET),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "started_on": _("Để trống: lấy ngày công nhận."),
        }

    def __init__(self, *args, previous: Director | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous = previous
        for name in ("recognition_number", "recognition_date", "recognition_issuer"):
            self.fields[name].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("Giám đốc mới"), "full_name",
                     Row(Column("birth_date", css_class="col-sm-6 col-md-4"),
                         Column("phone", css_class="col-sm-6 col-md-4"),
                         Column("email", css_class="col-md-4"))),
            Fieldset(
                _("Quyết định công nhận"),
                Row(Column("recognition_number", css_class="col-md-4"),
                    Column("recognition_date", css_class="col-sm-6 col-md-4"),
                    Column("started_on", css_class="col-sm-6 col-md-4")),
                Row(Column("recognition_issuer", css_class="col-md-8"), Column("term_end", css_class="col-md-4")),
            ),
        )

    def clean_recognition_date(self):
        return _not_in_future(self.cleaned_data.get("recognition_date"), _("Ngày công nhận không được ở tương lai."))

    def clean_started_on(self):
        return _not_in_future(self.cleaned_data.get("started_on"), _(
            "Ngày bắt đầu giữ chức không được ở tương lai: hãy ghi khi giám đốc mới đã nhận nhiệm vụ."))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("started_on") and cleaned.get("recognition_date"):
            cleaned["started_on"] = cleaned["recognition_date"]
        started_on = cleaned.get("started_on")
        previous = self.previous
        if previous is not None and previous.started_on and started_on and started_on <= previous.started_on:
            self.add_error("started_on", _(
                "Ngày bắt đầu phải sau ngày giám đốc đương nhiệm %(name)s bắt đầu giữ chức (%(date)s)."
            ) % {"name": previous.full_name, "date": previous.started_on.strftime("%d/%m/%Y")})
        return cleaned


class DirectorVersionForm(EditVersionFormMixin, forms.ModelForm):
    """The version of the current director's row as the page showed it: appointing a
    successor ends that row, so a page opened before someone else changed it (or recorded
    another director) is refused (edu_portal.concurrency)."""

    prefix = "current"

    class Meta:
        model = Director
        fields = ["ended_on"]
        widgets = {"ended_on": forms.HiddenInput}


class CenterStatusForm(EditVersionFormMixin, NfcMixin, forms.ModelForm):
    """A new status and what decides it; centers.services.center_status_change records it
    (the form itself never writes the center: see _post_clean)."""

    effective_on = _date_field(_("Ngày hiệu lực"))
    reason = forms.CharField(
        label=_("Lý do"), max_length=255, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi không có quyết định, ví dụ: kết luận của đoàn kiểm tra."),
    )
    number = forms.CharField(label=_("Số, ký hiệu quyết định"), max_length=60, required=False,
                             help_text=_("Ví dụ: 12/QĐ-SGDĐT"))
    signed_on = _date_field(_("Ngày ký"), required=False)
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=255, required=False)
    signer_title = forms.CharField(label=_("Quyền hạn, chức vụ người ký"), max_length=120, required=False,
                                   help_text=_("Ví dụ: KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"))
    signer_name = forms.CharField(label=_("Họ tên người ký"), max_length=150, required=False)

    DECISION_FIELDS = ("number", "signed_on", "issuer", "signer_title", "signer_name")

    class Meta:
        model = Center
        fields = ["status"]
        labels = {"status": _("Trạng thái mới")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.status
        self.fields["status"].choices = [("", "---------"),
                                         *((v, label) for v, label in CenterStatus.choices if v != current)]
        self.fields["status"].help_text = _(
            "Đình chỉ, cho hoạt động trở lại («Đang hoạt động»), dừng hoạt động (thu hồi giấy phép) và giải thể "
            "cần quyết định. Lần đầu được cấp phép: hãy ghi quyết định ở mục «Thêm văn bản»."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.render_hidden_fields = True  # the edit version, outside the layout
        self.helper.layout = Layout(
            Row(Column("status", css_class="col-md-6"), Column("effective_on", css_class="col-sm-6 col-md-3")),
            "reason",
            Fieldset(
                _("Quyết định"),
                Row(Column("number", css_class="col-md-4"), Column("signed_on", css_class="col-sm-6 col-md-3"),
                    Column("issuer", css_class="col-md-5")),
                Row(Column("signer_title", css_class="col-md-6"), Column("signer_name", css_class="col-md-6")),
            ),
        )

    def clean(self):
        cleaned = super().clean()
        if any(cleaned.get(name) for name in self.DECISION_FIELDS):
            for name in ("number", "signed_on", "issuer"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Cần ghi khi có quyết định."))
        return cleaned

    def decision(self) -> dict | None:
        """The decision's fields for the service, or None when none was typed."""
        values = {name: self.cleaned_data.get(name) for name in self.DECISION_FIELDS}
        if not any(values.values()):
            return None
        return {name: value or "" for name, value in values.items()}

    def _post_clean(self):
        # The status is written by the service, with its history and decision: the form
        # leaves the (locked, current) center as it is.
        pass
