"""Every URL of the site, filled with real objects a given user can reach.

For tests that must visit "every page": the hostile-input fuzz (tests/test_hostile_input.py)
and any test that plants something in the data and looks at every page.

    from tests.site_urls import seed_site, site_urls

    users = seed_site()  # the demo province and one row of every kind it lacks; users by role
    for name, path, reachable in site_urls(users["department"]):
        client.get(path)

seed_site() takes a few seconds: call it once per module, inside django_db_blocker.unblock()
and a transaction rolled back at the end, with MEDIA_ROOT pointed at a temporary folder
(tests/test_hostile_input.py's `site` fixture does all three).

- Every pattern of the resolver (edu_portal.urls, every namespace, the admin site's pages)
  gives up to `per_pattern` concrete paths; a pattern without arguments gives its one path.
- Arguments are filled with the pk of a real object: the portal's patterns by FILLERS
  below (one entry per URL name), the admin's from the ModelAdmin's own queryset for the
  user. The objects are those the user can reach (their scope); where the user can reach
  none, an object outside it is used instead and the SiteUrl says `reachable=False` (the
  page then answers 403 or 404).
- A new pattern with arguments that nothing here knows how to fill raises UnfilledUrl,
  naming the pattern: add an entry to FILLERS.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db.models import Model, QuerySet
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.invitations import invitation_token
from accounts.models import Division, Invitation, User
from accounts.security import accounts_visible_to
from centers.models import Center, CenterImport, LicenceDocument, Staff
from centers.pdf import decision_documents
from centers.selectors import centers_visible_to, communes_visible_to, scoped
from conferences.models import (
    ConferenceAttachment,
    Directive,
    DirectiveRegister,
    Evidence,
    Task,
    TaskAssignment,
    TaskProgress,
)
from conferences.selectors import assignments_visible_to, conferences_visible_to, directives_visible_to
from conferences.services import directive_save
from conferences.services.directives import directive_articles_save
from conferences.services.registers import register_cancel_next, registers_visible_to
from documents.models import PdfJob
from documents.selectors import pdf_jobs_visible_to
from edu_portal.admin import site as admin_site
from geo.models import AdministrativeUnit
from inspections.models import FlagsCheck, RiskWeight, SavedSearch, Violation
from inspections.selectors import complaints_visible_to, inspections_visible_to
from notifications.models import Dispatch, Notification
from reports.models import Attachment, ExtensionRequest, Obligation, SubmissionVersion
from reports.selectors import obligations_visible_to, periods_visible_to

# The demo accounts of seed_demo, by role.
DEMO_USERNAMES = {"department": "sogd", "inspector": "thanhtra", "director": "giamdoc", "local_officer": "canboxa"}


class UnfilledUrl(LookupError):
    """A URL pattern takes arguments that site_urls does not know how to fill."""


class SiteUrl(NamedTuple):
    name: str  # "namespace:name", or the route for an unnamed pattern
    path: str
    reachable: bool  # False: no object of the kind in the user's scope, one outside it is used


@dataclass(frozen=True)
class Fill:
    """How to fill one portal pattern: `objects(user)` gives the candidates in the user's
    scope (everything for a superuser), `kwargs(obj)` the URL's arguments for one."""

    objects: Callable[[Any], QuerySet]
    kwargs: Callable[[Any], dict] = field(default=lambda obj: {"pk": obj.pk})


def _own(model: type[Model], owner: str) -> Callable[[Any], QuerySet]:
    """Rows that belong to the user: theirs only, a superuser's too (another user's saved
    search or notice is a 404 for everyone); _EVERYONE stands for any row."""
    return lambda user: model.objects.all() if user is _EVERYONE else model.objects.filter(**{owner: user})


def _drafts(user) -> QuerySet:
    return directives_visible_to(user).filter(status="draft")


def _issued(user) -> QuerySet:
    return directives_visible_to(user).filter(status="issued")


def _submitted(user) -> QuerySet:
    # Obligations with something to show: a submitted version first.
    return obligations_visible_to(user).filter(versions__isnull=False).distinct()


