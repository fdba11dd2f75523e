"""Completeness and timeliness of a period, for the Department, its inspectors and local
officers (their commune); directors get a 403. The numbers are reports.selectors.completeness;
the exports only lay them out."""

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.permissions import ActionRequiredMixin, action_required, may
from geo.text import unit_label
from edu_portal.files import Sheet, private_download, sheets_workbook
from edu_portal.params import parse_int
from edu_portal.views import ScopedFilterView

from ..filters import MissingObligationFilterSet
from ..models import ReportPeriod
from ..selectors import (
    Completeness,
    CompletenessRow,
    completeness,
    default_period,
    missing_obligations,
    period_value_totals,
    periods_visible_to,
)


class PeriodChoiceForm(forms.Form):
    """The period the dashboard shows (kept beside its only view)."""

    period = forms.ModelChoiceField(
        label=gettext_lazy("Kỳ báo cáo"), queryset=ReportPeriod.objects.none(), empty_label=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        periods = periods_visible_to(user).order_by("-due_date", "report_type__title")
        self.fields["period"].queryset = periods
        # Read once: the template pack walks the choices more than once.
        self.fields["period"].choices = [(period.pk, str(period)) for period in periods]


class DashboardAccessMixin(ActionRequiredMixin):
    action = "reports.dashboard"


def _period(request: HttpRequest, pk) -> ReportPeriod:
    """A period of the user's province, or 404 (another province's period, a bad id)."""
    pk = parse_int(pk)
    if pk is None:
        raise Http404
    return get_object_or_404(periods_visible_to(request.user), pk=pk)


class DashboardView(DashboardAccessMixin, TemplateView):
    """Owed, on time, late, missing and returned per center kind and per commune, with a
    chart and drill-down links; by default the latest period already past its due date."""

    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        chosen = self.request.GET.get("period")
        period = _period(self.request, chosen) if chosen else default_period(user)
        context = {"period": period, "period_form": PeriodChoiceForm(initial={"period": period}, user=user)}
        if period is not None:
            summary = completeness(period, user)
            context.update(
                summary=summary, chart_data=summary.chart_data(),
                is_past_due=period.due_date < timezone.localdate(),
                tables=[
                    {"id": "by-kind", "chart_id": "chart-by-kind", "title": _("Theo loại hình trung tâm"),
                     "label": _("Loại hình"), "param": "kind", "rows": summary.by_kind},
                    {"id": "by-commune", "chart_id": "chart-by-commune", "title": _("Theo xã, phường"),
                     "label": _("Xã/Phường"), "param": "commune", "rows": summary.by_commune},
                ],
            )
        context["can_review"] = may(user, "reports.review_read")
        return super().get_context_data(**context, **kwargs)


class MissingCentersView(DashboardAccessMixin, ScopedFilterView):
    """The centers of the user's scope that owe the period and have sent nothing."""

    filterset_class = MissingObligationFilterSet
    template_name = "reports/dashboard_missing.html"
    paginate_by = 100
    context_object_name = "obligations"

    def load_objects(self, request, *args, **kwargs):
        self.period = _period(request, kwargs["period_pk"])

    def get_queryset(self):
        return missing_obligations(self.period, self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(period=self.period, **kwargs)


# Exports


def _preamble(period: ReportPeriod, user) -> list[list]:
    scope = unit_label(user.commune) if user.commune_id else unit_label(user.province) if user.province_id else ""
    lines = [
        [period.report_type.title],
        [_("Kỳ báo cáo"), period.label],
        [_("Số liệu từ ngày"), period.data_from, _("đến ngày"), period.data_to],
        [_("Hạn nộp"), period.due_date],
    ]
    if scope:
        lines.append([_("Phạm vi"), scope])
    lines.append([_("Lập lúc"), timezone.localtime().strftime("%H:%M %d/%m/%Y")])
    lines.append([])
    return lines


SUMMARY_HEADERS = (
    gettext_lazy("Phải nộp"), gettext_lazy("Đúng hạn"), gettext_lazy("Trễ hạn"), gettext_lazy("Chưa nộp"),
    gettext_lazy("Bị trả lại"), gettext_lazy("Tỷ lệ đã nộp (%)"), gettext_lazy("Tỷ lệ đúng hạn (%)"),
    gettext_lazy("Tỷ lệ chưa nộp (%)"),
)


def _summary_row(row: CompletenessRow) -> list:
    return [row.label, row.owed, row.on_time, row.late, row.missing, row.returned,
            row.submitted_rate, row.on_time_rate, row.missing_rate]


def _summary_sheets(summary: Completeness, user) -> list[Sheet]:
    headers = [str(h) for h in SUMMARY_HEADERS]
    widths = (40, 11, 11, 11, 11, 11, 16, 18, 17)
    preamble = _preamble(summary.period, user)
    missing = missing_obligations(summary.period, user).select_related("center__commune")
    return [
        Sheet(_("Theo loại hình"), [_("Loại hình"), *headers],
              [*(_summary_row(row) for row in summary.by_kind), _summary_row(summary.total)], widths, preamble),
        Sheet(_("Theo xã, phường"), [_("Xã/Phường"), *headers],
              [*(_summary_row(row) for row in summary.by_commune), _summary_row(summary.total)], widths, preamble),
        Sheet(_("Trung tâm chưa nộp"), [_("Mã trung tâm"), _("Tên trung tâm"), _("Loại hình"), _("Xã/Phường")],
              ([o.center.code, o.center.name, o.center.get_kind_display(), unit_label(o.center.commune)]
               for o in missing.iterator(chunk_size=2000)),
              (14, 50, 36, 28)),
    ]


@action_required("reports.dashboard")
def dashboard_export_summary(request: HttpRequest, period_pk: int) -> HttpResponse:
    """Completeness and timeliness of the period as .xlsx: by kind, by commune, and the
    list of centers that have not submitted."""
    period = _period(request, period_pk)
    data = sheets_workbook(_summary_sheets(completeness(period, request.user), request.user))
    return private_download(data, f"tong-hop-bao-cao-ky-{period.pk}-{timezone.localdate():%Y%m%d}.xlsx")


@action_required("reports.dashboard")
def dashboard_export_values(request: HttpRequest, period_pk: int) -> HttpResponse:
    """The period's numeric values summed over the centers in scope, for the Department's
    own report upward: all submitted reports, the accepted ones, and per center kind."""
    period = _period(request, period_pk)
    totals = period_value_totals(period, request.user)
    preamble = [
        *_preamble(period, request.user)[:-1],
        [_("Số báo cáo đã nộp"), totals.reports],
        [_("Trong đó đã được chấp nhận"), totals.accepted_reports],
        [],
    ]
    headers = [
        _("Mã chỉ tiêu"), _("Chỉ tiêu"), _("Tổng cộng (các báo cáo đã nộp)"), _("Trong đó: đã được chấp nhận"),
        *(label for _kind, label in totals.kinds),
    ]
    rows = (
        [item.code, item.label, item.total, item.accepted, *(item.by_kind[kind] for kind, _label in totals.kinds)]
        for item in totals.fields
    )
    widths = (22, 50, 18, 18, *(20 for _kind in totals.kinds))
    data = sheets_workbook([Sheet(_("Tổng hợp số liệu"), headers, rows, widths, preamble)])
    return private_download(data, f"so-lieu-tong-hop-ky-{period.pk}-{timezone.localdate():%Y%m%d}.xlsx")
