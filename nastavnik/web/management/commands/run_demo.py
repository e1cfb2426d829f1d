"""``nastavnik demo``: a ready-to-click installation on SQLite with realistic data."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from tqdm import tqdm

from nastavnik.accounts.models import Role
from nastavnik.coaching.demo import mystery_demo
from nastavnik.evaluations import services as evaluation_services
from nastavnik.evaluations.demo import demo_evaluations_setup
from nastavnik.sampling.services import sampling_demo_fill
from nastavnik.web import services


class Command(BaseCommand):
    help = (
        "Create the database, generate demo data (3 teams, 24 operators, 90 days, all "
        "channels) and start the server on 127.0.0.1:8000, printing a login for every role."
    )

    def add_arguments(self, parser):
        parser.add_argument("--conversations", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="set up, do not serve")

    def handle(self, *args, **options):
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        call_command("migrate", interactive=False, verbosity=0)
        logins = services.demo_roster_setup(seed=options["seed"])
        count = options["conversations"]
        bars: dict[str, tqdm] = {}

        def on_generated(done: int) -> None:
            bar = bars.setdefault(
                "generate", tqdm(total=count, unit="conv", desc="Generate", file=sys.stderr)
            )
            bar.update(done - bar.n)

        def on_imported(done: int, total: int) -> None:
            if "generate" in bars:
                bars.pop("generate").close()
            bar = bars.setdefault(
                "import",
                tqdm(total=total, unit="B", unit_scale=True, desc="Import", file=sys.stderr),
            )
            bar.update(done - bar.n)

        try:
            report = services.demo_conversations_setup(
                count=count,
                folder=settings.HOME_DIR,
                seed=options["seed"],
                on_generated=on_generated,
                on_imported=on_imported,
            )
        finally:
            for bar in bars.values():
                bar.close()
        if report is None:
            self.stdout.write("Demo conversations are already there.")
        else:
            self.stdout.write(
                f"Imported {report.created + report.updated} conversations "
                f"({report.rejected} rejected)."
            )
        with tqdm(total=count, unit="conv", desc="Auto-QA", file=sys.stderr) as bar:
            evaluated = services.demo_autoqa_setup(on_progress=lambda n: bar.update(n - bar.n))
        if evaluated is not None:
            self.stdout.write(f"Evaluated {evaluated.evaluated} conversations automatically.")
        with tqdm(unit="eval", desc="Manual evaluations", file=sys.stderr) as bar:
            manual_count = demo_evaluations_setup(
                seed=options["seed"], on_progress=lambda n: bar.update(n - bar.n)
            )
        if manual_count:
            self.stdout.write(f"QA analysts submitted {manual_count} evaluations.")
            # Their answers decide which auto-QA criteria are trusted enough to count.
            changed = evaluation_services.evaluation_auto_rescore(actor=None)
            self.stdout.write(f"Auto-QA scores without untrusted criteria: {changed} changed.")
        sampling_demo_fill()
        mystery_demo()
        self._print_logins(logins, options["addr"])
        if not options["no_serve"]:
            call_command("runserver", options["addr"], use_reloader=False)

    def _print_logins(self, logins, addr: str) -> None:
        labels = dict(Role.choices)
        self.stdout.write("")
        self.stdout.write(f"Nastavnik is ready: http://{addr}/")
        self.stdout.write(f"Password for every login: {services.DEMO_PASSWORD}")
        for login in logins:
            roles = ", ".join(str(labels[r]) for r in login.roles)
            self.stdout.write(f"  {login.username:<22} {login.full_name:<28} {roles}")
        self.stdout.write("")
