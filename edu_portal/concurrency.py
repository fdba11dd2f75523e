"""Optimistic concurrency for the forms that staff edit at the same time.

Two people open the same record, both change it, both save: without a check the second
save writes back the values the second person loaded, silently reverting the first
person's change. Every editing form here carries, in a hidden field, the version of the
record it was opened on; saving re-reads the row under SELECT ... FOR UPDATE (inside the
request's transaction: ATOMIC_REQUESTS, and the admin's own atomic block) and refuses when
the row changed since, showing per field what you opened, what is saved now (who saved it
and when, from simple-history where the model keeps history) and what you typed.

The version. `updated_at` (TimestampedModel, microseconds on PostgreSQL and SQLite) says
*that* the row was saved since; it alone cannot say *what* changed, it is missing on some
models (accounts.User), and a write that bypasses save() would not move it. So the hidden
field holds a signed token with both: the `updated_at` seen, when there is one, and the
values of the form's own fields as opened. The save is refused when either differs from
the locked row. No model needs a new column (no migration in every app) and a change made
by any path is caught. A token that is missing, forged or for another row counts as stale:
it never means "skip the check".

Use:
- forms: `class CenterForm(EditVersionFormMixin, NfcMixin, forms.ModelForm)`; a crispy
  helper with a Layout must set `render_hidden_fields = True` so the field is rendered;
- portal views: on `form.edit_conflict`, render `form.conflict_form()` (the saved record
  with the user's non-conflicting changes kept and a fresh version) with status 409
  (`EditConflictViewMixin` does it for generic UpdateViews); form templates include
  "includes/edit_conflict.html";
- admin: `EditVersionAdminMixin` among the ModelAdmin's bases, after ScopedAdminMixin (it
  is a ModelAdmin itself); a stale save re-shows the change form with a non-field error, 409.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from dataclasses import dataclass, field

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router, transaction
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy as _

VERSION_FIELD = "edit_version"
SALT = "edu_portal.concurrency"
# Reading the saves made since the form was opened, to say who changed which field.
HISTORY_LIMIT = 100
# Admin error messages quote values; a long text is cut there (the portal shows it whole).
MESSAGE_VALUE_CHARS = 200

_MISSING = object()


class EditVersionField(forms.CharField):
    """The hidden token. Never "changed": it must not appear in the admin's change
    messages nor make a form look edited."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("phiên bản đã mở"))
        super().__init__(required=False, strip=True, **kwargs)

    def has_changed(self, initial, data):
        return False


@dataclass
class ChangedField:
    """One field of the form that someone else changed since it was opened."""

    name: str
    label: str
    opened: str
    saved: str
    yours: str
    saved_by: str = ""
    saved_at: datetime.datetime | None = None
    # The user changed it too, to something else: the reloaded form shows the saved value.
    both_changed: bool = False


@dataclass
class EditConflict:
    """What a refused save tells the user. Nothing was written."""

    changes: list[ChangedField] = field(default_factory=list)
    saved_by: str = ""
    saved_at: datetime.datetime | None = None
    # The form came without a valid version (forged, truncated, another record's).
    unknown_version: bool = False
    deleted: bool = False
    # Labels of the fields whose entry was kept in the reloaded form (nobody else changed them).
    kept: list[str] = field(default_factory=list)

    def messages(self) -> list[str]:
        """The conflict as plain sentences (escaped wherever shown), for the admin's form."""
        if self.deleted:
            return [gettext("Hồ sơ này đã bị xoá sau khi bạn mở; không có gì được lưu.")]
        if self.unknown_version:
            lines = [gettext(
                "Không xác định được bản hồ sơ bạn đã mở (biểu mẫu thiếu hoặc sai thông tin phiên bản); "
                "không có gì được lưu. Hãy tải lại trang để sửa trên bản mới nhất."
            )]
        else:
            lines = [" ".join(part for part in (
                gettext("Người khác đã sửa hồ sơ này sau khi bạn mở; thay đổi của bạn chưa được lưu."),
                self.saved_line(),
                gettext("Hãy tải lại trang để có bản mới nhất rồi nhập lại thay đổi của bạn."),
            ) if part)]
        for change in self.changes:
            lines.append(gettext("%(field)s: lúc bạn mở là «%(opened)s», nay đã lưu là «%(saved)s»%(by)s; "
                                 "bạn nhập «%(yours)s».") % {
                "field": change.label,
                "opened": Truncator(change.opened).chars(MESSAGE_VALUE_CHARS),
                "saved": Truncator(change.saved).chars(MESSAGE_VALUE_CHARS),
                "yours": Truncator(change.yours).chars(MESSAGE_VALUE_CHARS),
                "by": f" ({_who_when(change.saved_by, change.saved_at)})" if change.saved_at else "",
            })
        if not self.changes and not self.unknown_version:
            lines.append(gettext("Các trường của biểu mẫu này không đổi; thay đổi nằm ở phần khác của hồ sơ "
                                 "(ví dụ các mục kèm theo)."))
        return lines

    def saved_line(self) -> str:
        if self.saved_at is None:
            return ""
        return gettext("Lần lưu mới nhất: %(who_when)s.") % {"who_when": _who_when(self.saved_by, self.saved_at)}


