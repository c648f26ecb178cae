"""The Celery app. Workers: ``celery -A newsfacts worker``."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsfacts.settings")

app = Celery("newsfacts")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def load_pipeline(**kwargs) -> None:
    """Load the spaCy pipeline and the check-worthiness models once per worker process,
    before the first job arrives."""
    from claims.extraction.checkworthiness import get_ensemble
    from claims.services import nlp_pipeline

    nlp_pipeline()
    get_ensemble()  # loads the lexical model too
