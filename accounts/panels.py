"""What accounts shows on a center's page (settings.CENTER_PAGE_PANELS): the center's
accounts with their state, invitation and access end date, the latest rows of each
account's history, and the invitation offered to a new director. Department staff (and
superusers) only; the registry knows nothing of it."""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .invitations import CLOSED_STATUSES, addresses
from .permissions import may
from .selectors import account_history, account_state, center_accounts


def center_accounts_panel(request, center) -> SafeString | str:
    """Three queries: the accounts (with their invitation state), their invitations and
    their history."""
    user = request.user
    if not may(user, "accounts.manage"):
        return ""
    accounts = center_accounts(user, center)
    for account in accounts:
        account.state_label, account.state_badge = account_state(account)
    history = account_history(accounts)
    for account in accounts:
        account.history_rows = history.get(account.pk, [])
    current = getattr(center, "current_directors", None)
    if current is None:
        current = list(center.directors.filter(ended_on__isnull=True))
    director = current[0] if current else None
    director_account = next((a for a in accounts if director and a.director_id == director.pk and a.is_active), None)
    closed = center.status in CLOSED_STATUSES
    return render_to_string("accounts/center_accounts_panel.html", {
        "center": center,
        "accounts": accounts,
        "director": director,
        "director_account": director_account,
        "closed": closed,
        "can_invite": bool(director and not closed and (director_account is None
                                                         or not director_account.has_usable_password())),
        "invite_to": addresses(director.email, center.email) if director else [],
    }, request=request)
