"""Deployment checks of the accounts settings."""

from django.conf import settings
from django.core.checks import Error


def two_factor_roles_check(app_configs=None, **kwargs) -> list:
    """A misspelt role in DJANGO_TWO_FACTOR_REQUIRED_ROLES would silently leave that role
    without two-factor: refuse to start instead."""
    from .models import User

    known = set(User.Role.values) | {"superuser"}
    unknown = [role for role in settings.TWO_FACTOR_REQUIRED_ROLES if role not in known]
    if not unknown:
        return []
    return [Error(
        f"DJANGO_TWO_FACTOR_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}.",
        hint=f"Use a comma-separated list of: {', '.join(sorted(known))}.",
        id="accounts.E001",
    )]
