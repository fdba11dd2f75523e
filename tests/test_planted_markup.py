"""Markup planted in every free-text field of every model comes out as text everywhere
(issue 9): on every page a user of each role can reach, in the admin, in every export, PDF
and e-mail that shows it.

The demo province is seeded once for the module, then every CharField and TextField
(and the free-text parts of the JSON fields: submitted values, field labels, review
comments) of every model of ours gets `<b hx-post=/x>ZQ<pk>`: an element that htmx would
act on if it reached a page as markup. A crawler then follows, as each demo user, every
link from the home page (and the admin's), a few pages per URL name, and checks:

- HTML: the payload never appears as markup (only as `&lt;b hx-post=/x&gt;`), and every
  <script> of a portal page carries the response's CSP nonce;
- PDF (pdftotext): every `ZQ<pk>` is printed after its literal `<b hx-post=/x>`;
- .xlsx: every cell with the marker holds the whole payload as a string, never a formula;
- e-mails (the reminder sweep): the payload reaches them as typed.

The pages that matter most for the attack of the issue (the review page, the director's
report page and receipt) must show the payload, so the test cannot pass by seeing nothing.
"""

import csv
import io
import re
import subprocess
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import openpyxl
import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import models, transaction
from django.db.models.functions import Cast, Concat
from django.test import Client, override_settings
from django.urls import Resolver404, resolve, reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

PREFIX = "<b hx-post=/x>ZQ"
# For the few columns too short for PREFIX (codes of 10 to 20 characters): still an element
# htmx would act on.
SHORT = "<b hx-get>"
AS_MARKUP = ("<b hx-post", SHORT)
ESCAPED = "&lt;b hx-post=/x&gt;ZQ"
MARKER = re.compile(r"ZQ\d+", re.IGNORECASE)
APPS = {"accounts", "centers", "conferences", "reports", "inspections", "notifications", "documents", "geo"}

# Text fields that are not free text: identifiers the code looks things up by. Planting
# there would only break the lookup, not test the escaping. Each with its reason.
NOT_FREE_TEXT = {
    ("accounts", "user", "password"): "a password hash",
    ("accounts", "user", "email"): "an address checked by EmailField; the mails below must be deliverable",
    ("documents", "pdfjob", "kind"): "the key of the PDF builder (documents.registry)",
    ("notifications", "dispatch", "key"): "the reminder step's idempotency key",
    ("notifications", "notification", "key"): "the reminder step's idempotency key",
    ("geo", "administrativeunit", "code"): "the statistics office's code, used in URLs and imports",
    ("geo", "administrativeunit", "level"): "province/commune switch of the tree",
}
SEARCH_COLUMNS = {"search_text", "folded_name", "name_folded", "folded"}


def _plantable(model, field) -> bool:
    if not isinstance(field, (models.CharField, models.TextField)) or field.choices or field.primary_key:
        return False
    meta = model._meta
    if (meta.app_label, meta.model_name, field.name) in NOT_FREE_TEXT or field.name in SEARCH_COLUMNS:
        return False
    if meta.model_name.startswith("historical") and field.name in {"history_change_reason", "history_type"}:
        return field.name == "history_change_reason"
    return True


def plant_everywhere() -> dict[str, list[str]]:
    """Every free-text column of every row gets PREFIX + the row's pk (unique where the
    column is unique), or SHORT (+ the pk where it fits) where PREFIX does not fit.
    Returns the fields planted, with either payload."""
    planted, short = [], []
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in APPS or meta.proxy or not meta.managed:
            continue
        updates = {}
        for field in meta.concrete_fields:
            if not _plantable(model, field):
                continue
            pk = meta.pk.attname
            if field.max_length is None or field.max_length >= len(PREFIX) + 8:
                updates[field.attname] = Concat(models.Value(PREFIX), Cast(pk, models.CharField()),
                                                output_field=models.TextField())
                planted.append(f"{meta.label}.{field.name}")
            else:
                assert field.max_length >= len(SHORT), f"{meta.label}.{field.name} cannot hold markup"
                updates[field.attname] = (
                    Concat(models.Value(SHORT), Cast(pk, models.CharField()), output_field=models.TextField())
                    if field.max_length >= len(SHORT) + 6 else models.Value(SHORT)
                )
                short.append(f"{meta.label}.{field.name}")
        if updates:
            model._base_manager.update(**updates)
    _plant_json()
    return {"planted": planted, "short": short}


