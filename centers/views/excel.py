"""Spreadsheet export of the registry list (anyone, within their scope) and the import
pages (department staff only). The work is in centers.excel and centers.imports."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import DetailView, FormView

from accounts.permissions import can_manage_registry, require
from edu_portal.views import UploadLimit
from geo.collation import UNIT_ORDERING
from geo.models import AdministrativeUnit

from ..choices import CenterKind, CenterStatus
from ..excel import (
    COLUMNS,
    XLSX_CONTENT_TYPE,
    ImportFileError,
    export_csv,
    export_workbook,
    open_table,
    template_workbook,
    too_big_message,
    unit_label,
)
from ..filters import CenterFilterSet
from ..imports import MAX_REPORTED_ERRORS, center_import_start, center_import_table
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


def _attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _export_name(extension: str) -> str:
    return f"so-dang-ky-trung-tam-{timezone.localdate():%Y%m%d}.{extension}"


@login_required
def center_export_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered registry list as .xlsx (the format the import reads back)."""
    return _attachment(export_workbook(_filtered(request)), XLSX_CONTENT_TYPE, _export_name("xlsx"))


@login_required
def center_export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered registry list as CSV, UTF-8 with a BOM for Excel."""
    return _attachment(export_csv(_filtered(request)), "text/csv; charset=utf-8", _export_name("csv"))


@login_required
def center_import_template(request: HttpRequest) -> HttpResponse:
    """An .xlsx with the headers and one example row in the user's province."""
    require(can_manage_registry(request.user))
    province = request.user.province
    commune = None
    if province is not None:
        commune = (
            AdministrativeUnit.objects.filter(parent=province, level=AdministrativeUnit.Level.COMMUNE)
            .order_by(*UNIT_ORDERING).first()
        )
    with translation.override("vi"):
        example = [
            "NN999",
            "Trung tâm Ngoại ngữ Ánh Sao",
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
    return _attachment(template_workbook(example), XLSX_CONTENT_TYPE, "mau-nhap-trung-tam.xlsx")


# Import


class CenterImportForm(forms.Form):
    """The upload form (kept beside its only view)."""

    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx) hoặc CSV (.csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    valid_only = forms.BooleanField(
        label=gettext_lazy("Chỉ nhập các dòng hợp lệ"),
        help_text=gettext_lazy(
            "Bỏ qua các dòng có lỗi. Nếu không chọn, tệp có bất kỳ dòng lỗi nào sẽ không được nhập."
        ),
        required=False,
    )


class ImportAccessMixin(LoginRequiredMixin):
    """Department staff (and superusers) only: others get 403, anonymous users the login."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require(can_manage_registry(request.user))
        return super().dispatch(request, *args, **kwargs)


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
        user = self.request.user
        imports = CenterImport.objects.select_related("created_by")
        if not user.is_superuser:
            imports = imports.filter(province_id=user.province_id)
        return super().get_context_data(
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
        upload = form.cleaned_data["file"]
        valid_only = form.cleaned_data["valid_only"]
        user = self.request.user
        data = upload.read()
        try:
            table = open_table(data, upload.name)
        except ImportFileError as exc:
            form.add_error("file", exc.message)
            return self.form_invalid(form)
        if table.estimated_rows > settings.IMPORT_ASYNC_ROWS:
            center_import = center_import_start(
                data=data, filename=upload.name, by=user, valid_only=valid_only, total_rows=table.estimated_rows,
            )
            return redirect(center_import)
        result = center_import_table(table=table, by=user, valid_only=valid_only)
        file_errors = [e for e in result.errors if e.row is None]
        if file_errors and not result.written:
            for error in file_errors:
                form.add_error("file", str(error))
            return self.form_invalid(form)
        context = self.get_context_data(
            form=form if not result.written else self.get_form_class()(),
            result=result,
            errors=[error.as_dict() for error in result.reported_errors()],
            more_errors=max(result.error_count - MAX_REPORTED_ERRORS, 0),
            filename=upload.name,
        )
        return self.render_to_response(context)


class CenterImportStatusView(ImportAccessMixin, DetailView):
    """Progress and outcome of a background import; htmx polls the fragment each second
    and the answer 286 (htmx's "stop polling") ends it once the import is finished."""

    template_name = "centers/center_import_status.html"
    fragment_template_name = "centers/center_import_progress.html"
    context_object_name = "center_import"

    def get_queryset(self):
        user = self.request.user
        imports = CenterImport.objects.select_related("created_by", "province")
        if user.is_superuser:
            return imports
        return imports.filter(province_id=user.province_id)

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return [self.fragment_template_name]
        return [self.template_name]

    def render_to_response(self, context, **response_kwargs):
        if self.request.headers.get("HX-Request") and self.object.is_finished:
            response_kwargs["status"] = 286
        return super().render_to_response(context, **response_kwargs)


__all__ = [
    "CenterImportStatusView",
    "CenterImportView",
    "center_export_csv",
    "center_export_xlsx",
    "center_import_template",
]
