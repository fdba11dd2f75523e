"""Spreadsheet export of the registry list (anyone, within their scope) and the import
pages (department staff only). The work is in centers.excel and centers.imports."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView

from accounts.permissions import ActionRequiredMixin, action_required
from edu_portal.files import FileRefused, UploadLimit, private_download
from geo.collation import UNIT_ORDERING
from geo.models import AdministrativeUnit
from geo.text import unit_label

from ..choices import CenterKind, CenterStatus
from ..excel import (
    COLUMNS,
    EXAMPLE_CODE,
    export_csv,
    export_workbook,
    open_table,
    template_workbook,
    too_big_message,
)
from ..filters import CenterFilterSet
from ..imports import (
    IMPORT_KEEP_DAYS,
    ImportNotConfirmable,
    center_import_cancel,
    center_import_confirm,
    center_import_upload,
)
from ..models import CenterImport
from ..selectors import center_list

# Export


def _filtered(request: HttpRequest) -> QuerySet:
    """The list page's queryset: the user's scope, then the same filters. Invalid filter
    input gives an empty file, as it gives an empty list on the page."""
    filterset = CenterFilterSet(request.GET or None, queryset=center_list(request.user), user=request.user)
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


def _export_name(extension: str) -> str:
    return f"so-dang-ky-trung-tam-{timezone.localdate():%Y%m%d}.{extension}"


@action_required("registry.view")
def center_export_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered registry list as .xlsx (the format the import reads back)."""
    return private_download(export_workbook(_filtered(request)), _export_name("xlsx"))


@action_required("registry.view")
def center_export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered registry list as CSV, UTF-8 with a BOM for Excel."""
    return private_download(export_csv(_filtered(request)), _export_name("csv"))


@action_required("registry.manage")
def center_import_template(request: HttpRequest) -> HttpResponse:
    """An .xlsx with the headers and one example row in the user's province, marked as
    such in its first column (the import never takes it for a center)."""
    province = request.user.province
    commune = None
    if province is not None:
        commune = (
            AdministrativeUnit.objects.filter(parent=province, level=AdministrativeUnit.Level.COMMUNE)
            .order_by(*UNIT_ORDERING).first()
        )
    with translation.override("vi"):
        example = [
            EXAMPLE_CODE,
            "Trung tâm Ngoại ngữ Ánh Sao (dòng ví dụ, không được nhập)",
            str(CenterKind.LANGUAGE.label),
            str(CenterStatus.OPERATING.label),
            "Số 12 đường Lý Thái Tổ",
            unit_label(commune) if commune else "Phường Kinh Bắc",
            unit_label(province) if province else "Tỉnh Bắc Ninh",
            "15/QĐ-SGDĐT",
            timezone.localdate().replace(month=1, day=15),
            f"Sở GDĐT {province.name}" if province else "Sở GDĐT Bắc Ninh",
            None,
            "Nguyễn Văn An",
            "0222 3812 345",
            "lienhe@anhsao.edu.vn",
            "Công ty TNHH Giáo dục Ánh Sao",
        ]
    return private_download(template_workbook(example), "mau-nhap-trung-tam.xlsx")


# Import


class CenterImportForm(forms.Form):
    """The upload form (kept beside its only view)."""

    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx) hoặc CSV (.csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class ImportAccessMixin(ActionRequiredMixin):
    """Department staff (and superusers) only: others get 403, anonymous users the login."""

    action = "registry.manage"


class CenterImportView(ImportAccessMixin, FormView):
    """Upload page: small files are checked and imported at once, larger ones go to Celery."""

    template_name = "centers/center_import.html"
    form_class = CenterImportForm

    @method_decorator(csrf_exempt)
    def dispatch(self, request, *args, **kwargs):
        # The size limit must be in place before anything reads the body, and the CSRF
        # check reads it: so CSRF is checked here, right after installing the limit.
        self.upload_limit = UploadLimit(request, settings.IMPORT_MAX_BYTES)
        request.upload_handlers.insert(0, self.upload_limit)
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        imports = _imports(self.request.user).select_related("created_by")
        return super().get_context_data(
            example_code=EXAMPLE_CODE,
            headers=[column.header for column in COLUMNS],
            required_headers=[column.header for column in COLUMNS if column.required],
            max_mb=settings.IMPORT_MAX_BYTES // (1024 * 1024),
            max_rows=settings.IMPORT_MAX_ROWS,
            async_rows=settings.IMPORT_ASYNC_ROWS,
            recent_imports=imports[:5],
            **kwargs,
        )

    def form_invalid(self, form):
        if self.upload_limit.exceeded:
            form.errors.pop("file", None)
            form.add_error("file", too_big_message())
        return super().form_invalid(form)

    def form_valid(self, form):
        """Keep the file and show its preview: nothing is written to the register before
        «Nhập» on the preview page. A file that cannot be read at all is refused here."""
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            table = open_table(data, upload.name)
        except FileRefused as exc:
            form.add_error("file", exc.message)
            return self.form_invalid(form)
        center_import = center_import_upload(data=data, filename=upload.name, by=self.request.user, table=table)
        return redirect(center_import)


def _imports(user) -> QuerySet:
    """The imports of the user's department (all of them for a superuser)."""
    imports = CenterImport.objects.all()
    return imports if user.is_superuser else imports.filter(province_id=user.province_id)


