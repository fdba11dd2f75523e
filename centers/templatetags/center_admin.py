"""The centers' admin changelist, written faster than Django writes it (issue 15).

Django's {% result_list cl %} builds every cell of the 50 rows in Python
(admin_list.items_for_result: a field lookup, a display function, an escaped format and,
for the two link columns, a URL reversed per row) and renders the action checkbox through
a form widget template: half the page's CPU (bench/profile_pages.py). Here the headers
are Django's own and the rows a Jinja2 partial with the same markup, calling the same
display methods of CenterAdmin. Anything the partial does not know (a popup, a to_field,
an editable list, other columns) goes through Django's own tag unchanged.
"""

from django import template
from django.contrib.admin.templatetags.admin_list import admin_list_filter, result_headers, result_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.template import engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from centers.admin import CenterChangeList, choice_badges
from centers.choices import CenterStatus, LicenceState

register = template.Library()


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
        "results": cl.result_list,
        "model_admin": cl.model_admin,
        "change_of_zero": change_of_zero,
        "show_province": show_province,
        # The display methods' badges, one per value (they stay the fallback for any other).
        "status_badges": choice_badges(CenterStatus),
        "licence_badges": choice_badges(LicenceState),
    })
    # Jinja2 escaped every value as it rendered (autoescape on, tests/test_jinja.py).
    return mark_safe(rendered)


# Filters whose template is Django's admin/filter.html (or its copy for the communes):
# written by its Jinja2 twin. Any other template goes through Django's tag.
JINJA_FILTER_TEMPLATES = frozenset({"admin/filter.html", "admin/centers/commune_filter.html"})


@register.simple_tag
def center_list_filters(cl):
    """{% for spec in cl.filter_specs %}{% admin_list_filter cl spec %}{% endfor %} of the
    centers' changelist: the same choices (spec.choices), written by one Jinja2 partial
    rather than a Django template per filter (the communes of a province alone are 168)."""
    template = engines["jinja2"].get_template("admin/centers/list_filter.html")
    parts = []
    for spec in cl.filter_specs:
        if spec.template in JINJA_FILTER_TEMPLATES:
            # Jinja2 escaped every value as it rendered (autoescape on, tests/test_jinja.py).
            parts.append(template.render({"title": spec.title, "choices": list(spec.choices(cl))}))
        else:
            parts.append(admin_list_filter(cl, spec))
    return mark_safe("\n".join(parts))
