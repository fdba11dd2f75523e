from celery import shared_task


@shared_task
def flags_record_task() -> dict:
    """Nightly: record which compliance flags appeared and cleared today (flag history)."""
    from .services import flags_record

    return flags_record()


@shared_task
def flags_check_task() -> dict:
    """Right after midnight: re-derive every center's compliance flags for the new day,
    compare with the maintained table, repair and record any difference (inspections.flags)."""
    from .flags import flags_check

    check = flags_check()
    return {"as_of": check.as_of.isoformat(), "centers": check.centers, "dated": check.dated,
            "differences": check.differences}
