"""Jinja2 (Django's own backend, settings.TEMPLATES "jinja2") for the hot partials: the
rows of the long lists, rendered 50 at a time on the pages used most.

Measured on the national data set (bench/profile_pages.py): Django's template language
spent most of a registry page's CPU resolving the 1,000-odd variables of 50 rows, about
20 µs each; the same rows compiled by Jinja2 cost a tenth of that. The pages stay Django
templates (base.html, the filter forms, crispy); only a partial is Jinja2, included with

    {% load jinja %}{% jinja "centers/center_rows.html" centers=centers can_invite=can_invite %}

Partials live in templates/jinja2/ and read like the Django templates they replace:
autoescaping is on (as in Django, every value is escaped unless it is already safe HTML),
`_("...")` and `ngettext(...)` translate with Django's active language (so makemessages
finds the strings), `url()` is Django's reverse, `icon()` the sprite's icons, and the
filters are Django's `date`, `capfirst` and `iriencode` plus those of the template libraries in FILTER_LIBRARIES, one
definition for both engines.
"""

from importlib import import_module

from django import template
from django.template import defaultfilters, engines
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext, pgettext
from jinja2 import Environment

from .icons import icon

# Django template libraries whose filters partials may use by the same names.
FILTER_LIBRARIES = ["centers.templatetags.registry", "inspections.templatetags.compliance"]


def date(value, format_string=None) -> str:
    """Django's `date` filter, on the local time as in Django templates (which convert an
    aware datetime before a filter marked expects_localtime)."""
    return defaultfilters.date(template_localtime(value), format_string)


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    """The environment of settings.TEMPLATES["jinja2"] (Django passes autoescape=True)."""
    env = Environment(**options)
    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext, pgettext=pgettext, url=url, static=static,
                       icon=icon)
    for library in FILTER_LIBRARIES:
        env.filters.update(import_module(library).register.filters)
    env.filters.update(date=date, capfirst=defaultfilters.capfirst, iriencode=defaultfilters.iriencode)
    return env


# The bridge from Django templates: {% load jinja %}{% jinja "name" key=value ... %}

register = template.Library()


@register.simple_tag
def jinja(template_name: str, **values) -> str:
    """A Jinja2 partial rendered with `values` (only those: a partial names what it uses)."""
    rendered = engines["jinja2"].get_template(template_name).render(values)
    # Jinja2 escaped every value as it rendered (autoescape on, tests/test_jinja.py).
    return mark_safe(rendered)
