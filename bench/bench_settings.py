"""Settings for bench/registry_bench.py only: the portal's own settings, plus a URL conf
that mounts a stock Django admin (the baseline the targets in shared/performance.md are
stated against) at /stock-admin/. Never used by the portal itself."""

from edu_portal.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.bench_urls"

# The bench serves pages without running collectstatic: plain static names, since the
# hashed ones of DEBUG off (CompressedManifestStaticFilesStorage) need its manifest.
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
