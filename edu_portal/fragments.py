"""Fragment cache for the hot list pages, keyed by a data generation.

A list page (the registry, the compliance page) is mostly the same HTML from one request
to the next: the filter form, the count, fifty rows, the pagination. Built, that costs
20-40 ms of CPU on the national data set (bench/profile_pages.py); read back from Redis,
well under a millisecond. What a page may keep is the part that depends only on:

- the data, through a *generation*: a random token that every write which can change the
  data replaces (`bump`), in the writer's transaction and again when it commits;
- the user (their id, role and scope, and whatever the view adds, e.g. may they invite);
- the query string, the language and today's date (licence states and overdue reports
  move with the date, not with a write).

Everything else (the page's frame: navigation, the bell, messages, CSRF tokens, the CSP
nonce) is rendered on every request, so nothing per-session is ever cached.

Why the generation is bumped twice: a reader between the writer's first bump and its
commit may store the old data under the new token; the bump on commit retires that
token. Readers that store new data under an old token are harmless: nobody asks for the
old token after the commit. A token, not a counter, so that a generation key evicted or
lost with a restarted Redis can never come back to a value an old fragment was stored
under. Fragments also expire after FRAGMENT_TTL, the bound on staleness from a write that
bypasses every signal (raw SQL in a shell).

Off unless settings.FRAGMENT_CACHE (on by default when the cache is Redis, shared by
every process: a per-process memory cache would not see another process's bumps). When
Redis fails, pages are built as if the cache were off.
"""

import datetime
import functools
import hashlib
import logging
import pickle
import uuid
import zlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

FRAGMENT_TTL = 600  # seconds
REGISTRY = "registry"  # centers, their records, their flags, units, director accounts


def enabled() -> bool:
    return bool(getattr(settings, "FRAGMENT_CACHE", False))


def _generation_key(name: str) -> str:
    return f"fragments:generation:{name}"


def generation(name: str) -> str | None:
    """The current token of `name`, made on first use; None when the cache fails."""
    key = _generation_key(name)
    try:
        token = cache.get(key)
        if token is None:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            token = cache.get(key)
        return token
    except Exception:  # Redis down or refusing: build the page
        logger.warning("Fragment cache unavailable", exc_info=True)
        return None


def _replace(name: str) -> None:
    try:
        cache.set(_generation_key(name), uuid.uuid4().hex, timeout=None)
    except Exception:
        # Nothing cached under the old token can outlive FRAGMENT_TTL.
        logger.warning("Fragment generation %s not bumped", name, exc_info=True)


def bump(name: str = REGISTRY) -> None:
    """The data behind `name` changed (or is changing, in the current transaction)."""
    if not enabled():
        return
    _replace(name)
    # Once per transaction on commit, however many rows it writes (the demo: a hundred).
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(getattr(func, "fragment_generation", None) == name
                                          for _savepoints, func, _robust in connection.run_on_commit):
        return
    callback = functools.partial(_replace, name)
    callback.fragment_generation = name
    transaction.on_commit(callback, robust=True)


def page_key(request, name: str, *parts, today: datetime.date | None = None) -> str | None:
    """The key of `request`'s fragment of page `name`, or None when it must be built.
    `parts` are what else the fragment depends on (permissions that change its markup)."""
    if not enabled():
        return None
    token = generation(REGISTRY)
    if token is None:
        return None
    user = request.user
    query = sorted((key, tuple(values)) for key, values in request.GET.lists())
    identity = (
        name, token, user.pk, getattr(user, "role", ""), user.is_superuser, getattr(user, "province_id", None),
        getattr(user, "commune_id", None), getattr(user, "center_id", None), translation.get_language(),
        (today or timezone.localdate()).isoformat(), request.path, query, parts,
    )
    return "fragments:page:" + hashlib.sha256(repr(identity).encode()).hexdigest()


def get(key: str | None) -> dict | None:
    if key is None:
        return None
    try:
        stored = cache.get(key)
    except Exception:
        logger.warning("Fragment cache unavailable", exc_info=True)
        return None
    return None if stored is None else pickle.loads(zlib.decompress(stored))


def put(key: str | None, payload: dict) -> None:
    # Compressed (a 70 KB registry body is about 10 KB, for 0.2 ms): the same Redis is
    # Celery's broker, and its memory is better spent on queued tasks.
    if key is None:
        return
    try:
        cache.set(key, zlib.compress(pickle.dumps(payload), 1), timeout=FRAGMENT_TTL)
    except Exception:
        logger.warning("Fragment not stored", exc_info=True)
