"""The production recipe (README, "Production") as an IT officer follows it: the settings of
deploy/env.example pass `check --deploy` with warnings as errors, gunicorn started as
the web unit starts it serves collectstatic's hashed files with a long cache behind the
proxy's headers, PDFs still find their styles, and the systemd units are valid and serve
every Celery queue."""

import contextlib
import gzip
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings as django_settings

from edu_portal import pdf

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
HOST = "cong.sogd.example.gov.vn"  # the host name of deploy/env.example
VENV_BIN = Path(sys.executable).parent


def env_file(tmp_path: Path, **values: str) -> Path:
    """deploy/env.example filled in as README says (a generated secret key), with `values`
    replacing its lines or added to them."""
    values = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), **values}
    lines = []
    for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines():
        name = line.split("=", 1)[0]
        if not line.startswith("#") and name in values:
            line = f"{name}={values.pop(name)}"
        lines.append(line)
    lines += [f"{name}={value}" for name, value in values.items()]
    path = tmp_path / "env"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def clean_environment(path: Path) -> dict:
    """Nothing of the test run's own environment (DJANGO_DEBUG=1...): only the file."""
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8",
            "EDU_PORTAL_ENV": str(path), "PYTHON": sys.executable}


def manage(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(DEPLOY / "manage.sh"), *args], env=clean_environment(path), cwd="/",
                          capture_output=True, text=True, timeout=300)


def unit(name: str) -> str:
    return (DEPLOY / "systemd" / name).read_text(encoding="utf-8")