def _who_when(who: str, when: datetime.datetime | None) -> str:
    moment = formats.date_format(timezone.localtime(when), "DATETIME_FORMAT") if when else ""
    return f"{who or gettext('không rõ người sửa')}, {moment}".strip(", ")


# Values


def _plain(value, *, sort: bool = False):
    """A JSON value equal for equal field values (the token's snapshot, and comparisons)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return _plain(value.pk)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        items = [_plain(item) for item in value]
        return sorted(items, key=json.dumps) if sort else items
    return str(value)


def _roundtrip(value):
    # Tuples become lists, as they will in the token.
    return json.loads(json.dumps(value))


def _model_value(model_field, instance):
    return _roundtrip(_plain(model_field.value_from_object(instance), sort=model_field.many_to_many))


def _display(form_field, model_field, value) -> str:
    """A saved or typed value as the user reads it (choice labels, names, dd/mm/yyyy)."""
    if value is None or value == "" or value == []:
        return gettext("(để trống)")
    if model_field.is_relation:
        related = model_field.related_model
        target = model_field.target_field.attname if model_field.many_to_one or model_field.one_to_one else "pk"
        keys = value if isinstance(value, list) else [value]
        try:
            found = {_plain(getattr(obj, target)): str(obj)
                     for obj in related._base_manager.filter(**{f"{target}__in": keys})}
        except (ValueError, TypeError, ValidationError):
            found = {}
        return ", ".join(found.get(key, f"#{key}") for key in keys)
    labels = dict(model_field.flatchoices) if model_field.choices else {}
    if not labels and isinstance(form_field, forms.ChoiceField) and not isinstance(form_field, forms.ModelChoiceField):
        for key, label in form_field.choices:
            if isinstance(label, list | tuple):
                labels.update(label)
            else:
                labels[key] = label
    if labels:
        items = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(item, item)) for item in items)
    if isinstance(value, bool):
        return gettext("Có") if value else gettext("Không")
    if isinstance(model_field, models.DateTimeField) and isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return formats.date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment,
                                   "DATETIME_FORMAT")
    if isinstance(model_field, models.DateField) and isinstance(value, str):
        try:
            return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


# The token


def _updated_at(instance):
    value = getattr(instance, "updated_at", None)
    return _plain(value) if isinstance(value, datetime.datetime) else None


def _salt(model) -> str:
    return f"{SALT}:{model._meta.label_lower}"


def _read_token(token: str, instance) -> dict | None:
    """The version the user opened, or None when the token is missing or not ours."""
    if not token:
        return None
    try:
        payload = signing.loads(token, salt=_salt(type(instance)))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or payload.get("pk") != _plain(instance.pk):
        return None
    if not isinstance(payload.get("values"), dict) or not isinstance(payload.get("seen"), str):
        return None
    try:
        payload["seen"] = datetime.datetime.fromisoformat(payload["seen"])
    except ValueError:
        return None
    return payload


# Forms


class EditVersionFormMixin(forms.Form):
    """A ModelForm mixin (first among the bases): the edited record's version travels with
    the form and a save over a newer version is refused with `edit_conflict` set.

    Only editing is checked; a form that creates a record ignores the field."""

    edit_version = EditVersionField()

    def __new__(cls, *args, **kwargs):
        form = super().__new__(cls)
        # The keywords the view passed (province=, user=, directive=...): conflict_form()
        # builds the same form again, and a subclass's __init__ pops its own before ours runs.
        form._constructor_kwargs = dict(kwargs)
        return form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.edit_conflict: EditConflict | None = None
        self._conflict_initial: dict = {}
        self._version_token: str | None = None

    def get_initial_for_field(self, field, field_name):
        if field_name != VERSION_FIELD:
            return super().get_initial_for_field(field, field_name)
        if self.is_bound or not self._is_editing():
            return ""
        # Taken when the page is rendered, after the subclass's __init__ has set up (or
        # disabled) its fields: the token covers exactly the fields the check compares.
        if self._version_token is None:
            self._version_token = self.edit_version_token()
        return self._version_token

    def _is_editing(self) -> bool:
        instance = getattr(self, "instance", None)
        return instance is not None and instance.pk is not None and not instance._state.adding

    def _tracked(self) -> list[tuple[str, forms.Field, models.Field]]:
        """The form's fields that write a model field (disabled ones are not sent)."""
        opts = self.instance._meta
        tracked = []
        for name, form_field in self.fields.items():
            if name == VERSION_FIELD or form_field.disabled:
                continue
            try:
                model_field = opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if model_field.editable and (model_field.concrete or model_field.many_to_many):
                tracked.append((name, form_field, model_field))
        return tracked

    def _values(self) -> dict:
        return {name: _model_value(model_field, self.instance) for name, _f, model_field in self._tracked()}

    def edit_version_token(self) -> str:
        """The version of the record as this form shows it now."""
        payload = {
            "pk": _plain(self.instance.pk),
            "at": _updated_at(self.instance),
            "seen": timezone.now().isoformat(),
            "values": self._values(),
        }
        return signing.dumps(payload, salt=_salt(type(self.instance)), compress=True)

    def clean(self):
        # Before the subclass's own checks: a stale form is refused even when they fail,
        # and they see the locked, current row.
        if self._is_editing():
            self._check_edit_version()
        return super().clean()

    def _check_edit_version(self) -> None:
        instance = self.instance
        model = type(instance)
        using = instance._state.db or router.db_for_write(model, instance=instance)
        if not transaction.get_connection(using).in_atomic_block:
            # Outside a transaction the lock would end with the SELECT: the check would race.
            raise transaction.TransactionManagementError("The edit version is checked inside a transaction.")
        opened = _read_token(self.cleaned_data.get(VERSION_FIELD, ""), instance)
        try:
            # The row as saved now, locked until the request's transaction ends; the
            # form's data is applied onto it next (ModelForm._post_clean), so the fields
            # outside the form are the current ones too.
            instance.refresh_from_db(using=using, from_queryset=model._base_manager.select_for_update())
        except model.DoesNotExist:
            self._refuse(EditConflict(deleted=True))
            return
        tracked = self._tracked()
        saved = {name: _model_value(model_field, instance) for name, _f, model_field in tracked}
        if opened is not None and opened.get("at") == _updated_at(instance) and all(
            opened["values"].get(name, _MISSING) == value for name, value in saved.items()
        ):
            return
        self._refuse(self._describe(opened, tracked, saved))

    def _yours(self, name: str, model_field):
        if name in self.cleaned_data:
            return _roundtrip(_plain(self.cleaned_data[name], sort=model_field.many_to_many)), True
        return self[name].data, False  # did not validate: shown and kept as typed

    def _describe(self, opened: dict | None, tracked, saved: dict) -> EditConflict:
        conflict = EditConflict(unknown_version=opened is None)
        attribution, last = self._history_since(opened["seen"] if opened else None, tracked, opened)
        # Without history: when it was saved (updated_at), not by whom.
        last = last or ("", getattr(self.instance, "updated_at", None))
        conflict.saved_by, conflict.saved_at = last
        for name, form_field, model_field in tracked:
            yours, clean = self._yours(name, model_field)
            yours_text = _display(form_field, model_field, yours) if clean else str(yours or "")
            if opened is None:
                # Nothing to merge against: list what the entry would change, keep nothing.
                if not clean or yours != saved[name]:
                    conflict.changes.append(ChangedField(
                        name, str(form_field.label or name), gettext("(không rõ)"),
                        _display(form_field, model_field, saved[name]), yours_text,
                        *attribution.get(name, last),
                    ))
                continue
            was = opened["values"].get(name, _MISSING)
            you_changed = not clean or yours != was
            if was is not _MISSING and was == saved[name]:
                if you_changed:
                    self._conflict_initial[name] = self.cleaned_data[name] if clean else yours
                    conflict.kept.append(str(form_field.label or name))
                continue
            conflict.changes.append(ChangedField(
                name, str(form_field.label or name),
                gettext("(không rõ)") if was is _MISSING else _display(form_field, model_field, was),
                _display(form_field, model_field, saved[name]), yours_text,
                *attribution.get(name, last),
                both_changed=you_changed and (not clean or yours != saved[name]),
            ))
        return conflict

    def _history_since(self, seen, tracked, opened):
        """Who last changed each field since `seen`, and the latest save: from the model's
        simple-history records, when it keeps them."""
        model = type(self.instance)
        manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager_name is None or seen is None:
            return {}, None
        records = list(
            getattr(model, manager_name)
            .filter(**{model._meta.pk.attname: self.instance.pk}, history_date__gt=seen)
            .select_related("history_user")
            .order_by("history_date", "history_id")[:HISTORY_LIMIT]
        )
        if not records:
            return {}, None
        previous = dict(opened["values"])
        attribution = {}
        for record in records:
            who = str(record.history_user) if record.history_user_id else ""
            for name, _form_field, _model_field in tracked:
                try:
                    value = _model_value(record._meta.get_field(name), record)
                except (FieldDoesNotExist, AttributeError):
                    continue  # not kept in the history (excluded, or many-to-many)
                if previous.get(name, _MISSING) != value:
                    attribution[name] = (who, record.history_date)
                    previous[name] = value
        latest = records[-1]
        return attribution, (str(latest.history_user) if latest.history_user_id else "", latest.history_date)

    def _refuse(self, conflict: EditConflict) -> None:
        self.edit_conflict = conflict
        self.add_error(None, ValidationError(conflict.messages(), code="edit_conflict"))

    def conflict_form(self):
        """The form to show with the conflict: the record as saved now, the user's entries
        kept where nobody else changed the field, a fresh version. Nothing is saved until
        the user looks and saves again."""
        if self.edit_conflict is None or self.edit_conflict.deleted:
            raise Http404
        # construct_instance put the refused entries on the instance: back to the saved row
        # (the view's own reference to it, for titles and links, is the same object).
        self.instance.refresh_from_db()
        kwargs = {key: value for key, value in self._constructor_kwargs.items()
                  if key not in ("data", "files", "instance", "initial")}
        initial = {**(self._constructor_kwargs.get("initial") or {}), **self._conflict_initial}
        form = type(self)(instance=self.instance, initial=initial, **kwargs)
        form.edit_conflict = self.edit_conflict
        return form


