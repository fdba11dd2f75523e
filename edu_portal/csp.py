"""The Content-Security-Policy: a script runs only if the page named it.

Portal pages allow scripts by nonce alone (settings.CONTENT_SECURITY_POLICY): every
<script> tag our templates write carries `nonce="{{ request.csp_nonce }}"`, a fresh value
per response, so markup planted in a page (a <script src> to one of our own files, say)
never runs even if some escaping failed. A page that names no script gets
`script-src 'none'`.

The Django admin's templates write their <script> tags without a nonce; its pages keep
`script-src 'self'`. They show only what department staff may edit, escaped by the
admin's templates (and our templates/admin/includes/fieldset.html).
"""

from functools import cache

from csp.constants import NONE, SELF
from csp.middleware import CSPMiddleware
from django.urls import reverse

ADMIN_SCRIPTS = {"script-src": [SELF]}
NO_SCRIPTS = {"script-src": [NONE]}


@cache
def _admin_prefix() -> str:
    return reverse("admin:index")


class PortalCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path_info.startswith(_admin_prefix()):
            parts.replace = {**(parts.replace or {}), **ADMIN_SCRIPTS}
        elif not parts.nonce:
            parts.replace = {**(parts.replace or {}), **NO_SCRIPTS}
        return parts
