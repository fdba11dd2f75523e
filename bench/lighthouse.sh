#!/usr/bin/env bash
# Lighthouse (mobile emulation, the default form factor) on the pages a phone user opens
# first: the login page, the director's home and report form, the registry and the
# compliance page, served as in production (gunicorn, DEBUG off, whitenoise with the
# collected static files).
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a seeded database> bench/lighthouse.sh [RUNS]
#
# The database must hold the demo (manage.py load_units && manage.py seed_demo); without
# DATABASE_URL the SQLite db.sqlite3 of `make run` is used. RUNS (default 3) runs per page;
# the median of each score is printed. Needs:
#   - npm's lighthouse: `npm install --prefix /tmp/lh lighthouse` (LIGHTHOUSE=path/to/bin
#     otherwise; default /tmp/lh/node_modules/.bin/lighthouse)
#   - Chromium at /usr/bin/chromium (CHROME_PATH to change it)
# Port 8022 must be free (PORT to change it). Results: bench/results/lighthouse_<time>/
# (one JSON report per page and run, and summary.txt); nothing in the project is changed:
# static files are collected into a temporary folder (bench/lighthouse_settings.py).
#
# Two-factor sign-in is turned off for the run (DJANGO_TWO_FACTOR_REQUIRED_ROLES=none): the
# demo accounts are logged in by a real POST of the login form with curl, and the session
# cookie is handed to Lighthouse with --extra-headers.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${1:-3}
PORT=${PORT:-8022}
BASE="http://127.0.0.1:${PORT}"
LIGHTHOUSE=${LIGHTHOUSE:-/tmp/lh/node_modules/.bin/lighthouse}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
OUT="$ROOT/bench/results/lighthouse_$(date +%Y%m%d_%H%M%S)"
mkdir -p "$OUT"
WORK=$(mktemp -d)

export DJANGO_SETTINGS_MODULE=bench.lighthouse_settings
export LIGHTHOUSE_STATIC_ROOT="$WORK/static"
export DJANGO_DEBUG=0
export DJANGO_SECRET_KEY=lighthouse-bench-only
export DJANGO_SECURE_COOKIES=0
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_TWO_FACTOR_REQUIRED_ROLES=none
export DJANGO_LOG_LEVEL=WARNING

.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn edu_portal.wsgi --bind "127.0.0.1:${PORT}" --workers 2 --log-level warning \
  >"$OUT/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
trap 'kill "$GUNICORN_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

# login USERNAME -> the session id of a real login.
login() {
  local jar="$WORK/$1.jar" token
  token=$(curl -fs -c "$jar" "$BASE/accounts/login/" | sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' | head -n1)
  curl -fs -o /dev/null -b "$jar" -c "$jar" -H "Referer: $BASE/accounts/login/" \
    --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "username=$1" \
    --data-urlencode "password=demo@2026" "$BASE/accounts/login/"
  awk '$6 == "sessionid" {print $7}' "$jar"
}

# The director's report form: the first obligation of giamdoc's center still open.
FORM_PK=$(.venv/bin/python manage.py shell -v0 -c "
from accounts.models import User
from reports.selectors import obligations_visible_to
print(obligations_visible_to(User.objects.get(username='giamdoc')).filter(status='open').order_by('period__due_date').values_list('pk', flat=True).first())")

# name | path | user ('' for anonymous). A director's home is their list of reports: "/"
# only redirects there.
PAGES=(
  "login|/accounts/login/|"
  "director_home|/reports/|giamdoc"
  "director_form|/reports/${FORM_PK}/|giamdoc"
  "registry|/centers/|sogd"
  "compliance|/compliance/|thanhtra"
)

declare -A SESSION
for user in giamdoc sogd thanhtra; do SESSION[$user]=$(login "$user"); done

for page in "${PAGES[@]}"; do
  IFS='|' read -r name path user <<<"$page"
  headers=()
  [[ -n "$user" ]] && headers=(--extra-headers "{\"Cookie\": \"sessionid=${SESSION[$user]}\"}")
  for run in $(seq "$RUNS"); do
    echo "lighthouse $name ($BASE$path${user:+ as $user}), run $run" >&2
    # Headless Chromium now and then loses the trace of a load (NO_NAVSTART): such a run
    # measured nothing and is made again, up to three times.
    for attempt in 1 2 3; do
      "$LIGHTHOUSE" "$BASE$path" --quiet --output=json --output-path="$OUT/${name}_${run}.json" \
        --only-categories=accessibility,performance,best-practices \
        --chrome-flags="--headless=new --no-sandbox --disable-gpu" "${headers[@]}" && break
      echo "  run $run failed (attempt $attempt); again" >&2
      [[ $attempt == 3 ]] && exit 1
    done
  done
done

.venv/bin/python - "$OUT" <<'EOF' | tee "$OUT/summary.txt"
import json, statistics, sys
from pathlib import Path

out = Path(sys.argv[1])
pages = {}
for report in sorted(out.glob("*_*.json")):
    name = report.stem.rsplit("_", 1)[0]
    pages.setdefault(name, []).append(json.loads(report.read_text()))
print(f"{'page':<15} {'a11y':>5} {'perf':>5} {'b.p.':>5} {'KB':>7}  failed audits (a11y, b.p.)")
for name, runs in pages.items():
    med = lambda f: statistics.median(f(r) for r in runs)
    score = lambda cat: med(lambda r: round(100 * (r["categories"][cat]["score"] or 0)))
    kb = med(lambda r: r["audits"]["total-byte-weight"]["numericValue"]) / 1024
    final = runs[0]["finalDisplayedUrl"]
    failed = sorted({
        audit["id"] for r in runs for cat in ("accessibility", "best-practices")
        for ref in r["categories"][cat]["auditRefs"] if ref["weight"]
        for audit in [r["audits"][ref["id"]]] if audit["score"] is not None and audit["score"] < 1
    })
    print(f"{name:<15} {score('accessibility'):>5} {score('performance'):>5} {score('best-practices'):>5} {kb:>7.1f}  {', '.join(failed) or '-'}  ({final})")
EOF
