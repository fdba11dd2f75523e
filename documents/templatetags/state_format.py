"""The state format (Decree 30/2020) in templates:

    {{ document.signed_on|state_date:"Bắc Ninh" }}  -> Bắc Ninh, ngày 05 tháng 3 năm 2024
    {{ document.signed_on|state_date:province }}    -> the same, from an AdministrativeUnit
    {{ document.signed_on|state_day }}              -> ngày 05 tháng 3 năm 2024
    {{ province|place_name }}                       -> Bắc Ninh
    {{ province|unit_title }}                       -> Tỉnh Bắc Ninh ("Thành phố Hà Nội")
"""

from django import template

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


@register.simple_tag(takes_context=True)
def place_date_line(context) -> str:
    """The place-date line of templates/pdf/state_document.html, from the context's
    `place` (or `province`) and `date`; either may be missing."""
    return state_date(context.get("date"), context.get("place") or context.get("province") or "")
