"""deploy/backup.sh and deploy/restore.sh (README, "Backups"): a backup restored into a new
database and folder gives the same rows in every table and the same files, and a restore
never overwrites anything."""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.factories import CenterFactory

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"


def url(name: str) -> str:
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"], safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def run(script: str, env_file: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8",
           "EDU_PORTAL_ENV": str(env_file)}
    return subprocess.run([str(DEPLOY / script), *args], env=env, cwd="/", capture_output=True, text=True,
                          timeout=300)


def environment(tmp_path: Path, name: str, database: str, media: Path) -> Path:
    """An environment file as /etc/edu-portal/env has it, for these two settings."""
    path = tmp_path / name
    path.write_text(f"DATABASE_URL={url(database)}\nMEDIA_ROOT={media}\n", encoding="utf-8")
    return path


def admin(sql: str) -> None:
    """CREATE or DROP DATABASE, outside any transaction, from the maintenance database."""
    connection = psycopg2.connect(url("postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def rows_per_table(database: str) -> dict[str, int]:
    with psycopg2.connect(url(database)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        counts = {}
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        # Where each sequence stands: new rows after a restore must not collide.
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        counts.update({f"sequence {name}": value for name, value in cursor.fetchall()})
    connection.close()
    return counts


def checksums(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def restored_database():
    name = f"{settings.DATABASES['default']['NAME']}_restored"
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    yield name
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_new_database_and_folder_with_the_same_rows_and_files(
        transactional_db, tmp_path, restored_database, center, other_center, foreign_center, director,
        department_user):
    # Rows: the fixtures' provinces, communes, centers, documents and accounts, with their
    # history, plus centers with Vietnamese names; files: private uploads as the portal
    # writes them, a binary one and an empty one among them.
    CenterFactory.create_batch(5, commune=center.commune, name="Trung tâm Giáo dục thường xuyên Đồng Kỵ")
    media = Path(settings.MEDIA_ROOT)
    default_storage.save("imports/2026/03/bang-ke.xlsx", ContentFile(os.urandom(200_000)))
    default_storage.save("evidence/biên bản kiểm tra.pdf", ContentFile("Biên bản".encode() * 1000))
    default_storage.save("pdf/2026/03/empty.pdf", ContentFile(b""))
    source = settings.DATABASES["default"]["NAME"]

    backups = tmp_path / "backups"
    old = backups / "edu-portal-20200101-033000"  # past KEEP_DAYS: deleted after the backup
    old.mkdir(parents=True)
    os.utime(old, (time.time() - 30 * 86400,) * 2)
    backed_up = run("backup.sh", environment(tmp_path, "source.env", source, media), str(backups))
    assert backed_up.returncode == 0, backed_up.stderr
    backup = Path(backed_up.stdout.strip())
    assert backup.parent == backups and backup.name.startswith("edu-portal-")
    assert sorted(p.name for p in backup.iterdir()) == ["SHA256SUMS", "database.dump", "media.tar.gz"]
    assert sorted(p.name for p in backups.iterdir()) == [backup.name]  # the old one, and no partial one
    assert backup.stat().st_mode & 0o077 == 0  # private: it holds every account's data

    restored_media = tmp_path / "restored" / "media"
    target = environment(tmp_path, "target.env", restored_database, restored_media)
    restored = run("restore.sh", target, str(backup))
    assert restored.returncode == 0, restored.stderr

    expected = rows_per_table(source)
    assert expected["centers_center"] == 8 and expected["accounts_user"] == 2
    assert rows_per_table(restored_database) == expected
    assert checksums(restored_media) == checksums(media) != {}
    with psycopg2.connect(url(restored_database)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM centers_center WHERE name = 'Trung tâm Giáo dục thường xuyên Đồng Kỵ'")
        assert cursor.fetchone()[0] == 5
    connection.close()

    # The restored database is the portal's schema, with nothing left to migrate.
    check = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check", "--noinput"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "DATABASE_URL": url(restored_database), "DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": "test"})
    assert check.returncode == 0, check.stdout + check.stderr

    # Restoring again overwrites nothing: the database and the folder are no longer empty.
    again = run("restore.sh", target, str(backup))
    assert again.returncode == 1
    assert "is not empty" in again.stderr
    assert rows_per_table(restored_database) == expected


def test_a_damaged_backup_is_refused_before_anything_is_restored(transactional_db, tmp_path, restored_database):
    media = Path(settings.MEDIA_ROOT)
    default_storage.save("imports/a.csv", ContentFile(b"ma,ten\n"))
    backed_up = run("backup.sh", environment(tmp_path, "source.env", settings.DATABASES["default"]["NAME"], media),
                    str(tmp_path / "backups"))
    assert backed_up.returncode == 0, backed_up.stderr
    backup = Path(backed_up.stdout.strip())
    with (backup / "media.tar.gz").open("r+b") as archive:
        archive.seek(100)
        archive.write(b"\0\0\0\0")

    restored_media = tmp_path / "restored"
    result = run("restore.sh", environment(tmp_path, "target.env", restored_database, restored_media), str(backup))
    assert result.returncode == 1
    assert "damaged" in result.stderr
    assert rows_per_table(restored_database) == {}
    assert not restored_media.exists()


def test_a_failed_backup_leaves_nothing_that_looks_like_one(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    result = run("backup.sh", environment(tmp_path, "source.env", "edu_portal_no_such_database", media),
                 str(tmp_path / "backups"))
    assert result.returncode != 0
    assert list((tmp_path / "backups").iterdir()) == []
