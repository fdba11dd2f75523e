"""A notice delivered by a real Celery worker on Redis to a real SMTP server on loopback
(CI's second pass). transaction=True: the worker reads committed rows from another process."""

import datetime
import email
import email.policy

import pytest
from django.conf import settings

from accounts.models import User
from notifications.models import Dispatch, Notification
from notifications.services import notices_deliver, notices_requeue
from notifications.tasks import notices_send_task
from reports.services import submission_return
from tests.factories import CenterFactory, make_user
from tests.reports.helpers_review import make_obligation, make_period, make_report_type, submit_version, values
from tests.services import wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _delivered():
    return not Dispatch.objects.filter(status__in=(Dispatch.Status.CLAIMED, Dispatch.Status.SENDING)).exists()


def test_a_returned_report_reaches_the_bell_and_one_mail_to_account_and_center_once(
    celery_worker_process, smtp_server, province, commune,
):
    smtp_server.messages.clear()
    smtp_server.delay = 0
    center = CenterFactory(commune=commune, code="NW001", email="lienhe.nw001@example.com")
    director = make_user(User.Role.DIRECTOR, center=center, username="gd_nw", email="gd.nw@bacninh.example.org")
    reviewer = make_user(User.Role.DEPARTMENT, province=province, username="sogd_nw")
    obligation = make_obligation(make_period(make_report_type(province), due_date=datetime.date(2026, 6, 19)), center)
    version = submit_version(obligation, values(), by=director)
    obligation.refresh_from_db()

    submission_return(obligation=obligation, version=version, reviewer=reviewer, expected_revision=obligation.revision,
                      reason="Thiếu số liệu giáo viên nước ngoài.", field_comments={})

    # The bell has it at once (written with the decision); the worker sends the e-mail.
    notice = Notification.objects.get(recipient=director)
    assert notice.subject.startswith("[Trả lại báo cáo]") and notice.link == f"/reports/{obligation.pk}/"
    assert wait_until(lambda: len(smtp_server.messages) == 1 and _delivered(), timeout=60)
    envelope = smtp_server.messages[0]
    assert sorted(envelope.rcpt_tos) == ["gd.nw@bacninh.example.org", "lienhe.nw001@example.com"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    body = message.get_content()
    assert str(message["Subject"]) == notice.subject
    assert "Lý do: Thiếu số liệu giáo viên nước ngoài." in body
    assert f"{settings.PORTAL_URL.rstrip('/')}/reports/{obligation.pk}/" in body
    assert Dispatch.objects.get(key=notice.key).status == Dispatch.Status.SENT

    # Delivering again, by the worker or here, and the requeue sweep: nothing more.
    dispatch_ids = list(Dispatch.objects.values_list("pk", flat=True))
    notices_send_task.delay(dispatch_ids)
    assert notices_deliver(dispatch_ids) == 0
    assert notices_requeue(now=notice.created_at + datetime.timedelta(days=1)) == 0
    assert not wait_until(lambda: len(smtp_server.messages) > 1, timeout=3)
    assert Notification.objects.count() == 1
