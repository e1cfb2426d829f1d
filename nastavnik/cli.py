"""The ``nastavnik`` console script: Django management commands under product names.

``nastavnik import FILE`` runs ``import_conversations``, ``nastavnik generate`` runs
``generate_conversations`` and so on; any other Django command works as well
(``nastavnik migrate``, ``nastavnik createsuperuser``).
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "import": "import_conversations",
    "generate": "generate_conversations",
    "demo": "run_demo",
    "worker": "run_worker",
    "sample": "sample",
    "autoqa-report": "autoqa_report",
}


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] in ALIASES:
        args[1] = ALIASES[args[1]]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nastavnik.settings")
    from django.core.management import execute_from_command_line

    args[0] = "nastavnik"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
