"""What the demo shows of account security: a lock-out that department staff can lift.

The demo director's username is locked from an address of the documentation range
(203.0.113.0/24, RFC 5737), as if someone elsewhere had guessed at the password: the
director still logs in from their own machine, and `sogd` sees the lock-out at
/accounts/lockouts/ for the hour it lasts (a re-run of seed_demo starts the hour again)."""

from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

GUESSER_ADDRESS = "203.0.113.7"


def lockout_seed(*, username: str = "giamdoc") -> int:
    """One locked pair (username, foreign address); idempotent. Returns 1 when created."""
    _attempt, created = AccessAttempt.objects.update_or_create(
        username=username, ip_address=GUESSER_ADDRESS, user_agent="Mozilla/5.0 (demo)",
        defaults={
            "attempt_time": timezone.now(), "failures_since_start": settings.AXES_FAILURE_LIMIT,
            "path_info": "/accounts/login/", "http_accept": "text/html", "get_data": "", "post_data": "",
        },
    )
    return int(created)


# Accounts that follow the registry (issue 10): what the center pages and the account list
# show after `make run`.
DEMO_FORMER_DIRECTOR_SUCCESSOR = "Hoàng Minh Thành"


def invitations_seed(*, province, today=None) -> dict:
    """A few directors invited and still to answer, one who accepted (password demo@2026),
    and one whose term ended when a new director was recognised (their account kept its
    access to the day before the new one started, and sees nothing since; the new director
    is offered an invitation on the center's page). Language centers of the province other
    than giamdoc's, by code; idempotent: a center that has an invitation is left alone.
    The invitations are written as sent (no worker runs during the seed: nothing is mailed)."""
    import datetime

    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from centers.choices import CenterKind, CenterStatus
    from centers.demo import DEMO_PASSWORD
    from centers.models import Center
    from centers.services import director_appoint

    from .invitations import invitations_for_centers
    from .models import Invitation, User

    today = today or timezone.localdate()
    now = timezone.now()
    staff = User.objects.filter(username="sogd").first()
    if staff is None:
        return {"invited": 0, "accepted": 0, "ended": 0}
    if Invitation.objects.filter(user__center__province=province).exists():
        return {"invited": 0, "accepted": 0, "ended": 0}  # seeded before
    invited_already = Invitation.objects.filter(user__center=OuterRef("pk"))
    # The demos of reports and directives made accounts without a password for many
    # centers (someone had to submit): those are invited (and reused), not giamdoc's.
    with_password = User.objects.filter(center=OuterRef("pk")).exclude(password__startswith="!")
    centers = list(
        Center.objects.filter(province=province, kind=CenterKind.LANGUAGE, status=CenterStatus.OPERATING,
                              directors__ended_on__isnull=True)
        .exclude(Exists(invited_already)).exclude(Exists(with_password)).exclude(email="")
        .order_by("code")[:5]
    )
    done = {"invited": 0, "accepted": 0, "ended": 0}
    if len(centers) < 5:
        return done
    result = invitations_for_centers(centers=Center.objects.filter(pk__in=[c.pk for c in centers]), by=staff,
                                     now=now - datetime.timedelta(days=2), queue=False)
    Invitation.objects.filter(pk__in=[i.pk for i in result.invitations]).update(
        delivery=Invitation.Delivery.SENT, sent_at=now - datetime.timedelta(days=2))
    by_center = {i.user.center_id: i for i in result.invitations}
    done["invited"] = len(by_center)
    # Two of them answered: they chose their password (the demo one).
    for center in centers[3:]:
        invitation = by_center.get(center.pk)
        if invitation is None:
            continue
        account = invitation.user
        account.set_password(DEMO_PASSWORD)
        account._change_reason = "Nhận lời mời, tự đặt mật khẩu"
        account.save()
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=now - datetime.timedelta(days=1))
        done["accepted"] += 1
    # ... and the last one's term has ended since: a new director was recognised.
    ended = centers[4]
    director_appoint(
        center=ended, full_name=DEMO_FORMER_DIRECTOR_SUCCESSOR, started_on=today - datetime.timedelta(days=3),
        email=f"thanh.hoang.{ended.code.lower()}@example.org", recognition_number="35/QĐ-SGDĐT",
        recognition_date=today - datetime.timedelta(days=10), recognition_issuer="Sở GDĐT Bắc Ninh", by=staff,
    )
    done["ended"] = 1
    done["accepted"] -= 1
    return done


def invitations_summary(province) -> list[str]:
    """The lines seed_demo prints about invitations and director accounts."""
    from django.utils.translation import gettext as _

    from .models import Invitation, User

    accounts = User.objects.filter(role=User.Role.DIRECTOR, center__province=province, invitations__isnull=False)
    lines = [_("Lời mời tạo tài khoản (trang trung tâm, /accounts/manage/):")]
    for account in accounts.distinct().select_related("center").order_by("username"):
        invitation = Invitation.objects.filter(user=account).first()
        if account.access_ends_on:
            state = _("giám đốc cũ, hết quyền sau ngày %(day)s") % {"day": account.access_ends_on.strftime("%d/%m/%Y")}
        elif invitation and invitation.accepted_at:
            state = _("đã nhận lời mời, mật khẩu demo@2026")
        else:
            state = _("đã mời, chờ nhận")
        lines.append(f"  - {account.username} ({account.center.code}): {state}")
    return lines
