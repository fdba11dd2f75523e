"""Build the POST of an admin change form (or of a portal form) from its GET, as a browser
would send it back: with the hidden edit version (edu_portal.concurrency) the page carries.

The center page carries five inline formsets; writing their management forms and every
field by hand in each test would bury what the test is about."""

import datetime


def _encode(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()  # ISO input is accepted whatever the locale formats
    if hasattr(value, "pk"):
        return value.pk
    return value


def _put_form(data: dict, form) -> None:
    for name, field in form.fields.items():
        if field.disabled:
            continue
        bound = form[name]
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[bound.html_name] = [_encode(v) for v in value]
        else:
            data[bound.html_name] = _encode(value)


def form_data(form) -> dict:
    """Every field of one form (a portal page's), as currently shown, hidden ones included."""
    data: dict = {}
    _put_form(data, form)
    return data


def formset_data(formset) -> dict:
    """A formset's management form and every form's fields, as currently shown."""
    data: dict = {}
    management = formset.management_form
    for name in management.fields:
        data[management.add_prefix(name)] = management[name].value()
    for form in formset.forms:
        _put_form(data, form)
    return data


def admin_form_data(response) -> dict:
    """Every field of the change form and of its inline formsets, as currently shown."""
    data: dict = {}
    _put_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(formset_data(inline.formset))
    return data


def add_inline_form(data: dict, prefix: str, **fields) -> dict:
    """Append one new form to the inline formset `prefix` (e.g. "documents")."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = index + 1
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = _encode(value)
    return data
