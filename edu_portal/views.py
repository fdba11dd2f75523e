from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django_filters.views import FilterView


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


class ScopedFilterView(FilterView):
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