def edit_conflict_response(response):
    """A page rendered for a refused save: 409 Conflict, so clients and logs see it."""
    response.status_code = 409
    return response


class EditConflictViewMixin:
    """For generic UpdateViews whose form has EditVersionFormMixin: a refused save renders
    the page again from conflict_form(), with status 409."""

    def form_invalid(self, form):
        if getattr(form, "edit_conflict", None) is None:
            return super().form_invalid(form)
        fresh = form.conflict_form()
        self.object = fresh.instance
        return edit_conflict_response(self.render_to_response(self.get_context_data(form=fresh)))


# Admin


def with_edit_version(form_class):
    """form_class with EditVersionFormMixin first among its bases (itself if it has it)."""
    if issubclass(form_class, EditVersionFormMixin):
        return form_class
    return type(form_class.__name__, (EditVersionFormMixin, form_class), {"__module__": form_class.__module__})


class EditVersionAdminMixin(admin.ModelAdmin):
    """The change form of this ModelAdmin carries the version: a stale save re-shows the
    form (status 409) with a non-field error listing each field changed since, and the
    stale version, so saving again is refused again until the page is reloaded.

    A ModelAdmin itself: it goes where a ModelAdmin base goes, after the plain mixins
    (`class CenterAdmin(ScopedAdminMixin, EditVersionAdminMixin, SimpleHistoryAdmin)`, or
    last). Put first, it would bring ModelAdmin's own permission methods before
    RolePermissionsMixin's (tests/test_edit_version.py checks every registered admin)."""

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.form = with_edit_version(self.form)

    def get_fields(self, request, obj=None):
        # Placed by render_change_form, on change pages the user may save.
        return [name for name in super().get_fields(request, obj) if name != VERSION_FIELD]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        adminform = context.get("adminform")
        form = getattr(adminform, "form", None)
        if (form is not None and VERSION_FIELD in form.fields and obj is not None
                and self.has_change_permission(request, obj)):
            shown = flatten_fieldsets(adminform.fieldsets)
            if VERSION_FIELD not in shown and adminform.fieldsets:
                # A hidden row in the first fieldset: inside the <form>, nothing visible.
                (name, options), *rest = adminform.fieldsets
                adminform.fieldsets = [(name, {**options, "fields": (*options["fields"], VERSION_FIELD)}), *rest]
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if form is not None and getattr(form, "edit_conflict", None) is not None:
            response.status_code = 409
        return response
