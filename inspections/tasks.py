from celery import shared_task


@shared_task
def flags_record_task() -> dict:
    """Nightly: record which compliance flags appeared and cleared today (flag history)."""
    from .services import flags_record

    return flags_record()
