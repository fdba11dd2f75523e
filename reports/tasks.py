from celery import shared_task


@shared_task
def periods_generate_task() -> dict:
    """Daily: create the coming reporting periods and their obligations (idempotent)."""
    from .services import periods_generate

    return periods_generate()


@shared_task
def reminders_sweep_task() -> int:
    """Every 15 minutes: claim the reminder steps now due and queue their delivery."""
    from .services import reminders_sweep

    return len(reminders_sweep().claimed)


@shared_task(acks_late=True)
def reminders_send_task(dispatch_ids: list[int]) -> int:
    """Deliver a batch of claimed reminder steps (e-mail and in-app notices)."""
    from .services import reminders_deliver

    return reminders_deliver(dispatch_ids)
