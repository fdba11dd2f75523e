from functools import cache

from .services import unread_count


def notifications(request) -> dict:
    """The bell's unread count for logged-in users. Templates call the function only
    where they show the bell (never in the admin), and at most once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": cache(lambda: unread_count(user))}
