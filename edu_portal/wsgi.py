import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings")
application = get_wsgi_application()

# The 130,000-odd objects of the loaded project live as long as the process: out of the
# collector's full passes, which otherwise walk them all every few hundred requests (an
# 80 ms pause in a 7 ms request on the registry list: bench/profile_pages.py, p99).
gc.freeze()
