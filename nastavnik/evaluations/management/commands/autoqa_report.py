"""``nastavnik autoqa-report``: agreement of each auto-QA criterion with people's evaluations.

Prints, per scorecard and criterion, the pairs (conversations evaluated both by a person and
by auto-QA), agreement, Cohen's kappa with its 95 % interval, precision and recall of
violations and the trust status; ``--format json`` for pipelines, ``--confusion CRITERION``
for one criterion's confusion matrix. Definitions: docs/autoqa-trust.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError

from nastavnik.evaluations import trust

STATUS_TEXT = {
    trust.TRUSTED: "trusted",
    trust.NOT_TRUSTED: "NOT TRUSTED",
    trust.NOT_ENOUGH_DATA: "not enough data",
}


class _System:
    """The command line reads with full rights (it is run by whoever administers the host)."""

    is_authenticated = True
    is_active = True
    roles = frozenset({"admin"})


class Command(BaseCommand):
    help = (
        "Trust per auto-QA criterion: on conversations evaluated both by a person and by "
        "auto-QA, per criterion the number of pairs, agreement, Cohen's kappa (95% CI), "
        "precision and recall of violations and the status (criteria under "
        "NASTAVNIK_TRUST_MIN_KAPPA are left out of operator scores)."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--scorecard", help="scorecard key, e.g. default-chat")
        parser.add_argument("--since", type=date.fromisoformat, help="first day, YYYY-MM-DD")
        parser.add_argument("--until", type=date.fromisoformat, help="last day, YYYY-MM-DD")
        parser.add_argument("--channel", choices=["call", "chat", "email", "messenger"])
        parser.add_argument("--team", help="team name")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--confusion", metavar="CRITERION", help="print this criterion's confusion matrix"
        )

    def handle(self, *args, **options):
        filters = trust.TrustFilters(
            scorecard=options["scorecard"],
            since=options["since"],
            until=options["until"],
            channel=options["channel"],
            team=options["team"],
        )
        report = trust.trust_report(viewer=_System(), filters=filters)
        limits = trust.thresholds()
        if options["confusion"]:
            self._confusion(report, options["confusion"], options["format"])
        elif options["format"] == "json":
            document = {
                "thresholds": {"min_kappa": limits.min_kappa, "min_pairs": limits.min_pairs},
                "scorecards": [_card_json(card) for card in report],
            }
            self.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
        elif not report:
            self.stdout.write(
                "No conversations evaluated both by a person and by auto-QA match the filters: "
                "trust is measured on manual evaluations (official, practice, mystery shopper) "
                "of auto-evaluated conversations."
            )
        else:
            for card in report:
                self._table(card, limits)

    def _table(self, card: trust.ScorecardTrust, limits: trust.Thresholds) -> None:
        self.stdout.write(
            f"{card.key} — {card.spec.title} ({card.conversations} conversations; trusted: "
            f"kappa >= {limits.min_kappa} on >= {limits.min_pairs} pairs)"
        )
        header = (
            f"{'criterion':<28} {'title':<40} {'n':>5} {'agree':>6} {'kappa':>6} "
            f"{'95% CI':>13} {'prec':>5} {'recall':>6}  status"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for item in card.criteria:
            f = item.figures
            self.stdout.write(
                f"{item.key:<28.28} {item.criterion.title:<40.40} {f.n:>5} "
                f"{_percent(f.agreement):>6} {f.kappa:>6.2f} "
                f"{f'{f.kappa_low:.2f}..{f.kappa_high:.2f}':>13} "
                f"{_percent(f.precision):>5} {_percent(f.recall):>6}  {STATUS_TEXT[item.status]}"
            )
        self.stdout.write("")

    def _confusion(self, report: list[trust.ScorecardTrust], key: str, output: str) -> None:
        found = [(card, item) for card in report for item in card.criteria if item.key == key]
        if not found:
            raise CommandError(
                f"criterion {key!r}: no pairs of manual and automatic answers match the filters"
            )
        if output == "json":
            document = [{"scorecard": card.key, **_criterion_json(item)} for card, item in found]
            self.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
            return
        for card, item in found:
            matrix = item.figures.confusion
            self.stdout.write(
                f"{card.key} / {item.key} — {item.criterion.title} "
                f"(n={item.n}, kappa={item.figures.kappa:.2f})"
            )
            self.stdout.write("rows: person, columns: auto-QA")
            self.stdout.write(f"{'':>10}" + "".join(f"{label:>9}" for label in matrix.labels))
            for label, cells in zip(matrix.labels, matrix.counts, strict=True):
                self.stdout.write(f"{label:>10}" + "".join(f"{count:>9}" for count in cells))
            self.stdout.write("")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _criterion_json(item: trust.CriterionTrust) -> dict[str, Any]:
    f = item.figures
    v = f.violations
    return {
        "criterion": item.key,
        "title": item.criterion.title,
        "stage": item.stage.key if item.stage else None,
        "n": f.n,
        "agreement": f.agreement,
        "kappa": f.kappa,
        "kappa_ci95": [f.kappa_low, f.kappa_high],
        "precision": v.precision,
        "recall": v.recall,
        "f1": v.f1,
        "violations": {
            "true_positives": v.true_positives,
            "false_positives": v.false_positives,
            "false_negatives": v.false_negatives,
            "true_negatives": v.true_negatives,
            "na_disagreements": v.na_disagreements,
            "na_agreements": v.na_agreements,
        },
        "status": item.status,
        "confusion": f.confusion.as_dict(),
    }


def _card_json(card: trust.ScorecardTrust) -> dict[str, Any]:
    return {
        "scorecard": card.key,
        "title": card.spec.title,
        "conversations": card.conversations,
        "criteria": [_criterion_json(item) for item in card.criteria],
    }
