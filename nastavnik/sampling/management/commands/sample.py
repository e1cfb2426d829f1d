"""``nastavnik sample``: fill the graders' queues by the sampling rules for a period."""

from __future__ import annotations

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from nastavnik.core.errors import ApplicationError
from nastavnik.engine import sampling
from nastavnik.sampling import services
from nastavnik.sampling.models import SamplingRule

REASON_COLUMNS = sampling.REASONS


class Command(BaseCommand):
    help = (
        "Sample conversations into the graders' queues by the active sampling rules: "
        "--period 2026-11, --week 2026-W48, --since/--until days, or --current (this week and "
        "month up to today, paced, as the scheduled task does). Idempotent: a re-run "
        "adds only what is missing. --dry-run prints the same summary without writing."
    )

    def add_arguments(self, parser):
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--period", help="a month, YYYY-MM (default: the current month)")
        when.add_argument("--week", help="an ISO week, YYYY-Www")
        when.add_argument("--since", type=date.fromisoformat, help="first day, YYYY-MM-DD")
        when.add_argument(
            "--current",
            action="store_true",
            help="this week and month up to today, paced: what the 06:00 task runs (for cron)",
        )
        parser.add_argument("--until", type=date.fromisoformat, help="last day, YYYY-MM-DD")
        parser.add_argument(
            "--rule",
            action="append",
            default=[],
            help="a rule's name or id (repeatable; default: every active rule)",
        )
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
        parser.add_argument("--seed", default="0", help="random seed (default 0)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        if options["current"]:
            if options["rule"] or options["until"]:
                raise CommandError("--current takes every active rule and no --until")
            for report in services.sample_current_periods(actor=None, dry_run=options["dry_run"]):
                self._print(report)
            return
        first, last = self._days(options)
        rules = self._rules(options["rule"])
        with tqdm(
            unit="operator", desc="Sampling", disable=options["quiet"], file=sys.stderr
        ) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                report = services.sample_run(
                    actor=None,
                    period_start=first,
                    period_end=last,
                    rules=rules,
                    dry_run=options["dry_run"],
                    seed=options["seed"],
                    progress=progress,
                )
            except ApplicationError as error:
                raise CommandError(f"{error.field}: {error.message}") from error
        self._print(report)

    def _days(self, options) -> tuple[date, date]:
        try:
            if options["week"]:
                period = sampling.parse_week(options["week"])
            elif options["since"]:
                return options["since"], options["until"] or timezone.localdate()
            elif options["period"]:
                period = sampling.parse_month(options["period"])
            else:
                period = sampling.period_of(sampling.MONTH, date.today())  # noqa: DTZ011
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["until"]:
            raise CommandError("--until goes with --since")
        return period.first, period.last

    def _rules(self, names: list[str]) -> list[SamplingRule] | None:
        if not names:
            return None
        rules = []
        for name in names:
            condition = Q(name=name) | (Q(pk=int(name)) if name.isdigit() else Q())
            rule = SamplingRule.objects.filter(condition).first()
            if rule is None:
                raise CommandError(f"--rule {name}: no sampling rule with this name or id")
            rules.append(rule)
        return rules

    def _print(self, report: services.SampleReport) -> None:
        mode = " (dry run: nothing written)" if report.dry_run else ""
        self.stdout.write(f"Sampling {report.first_day} … {report.last_day}{mode}")
        header = ["rule", "period", "operators", "picked", *REASON_COLUMNS]
        rows = [
            [
                row["rule"],
                row["period"],
                str(row["operators"]),
                str(row["picked"]),
                *(str(row["reasons"].get(reason, 0)) for reason in REASON_COLUMNS),
            ]
            for row in report.by_rule()
        ]
        widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=False)]
        for line in [header, *rows]:
            cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
        self.stdout.write(
            f"picked: {report.picked}, added to queues: {report.created}"
            if not report.dry_run
            else f"would pick: {report.picked}"
        )
        for problem in report.problems:
            self.stderr.write(f"warning: {problem}")
