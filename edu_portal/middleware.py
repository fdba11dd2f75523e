import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import resolve_url
from django.template import TemplateDoesNotExist, loader
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.translation import gettext as _


class PortalLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user picked another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and most
    office PCs here run an English Windows/Chrome: the portal must still open in
    Vietnamese. Only the language cookie (set by /i18n/setlang/) changes it.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def _logged_in(request) -> bool:
    user = getattr(request, "user", None)
    try:
        return bool(user is not None and user.is_authenticated)
    except DatabaseError:
        # The database is down (this is the 500 page): when in doubt, keep it private.
        return True


class PrivateCacheMiddleware:
    """Cache-Control: private, no-store on every response to a logged-in user.

    Pages, downloads, PDFs, exports and htmx fragments alike: they carry one province's
    data, and a shared office PC's browser cache or a proxy must not keep them after the
    user logs out. Static files never reach this (WhiteNoise answers them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _logged_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def session_idle_seconds(user) -> int:
    """How long a session of `user` may go without a request: short for the accounts
    that can change the most, longer for directors and local officers."""
    from accounts.models import User

    staff = user.is_superuser or user.is_staff or user.role in (User.Role.DEPARTMENT, User.Role.INSPECTOR)
    minutes = settings.SESSION_IDLE_MINUTES_STAFF if staff else settings.SESSION_IDLE_MINUTES
    return minutes * 60


class SessionTimeoutMiddleware:
    """Log out a session idle for longer than session_idle_seconds(), or older than
    SESSION_COOKIE_AGE, and send the user to the login page with the reason.

    Django's own expiry is renewed each time the session is saved, so it bounds neither:
    the session keeps when it started and when it was last used. The last-use stamp is
    rewritten at most once a minute, so most requests write no session at all."""

    STARTED_KEY = "_portal_session_started"
    LAST_SEEN_KEY = "_portal_last_seen"
    REFRESH_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._expire(request, user)
            if expired is not None:
                return expired
        return self.get_response(request)

    def _expire(self, request, user):
        session = request.session
        now = int(time.time())
        started = session.get(self.STARTED_KEY)
        last_seen = session.get(self.LAST_SEEN_KEY)
        idle = session_idle_seconds(user)
        if started is not None and now - started >= settings.SESSION_COOKIE_AGE:
            message = _(
                "Phiên đăng nhập đã kéo dài quá %(hours)s giờ nên đã kết thúc để bảo vệ tài khoản. "
                "Vui lòng đăng nhập lại."
            ) % {"hours": settings.SESSION_COOKIE_AGE // 3600}
        elif last_seen is not None and now - last_seen >= idle:
            message = _(
                "Bạn đã được đăng xuất vì không thao tác trên cổng trong %(minutes)s phút. "
                "Vui lòng đăng nhập lại để tiếp tục."
            ) % {"minutes": idle // 60}
        else:
            # Sessions opened before this middleware existed start counting now.
            if started is None:
                session[self.STARTED_KEY] = now
            if last_seen is None or now - last_seen >= self.REFRESH_SECONDS:
                session[self.LAST_SEEN_KEY] = now
            return None
        logout(request)
        messages.warning(request, message)
        login_url = resolve_url(settings.LOGIN_URL)
        if request.headers.get("HX-Request"):
            # htmx would put the login page inside the fragment: have it load the page.
            return HttpResponse(status=204, headers={"HX-Redirect": login_url})
        return redirect_to_login(request.get_full_path(), login_url)


def session_clock_start(sender, request, user, **kwargs):
    """user_logged_in receiver (connected in accounts.apps): a session's clocks start at
    login, written with the login's own session save rather than by the next request."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[SessionTimeoutMiddleware.STARTED_KEY] = now
        session[SessionTimeoutMiddleware.LAST_SEEN_KEY] = now


security_logger = logging.getLogger("django.security.NulByte")


def bad_request_page() -> HttpResponseBadRequest:
    """The 400 page as django.views.defaults.bad_request renders it (templates/400.html,
    with no request and no context processors), or a short Vietnamese page without it."""
    try:
        body = loader.get_template("400.html").render()
    except TemplateDoesNotExist:
        body = format_html(
            '<!doctype html><html lang="vi"><meta charset="utf-8"><title>{0}</title><h1>{0}</h1><p>{1}</p>'
            '<p><a href="/">{2}</a></p></html>',
            _("Yêu cầu không hợp lệ"),
            _("Địa chỉ hoặc dữ liệu gửi lên có ký tự không được phép. Hãy quay lại trang trước và thử lại."),
            _("Về trang chủ"),
        )
    return HttpResponseBadRequest(body)


def _nul_in(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


def _has_nul(request) -> bool:
    if "\x00" in request.path_info or "\x00" in request.path or _nul_in(request.GET):
        return True
    # Form posts only: reading a multipart body here would process its files before the
    # upload views set their size limits (edu_portal.files.UploadLimit); the text fields of
    # those forms are Django form fields, which refuse NUL themselves.
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        return _nul_in(request.POST)
    return False


class NulByteMiddleware:
    """400 for a NUL byte (%00) anywhere in the path, the query string or a posted form.

    No page of the portal takes one, and PostgreSQL refuses it in any text ("A string
    literal cannot contain NUL"): a NUL that reaches a query, through a view or filter
    that reads request.GET itself, would be a 500 there (and not on SQLite). Django's form
    CharFields refuse it; this refuses it everywhere, before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            security_logger.warning("NUL byte in a request to %s", request.path.replace("\x00", "\\x00"))
            return bad_request_page()
        return self.get_response(request)
