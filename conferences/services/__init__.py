"""Write paths of conferences, directives and tasks (see each module)."""

from .conferences import (  # noqa: F401
    conference_attachment_add,
    conference_delete,
    conference_delete_refusal,
    conference_save,
    conference_search_text,
)
from .directives import directive_correct, directive_issue, directive_save  # noqa: F401
from .tasks import (  # noqa: F401
    CenterSelection,
    assignment_accept,
    assignment_reopen,
    progress_report,
    task_assign,
    task_save,
)
