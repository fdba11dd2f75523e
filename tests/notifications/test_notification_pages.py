import pytest
from django.urls import reverse

from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(director, other_director):
    mine = Notification.objects.create(recipient=director, key="k1", subject="Sắp đến hạn nộp báo cáo",
                                       link="/reports/")
    Notification.objects.create(recipient=director, key="k2", subject="Báo cáo bị trả lại")
    theirs = Notification.objects.create(recipient=other_director, key="k1", subject="Của trung tâm khác")
    return mine, theirs


def test_the_bell_shows_the_unread_count(client, director, notices):
    client.force_login(director)
    body = client.get(reverse("notifications:notification_list")).content.decode()
    assert "Sắp đến hạn nộp báo cáo" in body and "Của trung tâm khác" not in body
    assert 'text-bg-danger">2<span class="visually-hidden"> chưa đọc</span></span>' in body


def test_opening_a_notice_marks_it_read_and_follows_its_link(client, director, notices):
    mine, _ = notices
    client.force_login(director)
    response = client.post(reverse("notifications:notification_open", args=[mine.pk]))
    assert response.status_code == 302 and response.url == "/reports/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_another_users_notice_is_a_404_and_stays_unread(client, director, notices):
    _, theirs = notices
    client.force_login(director)
    assert client.post(reverse("notifications:notification_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_my_notices(client, director, notices):
    client.force_login(director)
    client.post(reverse("notifications:notification_read_all"))
    assert not Notification.objects.filter(recipient=director, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient__username="giamdoc2", read_at__isnull=True).count() == 1


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("notifications:notification_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_open_requires_post(client, director, notices):
    client.force_login(director)
    assert client.get(reverse("notifications:notification_open", args=[notices[0].pk])).status_code == 405
