"""The Celery app. Workers: ``celery -A newsfacts worker``.

It knows nothing of the apps: their ``tasks`` modules are found by autodiscovery, and a
worker's warm-up lives with the tasks (``claims.tasks``).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsfacts.settings")

app = Celery("newsfacts")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
