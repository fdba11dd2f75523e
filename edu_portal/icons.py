"""Icons: the Bootstrap Icons the portal uses, as one SVG sprite of only those icons
(static/vendor/bootstrap-icons/sprite.svg, about 10 KB compressed, cached like any static
file), drawn with <svg><use>. The icon font it replaces weighed 134 KB on every first load.

In a template:

    {% load icons %}
    {% icon "bell" %}                           decorative: aria-hidden, next to a text
    {% icon "search" class="me-1" %}            extra classes
    {% icon "bell-fill" label=_("Thông báo") %}  the icon is the only content: role="img"
                                                with its accessible name

In Python (markup built with format_html): `icon("chat-left-text")`.

The sprite holds exactly the icons named in `{% icon "..." %}` tags and `icon("...")` calls
(tests/test_icons.py checks both ways). After using a new icon, rebuild it from the SVGs of
the bootstrap-icons npm package (the version in the sprite's header):

    npm install --prefix /tmp/bi bootstrap-icons@1.13.2
    .venv/bin/python -m edu_portal.icons /tmp/bi/node_modules/bootstrap-icons/icons
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

ROOT = Path(__file__).resolve().parent.parent
SPRITE = "vendor/bootstrap-icons/sprite.svg"
SPRITE_FILE = ROOT / "static" / SPRITE
BOOTSTRAP_ICONS_VERSION = "1.13.2"
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Where icons are named: {% icon "x" ... %} in templates, icon("x") in Python and in the
# Jinja2 partials.
TEMPLATE_USE = re.compile(r"""\{%\s*icon\s+["']([a-z0-9-]+)["']""")
PYTHON_USE = re.compile(r"""\bicon\(\s*["']([a-z0-9-]+)["']""")
SOURCES = ("templates", "accounts", "centers", "conferences", "reports", "inspections", "notifications",
           "documents", "geo", "edu_portal")

register = template.Library()


@functools.lru_cache(maxsize=1)
def _sprite_url() -> str:
    # Once per process (a page names 10-20 icons, each a trip through the static
    # storage): the static files do not move while it runs.
    return static(SPRITE)


@receiver(setting_changed)
def _sprite_url_forget(setting, **kwargs):
    if setting in {"STATIC_URL", "STORAGES"}:
        _sprite_url.cache_clear()


def icon(name: str, *, css_class: str = "", label: str = "") -> SafeString:
    """<svg> markup of one icon of the sprite. Without a label the icon is decorative
    (hidden from screen readers); with one it is an image named by the label."""
    if not NAME.match(name):
        raise ValueError(f"not an icon name: {name!r}")
    classes = f"bi {css_class}".strip()
    href = f"{_sprite_url()}#{name}"
    if label:
        return format_html('<svg class="{}" role="img" aria-label="{}"><use href="{}"></use></svg>',
                           classes, label, href)
    return format_html('<svg class="{}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>',
                       classes, href)


@register.simple_tag(name="icon")
def icon_tag(name: str, **options) -> SafeString:
    """{% icon "name" [class="..."] [label="..."] %}"""
    return icon(name, css_class=options.pop("class", ""), label=options.pop("label", ""))


def icons_used() -> set[str]:
    """Every icon named in the templates and the Python of the portal."""
    names: set[str] = set()
    for source in SOURCES:
        for path in (ROOT / source).rglob("*"):
            if path.suffix == ".html":
                # Django templates: {% icon "x" %}; Jinja2 partials (templates/jinja2/): icon("x").
                text = path.read_text(encoding="utf-8")
                names.update(TEMPLATE_USE.findall(text), PYTHON_USE.findall(text))
            elif path.suffix == ".py" and "migrations" not in path.parts and path.resolve() != Path(__file__).resolve():
                names.update(PYTHON_USE.findall(path.read_text(encoding="utf-8")))
    return names


def icons_in_sprite(text: str | None = None) -> set[str]:
    text = SPRITE_FILE.read_text(encoding="utf-8") if text is None else text
    return set(re.findall(r'<symbol id="([a-z0-9-]+)"', text))


def build_sprite(source: Path, names: set[str]) -> str:
    """The sprite of `names`, each a <symbol> with the paths of source/<name>.svg."""
    symbols = []
    for name in sorted(names):
        svg = (source / f"{name}.svg").read_text(encoding="utf-8")
        view_box = re.search(r'viewBox="([^"]+)"', svg).group(1)
        inner = re.search(r"<svg[^>]*>(.*)</svg>", svg, re.S).group(1)
        inner = re.sub(r">\s+<", "><", inner.strip())
        symbols.append(f'<symbol id="{name}" viewBox="{view_box}">{inner}</symbol>')
    header = (f"<!-- Bootstrap Icons v{BOOTSTRAP_ICONS_VERSION} (https://icons.getbootstrap.com/), MIT licence "
              "(LICENSE beside this file): only the icons the portal uses, built by edu_portal/icons.py -->")
    return (f'<svg xmlns="http://www.w3.org/2000/svg">{header}\n' + "\n".join(symbols) + "\n</svg>\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    used = icons_used()
    SPRITE_FILE.write_text(build_sprite(Path(sys.argv[1]), used), encoding="utf-8")
    print(f"{SPRITE_FILE.relative_to(ROOT)}: {len(used)} icons, {SPRITE_FILE.stat().st_size} bytes")