def _divisions(user) -> QuerySet:
    if user.is_superuser:
        return Division.objects.all()
    return Division.objects.filter(province_id=user.province_id) if user.province_id else Division.objects.none()


def _imports(user) -> QuerySet:
    imports = CenterImport.objects.all()
    return imports if user.is_superuser else imports.filter(province_id=user.province_id)


def _attachments(user) -> QuerySet:
    # A draft's files exist only for the center's own director until submitted.
    attachments = Attachment.objects.filter(obligation__in=obligations_visible_to(user))
    if user is not _EVERYONE and (user.is_superuser or user.role != User.Role.DIRECTOR):
        attachments = attachments.filter(version__isnull=False)
    return attachments


def _versions(user) -> QuerySet:
    return SubmissionVersion.objects.filter(obligation__in=obligations_visible_to(user))


def _extensions(user) -> QuerySet:
    return ExtensionRequest.objects.filter(obligation__in=obligations_visible_to(user))


def _reset_link(user) -> dict:
    """A valid password-reset link of `user` (as the e-mail carries it)."""
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}


# One entry per portal URL name that takes arguments.
FILLERS: dict[str, Fill] = {
    # accounts: the user's own reset link (any user's for an anonymous visitor)
    "password_reset_confirm": Fill(lambda u: User.objects.all() if u.is_superuser else User.objects.filter(pk=u.pk),
                                   _reset_link),
    # accounts: invitations (any invitation's link: it is for whoever holds it) and the
    # accounts, centers and communes staff manage
    "invitation_accept": Fill(lambda u: Invitation.objects.all(), lambda i: {"token": invitation_token(i)}),
    "center_director_invite": Fill(centers_visible_to),
    "officer_invite": Fill(communes_visible_to),
    "account_detail": Fill(accounts_visible_to),
    "account_invite": Fill(accounts_visible_to),
    "account_deactivate": Fill(accounts_visible_to),
    "account_reactivate": Fill(accounts_visible_to),
    "account_reset": Fill(accounts_visible_to),
    # centers
    "centers:center_detail": Fill(centers_visible_to),
    "centers:center_update": Fill(centers_visible_to),
    "centers:center_admin": Fill(centers_visible_to),
    "centers:staff_create": Fill(centers_visible_to, lambda c: {"center_pk": c.pk}),
    "centers:staff_update": Fill(lambda u: scoped(Staff.objects.all(), u), lambda s: {"center_pk": s.center_id,
                                                                                        "pk": s.pk}),
    "centers:licence_document_pdf": Fill(decision_documents, lambda d: {"pk": d.center_id, "doc_pk": d.pk}),
    "centers:center_import_status": Fill(_imports),
    "centers:center_import_confirm": Fill(_imports),
    "centers:center_import_cancel": Fill(_imports),
    "centers:licence_document_create": Fill(centers_visible_to),
    "centers:director_appoint": Fill(centers_visible_to),
    "centers:center_status_change": Fill(centers_visible_to),
    # reports
    "reports:obligation_detail": Fill(obligations_visible_to),
    "reports:obligation_draft_save": Fill(obligations_visible_to),
    "reports:obligation_submit": Fill(obligations_visible_to),
    "reports:attachment_upload": Fill(obligations_visible_to),
    "reports:extension_request_create": Fill(obligations_visible_to),
    "reports:attachment_download": Fill(_attachments),
    "reports:attachment_delete": Fill(_attachments),
    "reports:version_receipt": Fill(_versions),
    "reports:version_pdf": Fill(_versions),
    "reports:dashboard_missing": Fill(periods_visible_to, lambda p: {"period_pk": p.pk}),
    "reports:dashboard_export_summary": Fill(periods_visible_to, lambda p: {"period_pk": p.pk}),
    "reports:dashboard_export_values": Fill(periods_visible_to, lambda p: {"period_pk": p.pk}),
    "reports:review_detail": Fill(_submitted),
    "reports:review_accept": Fill(_submitted),
    "reports:review_return": Fill(_submitted),
    "reports:extension_decide": Fill(_extensions),
    # conferences and directives
    "conferences:conference_detail": Fill(conferences_visible_to),
    "conferences:conference_update": Fill(conferences_visible_to),
    "conferences:conference_attachment_upload": Fill(conferences_visible_to),
    "conferences:conference_minutes_pdf": Fill(conferences_visible_to),
    "conferences:conference_attachment_download": Fill(
        lambda u: ConferenceAttachment.objects.filter(conference__in=conferences_visible_to(u))),
    "conferences:directive_detail": Fill(directives_visible_to),
    "conferences:directive_update": Fill(_drafts),
    "conferences:directive_issue": Fill(_drafts),
    "conferences:directive_correct": Fill(_issued),
    "conferences:directive_delete": Fill(_drafts),
    "conferences:directive_pdf": Fill(directives_visible_to),
    "conferences:register_detail": Fill(registers_visible_to),
    "conferences:task_create": Fill(_drafts),
    "conferences:task_update": Fill(lambda u: Task.objects.filter(directive__in=_drafts(u))),
    "conferences:task_delete": Fill(lambda u: Task.objects.filter(directive__in=_drafts(u))),
    "conferences:task_assign": Fill(lambda u: Task.objects.filter(directive__in=_drafts(u))),
    "conferences:assignment_remove": Fill(lambda u: TaskAssignment.objects.filter(task__directive__in=_drafts(u))),
    "conferences:assignment_detail": Fill(assignments_visible_to),
    "conferences:progress_create": Fill(assignments_visible_to),
    "conferences:assignment_accept": Fill(assignments_visible_to),
    "conferences:assignment_reopen": Fill(assignments_visible_to),
    "conferences:evidence_download": Fill(
        lambda u: Evidence.objects.filter(progress__assignment__in=assignments_visible_to(u))),
    "conferences:unit_center": Fill(centers_visible_to),
    "conferences:unit_commune": Fill(communes_visible_to),
    "conferences:unit_division": Fill(_divisions),
    # notifications
    "notifications:notification_open": Fill(_own(Notification, "recipient")),
    # inspections
    "inspections:saved_search_open": Fill(_own(SavedSearch, "user")),
    "inspections:saved_search_delete": Fill(_own(SavedSearch, "user")),
    "inspections:inspection_detail": Fill(inspections_visible_to),
    "inspections:inspection_update": Fill(inspections_visible_to),
    "inspections:violation_create": Fill(inspections_visible_to),
    "inspections:violation_remedied": Fill(
        lambda u: Violation.objects.filter(inspection__in=inspections_visible_to(u)),
        lambda v: {"pk": v.inspection_id, "violation_pk": v.pk}),
    "inspections:follow_up_add": Fill(inspections_visible_to),
    "inspections:inspection_pdf": Fill(inspections_visible_to),
    "inspections:complaint_detail": Fill(complaints_visible_to),
    "inspections:complaint_update": Fill(complaints_visible_to),
    # documents
    "documents:pdf_job_status": Fill(pdf_jobs_visible_to),
    "documents:pdf_job_download": Fill(pdf_jobs_visible_to),
}

