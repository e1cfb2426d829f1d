"""``nastavnik import FILE``: import conversations from JSON Lines or CSV."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from nastavnik.conversations import services
from nastavnik.conversations.models import Conversation
from nastavnik.core.errors import ApplicationError
from nastavnik.evaluations import services as evaluation_services


class Command(BaseCommand):
    help = (
        "Import conversations from a JSON Lines or CSV file (optionally .gz). "
        "Bad records are listed with line, field and reason; all good records are imported. "
        "Re-running the same file never duplicates: changed records are updated."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="import", help="source system of the records")
        parser.add_argument("--format", choices=["jsonl", "csv"], default=None)
        masking = parser.add_mutually_exclusive_group()
        masking.add_argument("--mask-pii", dest="mask_pii", action="store_true", default=None)
        masking.add_argument("--no-mask-pii", dest="mask_pii", action="store_false")
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument(
            "--workers",
            type=int,
            default=max(0, (os.cpu_count() or 1) - 1),
            help="processes that parse and prepare JSON Lines while this one writes "
            "(default: one per core but one; 0 = all in this process)",
        )
        parser.add_argument(
            "--autoqa",
            action="store_true",
            help="evaluate the created and changed conversations with auto-QA afterwards",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        path: Path = options["file"]
        total = path.stat().st_size if path.is_file() else 0
        bar = tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            desc="Import",
            disable=options["quiet"],
            file=sys.stderr,
        )

        def progress(done: int, _total: int) -> None:
            bar.update(done - bar.n)

        def on_issue(issue) -> None:
            tqdm.write(f"rejected: {issue}", file=sys.stderr)

        started = timezone.now()
        try:
            report = services.conversation_import(
                path=path,
                source=options["source"],
                actor=None,
                mask_pii=options["mask_pii"],
                batch_size=options["batch_size"],
                progress=progress,
                on_issue=on_issue,
                file_format=options["format"],
                workers=options["workers"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        finally:
            bar.close()
        self.stdout.write(
            f"records: {report.records}, created: {report.created}, updated: {report.updated}, "
            f"unchanged: {report.unchanged}, rejected: {report.rejected}, "
            f"new operators: {report.operators_created}"
        )
        if options["autoqa"]:
            self._autoqa(started, options["quiet"])
        if report.rejected:
            raise CommandError(f"{report.rejected} record(s) rejected; see the lines above.")

    def _autoqa(self, started, quiet: bool) -> None:
        written = Conversation.objects.filter(updated_at__gte=started)
        with tqdm(
            total=written.count(), unit="conv", desc="Auto-QA", disable=quiet, file=sys.stderr
        ) as bar:
            report = evaluation_services.evaluation_auto_run(
                actor=None, conversations=written, progress=lambda n: bar.update(n - bar.n)
            )
        self.stdout.write(
            f"auto-QA: evaluated {report.evaluated}, without an active scorecard: "
            f"{report.skipped_no_scorecard}"
        )
