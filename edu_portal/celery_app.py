import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings")

app = Celery("edu_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

TICK_TASK = "edu_portal.tick"


@app.task(name=TICK_TASK)
def tick_task(queue: str) -> None:
    """Sent by beat to each queue every minute: the worker that runs it stamps that its
    queue is served (edu_portal.health, /healthz)."""
    from .health import stamp

    stamp(f"worker:{queue}")


@signals.before_task_publish.connect
def _stamp_beat(sender=None, **kwargs) -> None:
    # Only beat sends the tick: publishing it is beat's sign of life, whatever the workers do.
    if sender == TICK_TASK:
        from .health import stamp

        stamp("beat")


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_db_connections(sender=None, **kwargs) -> None:
    """Django's rule for a request, around each task: a connection older than CONN_MAX_AGE,
    or broken (the database restarted), is closed, and the next query opens a new one;
    otherwise it is kept (CONN_HEALTH_CHECKS checks it before its first use). Celery's fix-up
    would close it after every task (settings.CELERY_DB_REUSE_MAX)."""
    if sender is not None and getattr(sender.request, "is_eager", False):
        return  # run inside a web request, whose own signals do this
    from django.db import close_old_connections

    close_old_connections()
