"""Settings for bench/lighthouse.sh only: the portal's own settings, with the collected
static files in a folder of the run's own (LIGHTHOUSE_STATIC_ROOT), so a measurement never
writes into the project's staticfiles/. Never used by the portal itself."""

import os
from pathlib import Path

from edu_portal.settings import *  # noqa: F401,F403

STATIC_ROOT = Path(os.environ["LIGHTHOUSE_STATIC_ROOT"])
