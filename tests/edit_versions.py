"""The hidden edit version (edu_portal.concurrency) in tests: read from a page as a browser
sends it back, and two colleagues editing at once. A POST without it is refused as stale,
as a forged one would be."""

import html
import re

from django.test import Client

from accounts.models import User
from edu_portal.concurrency import VERSION_FIELD
from tests.admin_forms import form_data, formset_data
from tests.factories import make_user

CONFLICT = "Người khác đã sửa hồ sơ này sau khi bạn mở"


def edit_version(client, url: str) -> dict:
    """{"edit_version": <token>} read from the rendered page at `url`."""
    response = client.get(url)
    assert response.status_code == 200, url
    return {VERSION_FIELD: _rendered_version(response)}


def _rendered_version(response) -> str:
    match = re.search(rf'name="{VERSION_FIELD}" value="([^"]+)"', response.content.decode())
    assert match, "the edit version is not rendered in the page"
    return html.unescape(match.group(1))


def page_data(client, url: str, *formsets: str, forms: tuple[str, ...] = ()) -> dict:
    """What the browser sends back from the edit page at `url`: the form's fields as shown
    (with the version, which must be in the HTML, not only in the form object) and those of
    the named formsets and other forms of the page's context."""
    response = client.get(url)
    assert response.status_code == 200, url
    data = form_data(response.context["form"])
    assert data[VERSION_FIELD] == _rendered_version(response)
    for name in formsets:
        data.update(formset_data(response.context[name]))
    for name in forms:
        data.update(form_data(response.context[name]))
    return data


def conflict_row(response, field: str) -> str:
    """The row of the conflict table for `field` (what was opened, what is saved, by whom)."""
    match = re.search(rf'<tr data-field="{field}">(.*?)</tr>', response.content.decode(), re.S)
    assert match, f"{field} is not listed as changed"
    return match.group(1)


def colleagues(user: User, *, name: str = "Nguyễn Thị An", other: str = "Lê Văn Bình") -> tuple[Client, Client]:
    """Two logged-in clients: `user` (renamed `name`) and a colleague of the same role and
    province, for two people editing the same record."""
    user.full_name = name
    user.save()
    colleague = make_user(user.role, province=user.province, username=f"{user.username}_2", full_name=other)
    first, second = Client(), Client()
    first.force_login(user)
    second.force_login(colleague)
    return first, second
