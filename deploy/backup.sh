#!/bin/sh
# Back up the portal: the database (pg_dump, custom format) and the private files
# (MEDIA_ROOT, tar), into a new folder DEST/edu-portal-YYYYMMDD-HHMMSS holding
# database.dump, media.tar.gz and SHA256SUMS; prints that folder's name.
#
#   deploy/backup.sh [DEST]        DEST defaults to /var/backups/edu-portal
#
# Settings from /etc/edu-portal/env (or EDU_PORTAL_ENV). After a successful backup, those
# in DEST older than KEEP_DAYS days (default 14) are deleted. A failed one leaves nothing
# that looks like a backup. Restore with deploy/restore.sh. The database is dumped first:
# a file uploaded meanwhile is in the archive without its row (harmless), whereas a file
# deleted meanwhile (the nightly purges at 02:15 and 02:30) would leave a row without its
# file: the timer (deploy/systemd/edu-portal-backup.timer) runs at 03:30.
set -eu
. "$(dirname -- "$0")/lib.sh"
load_env
pg_env_from_url

dest=${1:-/var/backups/edu-portal}
keep_days=${KEEP_DAYS:-14}
stamp=$(date +%Y%m%d-%H%M%S)

umask 077
mkdir -p "$dest"
work=$(mktemp -d "$dest/.partial-$stamp.XXXXXX")
trap 'rm -rf "$work"' EXIT

# One consistent snapshot, even while the portal runs.
pg_dump --format=custom --file="$work/database.dump"

if [ -d "$MEDIA_ROOT" ]; then
    # Exit status 1 is "a file changed while it was read" (an upload meanwhile): the
    # archive is still good; anything else is a failure.
    status=0
    tar -C "$MEDIA_ROOT" --warning=no-file-changed -czf "$work/media.tar.gz" . || status=$?
    [ "$status" -le 1 ] || die "tar failed on $MEDIA_ROOT (status $status)"
else
    tar -czf "$work/media.tar.gz" -T /dev/null  # nothing uploaded yet
fi

(cd "$work" && sha256sum database.dump media.tar.gz > SHA256SUMS)
mv -T "$work" "$dest/edu-portal-$stamp"
trap - EXIT

find "$dest" -mindepth 1 -maxdepth 1 -type d -name 'edu-portal-*' -mtime +"$keep_days" -exec rm -rf {} +
echo "$dest/edu-portal-$stamp"
