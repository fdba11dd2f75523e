"""The centers' admin changelist, written faster than Django writes it (issue 15).

Django's {% result_list cl %} builds every cell of the 50 rows in Python
(admin_list.items_for_result: a field lookup, a display function, an escaped format and,
for the two link columns, a URL reversed per row) and renders the action checkbox through
a form widget template: half the page's CPU (bench/profile_pages.py). Here the headers
are Django's own and the rows a Jinja2 partial with the same markup, calling the same
display methods of CenterAdmin. Anything the partial does not know (a popup, a to_field,
an editable list, other columns) goes through Django's own tag unchanged. The filters
sidebar (admin/filter.html, center_list_filters) and the actions bar (admin/actions.html,
center_admin_actions) are written in Python with Django's markup. The badges and kind
labels are built once per page, one per value.
"""

import html

from django import template
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.templatetags.admin_list import admin_list_filter, result_headers, result_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.template import engines
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from centers.admin import CenterChangeList, choice_badges
from centers.choices import CenterKind, CenterStatus, LicenceState
from centers.templatetags.registry import with_pk

register = template.Library()


def _rows(cl, change_of_zero: str, show_province: bool) -> list[tuple]:
    """Each center's cells, in the partial's order, from the display methods of CenterAdmin:
    the badges and kind labels built once per value (the methods stay the fallback for
    any other), the change URL reversed once (with_pk). Plain values: the partial escapes."""
    model_admin = cl.model_admin
    status_badges, licence_badges = choice_badges(CenterStatus), choice_badges(LicenceState)
    kind_labels = {value: str(label) for value, label in CenterKind.choices}
    return [
        (
            center.pk, str(center), with_pk(change_of_zero, center.pk), center.province if show_province else "",
            center.code, center.name, kind_labels.get(center.kind, center.kind), center.commune,
            licence_badges.get(center.licence_state) or model_admin.licence_state_badge(center),
            status_badges.get(center.status) or model_admin.status_badge(center),
            model_admin.current_licence_number(center),
        )
        for center in cl.result_list
    ]


@register.simple_tag
def center_result_list(cl):
    """{% result_list cl %} of the centers' changelist (admin/centers/center_change_list.html)."""
    supported, show_province = cl.partial_rows() if isinstance(cl, CenterChangeList) else (False, False)
    if not supported or cl.formset is not None:
        return render_to_string("admin/change_list_results.html", result_list(cl))
    headers = list(result_headers(cl))
    change_of_zero = add_preserved_filters(
        {"preserved_filters": cl.preserved_filters, "opts": cl.opts},
        reverse(f"{cl.model_admin.admin_site.name}:centers_center_change", args=[0]),
    )
    rendered = engines["jinja2"].get_template("admin/centers/center_results.html").render({
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "rows": _rows(cl, change_of_zero, show_province),
        "show_province": show_province,
        "select_label": gettext("Select this object for an action - {}"),
    })
    # Jinja2 escaped every value as it rendered (autoescape on, tests/test_jinja.py).
    return mark_safe(rendered)


# Filters whose template is Django's admin/filter.html: written here with the same markup. Any
# other template goes through Django's tag.
PLAIN_FILTER_TEMPLATE = "admin/filter.html"
SELECTED = ' class="selected"'


def _escaped(value) -> str:
    """Django's conditional_escape (html.escape, as Django's escape does), without its
    lazy-argument wrapper: called twice for each of the communes."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def filter_html(title, choices) -> str:
    """Django's admin/filter.html, written in Python: a template, even Jinja2's, spent 4 µs on
    each of the 168 communes of a large province (bench/profile_pages.py)."""
    title = conditional_escape(title)
    items = "".join(
        f'<li{SELECTED if choice["selected"] else ""}>\n'
        f'<a href="{_escaped(iri_to_uri(choice["query_string"]))}">{_escaped(choice["display"])}</a></li>\n'
        for choice in choices
    )
    summary = gettext(" By %(filter_title)s ") % {"filter_title": title}
    return (f'<details data-filter-title="{title}" open>\n<summary>\n{summary}\n</summary>\n'
            f"<ul>\n{items}</ul>\n</details>")


@register.simple_tag
def center_list_filters(cl):
    """{% for spec in cl.filter_specs %}{% admin_list_filter cl spec %}{% endfor %} of the
    centers' changelist: the same choices (spec.choices), the same markup."""
    parts = [
        filter_html(spec.title, spec.choices(cl)) if spec.template == PLAIN_FILTER_TEMPLATE
        else admin_list_filter(cl, spec)
        for spec in cl.filter_specs
    ]
    # Every value was escaped above (filter_html) or by Django's template.
    return mark_safe("\n".join(parts))


@register.simple_tag(takes_context=True)
def center_admin_actions(context):
    """{% admin_actions %} of the centers' changelist: Django's admin/actions.html with the
    action form written here (its <select> went through the form renderer's templates,
    a tenth of the rows' cost). A form Django's markup is not known for (another class, a
    bound one after a POST) goes through Django's tag."""
    context["action_index"] = index = context.get("action_index", -1) + 1
    form, cl = context["action_form"], context["cl"]
    if type(form) is not ActionForm or form.is_bound:
        return _django_admin_actions(context)
    field = form.fields["action"]
    choices = list(field.choices)
    if not choices or any(isinstance(label, (list, tuple)) for _value, label in choices):
        return _django_admin_actions(context)
    required = " required" if choices[0][0] in ("", None) else ""
    options = "".join(
        f'<option value="{_escaped(value)}"{" selected" if str(value) == "" else ""}>{_escaped(label)}</option>\n'
        for value, label in choices
    )
    html_parts = [
        '<div class="actions">\n',
        f'<label>{_escaped(form["action"].label)} <select name="action"{required}>\n{options}</select></label>',
        '<input type="hidden" name="select_across" value="0" class="select-across">\n',
        f'<button type="submit" class="button" title="{_escaped(gettext("Run the selected action"))}" name="index" '
        f'value="{index}">{_escaped(gettext("Go"))}</button>\n',
    ]
    if context.get("actions_selection_counter"):
        shown = len(cl.result_list)
        html_parts.append(f'<span class="action-counter" data-actions-icnt="{shown}">'
                          f'{_escaped(context["selection_note"])}</span>\n')
        if cl.result_count != shown:
            select_all = gettext("Select all %(total_count)s %(module_name)s") % {
                "total_count": cl.result_count, "module_name": _escaped(context["module_name"]),
            }
            title = _escaped(gettext("Click here to select the objects across all pages"))
            clear = _escaped(gettext("Clear selection"))
            html_parts.append(
                f'<span class="all hidden">{_escaped(context["selection_note_all"])}</span>\n'
                f'<span class="question hidden">\n<a role="button" href="#" title="{title}">{select_all}</a>\n</span>\n'
                f'<span class="clear hidden"><a role="button" href="#">{clear}</a></span>\n'
            )
    html_parts.append("</div>")
    # Every value was escaped above.
    return mark_safe("".join(html_parts))


def _django_admin_actions(context) -> str:
    """Django's own {% admin_actions %} (its action_index already counted by the caller)."""
    return get_template("admin/actions.html").render(context.flatten())
