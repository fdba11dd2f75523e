"""Periodic reporting's official PDFs.

- A submitted version as a "BÁO CÁO" issued by the center: the values with the fields
  frozen in the version, the attachments' hashes, and the content hash. It is rendered
  in the request, scoped like its receipt.
- The province's (or a commune's) summary of a period: totals by center kind and by
  commune, then every center with its state. It is many pages for a province, so it is
  a documents.PdfJob rendered in Celery, with progress page by page.

Imported by ReportsConfig.ready() to register "reports.completeness_summary".
"""

from __future__ import annotations

import math

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.permissions import require
from centers.selectors import scope_q
from documents.registry import PdfBuildError, Prepared, register
from edu_portal.params import parse_int
from edu_portal.pdf import place_name, render_pdf, unit_title
from geo.collation import unit_ordering

from .models import ReportPeriod, SubmissionVersion, local_date
from .selectors import (
    Timeliness,
    completeness,
    obligation_timeliness,
    obligations_visible_to,
    periods_visible_to,
    version_values,
)

VERSION_TEMPLATE = "pdf/report_version.html"
SUMMARY_TEMPLATE = "pdf/completeness_summary.html"


def _subject(title: str) -> str:
    """ "Báo cáo tình hình hoạt động 6 tháng" -> "Tình hình hoạt động 6 tháng" (the type
    name "BÁO CÁO" is already printed above it)."""
    text = " ".join(title.split())
    if text.lower().startswith("báo cáo "):
        text = text[len("báo cáo "):]
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _rate(value: float | None) -> str:
    """85.3 -> "85,3" (the Vietnamese decimal comma); no owed reports -> "—"."""
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def _department_name(province) -> str:
    """ "Sở Giáo dục và Đào tạo tỉnh Bắc Ninh" """
    return f"Sở Giáo dục và Đào tạo {_lower_first(unit_title(province))}" if province else "Sở Giáo dục và Đào tạo"


# A submitted version


def version_pdf_get(user, pk: int) -> SubmissionVersion:
    """A version of an obligation in the user's scope, or 404 (as its receipt)."""
    versions = SubmissionVersion.objects.filter(scope_q(user, "obligation__center__")).select_related(
        "obligation__period__report_type", "obligation__center__commune", "obligation__center__province",
        "submitted_by",
    )
    return get_object_or_404(versions, pk=pk)


def version_context(version: SubmissionVersion) -> dict:
    """The report as the center sent it, labelled from the version's frozen fields."""
    obligation = version.obligation
    center = obligation.center
    period = obligation.period
    report_type = period.report_type
    parent = center.investor_name or center.managing_authority or center.founding_authority
    submitted_at = timezone.localtime(version.submitted_at)
    subject = _subject(report_type.title)
    return {
        "version": version,
        "obligation": obligation,
        "center": center,
        "period": period,
        "report_type": report_type,
        "province": center.province,
        "set_parent_body": True,
        "parent_body": parent,
        "issuing_body": center.name,
        # Sent online: the center's own register number is not known to the portal.
        "symbol": "BC",
        "place": place_name(center.province),
        "date": local_date(version.submitted_at),
        "doc_type": "BÁO CÁO",
        "doc_summary": subject,
        "subject": _lower_first(subject),
        "department": _department_name(center.province),
        "addressees": [_department_name(center.province)],
        "values": version_values(version),
        "attachments": version.attachment_hashes,
        "submitted_at": submitted_at,
        "days_late": version.days_late,
        "recipients": ["Như trên", "Lưu: VT"],
        "set_sign_position": True,
        "sign_position": "GIÁM ĐỐC",
        "sign_note": "(Đã nộp trực tuyến)",
        "signer_name": version.submitted_by.full_name,
        "title": f"{report_type.title} - {period.label} - {center.name} (lần {version.number})",
    }


def version_filename(version: SubmissionVersion) -> str:
    obligation = version.obligation
    return f"Báo cáo {obligation.period.label} - {obligation.center.code} - lần {version.number}.pdf"


def version_pdf(version: SubmissionVersion) -> bytes:
    return render_pdf(VERSION_TEMPLATE, version_context(version))


# The summary of a period (Celery)


ROWS_PER_PAGE = 30  # of the centers' list, to estimate the number of pages for the progress bar


def summary_issuer(user, period: ReportPeriod) -> dict:
    """Header, addressee and signature of the summary: the Department's, or the commune's
    when a local officer prints the summary of their commune.

    A report goes to the body above its author, named after "Kính gửi" (Decree 30/2020,
    Appendix I, II.9.b): a commune reports on the centers of its area to the Department,
    which supervises them professionally; the Department to the provincial People's
    Committee, for which it keeps the province's reporting regime (regulations.md 2.2). A
    People's Committee is a collective body: its report is signed "TM. ỦY BAN NHÂN DÂN /
    CHỦ TỊCH" (Appendix I, II.7.b)."""
    if user.role == User.Role.LOCAL_OFFICER and user.commune_id:
        commune = user.commune
        return {
            "set_parent_body": True, "parent_body": "",
            "issuing_body": f"ỦY BAN NHÂN DÂN {unit_title(commune).upper()}",
            "symbol": "BC-UBND", "place": place_name(commune), "set_sign_position": True,
            "sign_prefix": "TM. ỦY BAN NHÂN DÂN", "sign_position": "CHỦ TỊCH",
            "scope_label": _lower_first(unit_title(commune)),
            "author": f"Ủy ban nhân dân {_lower_first(unit_title(commune))}", "province": commune.parent,
            "addressees": [_department_name(commune.parent)],
        }
    province = period.report_type.province
    return {
        "province": province, "issuing_body": "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "symbol": "BC-SGDĐT",
        "set_sign_position": True, "sign_position": "GIÁM ĐỐC", "scope_label": _lower_first(unit_title(province)),
        "author": _department_name(province),
        "addressees": [f"Ủy ban nhân dân {_lower_first(unit_title(province))}"] if province else [],
    }


