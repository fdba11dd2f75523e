"""What the registry tells the apps above it, which it does not import (design.md:
reports, conferences and inspections import centers, never the reverse)."""

from django.dispatch import Signal

# Sent inside the writer's transaction with `center_ids`: data of these centers changed
# by a path that model signals do not see (bulk_create, queryset.update, raw SQL). The
# compliance flags (inspections.flags) are refreshed by it before the transaction commits.
centers_changed = Signal()


def centers_changed_send(sender, center_ids) -> None:
    ids = sorted({pk for pk in center_ids if pk is not None})
    if ids:
        centers_changed.send(sender=sender, center_ids=ids)
