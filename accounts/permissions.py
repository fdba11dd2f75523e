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
        # A stopped or dissolved center's director reads its file for 90 days (accounts.lifecycle).
        return user.center_id == center.pk and center.status not in ("stopped", "dissolved")
    if user.role == User.Role.LOCAL_OFFICER:
        return center.kind == "community" and center.commune_id == user.commune_id
    return False


def can_review_reports(user) -> bool:
    """Department staff accept or return submitted reports and decide extensions."""
    return can_manage_registry(user)


def can_read_reviews(user) -> bool:
    """Review pages are the Department's: staff act there, inspectors only read."""
    return bool(user.is_authenticated and (can_review_reports(user) or user.role == User.Role.INSPECTOR))


def can_view_report_dashboard(user) -> bool:
    """Completeness and timeliness: the Department, its inspectors and local officers
    (for their commune); a director sees only their own obligations, not the others'."""
    return bool(user.is_authenticated and (
        user.is_superuser or user.role in (User.Role.DEPARTMENT, User.Role.INSPECTOR, User.Role.LOCAL_OFFICER)
    ))


def can_print_commune_decisions(user) -> bool:
    """One file with every decision of a commune's centers: department staff, and the
    local officer (for their own commune; the scope is centers.selectors)."""
    return bool(user.is_authenticated and (can_manage_registry(user) or user.role == User.Role.LOCAL_OFFICER))


def can_unlock_accounts(user) -> bool:
    """Lift login lock-outs: superusers, and department staff for their province's accounts
    (which ones is accounts.security.accounts_visible_to)."""
    return bool(user.is_authenticated and (
        user.is_superuser or (user.role == User.Role.DEPARTMENT and user.province_id)
    ))


def can_manage_accounts(user) -> bool:
    """Invite, deactivate, reactivate and send reset links: superusers, and department
    staff for their province's accounts (which ones is accounts.security.accounts_visible_to)."""
    return can_unlock_accounts(user)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
