"""Write paths of periodic reporting: one module per concern, all exported here so that
callers write `from reports.services import submission_submit`."""

from .generation import (  # noqa: F401
    GENERATE_AHEAD_DAYS,
    centers_owing,
    obligations_generate,
    period_create,
    periods_generate,
)
from .submissions import (  # noqa: F401
    attachment_add,
    attachment_remove,
    draft_initial,
    draft_refusal,
    draft_save,
    extension_refusal,
    extension_request_create,
    report_schema,
    submission_refusal,
    submission_submit,
    version_content_hash,
    version_verify,
)
from .reviews import (  # noqa: F401
    CONFLICT_MESSAGE,
    ReviewConflict,
    extension_decide,
    submission_accept,
    submission_return,
)
from .reminders import reminders_deliver, reminders_sweep  # noqa: F401,E402
from .periods import (  # noqa: F401,E402
    PERIOD_LOCKED_FIELDS,
    period_check_change,
    period_correct,
    period_corrections,
    period_has_submissions,
    period_locked_changes,
    period_locked_message,
    period_save,
)