def exec_start(name: str) -> list[str]:
    line = next(line for line in unit(name).splitlines() if line.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


# check --deploy


def test_the_production_environment_passes_the_deploy_check_with_warnings_as_errors(tmp_path):
    result = manage(env_file(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_lan_without_tls_fails_the_deploy_check_on_the_https_settings_only(tmp_path):
    # README's LAN settings: what they give up is exactly what `check --deploy` lists.
    path = env_file(tmp_path, DJANGO_SECURE_COOKIES="0", DJANGO_ALLOWED_HOSTS="cong.sogd.lan,192.168.1.10",
                    PORTAL_URL="http://cong.sogd.lan")
    result = manage(path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 1
    assert set(re.findall(r"\((\w+\.\w+)\)", result.stderr)) == {
        "security.W008", "security.W012", "security.W016"}


def test_the_environment_file_names_every_variable_the_settings_read_and_the_readme_documents():
    read = set(re.findall(r'(?:environ\.get|env_bool|env_int|env_list)\(\s*"([A-Z_]+)"',
                          (REPO / "edu_portal" / "settings.py").read_text(encoding="utf-8")))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    example = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", (DEPLOY / "env.example").read_text(encoding="utf-8"),
                             flags=re.M))
    # Switches for development and the test suite, not for a server.
    development = {"CELERY_TASK_ALWAYS_EAGER", "AXES_ENABLED"}
    assert read - development - example == set()
    assert read - {"AXES_ENABLED"} - documented == set()


# Static files with DEBUG off


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """collectstatic with the production settings into a new STATIC_ROOT."""
    tmp_path = tmp_path_factory.mktemp("collected")
    root = tmp_path / "static"
    collected = manage(env_file(tmp_path, DJANGO_STATIC_ROOT=str(root)), "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr
    return root


@contextlib.contextmanager
def gunicorn(path: Path):
    """gunicorn as edu-portal-web.service starts it, with the environment file `path`;
    yields its port."""
    port = free_port()
    command = [part.replace("/srv/edu-portal/app/.venv/bin/", f"{VENV_BIN}/")
               .replace("127.0.0.1:8000", f"127.0.0.1:{port}") for part in exec_start("edu-portal-web.service")]
    log = path.with_name("gunicorn.log")
    # What EnvironmentFile= does.
    process = subprocess.Popen(["sh", "-c", 'set -a; . "$EDU_PORTAL_ENV"; set +a; exec "$@"', "sh", *command],
                               cwd=REPO, env={**clean_environment(path), "WEB_CONCURRENCY": "1"},
                               stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def web(static_root, tmp_path_factory):
    """The portal with DEBUG off and no database or Redis behind it (closed ports)."""
    path = env_file(tmp_path_factory.mktemp("web"), DJANGO_STATIC_ROOT=str(static_root),
                    DATABASE_URL="postgres://nobody@127.0.0.1:1/none", REDIS_URL="redis://127.0.0.1:1/0")
    with gunicorn(path) as port:
        names = json.loads((static_root / "staticfiles.json").read_text())["paths"]
        yield port, names, static_root


def get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": HOST, **headers})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


BEHIND_NGINX = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def max_age(response) -> int:
    return int(re.search(r"max-age=(\d+)", response.getheader("Cache-Control", "")).group(1))


def test_a_static_file_is_served_under_its_hashed_name_and_cached_for_good(web):
    port, names, static_root = web
    hashed = names["css/portal.css"]
    assert re.fullmatch(r"css/portal\.[0-9a-f]{12}\.css", hashed)
    response = get(port, f"/static/{hashed}", **BEHIND_NGINX, **{"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert max_age(response) >= 365 * 24 * 3600
    assert "immutable" in response.getheader("Cache-Control")
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(response.body) == (static_root / hashed).read_bytes()


def test_a_static_file_under_its_plain_name_is_cached_briefly(web):
    port, _, _ = web
    response = get(port, "/static/css/portal.css", **BEHIND_NGINX)
    assert response.status == 200
    assert max_age(response) < 3600


def test_pages_link_the_hashed_names(web):
    port, names, _ = web
    # A page that needs no database: the 404 page, on base.html like every other.
    response = get(port, "/khong-co-trang-nay/", **BEHIND_NGINX)
    assert response.status == 404
    page = response.body.decode()
    assert f'/static/{names["css/portal.css"]}"' in page
    assert '/static/css/portal.css"' not in page
    assert response.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"


def test_plain_http_is_redirected_to_https_except_the_health_check(web):
    port, names, _ = web
    response = get(port, f"/static/{names['css/portal.css']}")
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/static/{names['css/portal.css']}"
    assert get(port, "/healthz").status != 301


# PDFs with the hashed static files


def test_a_pdf_reads_its_stylesheet_when_static_names_are_hashed(settings, tmp_path):
    (tmp_path / "staticfiles.json").write_text(json.dumps({
        "version": "1.1", "hash": "0", "paths": {"css/print.css": "css/print.0123456789ab.css"}}))
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    fetcher = pdf.url_fetcher()
    (tmp_path / "letter.html").write_text(
        '{% extends "pdf/state_document.html" %}{% block body %}<p>Nội dung</p>{% endblock %}', encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    pdf.render_pdf("letter.html", {"number": "1/TB-SGDĐT"}, fetcher=fetcher)
    assert fetcher.refused == []
    assert "file:///static/css/print.css" in fetcher.fetched


# systemd units


@pytest.mark.skipif(not shutil.which("systemd-analyze") and not os.environ.get("CI"),
                    reason="systemd-analyze is not installed")
def test_the_systemd_units_are_valid(tmp_path):
    # The units name the checkout at /srv/edu-portal/app: here it is this one.
    for source in (DEPLOY / "systemd").iterdir():
        text = source.read_text(encoding="utf-8").replace("/srv/edu-portal/app/.venv/bin/", f"{VENV_BIN}/")
        (tmp_path / source.name).write_text(text.replace("/srv/edu-portal/app", str(REPO)), encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "edu-portal" not in result.stderr, result.stderr


def test_every_celery_queue_has_a_worker_unit_and_every_app_unit_restarts_with_the_environment_file():
    units = {path.name: path.read_text(encoding="utf-8") for path in (DEPLOY / "systemd").glob("*.service")}
    served = set()
    for name in units:
        command = exec_start(name)
        if "worker" in command:
            queues = next(part.split("=", 1)[1] for part in command if part.startswith("--queues="))
            served |= set(queues.split(","))
    assert served == set(django_settings.CELERY_TASK_QUEUES)
    for name in ("edu-portal-web.service", "edu-portal-worker.service", "edu-portal-worker-long.service",
                 "edu-portal-beat.service"):
        assert "EnvironmentFile=/etc/edu-portal/env" in units[name]
        assert "Restart=always" in units[name]
        assert "User=eduportal" in units[name]


# Signing in through the proxy: secure cookies, the scheme from X-Forwarded-Proto, the
# CSRF origin check (gunicorn on the test database, so the rows must be committed).


def database_url() -> str:
    db = django_settings.DATABASES["default"]
    credentials = quote(db["USER"], safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def sign_in(port: int, scheme: str, username: str, password: str, **headers: str) -> tuple[int, str, list[str]]:
    """The login form as a browser fills it in: the status and Location of the answer to
    the POST, and the cookies it sets."""
    form = get(port, "/accounts/login/", **headers)
    assert form.status == 200, form.body[:500]
    cookies = SimpleCookie()
    for header in form.headers.get_all("Set-Cookie"):
        cookies.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.body.decode()).group(1)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/accounts/login/", body=urlencode({
        "csrfmiddlewaretoken": token, "username": username, "password": password,
    }), headers={
        "Host": HOST, "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookies['csrftoken'].value}",
        "Origin": f"{scheme}://{HOST}", "Referer": f"{scheme}://{HOST}/accounts/login/", **headers,
    })
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.getheader("Location", ""), response.headers.get_all("Set-Cookie") or []


@pytest.fixture
def signed_in_director(transactional_db, director):
    """A director (no second factor required) whose password the server's own hasher
    reads (the test settings hash with MD5, which production does not accept)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

    type(director).objects.filter(pk=director.pk).update(
        password=make_password("mat-khau-that-dai-2026", hasher=PBKDF2PasswordHasher()))
    return director.username, "mat-khau-that-dai-2026"


@pytest.mark.postgres
def test_signing_in_over_https_through_the_proxy_sets_secure_cookies(static_root, tmp_path, signed_in_director):
    path = env_file(tmp_path, DJANGO_STATIC_ROOT=str(static_root), DATABASE_URL=database_url(),
                    REDIS_URL="redis://127.0.0.1:1/0", MEDIA_ROOT=str(tmp_path / "media"))
    with gunicorn(path) as port:
        status, location, cookies = sign_in(port, "https", *signed_in_director, **BEHIND_NGINX)
    assert (status, location) == (302, "/")
    session = next(cookie for cookie in cookies if cookie.startswith("sessionid="))
    assert "Secure" in session and "HttpOnly" in session


@pytest.mark.postgres
def test_signing_in_over_plain_http_on_a_lan_works_with_secure_cookies_off(static_root, tmp_path, signed_in_director):
    path = env_file(tmp_path, DJANGO_STATIC_ROOT=str(static_root), DATABASE_URL=database_url(),
                    REDIS_URL="redis://127.0.0.1:1/0", MEDIA_ROOT=str(tmp_path / "media"),
                    DJANGO_SECURE_COOKIES="0")
    with gunicorn(path) as port:
        status, location, cookies = sign_in(port, "http", *signed_in_director)
    assert (status, location) == (302, "/")
    assert "Secure" not in next(cookie for cookie in cookies if cookie.startswith("sessionid="))
