"""Forms of the inspection and complaint pages. The rules (who may write, dates, the
catalogue version in force, fine ranges) are the services'; a service's ValidationError
is put on these forms by the views."""

from __future__ import annotations

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from centers.forms import NfcMixin, QuickSelect
from centers.models import Center
from edu_portal.concurrency import EditVersionFormMixin
from geo.text import vi_number

from .choices import CheckResult, Condition
from .models import Complaint, Inspection, SanctionArticle, Violation
from .rules import RULES

DATE_WIDGET = {"placeholder": "dd/mm/yyyy", "autocomplete": "off"}


def _helper(layout: Layout | None = None) -> FormHelper:
    """The template owns the <form> tag, the CSRF token and the buttons; hidden fields
    left out of a layout (the edit version) are rendered all the same."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.render_hidden_fields = True
    if layout is not None:
        helper.layout = layout
    return helper


class CenterChoiceMixin:
    """The center is chosen among those the user sees; fixed once the record exists or
    when the page was opened for one center (?center=)."""

    def setup_center(self, centers, *, fixed: Center | None) -> None:
        field = self.fields["center"]
        if fixed is not None:
            field.queryset = Center.objects.filter(pk=fixed.pk)
            self.initial["center"] = fixed.pk  # a disabled field takes its value from here
            field.disabled = True
            field.widget = forms.Select(choices=[(fixed.pk, f"{fixed.code} - {fixed.name}")])
        else:
            field.queryset = centers.order_by("name", "pk")
            field.widget = QuickSelect()
            field.label_from_instance = lambda center: f"{center.code} - {center.name}"
            field.widget.choices = field.choices


class InspectionForm(EditVersionFormMixin, CenterChoiceMixin, NfcMixin, forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["center", "status", "planned_on", "carried_out_on", "decision_number", "team", "scope",
                  "findings", "unpermitted_location", "remedy_deadline", "closed_on"]
        widgets = {
            "planned_on": forms.DateInput(attrs=DATE_WIDGET),
            "carried_out_on": forms.DateInput(attrs=DATE_WIDGET),
            "remedy_deadline": forms.DateInput(attrs=DATE_WIDGET),
            "closed_on": forms.DateInput(attrs=DATE_WIDGET),
            "team": forms.Textarea(attrs={"rows": 3,
                                          "placeholder": _("Nguyễn Văn An, Trưởng phòng Giáo dục thường xuyên"
                                                           " - Trưởng đoàn")}),
            "scope": forms.Textarea(attrs={"rows": 2}),
            "findings": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, centers=None, fixed_center: Center | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_center(centers, fixed=fixed_center or (self.instance.center if self.instance.pk else None))
        self.helper = _helper(Layout(
            Fieldset(_("Cuộc kiểm tra"),
                     "center",
                     Row(Column("status", css_class="col-md-6"), Column("planned_on", css_class="col-md-3"),
                         Column("carried_out_on", css_class="col-md-3")),
                     "decision_number", "team", "scope"),
            Fieldset(_("Kết quả"),
                     "findings", "unpermitted_location",
                     Row(Column("remedy_deadline", css_class="col-md-6"), Column("closed_on", css_class="col-md-6"))),
        ))


class ChecklistForm(forms.Form):
    """The seven conditions an inspection checks, each with a result and a note."""

    def __init__(self, *args, inspection: Inspection | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {}
        if inspection is not None and inspection.pk:
            current = {check.condition: check for check in inspection.checks.all()}
        self.rows = []
        for condition in Condition:
            check = current.get(condition.value)
            result = forms.ChoiceField(label=condition.label, choices=CheckResult.choices,
                                       initial=check.result if check else CheckResult.NOT_CHECKED)
            result.widget.attrs["class"] = "form-select form-select-sm"
            note = forms.CharField(label=_("Ghi chú"), required=False, max_length=500,
                                   initial=check.note if check else "")
            note.widget.attrs["class"] = "form-control form-control-sm"
            self.fields[f"{condition.value}_result"] = result
            self.fields[f"{condition.value}_note"] = note
            self.rows.append((condition.label, self[f"{condition.value}_result"], self[f"{condition.value}_note"]))

    def checks(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {c.value: (data[f"{c.value}_result"], data[f"{c.value}_note"].strip()) for c in Condition}


class ArticleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, article):
        fines = ""
        if article.fine_max:
            fines = f" ({vi_number(article.fine_min or 0)} - {vi_number(article.fine_max)} đ)"
        unconfirmed = f" [{_('chưa xác minh')}]" if article.unconfirmed else ""
        return f"{article.citation}: {article.description[:110]}{fines}{unconfirmed}"


class ViolationForm(NfcMixin, forms.ModelForm):
    """Offers the acts of the catalogue versions in force on the inspection's date; any
    act is accepted here, so that the service says why another version is refused."""

    article = ArticleChoiceField(label=_("Hành vi vi phạm (danh mục)"), queryset=SanctionArticle.objects.all())

    class Meta:
        model = Violation
        fields = ["article", "description", "fine_amount", "remedy", "remedy_deadline"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "remedy": forms.Textarea(attrs={"rows": 2}),
            "remedy_deadline": forms.DateInput(attrs=DATE_WIDGET),
        }
        help_texts = {
            "remedy_deadline": _("Để trống để dùng thời hạn khắc phục chung của cuộc kiểm tra."),
            "remedy": _("Để trống để dùng biện pháp khắc phục của hành vi trong danh mục."),
        }

    def __init__(self, *args, day: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remedy_deadline"].required = False
        in_force = SanctionArticle.objects.select_related("version").filter(
            Q(version__in_force_to__isnull=True) | Q(version__in_force_to__gte=day), version__in_force_from__lte=day,
        ).order_by("version__in_force_from", "version_id", "id")
        field = self.fields["article"]
        choices = [("", "---------")]
        groups: dict[str, list] = {}
        for article in in_force:
            groups.setdefault(article.version.title, []).append((article.pk, field.label_from_instance(article)))
        choices += list(groups.items())
        field.widget.choices = choices
        self.helper = _helper(Layout(
            "article", "description",
            Row(Column("fine_amount", css_class="col-md-6"), Column("remedy_deadline", css_class="col-md-6")),
            "remedy",
        ))


class RemediedForm(forms.Form):
    remedied_on = forms.DateField(label=_("Ngày đã khắc phục"), widget=forms.DateInput(attrs=DATE_WIDGET))


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("Nội dung theo dõi"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}))


class ComplaintForm(EditVersionFormMixin, CenterChoiceMixin, NfcMixin, forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ["center", "received_on", "source", "complainant", "content", "about_location",
                  "handling_deadline", "status", "upheld", "outcome", "closed_on"]
        widgets = {
            "received_on": forms.DateInput(attrs=DATE_WIDGET),
            "handling_deadline": forms.DateInput(attrs=DATE_WIDGET),
            "closed_on": forms.DateInput(attrs=DATE_WIDGET),
            "content": forms.Textarea(attrs={"rows": 4}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, centers=None, fixed_center: Center | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_center(centers, fixed=fixed_center or (self.instance.center if self.instance.pk else None))
        self.fields["upheld"].widget.choices = [("unknown", _("Chưa kết luận")),
                                                ("true", _("Đúng (toàn bộ hoặc một phần)")),
                                                ("false", _("Không đúng"))]
        self.helper = _helper(Layout(
            Fieldset(_("Đơn thư"),
                     "center",
                     Row(Column("received_on", css_class="col-md-4"), Column("source", css_class="col-md-4"),
                         Column("handling_deadline", css_class="col-md-4")),
                     "complainant", "content", "about_location"),
            Fieldset(_("Giải quyết"),
                     Row(Column("status", css_class="col-md-4"), Column("upheld", css_class="col-md-4"),
                         Column("closed_on", css_class="col-md-4")),
                     "outcome"),
        ))


class WeightsForm(forms.Form):
    """One weight per rule, 0 to 100."""

    def __init__(self, *args, weights: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for rule in RULES:
            self.fields[rule.code] = forms.IntegerField(
                label=rule.name, min_value=0, max_value=100, initial=weights.get(rule.code, rule.default_weight),
                help_text=_("Mặc định: %(n)s") % {"n": rule.default_weight},
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 0, "max": 100}),
            )


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=_("Tên tìm kiếm"), max_length=120,
                           widget=forms.TextInput(attrs={"class": "form-control form-control-sm",
                                                         "placeholder": _("ví dụ: Ngoại ngữ quá hạn báo cáo")}))
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
