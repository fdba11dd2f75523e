"""Who may do what: every action of the portal, declared once.

Read the table ACTIONS against the design (shared/design.md, "Who uses it"): each action
names the roles that may take it, whether the account must belong to a province, and, for
the few rules that depend on the object, one predicate. What a user may *see* is not here:
it is centers.selectors.scope_q and the per-app selectors (`*_visible_to`), and an object
outside the scope is a 404.

The order of the checks is the same on every page (ActionRequiredMixin / action_required,
after NetBox's ObjectPermissionRequiredMixin):

1. anonymous: the login page (a public action lets anyone in);
2. the role may never take the action: 403, before any object is looked up, so the answer
   is the same for every id and tells nothing about what exists;
3. the object is looked up in the user's scope: 404 outside it (the views, the selectors);
4. the rule's object predicate (a director edits only their own center while it runs...):
   403, `require(user, action, obj)` in the view or the service.

Templates and the menu ask the same table: `{% if nav.registry_manage %}` (the context
processor `nav` below) and `may(user, action, obj)` in views' context.

pretix keeps its permission names in one module too; unlike pretix (per-team flags stored
in the database) the roles here are fixed by the design, so the table is code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from .models import User

DEPARTMENT = User.Role.DEPARTMENT
INSPECTOR = User.Role.INSPECTOR
DIRECTOR = User.Role.DIRECTOR
LOCAL_OFFICER = User.Role.LOCAL_OFFICER
EVERY_ROLE = frozenset(User.Role.values)
PROVINCE_STAFF = frozenset({DEPARTMENT, INSPECTOR})


@dataclass(frozen=True)
class Rule:
    """roles: who may take the action (superusers too when `superuser`); province: the
    account must be attached to a province (the Department's staff of no province cannot
    create anything for one); staff: the Django is_staff flag is needed as well (the admin);
    public: anyone, even anonymous; check: the object-level rule (user, obj) -> bool, asked
    only when the view or service passes the object."""

    doc: str
    roles: frozenset = frozenset()
    superuser: bool = True
    province: bool = False
    staff: bool = False
    public: bool = False
    signed_in: bool = False  # any signed-in account, whatever its role (the scope does the rest)
    check: Callable[[Any, Any], bool] | None = field(default=None, compare=False)


# Object-level predicates (the object is already in the user's scope when they run).

def _edits_center_records(user, center) -> bool:
    if user.is_superuser or user.role == DEPARTMENT:
        return True
    if user.role == DIRECTOR:
        # A stopped or dissolved center's director reads its file for 90 days (accounts.lifecycle).
        return user.center_id == center.pk and center.status not in ("stopped", "dissolved")
    if user.role == LOCAL_OFFICER:
        # Community learning centers are managed by the commune since 2025.
        return center.kind == "community" and center.commune_id == user.commune_id
    return False


def _own_obligation(user, obligation) -> bool:
    return user.center_id is not None and user.center_id == obligation.center_id


def _assignee(user, assignment) -> bool:
    from conferences.choices import AssigneeKind

    if not assignment.task.directive.is_issued:
        return False
    if assignment.kind == AssigneeKind.CENTER:
        return user.role == DIRECTOR and user.center_id == assignment.center_id
    if assignment.kind == AssigneeKind.COMMUNE:
        return user.role == LOCAL_OFFICER and user.commune_id == assignment.commune_id
    # Thanh tra Sở is a division too: its inspectors answer the tasks given to it.
    return user.role in PROVINCE_STAFF and user.division_id == assignment.division_id


def _issuer(user, assignment) -> bool:
    directive = assignment.task.directive
    return directive.is_issued and (user.is_superuser or user.province_id == directive.province_id)


ACTIONS: dict[str, Rule] = {
    # Anyone, or anyone signed in
    "public": Rule("Login, password reset, invitations, health, language: no account needed.", public=True),
    "portal.use": Rule("Home, own account, notices, own PDF jobs: every signed-in user.", signed_in=True),
    # The registry (centers)
    "registry.view": Rule("Read the registry and export it (the scope decides which centers).", signed_in=True),
    "registry.manage": Rule("Keep the registry: create centers, licences, directors, status, imports.",
                            roles=frozenset({DEPARTMENT})),
    "registry.create": Rule("Add a center or import a file: for one province, so the account needs one.",
                            roles=frozenset({DEPARTMENT}), province=True),
    "registry.edit_records": Rule(
        "Contacts and staff records: staff; the center's own director while it runs; the local officer "
        "for the community learning centers of their commune.",
        roles=frozenset({DEPARTMENT, DIRECTOR, LOCAL_OFFICER}), check=_edits_center_records),
    "registry.commune_decisions": Rule("Print every decision of a commune's centers in one file.",
                                       roles=frozenset({DEPARTMENT, LOCAL_OFFICER})),
    # Accounts
    "accounts.manage": Rule("Invite, deactivate, reactivate, reset and unlock the province's accounts.",
                            roles=frozenset({DEPARTMENT}), province=True),
    "admin.use": Rule("The web admin: active department staff with a province and the is_staff flag.",
                      roles=frozenset({DEPARTMENT}), province=True, staff=True),
    # Reports
    "reports.obligations": Rule("The reports centers owe (a director: their own; others: their scope).",
                                signed_in=True),
    "reports.submit": Rule("Write, attach and submit a report, ask for more time: the center's own director.",
                           roles=frozenset({DIRECTOR}), superuser=False, check=_own_obligation),
    "reports.review_read": Rule("Read the review pages: the Department's staff and inspectors.",
                                roles=PROVINCE_STAFF),
    "reports.review": Rule("Accept or return reports, decide extensions: the Department's staff.",
                           roles=frozenset({DEPARTMENT})),
    "reports.dashboard": Rule("Completeness and timeliness, and their exports: not directors.",
                              roles=frozenset({DEPARTMENT, INSPECTOR, LOCAL_OFFICER})),
    # Conferences, directives, tasks
    "conferences.view": Rule("Read conferences: the province's staff and inspectors.", roles=PROVINCE_STAFF,
                             province=True),
    "conferences.record": Rule("Record conferences and their files.", roles=frozenset({DEPARTMENT})),
    "directives.view": Rule("Read directives (the scope gives each role the ones addressed to it).",
                            signed_in=True),
    "directives.all_tasks": Rule("See every task of a directive, not only one's own.", roles=PROVINCE_STAFF),
    "directives.edit": Rule("Draft, issue, correct directives and their tasks.", roles=frozenset({DEPARTMENT})),
    "directives.create": Rule("Start a directive (for the account's province).", roles=frozenset({DEPARTMENT}),
                              province=True),
    "registers.view": Rule("Read the registers of document numbers.", roles=PROVINCE_STAFF, province=True),
    "registers.manage": Rule("Change a register (start number, gap, cancellation).", roles=frozenset({DEPARTMENT}),
                             province=True),
    "assignments.view": Rule("The tasks given to one's unit.", signed_in=True),
    "assignments.division": Rule("A division's task page: the province's staff and inspectors.",
                                 roles=PROVINCE_STAFF),
    "assignments.report": Rule("Report progress on a task: the assignee.", signed_in=True, check=_assignee),
    "assignments.review": Rule("Accept or reopen an assignment: the issuing Department's staff.",
                               roles=frozenset({DEPARTMENT}), check=_issuer),
    # Compliance and inspections
    "compliance.view": Rule("The compliance search and inspection records: not directors.",
                            roles=frozenset({DEPARTMENT, INSPECTOR, LOCAL_OFFICER})),
    "compliance.weights": Rule("Set the province's risk weights.", roles=frozenset({DEPARTMENT}), province=True),
    "inspections.view": Rule("An inspection record and its PDF: whoever has its center in scope (a director: "
                             "their own center's).", signed_in=True),
    "inspections.record": Rule("Record inspections, violations, follow-ups and complaints.",
                               roles=PROVINCE_STAFF, province=True),
}


def rule(action: str) -> Rule:
    try:
        return ACTIONS[action]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown action {action!r}: declare it in accounts.permissions.ACTIONS") from None


def may(user, action: str, obj=None) -> bool:
    """May `user` take `action` (on `obj`, when the rule has an object predicate)?"""
    declared = rule(action)
    if declared.public:
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if declared.signed_in and declared.check is None:
        return True
    if declared.staff and not (user.is_superuser or user.is_staff):
        return False
    if user.is_superuser:
        allowed = declared.superuser
    else:
        allowed = ((declared.signed_in or user.role in declared.roles)
                   and (not declared.province or bool(user.province_id)))
    if allowed and obj is not None and declared.check is not None:
        allowed = declared.check(user, obj)
    return bool(allowed)


def require(user, action: str, obj=None) -> None:
    """PermissionDenied (403) unless `may(user, action, obj)`."""
    if not may(user, action, obj):
        raise PermissionDenied


def _deny(request, action: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


class ActionRequiredMixin:
    """A class-based view states `action = "..."`: anonymous visitors go to the login page,
    a role that may never take the action gets 403; scope (404) and the object rule
    (`require(user, action, obj)`) follow in the view."""

    action: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not self.action:
            raise ImproperlyConfigured(f"{type(self).__name__} declares no action")
        if not may(request.user, self.action):
            return _deny(request, self.action)
        refused = self.load_objects(request, *args, **kwargs)
        if refused is not None:
            return refused
        return super().dispatch(request, *args, **kwargs)

    def load_objects(self, request, *args, **kwargs):
        """Look the URL's objects up in the user's scope (404 outside it), after the role
        check and before the view: views with an object override this. A response returned
        here is answered instead of the view (a directive no longer a draft...)."""


def action_required(action: str, *, anonymous: Callable | None = None):
    """The same for a function view: @action_required("reports.dashboard"). `anonymous`:
    what to answer a signed-out visitor instead of the login page (an htmx autosave)."""
    rule(action)  # an unknown name fails at import, not at the first request

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if anonymous is not None and not request.user.is_authenticated:
                return anonymous(request)
            if not may(request.user, action):
                return _deny(request, action)
            return view(request, *args, **kwargs)

        wrapped.action = action
        return wrapped

    return decorator


# Django's own views in our URLconf, which cannot carry an `action` attribute.
DJANGO_VIEWS = {
    "django.contrib.auth.views.LogoutView": "public",  # POST only; signing out needs no right
    "django.views.i18n.set_language": "public",
    "django.views.generic.base.RedirectView": "public",  # /favicon.ico
}


def declared_action(callback) -> str | None:
    """The action a URL's view declares (None: none); the generated URL test asks it."""
    if getattr(callback, "action", None):
        return callback.action
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        if getattr(view_class, "action", None):
            return view_class.action
        return DJANGO_VIEWS.get(f"{view_class.__module__}.{view_class.__qualname__}")
    return DJANGO_VIEWS.get(f"{callback.__module__}.{callback.__qualname__}")


