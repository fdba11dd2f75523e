"""Two reviewers acting on the same report at the same moment, on PostgreSQL's real row
locks: one decision wins, the other is told to reload, and nothing is overwritten."""

import datetime
import threading
import time

import pytest
from django.db import close_old_connections, connection

from accounts.models import User
from reports.choices import ObligationStatus
from reports.models import Obligation, Review
from reports.services import ReviewConflict, reviews, submission_accept, submission_return
from tests.factories import make_user
from tests.reports.helpers_review import make_obligation, make_period, make_report_type, submit_version, values

CONFLICT = "Báo cáo này vừa được người khác xử lý, vui lòng tải lại trang"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_one_wins_the_other_is_told(province, center, director, monkeypatch):
    period = make_period(make_report_type(province), due_date=datetime.date(2026, 6, 19))
    obligation = make_obligation(period, center)
    version = submit_version(obligation, values(), by=director)
    seen = Obligation.objects.get(pk=obligation.pk).revision
    first = make_user(User.Role.DEPARTMENT, province=province, username="sogd_a")
    second = make_user(User.Role.DEPARTMENT, province=province, username="sogd_b")

    # Hold the lock a little while the decision is written, so the other reviewer's
    # SELECT ... FOR UPDATE really waits on it instead of simply coming second.
    original_decide = reviews._decide

    def slow_decide(**kwargs):
        time.sleep(0.3)
        return original_decide(**kwargs)

    monkeypatch.setattr(reviews, "_decide", slow_decide)

    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def act(name, decide):
        try:
            # Each thread has its own connection; both start from the same page state.
            own = Obligation.objects.get(pk=obligation.pk)
            barrier.wait(timeout=10)
            decide(own)
            outcomes[name] = "won"
        except ReviewConflict as error:
            outcomes[name] = error.message
        except Exception as error:  # reported by the assertion below, not lost in the thread
            outcomes[name] = repr(error)
        finally:
            connection.close()

    def accept(own):
        submission_accept(obligation=own, version=version, reviewer=first, expected_revision=seen)

    def send_back(own):
        submission_return(obligation=own, version=version, reviewer=second, reason="Thiếu số liệu doanh thu",
                          field_comments={"doanh_thu": "Ghi rõ doanh thu."}, expected_revision=seen)

    threads = [threading.Thread(target=act, args=("accept", accept)),
               threading.Thread(target=act, args=("return", send_back))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    close_old_connections()

    assert sorted(outcomes.values()) == sorted(["won", CONFLICT]), outcomes
    assert Review.objects.count() == 1
    review = Review.objects.get()
    winner = "accept" if review.decision == Review.Decision.ACCEPTED else "return"
    assert outcomes[winner] == "won"
    obligation.refresh_from_db()
    expected_status = ObligationStatus.ACCEPTED if winner == "accept" else ObligationStatus.RETURNED
    assert obligation.status == expected_status
    assert obligation.revision == seen + 1
