"""Who receives a notice or a reminder about a unit: the people behind a center, a
commune or a division, loaded for many units at once (a fixed number of queries)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from accounts.models import User
from accounts.selectors import users_with_access


@dataclass
class UnitPeople:
    """Active accounts by unit: directors by center id, local officers by commune id,
    Department staff and inspectors by division id."""

    centers: dict[int, list[User]] = field(default_factory=lambda: defaultdict(list))
    communes: dict[int, list[User]] = field(default_factory=lambda: defaultdict(list))
    divisions: dict[int, list[User]] = field(default_factory=lambda: defaultdict(list))


def unit_people(*, center_ids: Iterable[int] = (), commune_ids: Iterable[int] = (),
                division_ids: Iterable[int] = ()) -> UnitPeople:
    """The active accounts of these units, one query per kind of unit asked for."""
    people = UnitPeople()
    active = users_with_access().order_by("pk")
    center_ids, commune_ids, division_ids = set(center_ids), set(commune_ids), set(division_ids)
    if center_ids:
        for user in active.filter(role=User.Role.DIRECTOR, center_id__in=center_ids):
            people.centers[user.center_id].append(user)
    if commune_ids:
        for user in active.filter(role=User.Role.LOCAL_OFFICER, commune_id__in=commune_ids):
            people.communes[user.commune_id].append(user)
    if division_ids:
        # Thanh tra Sở is a division too: its inspectors answer the tasks given to it.
        for user in active.filter(role__in=(User.Role.DEPARTMENT, User.Role.INSPECTOR), division_id__in=division_ids):
            people.divisions[user.division_id].append(user)
    return people


def center_people(center) -> tuple[list[User], list[str]]:
    """A center's active director accounts and its registered address (the registry's
    Center.email), for notice_send's users and addresses."""
    return unit_people(center_ids=[center.pk]).centers[center.pk], [center.email] if center.email else []
