"""``nastavnik scorecard import|export|list|install-defaults``."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from nastavnik.core.errors import ApplicationError
from nastavnik.scorecards import selectors, services
from nastavnik.scorecards.models import Scorecard


class _System:
    """The command line reads with full rights (it is run by whoever administers the host)."""

    is_authenticated = True
    is_active = True
    roles = frozenset({"admin"})


class Command(BaseCommand):
    help = "Import, export and list scorecards (checklists) as YAML."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        importing = commands.add_parser("import", help="validate and save a YAML scorecard")
        importing.add_argument("file", type=Path)
        importing.add_argument("--activate", action="store_true", help="make it the active one")
        exporting = commands.add_parser("export", help="write a scorecard version as YAML")
        exporting.add_argument("key")
        exporting.add_argument("--version", dest="number", type=int, default=None)
        exporting.add_argument("--out", type=Path, default=None)
        commands.add_parser("list", help="scorecards and their versions")
        commands.add_parser("install-defaults", help="install the shipped scorecards")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "import":
            self._import(options["file"], options["activate"])
        elif action == "export":
            self._export(options["key"], options["number"], options["out"])
        elif action == "list":
            for scorecard in Scorecard.objects.prefetch_related("versions"):
                versions = ", ".join(f"v{v.number} {v.state}" for v in scorecard.versions.all())
                self.stdout.write(f"{scorecard.key:<24} {scorecard.title}  [{versions}]")
        else:
            installed = services.scorecard_install_defaults(actor=None)
            self.stdout.write(f"installed {len(installed)} scorecard(s)")

    def _import(self, path: Path, activate: bool) -> None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"{path}: {error}") from error
        try:
            version = services.scorecard_import_yaml(
                actor=None, text=text, source_name=path.name, activate=activate
            )
        except ApplicationError as error:
            for issue in error.extra.get("issues", []):
                self.stderr.write(f"{issue['record']}: {issue['field']}: {issue['reason']}")
            raise CommandError(error.message) from error
        self.stdout.write(f"{version.scorecard.key} v{version.number} saved ({version.state})")

    def _export(self, key: str, number: int | None, out: Path | None) -> None:
        try:
            version = selectors.scorecard_version_get(viewer=_System(), key=key, number=number)
        except Http404 as error:
            raise CommandError(f"no scorecard {key!r} version {number or 'active'}") from error
        text = selectors.scorecard_yaml(version)
        if out is None:
            sys.stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")
            self.stdout.write(f"{key} v{version.number} written to {out}")
