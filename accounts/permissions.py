"""What each role may change. What it may *see* is centers.selectors.scope_q."""

from django.core.exceptions import PermissionDenied

from .models import User


def can_manage_registry(user) -> bool:
    """Department staff keep the registry; inspectors and others only read it."""
    return bool(user.is_authenticated and (user.is_superuser or user.role == User.Role.DEPARTMENT))


def can_edit_center_records(user, center) -> bool:
    """Contacts and staff records: staff, the center's own director, and the local officer
    for the community learning centers of their commune (managed by the commune since 2025)."""
    if can_manage_registry(user):
        return True
    if user.role == User.Role.DIRECTOR:
        return user.center_id == center.pk
    if user.role == User.Role.LOCAL_OFFICER:
        return center.kind == "community" and center.commune_id == user.commune_id
    return False


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
