from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


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
