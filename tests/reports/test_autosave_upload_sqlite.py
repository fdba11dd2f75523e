"""The embedded SQLite default under a person's pace and faster (issue 13): a draft
autosave and an attachment upload of the same report, sent at the same moment, fifty times
over, never collide into a 500 "database is locked".

The test database of pytest is SQLite in memory, shared by every thread, where none of
this happens. So the test copies it into a temporary file and gives each of two threads a
connection of its own to that file, made from the project's DATABASES settings (WAL, the
busy timeout, BEGIN IMMEDIATE): the two requests of a cycle then meet as two gunicorn
workers would.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.utils import load_backend
from django.test import Client
from django.urls import reverse

from reports.models import Attachment
from tests.conftest import ON_POSTGRES
from tests.reports.helpers_submission import good_values, pdf_bytes

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(ON_POSTGRES, reason="kiểm tra SQLite mặc định, không áp dụng cho PostgreSQL"),
]

CYCLES = 50


def file_copy_of_test_database(path: Path) -> None:
    """The in-memory test database, committed rows included, as an SQLite file."""
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def use_file_database(path: Path, options: dict | None = None) -> None:
    """This thread's "default" connection opens `path` with the project's settings (the
    thread-local override leaves the other threads' connections alone)."""
    settings_dict = {**connections.settings["default"], "NAME": str(path)}
    if options is not None:
        settings_dict["OPTIONS"] = options
    backend = load_backend(settings_dict["ENGINE"])
    connections["default"] = backend.DatabaseWrapper(settings_dict, "default")


def run_cycles(path: Path, director, obligation, *, cycles: int = CYCLES, options: dict | None = None) -> list[str]:
    """`cycles` times: one thread autosaves the draft while the other uploads a file (and
    then takes it off again, to stay under the ten-file limit). Returns what went wrong."""
    errors: list[str] = []
    barrier = threading.Barrier(2)

    def autosave():
        client = Client(raise_request_exception=False)
        client.force_login(director)
        url = reverse("reports:obligation_draft_save", args=[obligation.pk])
        for cycle in range(cycles):
            barrier.wait(timeout=60)
            response = client.post(url, good_values(su_co=f"Lần lưu {cycle}"), headers={"HX-Request": "true"})
            text = response.content.decode()
            if response.status_code != 200 or "Đã lưu nháp" not in text:
                errors.append(f"autosave {cycle}: {response.status_code} {text[:200]}")

    def upload():
        client = Client(raise_request_exception=False)
        client.force_login(director)
        url = reverse("reports:attachment_upload", args=[obligation.pk])
        for cycle in range(cycles):
            data = pdf_bytes(2000 + cycle)
            barrier.wait(timeout=60)
            response = client.post(url, {"file": _file(f"phu-luc-{cycle}.pdf", data)})
            attachment = Attachment.objects.filter(obligation=obligation,
                                                   sha256=hashlib.sha256(data).hexdigest()).first()
            if response.status_code != 302 or attachment is None:
                errors.append(f"upload {cycle}: {response.status_code} {response.content.decode()[:200]}")
                continue
            response = client.post(reverse("reports:attachment_delete", args=[attachment.pk]))
            if response.status_code != 302 or Attachment.objects.filter(pk=attachment.pk).exists():
                errors.append(f"delete {cycle}: {response.status_code}")

    def thread(work):
        def run():
            use_file_database(path, options)
            try:
                work()
            except Exception as exc:  # a broken barrier or a crash: counted, never hidden
                errors.append(f"{work.__name__}: {exc!r}")
                barrier.abort()
            finally:
                connections["default"].close()
        return threading.Thread(target=run)

    threads = [thread(autosave), thread(upload)]
    for item in threads:
        item.start()
    for item in threads:
        item.join(timeout=300)
    return errors


def _file(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_the_embedded_database_runs_in_wal_mode_with_immediate_transactions(tmp_path, obligation):
    path = tmp_path / "portal.sqlite3"
    file_copy_of_test_database(path)
    result = {}

    def look():
        use_file_database(path)
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                result["journal"] = cursor.fetchone()[0]
                cursor.execute("PRAGMA busy_timeout")
                result["busy_timeout"] = cursor.fetchone()[0]
            result["mode"] = connections["default"].transaction_mode
        finally:
            connections["default"].close()

    worker = threading.Thread(target=look)
    worker.start()
    worker.join()
    assert result == {"journal": "wal", "busy_timeout": 20_000, "mode": "IMMEDIATE"}


def test_fifty_autosaves_and_uploads_at_the_same_moment_give_no_error(tmp_path, director, obligation):
    path = tmp_path / "portal.sqlite3"
    file_copy_of_test_database(path)
    errors = run_cycles(path, director, obligation)
    assert errors == [], f"{len(errors)} lỗi trong {CYCLES} lượt: {errors[:5]}"

    check = sqlite3.connect(path)
    try:
        draft, status = check.execute(
            "SELECT draft_values, status FROM reports_obligation WHERE id = ?", [obligation.pk],
        ).fetchone()
    finally:
        check.close()
    assert json.loads(draft)["su_co"] == f"Lần lưu {CYCLES - 1}" and status == "draft"
