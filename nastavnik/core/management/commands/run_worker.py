"""``nastavnik worker``: a Celery worker for background jobs (needs CELERY_BROKER_URL)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run a Celery worker that executes imports and other background jobs."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument("--pidfile", default=None, help="write the worker's pid here")

    def handle(self, *args, **options):
        if not settings.CELERY_BROKER_URL:
            raise CommandError("CELERY_BROKER_URL is not set: jobs run in-process without it.")
        from nastavnik.celery import app

        argv = [
            "worker",
            f"--concurrency={options['concurrency']}",
            f"--loglevel={options['loglevel']}",
        ]
        if options["pidfile"]:
            argv.append(f"--pidfile={options['pidfile']}")
        app.worker_main(argv)
