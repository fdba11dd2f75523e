"""Logging in by username or by e-mail address.

People invited by e-mail never need to remember the username the portal made for them
(accounts.invitations): the address the invitation went to logs them in too. An address
shared by several active accounts (a center's address used by two people) logs nobody in:
the login form asks for the username instead (accounts.forms.LoginForm).

django-axes stays first in AUTHENTICATION_BACKENDS and locks the pair (account, client
address): `axes_username` turns an address that names one account into that account's
username, so failures typed as the username and as the address count together, and a
lock-out applies whichever of the two is typed next.
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth.backends import ModelBackend

from .models import User


def _fold(value: str) -> str:
    # As Django compares addresses in password reset: compatibility folding, no case.
    return unicodedata.normalize("NFKC", value).casefold()


def accounts_for_login(login: str | None) -> list[User]:
    """The accounts a login names: the account with that username; otherwise, for an
    address, every active account with that address (several means ambiguous)."""
    login = (login or "").strip()
    if not login or len(login) > 254:
        return []
    user = User._default_manager.filter(username=login).first()
    if user is not None:
        return [user]
    if "@" not in login:
        return []
    folded = _fold(login)
    return [user for user in User._default_manager.filter(email__iexact=login, is_active=True).order_by("pk")
            if _fold(user.email) == folded]


def login_is_ambiguous(login: str | None) -> bool:
    """An address (not a username) shared by several active accounts."""
    return len(accounts_for_login(login)) > 1


def axes_username(request, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the username of the account an address names, else what was
    typed (an unknown name is locked as typed, as before)."""
    login = None
    if credentials:
        login = credentials.get("username")
    elif request is not None:
        login = getattr(request, "data", request.POST).get("username")
    if not login or "@" not in login:
        return login
    accounts = accounts_for_login(login)
    return accounts[0].username if len(accounts) == 1 else login


class EmailOrUsernameBackend(ModelBackend):
    """Django's ModelBackend (same password check, same rules for inactive accounts),
    finding the account by username or by its single active address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        accounts = accounts_for_login(username)
        if len(accounts) != 1:
            # Run the hasher once anyway, as ModelBackend does, so that a missing or
            # ambiguous login takes as long as a wrong password.
            User().set_password(password)
            return None
        user = accounts[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        # Every page's bar names the user's province ("Sở GDĐT Thành phố Hồ Chí Minh"):
        # read with the account, it costs no query of its own on each request.
        try:
            user = User._default_manager.select_related("province").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
