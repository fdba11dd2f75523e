# The English UI keeps the Vietnamese dd/mm/yyyy dates so that printed records match.
from edu_portal.formats.vi.formats import *  # noqa: F401,F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
