"""Write paths of conferences: recording one (with its search text) and its files."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.permissions import can_manage_registry
from geo.text import fold

from ..models import Conference, ConferenceAttachment
from ..validators import CONFERENCE_FILE_MAX_MB, CONFERENCE_FILE_TYPES, check_file


def can_record_conferences(user) -> bool:
    return can_manage_registry(user)


def _require(user, conference: Conference) -> None:
    if not can_record_conferences(user):
        raise PermissionDenied
    if not user.is_superuser and conference.province_id != user.province_id:
        raise PermissionDenied


def conference_search_text(conference: Conference) -> str:
    """Everything a user may search a conference by, folded (no diacritics, lower case)."""
    questions = [f"{q.question} {q.answer}" for q in conference.questions.all()] if conference.pk else []
    groups = [g.unit for g in conference.participant_groups.all()] if conference.pk else []
    return fold(" ".join([
        conference.title, conference.place, conference.host_unit, conference.chair_name, conference.chair_position,
        conference.assessment, conference.topics, conference.difficulties, conference.conclusions,
        *questions, *groups,
    ]))


def conference_refresh_search(conference: Conference) -> None:
    Conference.objects.filter(pk=conference.pk).update(search_text=conference_search_text(conference))


@transaction.atomic
def conference_save(*, conference: Conference, user) -> Conference:
    if conference.pk is None and not conference.province_id:
        conference.province_id = user.province_id
    _require(user, conference)
    if conference.pk is None:
        conference.created_by = user
    conference.full_clean(exclude=["province", "created_by"])
    conference.save()
    conference_refresh_search(conference)
    return conference


@transaction.atomic
def conference_attachment_add(*, conference: Conference, user, upload, kind: str, caption: str = "") -> ConferenceAttachment:
    _require(user, conference)
    info = check_file(upload, name=upload.name, size=upload.size, allowed=CONFERENCE_FILE_TYPES,
                      max_mb=CONFERENCE_FILE_MAX_MB)
    attachment = ConferenceAttachment(
        conference=conference, kind=kind, original_name=info.name, file_type=info.file_type, size=info.size,
        sha256=info.sha256, caption=caption, uploaded_by=user,
    )
    attachment.file.save(info.name, upload, save=False)
    attachment.full_clean(exclude=["file", "uploaded_by"])
    attachment.save()
    return attachment
