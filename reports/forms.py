"""Forms of the center's report pages. The submission form is built from the report
type's fields; its checks are reports.validators, the same ones submission_submit runs."""

import uuid
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from edu_portal.icons import icon

from .choices import AttachmentType, FieldKind
from .models import ExtensionRequest
from .validators import MAX_TEXT_LENGTH, clean_value, format_bound

YES_NO_CHOICES = [("", "—"), ("yes", _("Có")), ("no", _("Không"))]


def _bounds_hint(spec: dict) -> str:
    low, high = spec.get("min_value"), spec.get("max_value")
    if spec["kind"] not in (FieldKind.INTEGER, FieldKind.DECIMAL) or (low is None and high is None):
        return ""
    low_text = format_bound(Decimal(low), spec["kind"]) if low is not None else None
    high_text = format_bound(Decimal(high), spec["kind"]) if high is not None else None
    if low_text is not None and high_text is not None:
        return str(_("Từ %(low)s đến %(high)s.")) % {"low": low_text, "high": high_text}
    if low_text is not None:
        return str(_("Không nhỏ hơn %(low)s.")) % {"low": low_text}
    return str(_("Không lớn hơn %(high)s.")) % {"high": high_text}


def _form_field(spec: dict, comment: str = "") -> forms.Field:
    """A text-valued form field for one report field. Every field takes text (as typed,
    so a draft can hold anything); clean() types and checks them all at once."""
    kind = spec["kind"]
    attrs: dict[str, str] = {}
    if kind == FieldKind.INTEGER:
        widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    elif kind == FieldKind.DECIMAL:
        widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    elif kind == FieldKind.DATE:
        widget = forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"})
    elif kind == FieldKind.CHOICE:
        widget = forms.Select(choices=[("", "—"), *((c, c) for c in spec.get("choices", []))])
    elif kind == FieldKind.BOOLEAN:
        # A select, not a checkbox: "No" must be an answer, distinct from "not answered".
        widget = forms.Select(choices=YES_NO_CHOICES)
    else:
        widget = forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT_LENGTH})
    widget.attrs.update(attrs)
    hint = " ".join(part for part in (spec.get("help_text") or "", _bounds_hint(spec)) if part)
    # crispy marks help text safe: escape what staff typed (help text, review comments).
    help_text = format_html("{}", hint)
    if comment:
        help_text = format_html(
            '{}<span class="d-block text-danger fw-semibold">{} {} {}</span>',
            help_text, icon("chat-left-text"), _("Ý kiến của Sở:"), comment,
        )
    return forms.CharField(
        label=spec.get("label") or spec["code"], required=bool(spec.get("required")), strip=True,
        widget=widget, help_text=help_text,
        error_messages={"required": _("Chưa nhập «%(label)s» (bắt buộc).") % {"label": spec.get("label")}},
    )


class ReportValuesForm(forms.Form):
    """The submission form: one field per active report field, plus the idempotency key
    minted when the form is rendered (two clicks or a retried POST carry the same key)."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, schema: list[dict], comments: dict[str, str] | None = None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.schema = schema
        comments = comments or {}
        for spec in schema:
            self.fields[spec["code"]] = _form_field(spec, comments.get(spec["code"], ""))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        self.values = {}
        for spec in self.schema:
            code = spec["code"]
            if code in self.errors:
                continue
            try:
                self.values[code] = clean_value(spec, cleaned.get(code, ""))
            except ValidationError as error:
                self.add_error(code, error)
        return cleaned

    def raw_values(self) -> dict[str, str]:
        """What was typed, field by field (for a draft or for the service to check)."""
        return {spec["code"]: self.data.get(self.add_prefix(spec["code"]), "") for spec in self.schema}


class AttachmentForm(forms.Form):
    """One file for the draft; the checks by content are the service's."""

    file = forms.FileField(label=_("Chọn tệp"), error_messages={"required": _("Chưa chọn tệp.")})

    def __init__(self, *args, allowed: list[str] | None = None, max_mb: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = allowed or []
        accept = ",".join(f".{t}" for t in AttachmentType.values if t in allowed)
        self.fields["file"].widget.attrs.update({"accept": accept, "class": "form-control form-control-sm"})
        labels = ", ".join(str(AttachmentType(t).label) for t in AttachmentType.values if t in allowed)
        self.fields["file"].help_text = _("Nhận %(types)s, tối đa %(size)s MB mỗi tệp.") % {
            "types": labels, "size": max_mb,
        }
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ExtensionRequestForm(forms.ModelForm):
    """A director's request for more time; the date rules are the service's."""

    class Meta:
        model = ExtensionRequest
        fields = ["requested_until", "reason"]
        widgets = {
            "requested_until": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"},
                                               format="%d/%m/%Y"),
            "reason": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "requested_until": _("Ngày/tháng/năm, sau hạn nộp hiện tại."),
            "reason": _("Nêu rõ vì sao trung tâm chưa nộp được đúng hạn."),
        }
        error_messages = {
            "requested_until": {
                "required": _("Cần chọn ngày xin gia hạn đến."),
                "invalid": _("Ngày không hợp lệ, nhập theo dạng ngày/tháng/năm (ví dụ 05/03/2026)."),
            },
            "reason": {"required": _("Cần ghi lý do xin gia hạn.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
