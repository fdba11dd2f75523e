from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django_filters.views import FilterView

from accounts.permissions import action_required

from . import fragments
from .params import parse_int


# Outside ATOMIC_REQUESTS: opening the request's transaction would fail first when the
# database is down, and the check would answer 500 instead of its own 503.
@action_required("public")
@transaction.non_atomic_requests
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers. Redis, beat (its last tick), the worker of each
    queue (when it last ran a tick, how many messages wait) and the background jobs
    (pending, running, past their lease, the oldest pending one's age) are reported but
    never fail the check, because the portal keeps working without them (tasks then run
    late). ?strict=1 answers 503 as well when any of them is wrong, for a monitor that
    should page someone; `problems` names what."""
    from .health import judge, redis_client, redis_report
    from .jobs import jobs_overview

    report: dict = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        report["database"] = "up"
    except Exception:
        report["database"] = "down"
    if not settings.REDIS_URL:
        report["redis"] = "not configured"
    else:
        try:
            client = redis_client()
            client.ping()
            report["redis"] = "up"
            report.update(redis_report(client))
        except Exception:
            report["redis"] = "down"
    running_alive = False
    if report["database"] == "up":
        try:
            jobs = jobs_overview()
            running_alive = jobs.pop("_running_alive")
            report["jobs"] = jobs
        except Exception:  # a table missing before `migrate`: say so, keep answering
            report["jobs"] = "unknown"
    strict = parse_int(request.GET.get("strict"), min_value=0, max_value=1) == 1
    problems = judge(report, running_alive=running_alive)
    if strict:
        report["problems"] = problems
    failed = report["database"] != "up" or (strict and problems)
    return JsonResponse(report, status=503 if failed else 200)


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

    def querystring(self) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        return query.urlencode()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{"querystring": self.querystring(), **kwargs})


class FragmentCachedMixin:
    """For a list page whose body is the same from one request to the next (see
    edu_portal/fragments.py): the parts named in `fragment_templates` are rendered once
    per data generation, user and query, and read back from the cache afterwards without
    running the filterset, the count or the rows' queries. The page's own template (its
    frame) is rendered on every request from `frame_context()` plus the cached payload,
    so it must use nothing else: CSRF tokens, messages and permissions stay out of the
    fragments. A miss builds the page as before and stores what the frame needs of it
    (`fragment_values`) beside the rendered parts."""

    fragment_templates: dict[str, str] = {}

    def fragment_cacheable(self) -> bool:
        return True

    def fragment_key_parts(self) -> tuple:
        """What else the fragments depend on, beyond user, query, language and date."""
        return ()

    def frame_context(self) -> dict:
        return {}

    def fragment_values(self, context) -> dict:
        return {}

    def get(self, request, *args, **kwargs):
        self.fragment_key = (fragments.page_key(request, type(self).__name__, *self.fragment_key_parts())
                             if self.fragment_cacheable() else None)
        payload = fragments.get(self.fragment_key)
        if payload is None:
            return super().get(request, *args, **kwargs)
        return self.response_class(request=request, template=[self.template_name], using=self.template_engine,
                                   context={"view": self, **self.frame_context(), **payload})

    def render_to_response(self, context, **response_kwargs):
        """The page built: its fragments rendered from the whole context, and stored."""
        context = {**context, **self.frame_context()}
        payload = {name: render_to_string(template, context, self.request)
                   for name, template in self.fragment_templates.items()}
        payload.update(self.fragment_values(context))
        fragments.put(self.fragment_key, payload)
        return super().render_to_response({**context, **payload}, **response_kwargs)


def add_errors(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: by field where it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)

