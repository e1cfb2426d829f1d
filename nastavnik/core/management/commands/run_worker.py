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
        parser.add_argument(
            "--beat",
            action="store_true",
            help="also run the scheduler of periodic tasks (CELERY_BEAT_SCHEDULE, e.g. the "
            "morning sampling); run it in exactly one worker",
        )

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
        if options["beat"]:
            # The schedule's last-run times live beside the data, not in the working folder.
            argv += ["--beat", f"--schedule={settings.HOME_DIR / 'celerybeat-schedule'}"]
        app.worker_main(argv)
