"""Write paths of the registry, with their rules."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from geo.text import fold

from .choices import ENDING_KINDS, GRANTING_KINDS, STATUS_OF_DOCUMENT
from .models import Center, Director, LicenceDocument, StatusChange


def _search_text(center: Center) -> str:
    words = [
        center.code, center.name, center.street, center.address_as_printed,
        center.commune.name if center.commune_id else "", center.investor_name,
    ]
    words += [d.full_name for d in center.directors.all()]
    words += [d.number for d in center.documents.all()]
    return fold(" ".join(w for w in words if w))


def _current_licence(documents: Iterable[LicenceDocument]) -> LicenceDocument | None:
    """The latest granting document not ended by a later revocation or dissolution."""
    current = None
    for doc in sorted(documents, key=lambda d: (d.signed_on, d.pk)):
        if doc.kind in GRANTING_KINDS:
            current = doc
        elif doc.kind in ENDING_KINDS:
            current = None
    return current


def centers_refresh(center_ids: Iterable[int]) -> None:
    """Recompute the derived columns (current licence, search text) of these centers."""
    centers = list(
        Center.objects.filter(pk__in=list(center_ids))
        .select_related("commune")
        .prefetch_related("documents", "directors")
    )
    for center in centers:
        licence = _current_licence(center.documents.all())
        center.current_licence_id = licence.pk if licence else None
        center.search_text = _search_text(center)
    Center.objects.bulk_update(centers, ["current_licence", "search_text"], batch_size=500)


def center_refresh(center: Center) -> None:
    centers_refresh([center.pk])
    center.refresh_from_db(fields=["current_licence", "search_text"])


@transaction.atomic
def center_set_status(
    *, center: Center, status: str, effective_on: datetime.date,
    document: LicenceDocument | None = None, reason: str = "", by=None,
) -> StatusChange | None:
    """Change a center's status and record who, when and on which decision. No-op when unchanged."""
    if center.status == status:
        return None
    change = StatusChange.objects.create(
        center=center, old_status=center.status, new_status=status, effective_on=effective_on,
        document=document, reason=reason, recorded_by=by,
    )
    center.status = status
    center.save(update_fields=["status", "updated_at"])
    return change


def licence_document_recorded(*, document: LicenceDocument, by=None) -> None:
    """Apply what a new or edited document means for its center.

    A suspension, resumption, revocation or dissolution changes the status from its
    date on, unless a later status change is already recorded; the licence and the
    search text are recomputed in every case.
    """
    center = document.center
    status = STATUS_OF_DOCUMENT.get(document.kind)
    if status and document.signed_on <= timezone.localdate():
        later = center.status_changes.filter(effective_on__gt=document.signed_on).exists()
        if not later:
            center_set_status(
                center=center, status=status, effective_on=document.signed_on, document=document,
                reason=document.get_kind_display(), by=by,
            )
    center_refresh(center)


@transaction.atomic
def licence_document_create(*, center: Center, by=None, **fields) -> LicenceDocument:
    document = LicenceDocument(center=center, **fields)
    document.full_clean()
    document.save()
    licence_document_recorded(document=document, by=by)
    return document


@transaction.atomic
def director_appoint(*, center: Center, full_name: str, started_on: datetime.date, **fields) -> Director:
    """Make someone the current director; the previous one's tenure ends the day before."""
    previous = center.directors.filter(ended_on__isnull=True).first()
    if previous:
        previous.ended_on = max(started_on - datetime.timedelta(days=1), previous.started_on or started_on)
        previous.save(update_fields=["ended_on", "updated_at"])
    director = Director(center=center, full_name=full_name, started_on=started_on, **fields)
    director.full_clean()
    director.save()
    center_refresh(center)
    return director

