from celery import shared_task


@shared_task(acks_late=True)
def notices_send_task(dispatch_ids: list[int]) -> int:
    """Send the e-mails of a batch of notices recorded by notice_send, of digests and of
    retries (every row with a payload)."""
    from .services import notices_deliver

    return notices_deliver(dispatch_ids)


@shared_task
def notices_requeue_task() -> int:
    """Every 15 minutes: queue again the notices whose delivery task was lost."""
    from .services import notices_requeue

    return notices_requeue()


@shared_task
def dispatches_retry_task() -> int:
    """Every minute: queue the e-mails whose retry after a temporary SMTP failure is due."""
    from .services import dispatches_retry

    return dispatches_retry()