# Stands for "any object at all" when the user can reach none of a kind.
_EVERYONE = User(username="site-urls-everyone", is_superuser=True, is_staff=True, is_active=True)


# The resolver


@dataclass(frozen=True)
class Pattern:
    """One leaf of the resolver: its name, the patterns from the root down to it, and the
    ModelAdmin it belongs to (admin pages only)."""

    name: str
    parts: tuple  # RoutePattern / RegexPattern objects, root first
    callback: Callable
    model_admin: Any = None

    @property
    def route(self) -> str:
        return "".join(str(part) for part in self.parts)

    def arguments(self) -> list[str | int]:
        """The argument names in order; an unnamed regex group counts by its position."""
        names: list[str | int] = []
        for part in self.parts:
            if isinstance(part, RoutePattern):
                names += [m.group(2) for m in _ROUTE_ARG.finditer(part._route)]
            else:
                for index, m in enumerate(_REGEX_GROUP.finditer(part._regex)):
                    names.append(m.group(1) or index)
        return names


_ROUTE_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")
_REGEX_GROUP = re.compile(r"\((?:\?P<(\w+)>)?[^()]*\)")


def url_patterns() -> list[Pattern]:
    """Every leaf pattern of the site's URL resolver, admin included."""
    admins = {f"admin/{m._meta.app_label}/{m._meta.model_name}/": ma for m, ma in admin_site._registry.items()}

    def walk(resolver, parts, namespace) -> Iterator[Pattern]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (
                    entry.namespace or namespace)
                yield from walk(entry, (*parts, entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                chain = (*parts, entry.pattern)
                route = "".join(str(p) for p in chain)
                name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or route)
                model_admin = next((ma for prefix, ma in admins.items() if route.startswith(prefix)), None)
                yield Pattern(name=name, parts=chain, callback=entry.callback, model_admin=model_admin)

    return list(walk(get_resolver(), (), None))


def _build(pattern: Pattern, values: dict[str | int, Any]) -> str:
    path = ""
    for part in pattern.parts:
        if isinstance(part, RoutePattern):
            path += _ROUTE_ARG.sub(lambda m: str(values[m.group(2)]), part._route)
        else:
            groups = iter(range(100))
            regex = part._regex.removeprefix("^").removesuffix("$")

            def group(m, groups=groups):
                index = next(groups)
                return str(values[m.group(1) or index])

            path += _REGEX_GROUP.sub(group, regex)
    return "/" + path


# Filling the arguments


def _admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _admin_objects(pattern: Pattern, user) -> QuerySet:
    return pattern.model_admin.get_queryset(_admin_request(user)).order_by("pk")


def _admin_values(pattern: Pattern, obj) -> dict:
    values: dict[str | int, Any] = {}
    for name in pattern.arguments():
        if name in ("object_id", "id", 0):
            values[name] = obj.pk
        elif name == 1:  # simple_history's version of the object
            values[name] = obj.history.order_by("-history_id").values_list("history_id", flat=True)[0]
        else:
            raise UnfilledUrl(f"tests/site_urls.py cannot fill {name!r} of the admin URL {pattern.route!r}")
    return values


def _candidates(pattern: Pattern, user, per_pattern: int) -> tuple[list[dict], bool]:
    """The argument values of up to `per_pattern` objects, and whether the user reaches them."""
    arguments = pattern.arguments()
    if pattern.name == "admin:view_on_site":
        centers = list(centers_visible_to(user).order_by("pk")[:per_pattern]) if user else []
        reachable = bool(centers)
        centers = centers or list(Center.objects.order_by("pk")[:per_pattern])
        content_type = ContentType.objects.get_for_model(Center).pk
        return [{"content_type_id": content_type, "object_id": c.pk} for c in centers], reachable
    if pattern.name == "admin:app_list":
        labels = sorted({model._meta.app_label for model in admin_site._registry})
        return [{"app_label": label} for label in labels[:per_pattern]], True
    if arguments == ["url"]:  # the admin's catch-all: any path it does not know
        return [{"url": "no-such-page/"}], True
    if pattern.model_admin is not None:
        # Only users of the admin have a scope there (the others never get past its login).
        admin_user = user is not None and admin_site.has_permission(_admin_request(user))
        objects = list(_admin_objects(pattern, user)[:per_pattern]) if admin_user else []
        reachable = bool(objects)
        objects = objects or list(_admin_objects(pattern, _EVERYONE)[:per_pattern])
        if not objects:
            raise UnfilledUrl(f"No {pattern.model_admin.model.__name__} at all for the admin URL {pattern.name!r}: "
                              "seed_site() must create one.")
        return [_admin_values(pattern, obj) for obj in objects], reachable
    fill = FILLERS.get(pattern.name)
    if fill is None:
        raise UnfilledUrl(
            f"tests/site_urls.py does not know how to fill the URL {pattern.name!r} ({pattern.route!r}, "
            f"arguments {arguments}): add an entry to FILLERS."
        )
    objects = list(fill.objects(user).order_by("pk")[:per_pattern]) if user else []
    reachable = bool(objects)
    objects = objects or list(fill.objects(_EVERYONE).order_by("pk")[:per_pattern])
    if not objects:
        raise UnfilledUrl(f"No object at all for the URL {pattern.name!r}: seed_site() must create one.")
    return [fill.kwargs(obj) for obj in objects], reachable


def site_urls(user, *, per_pattern: int = 1) -> list[SiteUrl]:
    """Every URL of the site for `user` (anonymous: pass AnonymousUser()), each pattern with
    up to `per_pattern` objects. Raises UnfilledUrl for a pattern it cannot fill."""
    if not getattr(user, "is_authenticated", False):
        user = None  # reaches nothing: every object is one outside the scope
    urls = []
    for pattern in url_patterns():
        if not pattern.arguments():
            candidates, reachable = [{}], True
        else:
            candidates, reachable = _candidates(pattern, user, per_pattern)
        for values in candidates:
            path = _build(pattern, values)
            match = resolve(path)
            if match.route.replace("^", "") != pattern.route.replace("^", ""):
                raise UnfilledUrl(f"{path!r} resolves to {match.route!r}, not to {pattern.route!r}")
            urls.append(SiteUrl(pattern.name, path, reachable))
    return urls


# The data


def _file(instance, name: str, content: bytes = b"%PDF-1.4\n%site_urls\n") -> None:
    instance.file.save(name, ContentFile(content), save=False)
    for attribute, value in (("size", len(content)), ("sha256", hashlib.sha256(content).hexdigest())):
        if hasattr(instance, attribute):
            setattr(instance, attribute, value)


def seed_site() -> dict[str, User]:
    """The demo province of seed_demo, plus one object of every kind the demo leaves out
    (attachments, evidence, extension requests, saved searches, notices, PDF jobs, an
    import, risk weights), so that every URL pattern can be filled. Files go to the
    current MEDIA_ROOT. Returns the demo users by role ("department", "director"...)."""
    call_command("seed_demo", "--force", stdout=io.StringIO())
    users = {role: User.objects.get(username=name) for role, name in DEMO_USERNAMES.items()}
    staff, director = users["department"], users["director"]
    province = staff.province
    now = timezone.now()

    obligation = Obligation.objects.filter(center=director.center, versions__isnull=False).order_by("pk").first()
    attachment = Attachment(obligation=obligation, original_name="bao-cao.pdf", file_type="pdf",
                            uploaded_by=director)
    _file(attachment, "bao-cao.pdf")
    attachment.save()
    # And one of a submitted version: the files others may read (a draft's are the director's).
    submitted = Attachment(obligation=obligation, version=obligation.versions.order_by("pk").first(),
                           original_name="bao-cao-da-nop.pdf", file_type="pdf", uploaded_by=director)
    _file(submitted, "bao-cao-da-nop.pdf")
    submitted.save()
    ExtensionRequest.objects.create(obligation=obligation, reason="Trung tâm đang sửa chữa phòng máy",
                                    requested_until=timezone.localdate() + datetime.timedelta(days=20),
                                    requested_by=director)

    conference = conferences_visible_to(staff).order_by("pk").first()
    conference_file = ConferenceAttachment(conference=conference, kind="document", original_name="tai-lieu.pdf",
                                           file_type="pdf", caption="Tài liệu hội nghị", uploaded_by=staff)
    _file(conference_file, "tai-lieu.pdf")
    conference_file.save()

    progress = TaskProgress.objects.filter(assignment__center=director.center).order_by("pk").first()
    progress = progress or TaskProgress.objects.order_by("pk").first()
    evidence = Evidence(progress=progress, original_name="minh-chung.pdf", file_type="pdf")
    _file(evidence, "minh-chung.pdf")
    evidence.save()

    for user in users.values():
        SavedSearch.objects.create(user=user, name="Chưa có giấy phép", query="rules=licence&kind=language")
        Notification.objects.create(recipient=user, key=f"site-urls-{user.pk}", subject="Nhắc hạn báo cáo",
                                    body="Kỳ báo cáo sắp đến hạn.", link="/reports/")
    Dispatch.objects.create(key="site-urls-dispatch", status="sent", sent_at=now)
    RiskWeight.objects.create(province=province, rule="licence", weight=30)
    # A nightly check of the flags that repaired two centers: the director's and one of
    # another province (its admin page shows each user the sample rows in their scope).
    foreign_center = Center.objects.exclude(province=province).order_by("pk").first()
    FlagsCheck.objects.create(
        as_of=timezone.localdate(), started_at=now, finished_at=now, centers=Center.objects.count(), differences=2,
        sample=[[director.center_id, "flag_licence", False, True],
                *([[foreign_center.pk, "flag_reports", True, False]] if foreign_center else [])],
    )

    job = PdfJob(kind="reports.completeness_summary", params={"period": obligation.period_id},
                 title="Tổng hợp báo cáo", created_by=staff, province=province, status=PdfJob.Status.DONE,
                 progress=100, filename="tong-hop.pdf", finished_at=now)
    _file(job, "tong-hop.pdf")
    job.size = job.file.size
    job.save()
    # An upload waiting for «Nhập» (its preview page, the first the status URL is filled
    # with), then a finished import.
    preview_import = CenterImport(
        province=province, created_by=staff, original_name="xem-truoc.xlsx", stage=CenterImport.Stage.PREVIEW,
        status=CenterImport.Status.DONE, total_rows=2, processed_rows=2, finished_at=now,
        errors=[{"row": 3, "column": "Loại hình", "message": "Dòng 3, cột «Loại hình»: loại hình «X» không có."}],
        preview={
            "rows": 2, "new": 1, "changed": 1, "unchanged": 0, "error_rows": 1, "writable": 2,
            "notes": ["Bỏ qua 1 dòng tiêu đề phía trên dòng tên cột."],
            "added": [{"row": 2, "code": "XT01", "name": "Trung tâm Ngoại ngữ Xem Trước", "kind": "Trung tâm ngoại ngữ",
                       "status": "Đang hoạt động", "commune": "Phường Kinh Bắc", "licence": "1/QĐ", "director": ""}],
            "changes": [{"row": 4, "center": director.center_id, "code": director.center.code,
                         "name": director.center.name, "fields": [["Điện thoại", "0222 1", "0222 2"]]}],
            "warnings": [{"row": 4, "column": "Điện thoại", "message": "Dòng 4, cột «Điện thoại»: đã mất số 0."}],
            "warning_count": 1,
            "ambiguous": [{"row": 2, "column": "Ngày quyết định", "text": "05/03/2026", "date": "05/03/2026",
                           "read_as": "ngày 5 tháng 3 năm 2026"}],
            "ambiguous_count": 1, "digest": "0" * 64,
        },
    )
    _file(preview_import, "xem-truoc.xlsx", b"PK\x03\x04")
    preview_import.save()
    CenterImport.objects.create(province=province, created_by=staff, original_name="trung-tam.xlsx",
                                status=CenterImport.Status.DONE, total_rows=1, processed_rows=1, finished_at=now)
    Division.objects.get_or_create(province=province, code="KT", defaults={"name": "Phòng Kiểm tra"})
    # A quyết định with its articles, and a cancelled number (with the register's history).
    decision = directive_save(directive=Directive(
        province=province, doc_type="quyet_dinh", subject="Về việc thành lập Đoàn kiểm tra",
        signer_name="Trần Văn Minh", legal_bases="Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019",
        executors="Chánh Văn phòng Sở", recipients="Như Điều 2\nLưu: VT",
    ), user=staff)
    directive_articles_save(directive=decision, texts=["Thành lập Đoàn kiểm tra các trung tâm."], user=staff)
    this_year = DirectiveRegister.objects.filter(province=province, year=timezone.localdate().year)
    register = this_year.order_by("pk").first()
    if register is not None:
        register_cancel_next(register=register, dated=timezone.localdate(), user=staff,
                             reason="Số cấp trên giấy cho văn bản không ban hành")
    Group.objects.get_or_create(name="Chuyên viên Sở")
    assert LicenceDocument.objects.exists() and AdministrativeUnit.objects.exists()
    return users
