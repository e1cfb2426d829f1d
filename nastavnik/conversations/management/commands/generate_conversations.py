"""``nastavnik generate``: write realistic synthetic conversations as JSON Lines."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from nastavnik.demodata import generator, writer


class Command(BaseCommand):
    help = (
        "Generate N realistic Russian conversations (all channels, 24 operators, 3 teams) "
        "into a JSONL file in the import format. Streams in constant memory; "
        "deterministic for a given seed. Needs no database."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--conversations", type=int, default=1000)
        parser.add_argument("--out", type=Path, required=True, help="FILE.jsonl (or .jsonl.gz)")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument(
            "--start",
            type=date.fromisoformat,
            default=None,
            help="first day, YYYY-MM-DD (default: DAYS days before today)",
        )
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):
        count = options["conversations"]
        records = generator.generate_records(
            count, seed=options["seed"], start=options["start"], days=options["days"]
        )
        with tqdm(
            total=count, unit="conv", desc="Generate", disable=options["quiet"], file=sys.stderr
        ) as bar:
            written = writer.write_jsonl(
                options["out"], records, progress=lambda n: bar.update(n - bar.n)
            )
        self.stdout.write(f"{written} conversations written to {options['out']}")
