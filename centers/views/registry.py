"""Registry pages. Every queryset starts from centers.selectors, so another scope's
object is a 404; an action the role may not take is a 403 (accounts.permissions)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, DetailView, UpdateView

from accounts.permissions import ActionRequiredMixin, action_required, may, require
from edu_portal.concurrency import EditConflictViewMixin
from edu_portal.views import FragmentCachedMixin, ScopedFilterView

from ..choices import CenterStatus, LicenceState
from ..filters import CenterFilterSet
from ..forms import CenterContactForm, CenterForm, StaffForm
from ..models import Center, Staff
from ..pdf import DECISION_KINDS
from ..selectors import center_get, center_list, center_timeline, scoped
from ..services import center_save


class CenterListView(ActionRequiredMixin, FragmentCachedMixin, ScopedFilterView):
    action = "registry.view"
    filterset_class = CenterFilterSet
    template_name = "centers/center_list.html"
    fragment_templates = {"filters_html": "centers/center_list_filters.html",
                          "table_html": "centers/center_list_table.html"}
    paginate_by = 50
    context_object_name = "centers"

    def fragment_cacheable(self) -> bool:
        # The account filter moves with the clock (an invitation expires), not with a
        # write: it is built every time.
        return not self.request.GET.get("director_account")

    def get_queryset(self):
        return center_list(self.request.user)

    def frame_context(self) -> dict:
        user = self.request.user
        return {
            "can_manage": may(user, "registry.manage"),
            # "Mời giám đốc tạo tài khoản" for the ticked or all filtered centers (accounts.account_views).
            "can_invite": may(user, "accounts.manage"),
            "querystring": self.querystring(),
        }

    def fragment_key_parts(self) -> tuple:
        frame = self.frame_context()
        return frame["can_manage"], frame["can_invite"], may(self.request.user, "registry.commune_decisions")

    def fragment_values(self, context) -> dict:
        # Filtered by one commune: offer the file of all its decisions to those who may ask.
        filterset = context.get("filter")
        commune = None
        if filterset is not None and may(self.request.user, "registry.commune_decisions") and filterset.is_valid():
            commune = filterset.form.cleaned_data.get("commune")
        return {"count": context["paginator"].count, "decisions_commune_pk": commune.pk if commune else None}


class CenterAccessMixin(ActionRequiredMixin):
    """Loads the center from the user's scope (404 outside it) into self.center."""

    action = "registry.view"
    center_kwarg = "pk"

    def load_objects(self, request, *args, **kwargs):
        self.center = center_get(request.user, kwargs[self.center_kwarg])


class CenterDetailView(CenterAccessMixin, DetailView):
    template_name = "centers/center_detail.html"
    context_object_name = "center"

    def get_object(self, queryset=None):
        return self.center

    def get_context_data(self, **kwargs):
        center = self.center
        user = self.request.user
        return super().get_context_data(
            timeline=center_timeline(center),
            documents=center.documents.all(),
            decision_kinds=[str(kind) for kind in DECISION_KINDS],
            locations=center.locations.select_related("commune"),
            directors=center.directors.all(),
            staff=center.staff.all(),
            can_edit=may(user, "registry.edit_records", center),
            can_manage=may(user, "registry.manage"),
            licence_state_label=LicenceState(center.licence_state).label,
            licence_badge=LicenceState.badge(center.licence_state),
            status_badge=CenterStatus.badge(center.status),
            **kwargs,
        )


class CenterCreateView(ActionRequiredMixin, CreateView):
    action = "registry.create"
    model = Center
    form_class = CenterForm
    template_name = "centers/center_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "province": self.request.user.province}

    def form_valid(self, form):
        self.object = center_save(center=form.save(commit=False))
        messages.success(self.request, _("Đã thêm trung tâm vào sổ đăng ký."))
        return redirect(self.get_success_url())

    def get_success_url(self):
        return reverse("centers:center_detail", args=[self.object.pk])


class CenterUpdateView(EditConflictViewMixin, CenterAccessMixin, UpdateView):
    """Staff edit the whole record; a director (or the commune for its community
    centers) edits the contacts only. A save over someone else's newer one is refused (409)
    with what changed (edu_portal.concurrency)."""

    template_name = "centers/center_form.html"
    action = "registry.edit_records"

    def get_object(self, queryset=None):
        require(self.request.user, self.action, self.center)
        return self.center

    def get_form_class(self):
        return CenterForm if may(self.request.user, "registry.manage") else CenterContactForm

    def form_valid(self, form):
        self.object = center_save(center=form.save(commit=False))
        messages.success(self.request, _("Đã lưu thay đổi."))
        return redirect(self.get_success_url())

    def get_success_url(self):
        return reverse("centers:center_detail", args=[self.center.pk])


class StaffEditMixin(EditConflictViewMixin, CenterAccessMixin):
    center_kwarg = "center_pk"
    action = "registry.edit_records"
    model = Staff
    form_class = StaffForm
    template_name = "centers/staff_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(center=self.center, **kwargs)

    def get_success_url(self):
        return reverse("centers:center_detail", args=[self.center.pk]) + "#staff"

    def form_valid(self, form):
        form.instance.center = self.center
        messages.success(self.request, _("Đã lưu hồ sơ nhân sự."))
        return super().form_valid(form)


class StaffCreateView(StaffEditMixin, CreateView):
    def get_form(self, form_class=None):
        require(self.request.user, self.action, self.center)
        return super().get_form(form_class)


class StaffUpdateView(StaffEditMixin, UpdateView):
    def get_object(self, queryset=None):
        staff = get_object_or_404(scoped(Staff.objects.all(), self.request.user),
                                  pk=self.kwargs["pk"], center=self.center)
        require(self.request.user, self.action, self.center)
        return staff


@action_required("registry.manage")
def center_admin_redirect(request, pk):
    """Staff jump from a portal page to the same center in the web admin."""
    center = center_get(request.user, pk)
    return redirect("admin:centers_center_change", center.pk)
