"""Celery tasks of accounts: thin wrappers that call the services."""

from celery import shared_task


@shared_task(acks_late=True)
def invitations_send_task(invitation_ids: list[int]) -> int:
    """Send the e-mails of a batch of invitations (each at most once: a redelivered task
    finds them claimed)."""
    from .invitations import invitations_deliver

    return invitations_deliver(invitation_ids)


@shared_task
def password_reset_send_task(login: str, domain: str, use_https: bool) -> int:
    """"Quên mật khẩu?": find the accounts `login` names and e-mail each its link, within
    the per-account limit. The request only queued this, whatever the login."""
    from .services import password_reset_deliver

    return password_reset_deliver(login=login, domain=domain, use_https=use_https)


@shared_task
def password_link_send_task(user_id: int, domain: str, use_https: bool, sent_by_id: int | None = None) -> bool:
    """A reset link that staff send from the account list."""
    from .models import User
    from .services import password_link_send

    user = User.objects.filter(pk=user_id).first()
    sent_by = User.objects.filter(pk=sent_by_id).first() if sent_by_id else None
    if user is None:
        return False
    return password_link_send(user=user, domain=domain, use_https=use_https, sent_by=sent_by)


@shared_task
def accounts_expire_task() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): deactivate the accounts whose access ended."""
    from .lifecycle import accounts_expire

    return accounts_expire()