class CenterImportStatusView(ImportAccessMixin, DetailView):
    """An upload's preview (with «Nhập» and «Hủy»), then the import's progress and outcome.
    While the worker reads the file, htmx polls the progress fragment each second: the
    answer 286 (htmx's "stop polling") ends it once the import is finished, and a finished
    preview reloads the page (HX-Refresh) to show it."""

    template_name = "centers/center_import_status.html"
    fragment_template_name = "centers/center_import_progress.html"
    context_object_name = "center_import"

    def get_queryset(self):
        return _imports(self.request.user).select_related("created_by", "province")

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return [self.fragment_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        center_import = self.object
        preview = center_import.preview or {}
        return super().get_context_data(
            preview=preview,
            keep_days=IMPORT_KEEP_DAYS,
            more_added=max(preview.get("new", 0) - len(preview.get("added", [])), 0),
            more_changes=max(preview.get("changed", 0) - len(preview.get("changes", [])), 0),
            more_warnings=max(preview.get("warning_count", 0) - len(preview.get("warnings", [])), 0),
            more_ambiguous=max(preview.get("ambiguous_count", 0) - len(preview.get("ambiguous", [])), 0),
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        if self.request.headers.get("HX-Request") and self.object.is_finished:
            if self.object.is_previewing:
                response = HttpResponse(status=200)
                response["HX-Refresh"] = "true"
                return response
            response_kwargs["status"] = 286
        return super().render_to_response(context, **response_kwargs)


def _import_of(request: HttpRequest, pk: int) -> CenterImport:
    return get_object_or_404(_imports(request.user), pk=pk)


@action_required("registry.manage")
@require_POST
def center_import_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """«Nhập» on the preview page; `valid_only` when the preview listed rows with errors."""
    center_import = _import_of(request, pk)
    try:
        center_import = center_import_confirm(
            center_import=center_import, valid_only=request.POST.get("valid_only") == "1",
        )
    except ImportNotConfirmable as exc:
        messages.error(request, exc.message)
    else:
        if center_import.is_previewing and center_import.preview.get("stale"):
            messages.warning(request, _(
                "Sổ đăng ký đã thay đổi sau lần xem trước nên chưa có gì được ghi. Đây là bản xem trước mới: "
                "hãy xem lại rồi bấm «Nhập»."
            ))
    return redirect(center_import)


@action_required("registry.manage")
@require_POST
def center_import_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """«Hủy» on the preview page: nothing written, the kept file deleted."""
    center_import = _import_of(request, pk)
    if center_import_cancel(center_import=center_import):
        messages.success(request, _("Đã hủy việc nhập tệp «%(name)s»; không có gì được ghi.") % {
            "name": center_import.original_name})
        return redirect("centers:center_import")
    messages.error(request, _("Không hủy được: tệp này đã được xác nhận nhập hoặc đã hủy."))
    return redirect(center_import)


__all__ = [
    "CenterImportStatusView",
    "CenterImportView",
    "center_import_cancel_view",
    "center_import_confirm_view",
    "center_export_csv",
    "center_export_xlsx",
    "center_import_template",
]