def _plant_json() -> None:
    """The free text inside JSON: a version's frozen field labels and hints and its text
    answers, drafts, and the Department's comments per field."""
    from centers.models import CenterImport
    from reports.models import Obligation, Review, SubmissionVersion

    for version in SubmissionVersion.objects.all():
        for spec in version.schema:
            spec["label"] = f"{PREFIX}{version.pk}"
            spec["help_text"] = f"{PREFIX}{version.pk}"
            if spec.get("kind") == "text":
                version.values[spec["code"]] = f"{PREFIX}{version.pk}"
        SubmissionVersion.objects.filter(pk=version.pk).update(schema=version.schema, values=version.values)
    for review in Review.objects.exclude(field_comments={}):
        comments = {code: f"{PREFIX}{review.pk}" for code in review.field_comments}
        Review.objects.filter(pk=review.pk).update(field_comments=comments)
    for obligation in Obligation.objects.exclude(draft_values={}).select_related("period__report_type"):
        text_codes = set(obligation.period.report_type.fields.filter(kind="text").values_list("code", flat=True))
        values = {k: (f"{PREFIX}{obligation.pk}" if k in text_codes else v) for k, v in obligation.draft_values.items()}
        Obligation.objects.filter(pk=obligation.pk).update(draft_values=values)
    for center_import in CenterImport.objects.all():
        errors = [{**error, "message": f"{PREFIX}{center_import.pk}"} for error in center_import.errors]
        CenterImport.objects.filter(pk=center_import.pk).update(errors=errors)


@pytest.fixture(scope="module")
def planted_world(django_db_setup, django_db_blocker):
    fast_hasher = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hasher, transaction.atomic():
        call_command("seed_demo", "--force", stdout=io.StringIO())
        _add_jobs_and_imports()
        # Usernames are planted too: keep the demo accounts by id.
        users = dict(User.objects.filter(username__in=ROLES).values_list("username", "pk"))
        for user in User.objects.all():  # every account can be mailed (reminder sweep below)
            User.objects.filter(pk=user.pk).update(email=f"user{user.pk}@example.org")
        fields = plant_everywhere()
        _render_jobs()
        yield {**fields, "users": users}
        transaction.set_rollback(True)


def _add_jobs_and_imports() -> None:
    """What the demo does not have: an import with errors and the two large PDFs."""
    from centers.models import CenterImport
    from documents.models import PdfJob

    staff = User.objects.get(username="sogd")
    CenterImport.objects.create(
        province=staff.province, created_by=staff, original_name="danh-sach.xlsx", status="failed",
        total_rows=3, processed_rows=3, errors=[{"row": 2, "column": "Tên trung tâm", "message": "lỗi"}],
    )
    commune = User.objects.get(username="canboxa").commune
    from reports.models import ReportPeriod

    period = ReportPeriod.objects.filter(report_type__province=staff.province,
                                         obligations__versions__isnull=False).first()
    PdfJob.objects.create(kind="centers.commune_decisions", params={"commune": commune.pk}, title="t",
                          created_by=staff, province=staff.province)
    PdfJob.objects.create(kind="reports.completeness_summary", params={"period": period.pk}, title="t",
                          created_by=staff, province=staff.province)


def _render_jobs() -> None:
    from documents.models import PdfJob
    from documents.services import pdf_job_run

    for job in PdfJob.objects.all():
        pdf_job_run(job=job)
        job.refresh_from_db()
        assert job.status == PdfJob.Status.DONE, job.error


class _Page(HTMLParser):
    """Links (a href, hx-get, GET form actions) and script tags of a page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("hx-get"):
            self.links.append(attrs["hx-get"])
        if tag == "script":
            self.scripts.append(attrs)


# Never followed: they log out, change the language or only redirect.
SKIP_VIEWS = {"logout", "set_language", "admin:logout", "admin:view_on_site", "admin:jsi18n"}
PER_VIEW = 3


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def crawl(user: User, starts: list[str]) -> list[tuple[str, str, object, bytes]]:
    """(path, view name, response, body) of the pages reached from `starts`, at most
    PER_VIEW per view name and query/no query."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    queue, seen, per_view, pages = deque(starts), set(), Counter(), []
    while queue:
        path = queue.popleft()
        parts = urlsplit(path)
        if parts.scheme or parts.netloc or path in seen:
            continue
        seen.add(path)
        try:
            view = resolve(parts.path).view_name
        except Resolver404:
            continue
        if view in SKIP_VIEWS or per_view[(view, bool(parts.query))] >= PER_VIEW:
            continue
        per_view[(view, bool(parts.query))] += 1
        response = client.get(path)
        if response.status_code in (301, 302) and response.get("Location"):
            queue.appendleft(urljoin(path, response["Location"]))
        body = _body(response)
        pages.append((path, view, response, body))
        if response.get("Content-Type", "").startswith("text/html"):
            parser = _Page()
            parser.feed(body.decode("utf-8", "replace"))
            queue.extend(urljoin(path, link).split("#")[0] for link in parser.links)
    return pages


def _pdf_text(data: bytes) -> str:
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", "", text)


