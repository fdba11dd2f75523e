"""No path marks what a user typed as safe HTML (issue 9): the checks that keep it so.

Escaping is Django's default; what breaks it is a place that marks text safe. These tests
list every such place the portal renders through and fail on a new one, so that each is
read by someone before it lands:

- every template the engine would find (ours, and the third-party ones we did not
  override) is scanned for `|safe`, `|safeseq` and `{% autoescape off %}`;
- our Python is scanned for mark_safe / SafeString, format_html with a format string that is
  not a literal, and crispy-forms layout objects whose text is compiled as a template
  (Submit and Button values, StrictButton content, Fieldset legends, HTML).

tests/test_planted_markup.py then proves it on the rendered pages, exports, PDFs and mails.
"""

import ast
import re
from pathlib import Path

from django.template import engines

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "centers", "conferences", "reports", "inspections", "notifications", "documents", "geo",
        "edu_portal"]

# Template name -> why its `|safe` cannot carry a user's text.
SAFE_TEMPLATES = {
    # crispy-forms layout objects: `fields`, `content`, `links`, `buttons` are HTML that crispy
    # rendered from other (escaping) templates; legends and button texts are compiled from
    # our code's constant strings (test_crispy_layout_texts_are_constants).
    "bootstrap5/accordion-group.html": "rendered fields",
    "bootstrap5/accordion.html": "rendered content",
    "bootstrap5/layout/alert.html": "constant alert text",
    "bootstrap5/layout/button.html": "constant button text",
    "bootstrap5/layout/buttonholder.html": "rendered buttons",
    "bootstrap5/layout/column.html": "rendered fields",
    "bootstrap5/layout/div.html": "rendered fields",
    "bootstrap5/layout/field_with_buttons.html": "rendered buttons",
    "bootstrap5/layout/fieldset.html": "rendered fields; constant legend",
    "bootstrap5/layout/formactions.html": "rendered buttons",
    "bootstrap5/layout/row.html": "rendered fields",
    "bootstrap5/layout/tab.html": "rendered links and content",
    # Password validators' help texts (Django's, HTML lists) on a person's own password forms.
    "registration/password_change_form.html": "password validators' help text",
    "admin/auth/user/change_password.html": "password validators' help text",
    # Plain-text e-mails: nothing there is parsed as HTML.
    "registration/password_reset_email.html": "plain-text e-mail",
}
# Django's `{% autoescape off %}` and Jinja2's `{% autoescape false %}` (templates/jinja2/).
UNSAFE_IN_TEMPLATE = re.compile(r"\|\s*safe(seq)?\b|autoescape\s+(off|false)")


def effective_templates() -> dict[str, Path]:
    """Every template name the engine can load, with the file it would load first."""
    found: dict[str, Path] = {}
    engine = engines["django"].engine
    for loader in engine.template_loaders:
        for inner in getattr(loader, "loaders", [loader]):
            for directory in inner.get_dirs():
                directory = Path(directory)
                for path in directory.rglob("*"):
                    if path.is_file():
                        found.setdefault(str(path.relative_to(directory)), path)
    return found


def test_no_template_marks_text_safe_without_a_reason():
    templates = effective_templates()
    assert "base.html" in templates and "bootstrap5/layout/help_text.html" in templates
    offenders = {}
    for name, path in templates.items():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        # A .txt template is a plain-text e-mail part: nothing there is parsed as HTML.
        if UNSAFE_IN_TEMPLATE.search(text) and name not in SAFE_TEMPLATES and not name.endswith(".txt"):
            offenders[name] = str(path)
    assert offenders == {}, "templates that mark text safe (escape instead, or give a reason here)"


def test_the_jinja2_partials_are_scanned_and_escape_what_they_show():
    """The Jinja2 partials (edu_portal/jinja.py) sit under templates/, so the scan above reads
    them; their engine escapes every value, as Django's does."""
    from django.template import engines

    assert "jinja2/centers/center_rows.html" in effective_templates()
    environment = engines["jinja2"].env
    assert environment.autoescape is True
    rendered = environment.from_string("{{ text }}|{{ _(text) }}").render(text="<b>x</b>")
    assert rendered == "&lt;b&gt;x&lt;/b&gt;|&lt;b&gt;x&lt;/b&gt;"


def test_help_texts_and_admin_descriptions_render_escaped():
    """The stock crispy, Django form and admin templates mark help texts safe; ours win."""
    templates = effective_templates()
    for name in ("bootstrap5/layout/help_text.html", "django/forms/field.html", "admin/includes/fieldset.html"):
        assert str(templates[name]).startswith(str(ROOT / "templates")), name


def _python_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _is_constant_text(node: ast.AST) -> bool:
    """A string literal, or gettext of one (_("..."))."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {
        "_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy",
    }:
        return all(isinstance(arg, ast.Constant) for arg in node.args)
    return False


def _name(func: ast.AST) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


# mark_safe is allowed where every piece was escaped first; the reason is the review.
MARK_SAFE_ALLOWED = {
    "centers/forms.py": "QuickSelect: each option value and label passes through escape()",
    "edu_portal/jinja.py": "{% jinja %}: the output of a Jinja2 template rendered with autoescape on",
    "centers/templatetags/center_admin.py": "the output of a Jinja2 template rendered with autoescape on",
}
# crispy compiles these arguments as Django templates: a user's text there would be
# template code, not even HTML (position of the text argument).
CRISPY_TEXT_ARGUMENT = {"Submit": 1, "Button": 1, "Reset": 1, "StrictButton": 0, "HTML": 0, "Fieldset": 0,
                        "Alert": 0, "Tab": 0, "AccordionGroup": 0}


def test_python_never_marks_a_users_text_safe():
    problems = []
    for path in _python_files():
        relative = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            where = f"{relative}:{node.lineno}"
            if name in {"mark_safe", "SafeString", "SafeText"} and relative not in MARK_SAFE_ALLOWED:
                problems.append(f"{where} {name}()")
            if name in {"format_html", "format_html_join"}:
                template = (node.args[0 if name == "format_html" else 1]
                            if len(node.args) > 1 or name == "format_html" else None)
                if template is None or not (isinstance(template, ast.Constant) and isinstance(template.value, str)):
                    problems.append(f"{where} {name}() with a format string that is not a literal")
            if name in CRISPY_TEXT_ARGUMENT:
                position = CRISPY_TEXT_ARGUMENT[name]
                if len(node.args) > position and not _is_constant_text(node.args[position]):
                    problems.append(f"{where} crispy {name}() text is not a constant")
            if name == "HttpResponse" and node.args and not any(k.arg == "content_type" for k in node.keywords):
                problems.append(f"{where} HttpResponse(body) without a content type")
    assert problems == []


def test_the_guards_catch_what_they_are_for(tmp_path):
    """The scans above find the patterns they look for (a scan that finds nothing proves nothing)."""
    assert UNSAFE_IN_TEMPLATE.search("{{ value|safe }}") and UNSAFE_IN_TEMPLATE.search("{% autoescape off %}")
    assert UNSAFE_IN_TEMPLATE.search("{% autoescape false %}")
    assert not UNSAFE_IN_TEMPLATE.search("{{ value|safe_join }}")
    call = ast.parse('Submit("go", f"Xóa {name}")').body[0].value
    assert not _is_constant_text(call.args[1])
    assert _is_constant_text(ast.parse('_("Lưu")').body[0].value)