def _communes(period: ReportPeriod, user) -> list[dict]:
    """Every obligation of the period in the user's scope, grouped by commune (as the
    commune table above), with what a row shows: code, name, first submission, state."""
    obligations = (
        obligations_visible_to(user).filter(period=period)
        .select_related("center__commune")
        .only("pk", "status", "first_submitted_at", "extended_until", "period_id",
              "center__code", "center__name", "center__commune__name", "center__commune__unit_type")
        .order_by(*unit_ordering("center__commune__"), "center__name", "pk")
    )
    groups: list[dict] = []
    for obligation in obligations.iterator(chunk_size=2000):
        obligation.period = period  # the same for every row: no join, no query
        commune = obligation.center.commune
        if not groups or groups[-1]["id"] != commune.pk:
            groups.append({"id": commune.pk, "name": unit_title(commune), "rows": []})
        state = obligation_timeliness(obligation)
        if state == Timeliness.MISSING:
            label = "Chưa nộp"
        else:
            timeliness = "Đúng hạn" if state == Timeliness.ON_TIME else f"Trễ {obligation.days_late()} ngày"
            label = f"{timeliness}; {_lower_first(obligation.get_status_display())}"
        groups[-1]["rows"].append({
            "code": obligation.center.code,
            "name": obligation.center.name,
            "submitted_on": obligation.first_submitted_on,
            "state": label,
        })
    return groups


def _table_rows(rows):
    return [
        {
            "label": row.label, "owed": row.owed, "submitted": row.submitted, "on_time": row.on_time,
            "late": row.late, "missing": row.missing,
            "returned": row.returned, "submitted_rate": _rate(row.submitted_rate),
            "on_time_rate": _rate(row.on_time_rate),
        }
        for row in rows
    ]


def summary_context(period: ReportPeriod, user, *, now=None) -> dict:
    """Counts from reports.selectors.completeness (the dashboard's numbers), then the list."""
    now = timezone.localtime(now)
    summary = completeness(period, user)
    total = summary.total
    issuer = summary_issuer(user, period)
    report_type = period.report_type
    return {
        **issuer,
        "period": period,
        "report_type": report_type,
        "subject": _lower_first(_subject(report_type.title)),
        "date": now.date(),
        "now": now,
        "doc_type": "BÁO CÁO",
        "doc_summary": f"Tổng hợp tình hình thực hiện chế độ báo cáo {_lower_first(_subject(report_type.title))}, "
                       f"kỳ {period.label}",
        "total": _table_rows([total])[0],
        "missing_rate": _rate(total.missing_rate),
        "late_rate": _rate(total.late_rate),
        "by_kind": _table_rows(summary.by_kind),
        "by_commune": _table_rows(summary.by_commune),
        "communes": _communes(period, user),
        "recipients": ["Như trên", "Lưu: VT"],
        "signer_name": "",
        "title": f"Tổng hợp báo cáo {report_type.title} - {period.label}",
    }


def summary_prepare(user, data) -> Prepared:
    """Who may print the summary is who may see the dashboard (403 for a director); the
    period must be one of the user's province (404 otherwise)."""
    require(user, "reports.dashboard")
    pk = parse_int(data.get("period"))
    if pk is None:
        raise Http404
    period = get_object_or_404(periods_visible_to(user), pk=pk)
    return Prepared(
        params={"period": period.pk},
        title=f"Tổng hợp tình hình thực hiện chế độ báo cáo - {period.report_type.title} - {period.label}",
    )


def summary_build(job, user, progress) -> tuple[str, bytes]:
    # The period is looked up again in the creator's scope: a job never prints more
    # than its creator may see today.
    period = periods_visible_to(user).filter(pk=job.params.get("period")).first()
    if period is None:
        raise PdfBuildError("Kỳ báo cáo không còn trong phạm vi của tài khoản yêu cầu.")
    progress(2, "Đang tổng hợp số liệu…")
    context = summary_context(period, user)
    count = sum(len(group["rows"]) for group in context["communes"])
    pages = 2 + math.ceil(count / ROWS_PER_PAGE)
    progress(10, f"Đang dàn trang ({count} trung tâm)…")

    def on_page(page: int) -> None:
        done = min(page, pages)
        progress(10 + 85 * done / pages, f"Đang dàn trang {page}/~{pages}…")

    content = render_pdf(SUMMARY_TEMPLATE, context, on_page=on_page)
    progress(99, "Đang lưu tệp…")
    return f"Tổng hợp báo cáo - {period.label} - {local_date():%d-%m-%Y}.pdf", content


register("reports.completeness_summary", prepare=summary_prepare, build=summary_build)

