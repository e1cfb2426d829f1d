"""``nastavnik autoqa``: auto-QA of stored conversations, or of a file without a database.

With ``--input`` the command scores a file and writes results (no database); without it,
it evaluates the stored conversations matching the filters with each channel's active
scorecard and stores one automatic evaluation per conversation (a re-run replaces it):
on all cores of this machine (``--workers``), or as Celery tasks spread over
``nastavnik worker`` processes (``--celery``; see docs/decisions/0007-autoqa-parallelism.md).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

import orjson
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from nastavnik.core.models import Job
from nastavnik.engine import autoqa, formats, scorecards
from nastavnik.engine.detectors.base import DetectorConfigError
from nastavnik.engine.detectors.compile import compile_scorecard
from nastavnik.evaluations import services
from nastavnik.evaluations.autoqa_pipeline import conversations_matching

POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = (
        "Auto-QA. Without --input: evaluate stored conversations (filters: --since, --until, "
        "--channel, --team, --operator) with each channel's active scorecard and store the "
        "automatic evaluations, on all cores (--workers) or as Celery tasks (--celery). "
        "With --input/--scorecard/--out: score a JSONL/CSV file and write one JSON line per "
        "conversation (score, stage scores, verdicts, confidence, evidence) without touching "
        "the database."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--input", type=Path, help="conversations file (file mode)")
        parser.add_argument(
            "--scorecard",
            help="a scorecard YAML file, or a shipped one: default-call, default-chat, "
            "default-email, default-messenger",
        )
        parser.add_argument("--out", type=Path, help="results (.jsonl, file mode)")
        parser.add_argument("--since", type=date.fromisoformat, help="first day, YYYY-MM-DD")
        parser.add_argument("--until", type=date.fromisoformat, help="last day, YYYY-MM-DD")
        parser.add_argument("--channel", choices=["call", "chat", "email", "messenger"])
        parser.add_argument("--team", help="team name")
        parser.add_argument("--operator", type=int, help="operator id")
        parser.add_argument("--source", default="file", help="source of records without one")
        parser.add_argument(
            "--lexicons",
            type=Path,
            action="append",
            default=[],
            help="a folder of lexicon files that extend the shipped ones",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes that score while this one reads and writes (default: the number "
            "of cores; 0: everything in this process)",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=services.BATCH_SIZE,
            help="conversations per written batch (one transaction each)",
        )
        parser.add_argument(
            "--celery",
            action="store_true",
            help="split the run into chunks and queue them for `nastavnik worker` processes "
            "(needs CELERY_BROKER_URL); waits and shows their progress",
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=services.CHUNK_SIZE,
            help="conversations per Celery task (with --celery)",
        )
        parser.add_argument(
            "--resume",
            type=int,
            metavar="JOB",
            help="queue again the chunks of a failed or interrupted --celery run",
        )
        parser.add_argument(
            "--no-wait",
            action="store_true",
            help="with --celery: print the job number and return without waiting",
        )
        parser.add_argument(
            "--rescore",
            action="store_true",
            help="recompute the stored automatic evaluations' scores from their answers "
            "(after trust changed: untrusted criteria are left out) without running detectors",
        )
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):
        if options["rescore"]:
            changed = services.evaluation_auto_rescore(actor=None)
            self.stdout.write(f"Rescored: {changed} automatic evaluations changed score.")
            return
        if options["input"] is None:
            self._stored(options)
            return
        if not options["scorecard"] or not options["out"]:
            raise CommandError("--input needs --scorecard and --out")
        spec = self._scorecard(options["scorecard"])
        try:
            compiled = compile_scorecard(spec, extra_dirs=options["lexicons"])
        except DetectorConfigError as error:
            raise CommandError(str(error)) from error
        path: Path = options["input"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        records = formats.read_file(path, default_source=options["source"])
        scored = rejected = 0
        with (
            options["out"].open("wb") as out,
            tqdm(unit="conv", desc="Auto-QA", disable=options["quiet"], file=sys.stderr) as bar,
        ):
            for parsed, result in autoqa.score_records(records, compiled):
                if result is None:
                    rejected += 1
                    for issue in parsed.issues:
                        tqdm.write(f"rejected: {issue}", file=sys.stderr)
                    continue
                out.write(orjson.dumps(result) + b"\n")
                scored += 1
                bar.update(1)
        self.stdout.write(f"scored: {scored}, rejected: {rejected}, written to {options['out']}")
        if rejected:
            raise CommandError(f"{rejected} record(s) rejected; see the lines above.")

    def _stored(self, options) -> None:
        filters = services.AutoQaFilters(
            since=options["since"],
            until=options["until"],
            channel=options["channel"],
            team=options["team"],
            operator=options["operator"],
        )
        for name in ("batch_size", "chunk_size"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be 1 or more")
        if options["celery"] or options["resume"]:
            self._distributed(filters, options)
            return
        workers = options["workers"]
        if workers is None:
            workers = os.cpu_count() or 1
        if workers < 0:
            raise CommandError("--workers must be 0 (in this process) or more")
        conversations = conversations_matching(filters)
        total = conversations.count()
        with tqdm(
            total=total, unit="conv", desc="Auto-QA", disable=options["quiet"], file=sys.stderr
        ) as bar:
            report = services.evaluation_auto_run(
                actor=None,
                conversations=conversations,
                batch_size=options["batch_size"],
                workers=workers,
                progress=lambda done: bar.update(done - bar.n),
            )
        self._summary(report.as_dict())

    def _distributed(self, filters, options) -> None:
        if settings.NASTAVNIK_JOB_RUNNER != "celery":
            raise CommandError(
                "--celery and --resume need Celery workers: set CELERY_BROKER_URL "
                "(and run `nastavnik worker`)."
            )
        if options["resume"]:
            job = Job.objects.filter(pk=options["resume"], kind=services.AUTOQA_JOB).first()
            if job is None:
                raise CommandError(f"--resume: no auto-QA job #{options['resume']}")
            job = services.evaluation_auto_resume(actor=None, job=job)
        else:
            job = services.evaluation_auto_enqueue(
                actor=None, filters=filters, chunk_size=options["chunk_size"]
            )
        chunks = len(job.payload["chunks"])
        self.stdout.write(
            f"auto-QA job #{job.pk}: {job.total} conversation(s) in {chunks} chunk(s)"
        )
        if options["no_wait"]:
            return
        with tqdm(
            total=job.total, unit="conv", desc="Auto-QA", disable=options["quiet"], file=sys.stderr
        ) as bar:
            while not job.is_finished:
                time.sleep(POLL_SECONDS)
                job.refresh_from_db()
                bar.update(job.done - bar.n)
        if job.state == Job.State.FAILED:
            raise CommandError(
                f"auto-QA job #{job.pk} failed: {job.error}\n"
                f"Re-queue its unwritten chunks with: nastavnik autoqa --resume {job.pk}"
            )
        self._summary(job.report)

    def _summary(self, report: dict) -> None:
        by_scorecard = ", ".join(f"{k}: {v}" for k, v in sorted(report["by_scorecard"].items()))
        self.stdout.write(
            f"conversations: {report['conversations']}, evaluated: {report['evaluated']} "
            f"({by_scorecard or 'none'}), without an active scorecard: "
            f"{report['skipped_no_scorecard']}"
        )

    def _scorecard(self, name: str):
        if name in scorecards.DEFAULT_SCORECARD_KEYS:
            return scorecards.default_scorecard(name)
        try:
            return scorecards.load_scorecard(name)
        except scorecards.ScorecardError as error:
            for issue in error.issues:
                self.stderr.write(str(issue))
            raise CommandError(f"{name}: not a valid scorecard") from error
