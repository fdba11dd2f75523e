"""The icon sprite (edu_portal/icons.py): it holds exactly the icons the portal names,
nothing asks for the old icon font, and the markup is named or hidden as it should be."""

import re

import pytest
from django.template import Context, Template

from edu_portal.icons import ROOT, SOURCES, build_sprite, icon, icons_in_sprite, icons_used


def test_the_sprite_holds_exactly_the_icons_the_portal_names():
    used, held = icons_used(), icons_in_sprite()
    assert used, "no {% icon %} tag found: the scan itself is broken"
    assert used - held == set(), "named but missing from the sprite (rebuild it, edu_portal/icons.py)"
    assert held - used == set(), "in the sprite but named nowhere (rebuild it to drop them)"


def test_nothing_asks_for_the_icon_font_any_more():
    font_class = re.compile(r"""class=["'][^"']*\bbi-[a-z0-9-]+""")
    offenders = []
    for source in (*SOURCES, "static/js", "static/css"):
        for path in (ROOT / source).rglob("*"):
            if path.suffix in (".html", ".py", ".js", ".css") and "migrations" not in path.parts:
                text = path.read_text(encoding="utf-8")
                if font_class.search(text) or "bootstrap-icons.min.css" in text:
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_a_decorative_icon_is_hidden_and_a_lone_icon_is_named():
    decorative = icon("bell", css_class="me-1")
    assert 'aria-hidden="true"' in decorative and 'class="bi me-1"' in decorative
    assert "sprite.svg#bell" in decorative
    named = Template('{% load icons %}{% icon "bell-fill" label=text %}').render(Context({"text": 'A "<b>" & B'}))
    assert 'role="img"' in named and 'aria-label="A &quot;&lt;b&gt;&quot; &amp; B"' in named
    assert "aria-hidden" not in named


@pytest.mark.parametrize("name", ["bell\" onload=\"x", "../x", "Bell", ""])
def test_an_icon_name_that_is_not_one_is_refused(name):
    with pytest.raises(ValueError):
        icon(name)


def test_the_sprite_builder_keeps_the_paths_and_view_box(tmp_path):
    (tmp_path / "star.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">\n'
        '  <path d="M1 1h14"/>\n</svg>\n', encoding="utf-8")
    sprite = build_sprite(tmp_path, {"star"})
    assert '<symbol id="star" viewBox="0 0 16 16"><path d="M1 1h14"/></symbol>' in sprite
    assert icons_in_sprite(sprite) == {"star"}
