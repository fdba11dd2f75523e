"""What the registry tells the apps above it, which it does not import (design.md:
reports, conferences and inspections import centers, never the reverse)."""

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.dispatch import Signal

# Sent inside the writer's transaction with `center_ids`: data of these centers changed.
# The compliance flags (inspections.flags) are refreshed by it before the transaction
# commits. Writers send it where model signals do not see the write (bulk_create,
# queryset.update, raw SQL); inspections sends it for the model signals it listens to.
centers_changed = Signal()

_batch: contextvars.ContextVar[set | None] = contextvars.ContextVar("centers_changed_batch", default=None)


def centers_changed_send(sender, center_ids: Iterable[int | None]) -> None:
    """Send centers_changed now, or once at the end of the enclosing centers_changes_batched()."""
    ids = {pk for pk in center_ids if pk is not None}
    if not ids:
        return
    batch = _batch.get()
    if batch is not None:
        batch.update(ids)
        return
    centers_changed.send(sender=sender, center_ids=sorted(ids))


@contextmanager
def centers_changes_batched() -> Iterator[None]:
    """Collect the centers_changed of a burst of writes (a service saving several rows, the
    demo seed) and send it once when the block ends without error, still inside the
    caller's transaction. Nested blocks join the outer one. After an error nothing is
    sent: the writes roll back with the transaction or savepoint that failed."""
    if _batch.get() is not None:
        yield
        return
    token = _batch.set(set())
    try:
        yield
        ids = _batch.get()
    finally:
        _batch.reset(token)
    if ids:
        centers_changed.send(sender=None, center_ids=sorted(ids))


def fragments_bump(sender=None, **kwargs) -> None:
    """A receiver: the lists' cached bodies (edu_portal.fragments) are out of date."""
    from edu_portal import fragments

    if kwargs.get("raw"):  # loaddata
        return
    fragments.bump(fragments.REGISTRY)


def _bump_unless_login(sender, update_fields=None, **kwargs) -> None:
    # A login writes last_login on every sign-in: nothing a list shows.
    if update_fields is not None and set(update_fields) == {"last_login"}:
        return
    fragments_bump(sender, **kwargs)


def fragments_connect() -> None:
    """The cached fragments of the registry's lists (edu_portal.fragments) follow every
    write to what they show: the centers and everything centers_changed reports (the
    same net that keeps the compliance flags), the administrative units, and the
    directors' accounts and invitations (the account filter, the scope of users).
    Called by CentersConfig.ready()."""
    from django.db.models.signals import post_delete, post_save

    from accounts.models import Invitation, User
    from geo.models import AdministrativeUnit

    centers_changed.connect(fragments_bump, weak=False, dispatch_uid="fragments_centers_changed")
    for model in (AdministrativeUnit, Invitation):
        post_save.connect(fragments_bump, sender=model, weak=False,
                          dispatch_uid=f"fragments_save_{model._meta.label_lower}")
    post_save.connect(_bump_unless_login, sender=User, weak=False, dispatch_uid="fragments_save_user")
    for model in (AdministrativeUnit, Invitation, User):
        post_delete.connect(fragments_bump, sender=model, weak=False,
                            dispatch_uid=f"fragments_delete_{model._meta.label_lower}")
