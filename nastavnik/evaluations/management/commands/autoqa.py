"""``nastavnik autoqa``: auto-QA of stored conversations, or of a file without a database.

With ``--input`` the command scores a file and writes results (no database); without it,
it evaluates the stored conversations matching the filters with each channel's active
scorecard and stores one automatic evaluation per conversation (a re-run replaces it).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import orjson
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from nastavnik.conversations.models import Conversation
from nastavnik.engine import autoqa, formats, scorecards
from nastavnik.engine.detectors.base import DetectorConfigError
from nastavnik.engine.detectors.compile import compile_scorecard
from nastavnik.evaluations import services


class Command(BaseCommand):
    help = (
        "Auto-QA. Without --input: evaluate stored conversations (filters: --since, --until, "
        "--channel, --team, --operator) with each channel's active scorecard and store the "
        "automatic evaluations. With --input/--scorecard/--out: score a JSONL/CSV file and "
        "write one JSON line per conversation (score, stage scores, verdicts, confidence, "
        "evidence) without touching the database."
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
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):
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
        conversations = Conversation.objects.all()
        if options["since"]:
            conversations = conversations.filter(started_at__date__gte=options["since"])
        if options["until"]:
            conversations = conversations.filter(started_at__date__lte=options["until"])
        if options["channel"]:
            conversations = conversations.filter(channel=options["channel"])
        if options["team"]:
            conversations = conversations.filter(team__name=options["team"])
        if options["operator"]:
            conversations = conversations.filter(operator_id=options["operator"])
        total = conversations.count()
        with tqdm(
            total=total, unit="conv", desc="Auto-QA", disable=options["quiet"], file=sys.stderr
        ) as bar:
            report = services.evaluation_auto_run(
                actor=None,
                conversations=conversations,
                progress=lambda done: bar.update(done - bar.n),
            )
        by_scorecard = ", ".join(f"{k}: {v}" for k, v in sorted(report.by_scorecard.items()))
        self.stdout.write(
            f"conversations: {report.conversations}, evaluated: {report.evaluated} "
            f"({by_scorecard or 'none'}), without an active scorecard: "
            f"{report.skipped_no_scorecard}"
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
