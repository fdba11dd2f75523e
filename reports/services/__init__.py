"""Write paths of periodic reporting: one module per concern, all exported here so that
callers write `from reports.services import submission_submit`."""

from .generation import (  # noqa: F401
    GENERATE_AHEAD_DAYS,
    centers_owing,
    obligations_generate,
    period_create,
    periods_generate,
)
from .reminders import reminders_deliver, reminders_sweep  # noqa: F401,E402
