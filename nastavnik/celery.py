"""The Celery application: configured from Django settings (``CELERY_*``)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nastavnik.settings")

app = Celery("nastavnik")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["nastavnik.core", "nastavnik.conversations", "nastavnik.evaluations"])
app.autodiscover_tasks(["nastavnik.sampling"])
