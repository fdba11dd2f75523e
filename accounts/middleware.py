from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .twofactor import pending_step


@cache
def _open_paths() -> dict[str, frozenset[str]]:
    """The pages a session that owes its second factor may still open, by what it owes:
    the step itself, logging out, the language switch and the health check."""
    always = {reverse("logout"), reverse("set_language"), reverse("healthz")}
    return {
        "verify": frozenset(always | {reverse("two_factor_verify")}),
        # Setting up is never open to an account that already has a device: a second one
        # added there would skip the code of the first.
        "setup": frozenset(always | {reverse("two_factor_setup")}),
    }


class TwoFactorMiddleware:
    """A logged-in session that owes its second factor (accounts.twofactor.pending_step)
    is sent to the page that asks for it, whatever it asked for, the admin included: to
    /accounts/2fa/verify/ when the account has two-factor on, to /accounts/2fa/setup/ when
    its role requires two-factor and it has none yet. The page it asked for (a GET) is
    where it lands afterwards. htmx requests get HX-Redirect, so that the whole page goes.

    Costs no query for an account without two-factor (the session knows, see
    accounts.twofactor), and one for a verified session (django-otp loads its device)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        step = pending_step(request)
        if step is None or self._open(request, step):
            return self.get_response(request)
        url = reverse(f"two_factor_{step}")
        if request.method == "GET" and not request.headers.get("HX-Request"):
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return HttpResponseRedirect(url)

    @staticmethod
    def _open(request, step: str) -> bool:
        # request.path, like reverse(), carries the script prefix; STATIC_URL does not.
        return request.path in _open_paths()[step] or request.path_info.startswith(settings.STATIC_URL)
