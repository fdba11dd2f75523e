from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django_filters.views import FilterView

from .params import parse_int


def _redis_state() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        return "up"
    except Exception:
        return "down"


# Outside ATOMIC_REQUESTS: opening the request's transaction would fail first when the
# database is down, and the check would answer 500 instead of its own 503.
@transaction.non_atomic_requests
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers; Redis is reported but never fails the check,
    because the portal keeps working without it (tasks then run late)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "up"
    except Exception:
        database = "down"
    status = 200 if database == "up" else 503
    return JsonResponse({"database": database, "redis": _redis_state()}, status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Django's page is English and speaks of tokens; ours says what
    happened in the user's terms (a form left open too long, cookies blocked) and what
    to do. The technical reason goes to the log (django.security.csrf) only."""
    return render(request, "403_csrf.html", {"back_url": _same_site_referer(request)}, status=403)


def _same_site_referer(request: HttpRequest) -> str:
    """The page the form came from, when it is one of ours, to reload it."""
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return ""


class ClampedPaginationMixin:
    """For list views: a page number past the last (an old bookmark, a list that shrank)
    shows the last page, and anything else that is not a page number ("abc", "²", 0) the
    first, where Django's ListView answers 404. ?page=last is the last page, as there."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, orphans=self.get_paginate_orphans(),
                                       allow_empty_first_page=self.get_allow_empty())
        raw = self.request.GET.get(self.page_kwarg)
        # Unbounded: 10^30 is a number past the last page, not an invalid one.
        number = paginator.num_pages if raw == "last" else parse_int(raw, max_value=None)
        page = paginator.get_page(number)
        return paginator, page, page.object_list, page.has_other_pages()


class ScopedFilterView(ClampedPaginationMixin, FilterView):
    """A django-filter list whose filterset offers only choices inside the user's scope
    (it takes `user`), with the current query minus its page in `querystring` for the
    export, sort and pagination links."""

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(querystring=query.urlencode(), **kwargs)


def add_errors(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: by field where it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class UploadLimit(FileUploadHandler):
    """Stops reading a file past `max_bytes` instead of spooling any size to disk first;
    the view then refuses the whole form (nothing is stored)."""

    def __init__(self, request, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None
