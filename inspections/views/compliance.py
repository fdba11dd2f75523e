"""The inspectors' page at /compliance/: flagged centers with their flags and why, the
risk score and its weights, saved searches, the .xlsx export, and the staff's weights form.

Query budget of the page (performance.md: at most 5, whatever the number of centers):
the session, the user, compliance_frame (units, weights, the bell's count and the last
nightly check of the flags), and compliance_flagged's one (the page's rows with their
maintained flags and reasons, score and total; inspections.flags keeps them).
The saved searches come lazily from their own small URL (htmx); the rules' legend is
static (inspections.rules.RULES).
"""

from __future__ import annotations

import datetime
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import ActionRequiredMixin, action_required, may, require
from centers.choices import CenterKind, CenterStatus
from geo.text import unit_label
from centers.selectors import centers_visible_to
from edu_portal.files import Sheet, private_download, sheets_workbook
from edu_portal.params import DB_INT_MAX, parse_int
from edu_portal.views import FragmentCachedMixin, ScopedFilterView

from ..filters import ComplianceFilterSet
from ..forms import SavedSearchForm, WeightsForm
from ..models import SavedSearch
from ..rules import RULES
from ..selectors import (
    ComplianceFrame,
    ComplianceResult,
    compliance_flagged,
    compliance_frame,
)
from ..services import risk_weights_set, saved_search_save


def _chosen_province(request: HttpRequest) -> int | None:
    """A superuser looks at one province's weights by choosing it in the filters."""
    return parse_int(request.GET.get("province")) if request.user.is_superuser else None


def _clean_query(query: str) -> str:
    """A saved or shared query string, minus its page, re-encoded."""
    params = QueryDict(query or "", mutable=True)
    params.pop("page", None)
    return params.urlencode()


class _Counted:
    """Stands for the rows of every page, of which only the number is known (the page's
    query counts them with a window): enough for Django's Paginator."""

    def __init__(self, total: int):
        self.total = total

    def __len__(self) -> int:
        return self.total


def _search(request: HttpRequest, filterset: ComplianceFilterSet, frame: ComplianceFrame, today: datetime.date,
            *, offset: int = 0, limit: int | None = None) -> ComplianceResult:
    """compliance_search over the centers the filters leave, with the form's rules and
    order; invalid filter input gives nothing, as django-filter does."""
    base = filterset.qs if not filterset.is_bound or filterset.is_valid() else filterset.queryset.none()
    if base.query.is_empty():
        return ComplianceResult(total=0, rows=[], weights=frame.weights)
    return compliance_flagged(request.user, base=base, today=today, weights=frame.weights, offset=offset,
                              limit=limit, **filterset.search_options())


