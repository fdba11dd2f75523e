"""The scheduler celery beat runs with (CELERY_BEAT_SCHEDULER in settings).

Celery's PersistentScheduler keeps the time of each entry's last run in a shelve file
(CELERY_BEAT_SCHEDULE_FILENAME, or beat's --schedule option) and dies at start when the
file's folder does not exist: var/ is not in the repository, so on a fresh checkout beat
crashed, and under honcho took the web and the worker down with it. This one creates the
folder first. The file holds nothing that matters if lost: a missed or repeated tick is
harmless (notifications.Dispatch records what was sent), so it is local to the one
machine that runs beat, even when web and workers run on several.
"""

from pathlib import Path

from celery.beat import PersistentScheduler


class PortalScheduler(PersistentScheduler):
    """PersistentScheduler that makes its schedule file's folder before opening it."""

    def setup_schedule(self):
        Path(self.schedule_filename).parent.mkdir(parents=True, exist_ok=True)
        super().setup_schedule()
