from celery import shared_task


@shared_task
def task_reminders_sweep_task() -> int:
    """Every 15 minutes: claim the directive-task reminder steps now due and queue them."""
    from .services.reminders import task_reminders_sweep

    return len(task_reminders_sweep().claimed)


@shared_task(acks_late=True)
def task_reminders_send_task(dispatch_ids: list[int]) -> int:
    """Deliver a batch of claimed task reminder steps (e-mail and in-app notices)."""
    from .services.reminders import task_reminders_deliver

    return task_reminders_deliver(dispatch_ids)
