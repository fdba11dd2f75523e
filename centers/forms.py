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

from .models import Center, Staff


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
