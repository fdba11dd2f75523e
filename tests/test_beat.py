"""celery beat starts on a fresh checkout, where the folder of its schedule file (var/)
does not exist yet: it used to die at once, and under honcho take the web and the worker
down with it (edu_portal/beat.py)."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("named_by", ["CELERY_BEAT_SCHEDULE_FILENAME", "--schedule"])
def test_beat_starts_and_writes_its_schedule_where_no_folder_exists_yet(tmp_path, named_by):
    schedule = tmp_path / "checkout" / "var" / "celerybeat-schedule"
    celery = shutil.which("celery", path=os.path.dirname(sys.executable)) or "celery"
    command = [celery, "-A", "edu_portal", "beat", "--loglevel=INFO"]
    # The in-memory broker: beat writes its schedule before it sends anything, and
    # nothing it might send may reach a real queue.
    env = {key: value for key, value in os.environ.items()
           if key not in {"REDIS_URL", "DATABASE_URL", "CELERY_BEAT_SCHEDULE_FILENAME"}}
    env.update(DJANGO_DEBUG="1", DJANGO_SECRET_KEY="test", CELERY_TASK_ALWAYS_EAGER="0")
    if named_by == "--schedule":
        command.append(f"--schedule={schedule}")
    else:
        env["CELERY_BEAT_SCHEDULE_FILENAME"] = str(schedule)
    log = tmp_path / "beat.log"
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        # The shelve's files: celerybeat-schedule, or with .db, .dat/.dir (dbm flavours).
        while not list(schedule.parent.glob("celerybeat-schedule*")):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        time.sleep(1)  # still running once the schedule is written
        assert process.poll() is None, log.read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert "beat: Starting..." in log.read_text()
    assert "Traceback" not in log.read_text(), log.read_text()
