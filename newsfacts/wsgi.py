import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsfacts.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, their modules) lives as long as the process:
# freezing it keeps the collector from walking those ~190,000 objects again in every full
# collection, which cost a queue request about 2 ms on average (docs/benchmarks.md, "Load").
gc.collect()
gc.freeze()
