# Sourced by the scripts of deploy/ (POSIX sh): where the checkout is, and the settings.

APP_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)

die() {
    echo "$(basename -- "$0"): $*" >&2
    exit 1
}

# The production settings: the environment file the systemd units read (EDU_PORTAL_ENV,
# default /etc/edu-portal/env), exported to everything the script runs.
load_env() {
    env_file=${EDU_PORTAL_ENV:-/etc/edu-portal/env}
    [ -r "$env_file" ] || die "cannot read $env_file (run as root or as eduportal, or set EDU_PORTAL_ENV)"
    set -a
    # shellcheck disable=SC1090
    . "$env_file"
    set +a
    MEDIA_ROOT=${MEDIA_ROOT:-$APP_DIR/var/media}  # the settings' default
}

# libpq's variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) from DATABASE_URL,
# for pg_dump, pg_restore and psql: the password goes through the environment, never
# the command line, which every local user can read (ps).
pg_env_from_url() {
    [ -n "${DATABASE_URL:-}" ] || die "DATABASE_URL is not set: backups are for PostgreSQL"
    pg_vars=$(python3 - "$DATABASE_URL" <<'PY'
import shlex
import sys
from urllib.parse import unquote, urlsplit

url = urlsplit(sys.argv[1])
if url.scheme not in ("postgres", "postgresql"):
    sys.exit(f"DATABASE_URL is not a PostgreSQL URL ({url.scheme!r})")
values = {
    "PGHOST": url.hostname, "PGPORT": url.port, "PGUSER": unquote(url.username or ""),
    "PGPASSWORD": unquote(url.password or ""), "PGDATABASE": unquote(url.path.lstrip("/")),
}
for name, value in values.items():
    print(f"export {name}={shlex.quote(str(value))}" if value else f"unset {name}")
PY
    ) || die "cannot read DATABASE_URL"
    eval "$pg_vars"
    [ -n "${PGDATABASE:-}" ] || die "DATABASE_URL names no database"
}
