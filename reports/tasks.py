from celery import shared_task


@shared_task
def periods_generate_task() -> dict:
    """Daily: create the coming reporting periods and their obligations (idempotent)."""
    from .services import periods_generate

    return periods_generate()
