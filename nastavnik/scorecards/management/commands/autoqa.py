"""``nastavnik autoqa --input FILE --scorecard S --out FILE``: auto-QA of a file, no database."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from nastavnik.engine import autoqa, formats, scorecards
from nastavnik.engine.detectors.base import DetectorConfigError
from nastavnik.engine.detectors.compile import compile_scorecard


class Command(BaseCommand):
    help = (
        "Score a JSONL/CSV file of conversations with a scorecard's detectors and write one "
        "JSON line per conversation (score, stage scores, each criterion's verdict, "
        "confidence and evidence). Needs no database: use it in data pipelines or to check "
        "a scorecard before publishing it."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--input", type=Path, required=True, help="conversations file")
        parser.add_argument(
            "--scorecard",
            required=True,
            help="a scorecard YAML file, or a shipped one: default-call, default-chat, "
            "default-email, default-messenger",
        )
        parser.add_argument("--out", type=Path, required=True, help="results (.jsonl)")
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

    def _scorecard(self, name: str):
        if name in scorecards.DEFAULT_SCORECARD_KEYS:
            return scorecards.default_scorecard(name)
        try:
            return scorecards.load_scorecard(name)
        except scorecards.ScorecardError as error:
            for issue in error.issues:
                self.stderr.write(str(issue))
            raise CommandError(f"{name}: not a valid scorecard") from error