class ComplianceView(ActionRequiredMixin, FragmentCachedMixin, ScopedFilterView):
    action = "compliance.view"
    filterset_class = ComplianceFilterSet
    template_name = "inspections/compliance.html"
    # Between writes (edu_portal/fragments.py: the flags and the weights retire them).
    fragment_templates = {
        "freshness_html": "inspections/includes/flags_freshness.html",
        "filters_html": "inspections/compliance_filters.html",
        "table_html": "inspections/compliance_table.html",
        "legend_html": "inspections/compliance_legend.html",
    }
    # Rows are tall (every flag with its reason): 25 fill a screen or two, and the page
    # costs half of what 50 rows cost to lay out.
    paginate_by = 25
    context_object_name = "centers"


    @cached_property
    def today(self) -> datetime.date:
        return timezone.localdate()

    @cached_property
    def frame(self) -> ComplianceFrame:
        return compliance_frame(self.request.user, province_id=_chosen_province(self.request))

    def get_queryset(self):
        return centers_visible_to(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "frame": self.frame, "today": self.today}

    def paginate_queryset(self, queryset, page_size):
        """One page from compliance_search (its rows, flags and total in two queries).
        Pages are clamped as in the other lists (edu_portal.views.ClampedPaginationMixin):
        past the last one (an old bookmark, ?page=last, 10^30) the last, anything that is
        not a page number the first."""
        raw = self.request.GET.get(self.page_kwarg)
        number = DB_INT_MAX if raw == "last" else parse_int(raw, default=1, max_value=None)
        # Further is past the last page all the same: the OFFSET stays a database integer.
        number = min(number, DB_INT_MAX)
        result = _search(self.request, self.filterset, self.frame, self.today, offset=(number - 1) * page_size,
                         limit=page_size)
        if result.total is None:  # past the last page: the first one tells how many there are
            first = _search(self.request, self.filterset, self.frame, self.today, limit=page_size)
            number = max(1, -(-first.total // page_size))
            result = first if number == 1 else _search(self.request, self.filterset, self.frame, self.today,
                                                       offset=(number - 1) * page_size, limit=page_size)
        paginator = Paginator(_Counted(result.total), page_size)
        # Nothing to search at all (invalid filters) answers no total of pages: the first.
        page = Page(result.rows, min(number, paginator.num_pages), paginator)
        return paginator, page, result.rows, paginator.num_pages > 1

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, frame = self.request.user, self.frame
        if frame.province is not None and frame.province.pk == user.province_id:
            user.province = frame.province  # the navbar's name, without another query
        if frame.unread is not None:
            context["unread_notifications"] = frame.unread
        context.update(
            legend=[(rule, frame.weights.get(rule.code, 0)) for rule in RULES],
            weights_province=frame.province,
            can_set_weights=may(user, "registry.manage") and frame.province is not None,
            today=self.today,
            flags_check=frame.flags_check,
        )
        return context

    def frame_context(self) -> dict:
        return {"querystring": self.querystring()}

    def fragment_key_parts(self) -> tuple:
        return (may(self.request.user, "registry.manage"),)  # the legend's "Đặt trọng số"

    def fragment_values(self, context) -> dict:
        return {"filter_errors": bool(context["filter"].form.errors)}


@action_required("compliance.view")
def compliance_export_xlsx(request: HttpRequest) -> HttpResponse:
    """The same filters and order as the page, every row: flags, reasons and score."""
    today = timezone.localdate()
    frame = compliance_frame(request.user, province_id=_chosen_province(request))
    filterset = ComplianceFilterSet(request.GET or None, queryset=centers_visible_to(request.user),
                                    user=request.user, frame=frame, today=today)
    # The file is a Vietnamese document whatever the user's language (labels and reasons).
    with translation.override("vi"):
        result = _search(request, filterset, frame, today)
        kinds = {value: str(label) for value, label in CenterKind.choices}
        statuses = {value: str(label) for value, label in CenterStatus.choices}
        rule_names = [str(rule.name) for rule in RULES]

        def rows():
            for center in result.rows:
                by_rule = {flag.rule.code: flag.why for flag in center.flags}
                yield [
                    center.code, center.name, kinds.get(center.kind, center.kind),
                    statuses.get(center.status, center.status), unit_label(center.commune),
                    unit_label(center.province), center.investor_name, center.risk_score, len(center.flags),
                    "; ".join(str(flag.rule.name) for flag in center.flags), center.last_inspection,
                    *[by_rule.get(rule.code, "") for rule in RULES],
                ]

        headers = ["Mã trung tâm", "Tên trung tâm", "Loại hình", "Trạng thái", "Xã/Phường", "Tỉnh/Thành phố",
                   "Chủ đầu tư", "Điểm rủi ro", "Số cảnh báo", "Cảnh báo", "Lần kiểm tra gần nhất",
                   *[f"Lý do: {name}" for name in rule_names]]
        weights = ", ".join(f"{name} {frame.weights.get(rule.code, 0)}" for rule, name in zip(RULES, rule_names,
                                                                                             strict=True))
        sheet = Sheet(
            title="Cảnh báo tuân thủ", headers=headers, rows=rows(),
            widths=(14, 40, 26, 20, 24, 20, 30, 10, 10, 50, 14, *([40] * len(RULES))),
            preamble=[["Danh sách trung tâm có dấu hiệu vi phạm"], [f"Ngày xuất: {today:%d/%m/%Y}"],
                      [f"Trọng số rủi ro: {weights}"]],
        )
        data = sheets_workbook([sheet])
    return private_download(data, f"canh-bao-tuan-thu-{today:%Y%m%d}.xlsx")


@action_required("compliance.weights")
def weights_update(request: HttpRequest) -> HttpResponse:
    """Department staff set their province's weights; a superuser those of ?province=."""
    user = request.user
    require(user, "registry.manage")
    province_id = user.province_id
    if user.is_superuser and not province_id:
        province_id = parse_int(request.POST.get("province") or request.GET.get("province"))
    if not province_id:
        messages.info(request, _("Hãy chọn tỉnh/thành phố trong bộ lọc trước khi đặt trọng số."))
        return redirect("inspections:compliance")
    frame = compliance_frame(user, province_id=province_id)
    if frame.province is None:
        raise PermissionDenied
    form = WeightsForm(request.POST or None, weights=frame.weights)
    if request.method == "POST" and form.is_valid():
        try:
            risk_weights_set(user=user, province_id=province_id, weights=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã lưu trọng số rủi ro."))
            return redirect(reverse("inspections:compliance") + (f"?province={province_id}" if user.is_superuser
                                                                  else ""))
    rows = [(rule, form[rule.code]) for rule in RULES]
    return render(request, "inspections/weights_form.html",
                  {"form": form, "rows": rows, "province": frame.province})


# Saved searches: each user's own; another user's id is a 404.


@action_required("compliance.view")
def saved_search_list(request: HttpRequest) -> HttpResponse:
    """The user's saved searches, as a fragment the page loads with htmx (or POST to save)."""
    if request.method == "POST":
        form = SavedSearchForm(request.POST)
        if form.is_valid():
            query = _clean_query(form.cleaned_data["query"])
            try:
                saved_search_save(user=request.user, name=form.cleaned_data["name"], query=query)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Đã lưu tìm kiếm “%(name)s”.") % {"name": form.cleaned_data["name"]})
            return redirect(reverse("inspections:compliance") + (f"?{query}" if query else ""))
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("inspections:compliance")
    searches = SavedSearch.objects.filter(user=request.user).order_by("name")
    return render(request, "inspections/saved_searches.html", {"searches": searches})


@action_required("compliance.view")
def saved_search_open(request: HttpRequest, pk: int) -> HttpResponse:
    search = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    query = _clean_query(search.query)
    return redirect(reverse("inspections:compliance") + (f"?{query}" if query else ""))


@action_required("compliance.view")
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    search = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    search.delete()
    messages.success(request, _("Đã xóa tìm kiếm “%(name)s”.") % {"name": search.name})
    return redirect("inspections:compliance")
