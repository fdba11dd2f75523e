"""The registers of issued documents (sổ đăng ký văn bản đi): the list of the province's
registers, with the form that sets where a register starts (adopting the portal mid-year),
and one register's page listing every number from 01, what it was given to, the cancelled
and skipped numbers with their reasons, and the changes made by hand.

The Department's staff and its inspectors read them (403 for other roles, 404 for another
province's register); only the staff change them. The rules are conferences.services.registers'.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import ActionRequiredMixin, may, require
from edu_portal.params import parse_int
from edu_portal.views import add_errors

from ..choices import DirectiveStatus
from ..forms import RegisterCancelForm, RegisterStartForm
from ..models import Directive, DirectiveRegister, RegisterEntry
from ..selectors import directives_visible_to
from ..services.registers import (
    register_cancel_next,
    register_rows,
    register_set_next,
    registers_visible_to,
)


class RegisterAccessMixin(ActionRequiredMixin):
    action = "registers.view"
    def load_objects(self, request, *args, **kwargs):
        self.can_manage = may(request.user, "registers.manage")


def _latest_dates(registers: list[DirectiveRegister]) -> None:
    """Each register's `latest_on`: the latest date of a number it gave (directive,
    cancelled or skipped number, paper register), in two queries for the whole list."""
    if not registers:
        return
    keys = {(r.province_id, r.year, r.doc_type) for r in registers}
    issued = (
        Directive.objects.filter(province_id__in={k[0] for k in keys}, year__in={k[1] for k in keys},
                                 number__isnull=False)
        .exclude(status=DirectiveStatus.DRAFT)
        .values("province_id", "year", "doc_type").annotate(latest=Max("issued_on")).order_by()
    )
    by_key = {(row["province_id"], row["year"], row["doc_type"]): row["latest"] for row in issued}
    entries = dict(
        RegisterEntry.objects.filter(register__in=registers).values("register_id").annotate(latest=Max("dated"))
        .order_by().values_list("register_id", "latest")
    )
    for register in registers:
        dates = [by_key.get((register.province_id, register.year, register.doc_type)), entries.get(register.pk),
                 register.paper_last_on]
        register.latest_on = max((d for d in dates if d), default=None)


class RegisterListView(RegisterAccessMixin, View):
    template_name = "conferences/register_list.html"

    def registers(self) -> list[DirectiveRegister]:
        queryset = registers_visible_to(self.request.user).select_related("province")
        year = parse_int(self.request.GET.get("year"), min_value=2000, max_value=2100)
        if year is not None:
            queryset = queryset.filter(year=year)
        registers = list(queryset.order_by("-year", "doc_type", "province_id"))
        _latest_dates(registers)
        return registers

    def render(self, form):
        return render(self.request, self.template_name, {
            "registers": self.registers(), "form": form, "can_manage": self.can_manage and bool(
                self.request.user.province_id),
        })

    def get(self, request, *args, **kwargs):
        form = None
        if self.can_manage and request.user.province_id:
            form = RegisterStartForm(initial={"year": timezone.localdate().year, "next_number": 1})
        return self.render(form)

    def post(self, request, *args, **kwargs):
        """Set where a register of the user's province starts (created if absent)."""
        require(request.user, "registers.manage")
        form = RegisterStartForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                register = register_set_next(
                    province_id=request.user.province_id, year=data["year"], doc_type=data["doc_type"],
                    next_number=data["next_number"], last_on=data["last_on"], reason=data["reason"],
                    user=request.user, seen_last=data["seen_last"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Đã đặt số tiếp theo của sổ %(type)s năm %(year)s là %(next)02d.") % {
                    "type": register.get_doc_type_display().lower(), "year": register.year,
                    "next": register.next_number,
                })
                return redirect(register)
        return self.render(form)


class RegisterDetailView(RegisterAccessMixin, View):
    template_name = "conferences/register_detail.html"

    def load_objects(self, request, *args, **kwargs):
        super().load_objects(request, *args, **kwargs)
        self.register = get_object_or_404(
            registers_visible_to(request.user).select_related("province"), pk=kwargs["pk"],
        )

    def render(self, start_form, cancel_form):
        register = self.register
        history = list(register.history.select_related("history_user").order_by("-history_date", "-history_id"))
        return render(self.request, self.template_name, {
            "register": register,
            "rows": register_rows(register, directives_visible_to(self.request.user)),
            "history": history,
            "can_manage": self.can_manage,
            "start_form": start_form,
            "cancel_form": cancel_form,
        })

    def forms(self, data=None, action: str = ""):
        if not self.can_manage:
            return None, None
        today = {"last_on": timezone.localdate(), "dated": timezone.localdate()}
        start = RegisterStartForm(data if action == "next" else None, register=self.register,
                                  initial={"last_on": today["last_on"]})
        cancel = RegisterCancelForm(data if action == "cancel" else None, register=self.register,
                                    initial={"dated": today["dated"]})
        return start, cancel

    def get(self, request, *args, **kwargs):
        return self.render(*self.forms())

    def post(self, request, *args, **kwargs):
        """action=next: a new next number (the numbers jumped over are recorded as
        skipped); action=cancel: the next number recorded as cancelled."""
        require(request.user, "registers.manage")
        action = request.POST.get("action", "")
        if action not in ("next", "cancel"):
            return redirect(self.register)
        start, cancel = self.forms(request.POST, action)
        form = start if action == "next" else cancel
        if form.is_valid():
            data = form.cleaned_data
            register = self.register
            try:
                if action == "next":
                    register = register_set_next(
                        province_id=register.province_id, year=register.year, doc_type=register.doc_type,
                        next_number=data["next_number"], last_on=data["last_on"], reason=data["reason"],
                        user=request.user, seen_last=data["seen_last"],
                    )
                    message = _("Đã đặt số tiếp theo của sổ là %(next)02d.") % {"next": register.next_number}
                else:
                    entry = register_cancel_next(register=register, dated=data["dated"], reason=data["reason"],
                                                 user=request.user, seen_last=data["seen_last"])
                    message = _("Đã ghi hủy số %(number)02d.") % {"number": entry.number}
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, message)
                return redirect(self.register)
        return self.render(start, cancel)