# The navigation menu (templates/base.html): one boolean per entry, from the table above.
NAV = {
    "registry": "registry.view",
    "reports_overview": "reports.dashboard",
    "reports_review": "reports.review_read",
    "reports_dashboard": "reports.dashboard",
    "conferences": "conferences.view",
    "compliance": "compliance.view",
    "admin": "admin.use",
    "accounts": "accounts.manage",
}


def navigation(user) -> dict[str, bool]:
    return {entry: may(user, action) for entry, action in NAV.items()}


def nav(request) -> dict:
    """Context processor: {% if nav.admin %}... (no query: the role is on the user)."""
    return {"nav": navigation(getattr(request, "user", None))}


# The former helpers, kept as names of the table's rules (callers in services and templates).

def can_manage_registry(user) -> bool:
    return may(user, "registry.manage")


def can_edit_center_records(user, center) -> bool:
    return may(user, "registry.edit_records", center)


def can_review_reports(user) -> bool:
    return may(user, "reports.review")


def can_read_reviews(user) -> bool:
    return may(user, "reports.review_read")


def can_view_report_dashboard(user) -> bool:
    return may(user, "reports.dashboard")


def can_print_commune_decisions(user) -> bool:
    return may(user, "registry.commune_decisions")


def can_manage_accounts(user) -> bool:
    return may(user, "accounts.manage")


can_unlock_accounts = can_manage_accounts
