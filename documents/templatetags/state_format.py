"""The state format (Decree 30/2020) in templates:

    {{ document.signed_on|state_date:"Bắc Ninh" }}  -> Bắc Ninh, ngày 05 tháng 3 năm 2024
    {{ document.signed_on|state_date:province }}    -> the same, from an AdministrativeUnit
    {{ document.signed_on|state_day }}              -> ngày 05 tháng 3 năm 2024
    {{ province|place_name }}                       -> Bắc Ninh
    {{ province|unit_title }}                       -> Tỉnh Bắc Ninh ("Thành phố Hà Nội")
    {% include "pdf/includes/nobreak.html" with text=line %}
                                                    -> the line, names of units and bodies
                                                       in <span class="nb"> (never broken)
    {{ line|strip_end }}                            -> the line without its trailing ";", "."
    {% for line in issuing_body|header_lines:"bold" %} -> the header name cut into the lines
                                                       that fit the agency column
"""

from django import template

from edu_portal.pdf import header_lines as _header_lines
from edu_portal.pdf import nobreak_parts as _nobreak_parts
from edu_portal.pdf import place_name as _place_name
from edu_portal.pdf import state_date as _state_date
from edu_portal.pdf import state_day as _state_day
from edu_portal.pdf import unit_title as _unit_title

register = template.Library()


@register.filter
def state_date(date, place="") -> str:
    """The place-and-date line; `place` is a name or an administrative unit."""
    if place and not isinstance(place, str):
        place = _place_name(place)
    return _state_date(place or "", date or None)


@register.filter
def state_day(date) -> str:
    return _state_day(date) if date else ""


@register.filter
def place_name(unit) -> str:
    return _place_name(unit)


@register.filter
def unit_title(unit) -> str:
    return _unit_title(unit)


@register.filter
def nobreak_parts(text) -> list[tuple[str, bool]]:
    """(part, keep) pairs of edu_portal.pdf.nobreak_parts; the template escapes each part."""
    return _nobreak_parts(str(text or ""))


@register.filter
def header_lines(text, weight="") -> tuple[str, ...]:
    """The lines an upper-case header name is printed on (edu_portal.pdf.header_lines):
    {% for line in issuing_body|header_lines:"bold" %}...{% endfor %}."""
    return _header_lines(str(text or ""), bold=weight == "bold")


@register.filter
def strip_end(text) -> str:
    """A list line without the mark it was typed with ("Như Điều 3;" -> "Như Điều 3"), so
    the template adds exactly one: ";" after each line, "." after the last."""
    return str(text or "").rstrip().rstrip(";.,").rstrip()


@register.simple_tag(takes_context=True)
def place_date_line(context) -> str:
    """The place-date line of templates/pdf/state_document.html, from the context's
    `place` (or `province`) and `date`; either may be missing."""
    return state_date(context.get("date"), context.get("place") or context.get("province") or "")