def check(pages) -> tuple[list[str], Counter]:
    """Problems found, and per view name how many times the payload was shown as text."""
    problems, shown = [], Counter()
    for path, view, response, body in pages:
        kind = response.get("Content-Type", "")
        if response.status_code >= 500:
            problems.append(f"{path}: {response.status_code}")
        elif kind.startswith("text/html"):
            text = body.decode("utf-8", "replace")
            if any(markup in text for markup in AS_MARKUP):
                problems.append(f"{path} ({view}): planted markup rendered as HTML")
            shown[view] += text.count(ESCAPED)
            if not view.startswith("admin:"):
                nonce = getattr(response.wsgi_request, "_csp_nonce", None)
                scripts = _Page()
                scripts.feed(text)
                for script in scripts.scripts:
                    if script.get("type") == "application/json":  # data, never run
                        continue
                    if not nonce or script.get("nonce") != nonce:
                        problems.append(f"{path}: <script> without the response's nonce {script}")
                if "script-src 'self'" in response.get("Content-Security-Policy", ""):
                    problems.append(f"{path}: portal page allows any script of the site")
        elif kind == "application/pdf":
            # Titles are printed in capitals, long words hyphenated and columns interleaved:
            # markup read as HTML would leave no trace of "<b hx-post" before the marker at all.
            text = _pdf_text(body).lower().replace("-", "")
            for match in MARKER.finditer(text):
                before = text[max(0, match.start() - 16): match.start()]
                if not ("<b" in before and "post" in before):
                    problems.append(f"{path}: PDF shows {match.group()} without its markup as text: "
                                    f"{text[max(0, match.start() - 30):match.end()]!r}")
            shown[view] += text.count("<bhxpost=/x>zq")
        elif kind.startswith("text/csv"):
            for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
                for value in row:
                    if "ZQ" in value:
                        shown[view] += 1
                        if PREFIX not in value:
                            problems.append(f"{path}: CSV value {value!r}")
        elif "spreadsheetml" in kind:
            workbook = openpyxl.load_workbook(io.BytesIO(body))
            for sheet in workbook.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if isinstance(cell.value, str) and "ZQ" in cell.value:
                            shown[view] += 1
                            if PREFIX not in cell.value or cell.data_type == "f":
                                problems.append(f"{path}: cell {cell.coordinate} = {cell.value!r}")
    return problems, shown


ROLES = {
    "sogd": ["/", "/admin/"],
    "thanhtra": ["/"],
    "giamdoc": ["/"],
    "canboxa": ["/"],
}
# Where the attack of the issue happened, and the other families the issue names: each
# must show the planted text (as text) to the role that reads it.
MUST_SHOW = {
    "sogd": ["reports:review_detail", "centers:center_detail", "centers:center_list", "centers:center_export_xlsx",
             "centers:center_export_csv", "centers:center_import_status", "documents:pdf_job_status",
             "conferences:directive_detail", "conferences:directive_pdf", "inspections:compliance",
             "documents:pdf_job_download", "admin:centers_center_change"],
    "thanhtra": ["reports:review_detail", "inspections:inspection_detail"],
    "giamdoc": ["reports:obligation_detail", "reports:version_receipt", "centers:center_detail"],
    "canboxa": ["reports:obligation_list", "centers:center_detail"],
}


@pytest.mark.parametrize("username", list(ROLES))
def test_planted_markup_is_text_on_every_page_export_and_pdf(planted_world, username):
    from centers.models import CenterImport
    from documents.models import PdfJob

    user = User.objects.get(pk=planted_world["users"][username])
    # Pages reached only after a POST (a PDF job, an import) are started from directly.
    started = [reverse("documents:pdf_job_status", args=[pk])
               for pk in PdfJob.objects.filter(created_by=user).values_list("pk", flat=True)]
    started += [reverse("centers:center_import_status", args=[pk])
                for pk in CenterImport.objects.filter(created_by=user).values_list("pk", flat=True)]
    pages = crawl(user, ROLES[username] + started)
    problems, shown = check(pages)
    assert problems == [], "\n".join(problems)
    views = {view for _path, view, _response, _body in pages}
    missing = [view for view in MUST_SHOW[username] if view in views and not shown[view]]
    unreached = [view for view in MUST_SHOW[username] if view not in views]
    assert (missing, unreached) == ([], [])


def test_every_free_text_field_was_planted(planted_world):
    """The full payload fits every text column but a few short codes, named here."""
    assert "centers.Center.name" in planted_world["planted"]
    assert "reports.ReportType.title" in planted_world["planted"]
    assert "accounts.User.full_name" in planted_world["planted"]
    assert sorted(planted_world["short"]) == [
        "accounts.Division.code", "centers.Center.investor_tax_code", "centers.HistoricalCenter.investor_tax_code",
        "inspections.SanctionArticle.article", "inspections.SanctionArticle.clause",
        "inspections.SanctionArticle.point",
    ]


def test_reminder_mails_carry_planted_text_as_typed(planted_world, django_capture_on_commit_callbacks):
    from reports.models import Obligation

    # The day an unsubmitted report falls due: its "due today" reminder goes out.
    due = (Obligation.objects.filter(first_submitted_at__isnull=True).order_by("-period__due_date")
           .values_list("period__due_date", flat=True).first())
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", due.isoformat(), stdout=out)
    assert mail.outbox, out.getvalue()
    with_marker = [message for message in mail.outbox if "ZQ" in message.subject + message.body]
    assert with_marker
    for message in with_marker:
        for text in (message.subject, message.body):
            for match in MARKER.finditer(text):
                assert text[: match.start()].endswith("<b hx-post=/x>"), text
        for content, mimetype in getattr(message, "alternatives", []):
            assert mimetype != "text/html" or not any(markup in content for markup in AS_MARKUP)
