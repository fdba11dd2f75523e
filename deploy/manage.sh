#!/bin/sh
# manage.py with the production settings (/etc/edu-portal/env, or EDU_PORTAL_ENV).
# Run it as the service user, so that files it writes belong to the portal:
#   sudo -u eduportal /srv/edu-portal/app/deploy/manage.sh migrate
# PYTHON: another interpreter than the checkout's .venv/bin/python.
set -eu
. "$(dirname -- "$0")/lib.sh"
load_env
cd "$APP_DIR"
exec "${PYTHON:-$APP_DIR/.venv/bin/python}" manage.py "$@"
