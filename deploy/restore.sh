#!/bin/sh
# Restore a backup made by deploy/backup.sh: the database into the one DATABASE_URL names,
# which must exist and be empty, and the private files into MEDIA_ROOT, which must be
# missing or empty. Nothing is overwritten: to restore over a damaged installation, stop
# the portal, create a new database (or drop and create it again) and move MEDIA_ROOT
# aside first (README, "Backups").
#
#   deploy/restore.sh BACKUP_DIR   e.g. /var/backups/edu-portal/edu-portal-20260301-033000
#
# Settings from /etc/edu-portal/env (or EDU_PORTAL_ENV). Run it as the service user
# (sudo -u eduportal ...): the tables and files then belong to the portal.
set -eu
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 1 ] || die "usage: $0 BACKUP_DIR"
backup=$1
load_env
pg_env_from_url

[ -f "$backup/SHA256SUMS" ] || die "$backup is not a backup of deploy/backup.sh (no SHA256SUMS)"
(cd "$backup" && sha256sum --check --quiet --strict SHA256SUMS) || die "$backup is damaged: its checksums do not match"

tables=$(psql -XAtq -c "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')") \
    || die "cannot connect to database $PGDATABASE (create it first: createdb -O eduportal $PGDATABASE)"
[ "$tables" = 0 ] || die "database $PGDATABASE is not empty ($tables tables): restore into a new, empty database"
if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A -- "$MEDIA_ROOT")" ]; then
    die "$MEDIA_ROOT is not empty: move it aside first"
fi

# All or nothing; objects belong to whoever restores (the portal's role), whatever
# role owned them on the machine the backup came from.
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$PGDATABASE" "$backup/database.dump"
# pg_restore leaves the planner without statistics. Quietly: a role that is not a
# superuser is told, for every shared catalogue, that it may not analyse it.
psql -XAtq -c "SET client_min_messages = error" -c "ANALYZE" >/dev/null

mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -xzf "$backup/media.tar.gz"
echo "restored $backup into database $PGDATABASE and $MEDIA_ROOT"
