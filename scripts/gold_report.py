"""Agreement of auto-QA with the hand-labelled gold set, per objective criterion.

Scores ``tests/data/gold/gold.jsonl`` with the default scorecard of each conversation's
channel and compares every verdict with the label in ``meta.gold`` (a criterion the
detectors leave unanswered, such as an unknown first-response time, counts as ``na``).
Prints one markdown row per criterion: labels, agreement, Cohen's kappa with its 95 %
interval, and the same on the hold-out part alone (``meta.gold_split == "holdout"``: written
after the detectors were tuned on the rest, never used to tune them).

    .venv/bin/python scripts/gold_report.py                              # the table
    .venv/bin/python scripts/gold_report.py --misses positive_wording   # the disagreements
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from nastavnik.engine import scorecards, scoring
from nastavnik.engine.detectors.compile import compile_scorecard
from nastavnik.engine.formats import read_file
from nastavnik.engine.stats import agreement

GOLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "gold" / "gold.jsonl"
CHANNELS = ("call", "chat", "email", "messenger")
HOLDOUT = "holdout"


class Label(NamedTuple):
    """One hand label beside the detector's verdict."""

    external_id: str
    split: str
    gold: str
    detected: str


def gold_labels(path: Path = GOLD) -> dict[str, list[Label]]:
    """Per criterion key, every hand label of the gold set with the detector's verdict."""
    compiled = {
        channel: compile_scorecard(scorecards.default_scorecard(f"default-{channel}"))
        for channel in CHANNELS
    }
    labels: dict[str, list[Label]] = defaultdict(list)
    for parsed in read_file(path, default_source="gold"):
        conversation = parsed.conversation
        if conversation is None:
            raise SystemExit(f"gold record rejected: {parsed.issues}")
        card = compiled[conversation.channel]
        criteria = {criterion.key: criterion for criterion in card.spec.criteria()}
        answers = {answer.criterion: answer for answer in card.evaluate(conversation)}
        split = conversation.meta.get("gold_split", "tuning")
        for key, expected in conversation.meta["gold"].items():
            answer = answers.get(key)
            found = "na" if answer is None else scoring.verdict(criteria[key], answer.value)
            labels[key].append(Label(conversation.external_id, split, expected, found))
    return dict(labels)


def _cells(rows: Sequence[Label]) -> str:
    if not rows:
        return "0 | — | —"
    summary = agreement.summarise([(row.gold, row.detected) for row in rows])
    return f"{summary.n} | {summary.agreement:.1%} | {summary.kappa:.2f}"


def table(labels: dict[str, list[Label]]) -> str:
    """The per-criterion table as markdown: all labels, then the hold-out part alone."""
    lines = [
        "| criterion | n | agreement | kappa (95 % CI) | hold-out n | agreement | kappa |",
        "|---|---|---|---|---|---|---|",
    ]
    for key in sorted(labels):
        rows = labels[key]
        summary = agreement.summarise([(row.gold, row.detected) for row in rows])
        interval = f"{summary.kappa_low:.2f}–{summary.kappa_high:.2f}"
        held_out = [row for row in rows if row.split == HOLDOUT]
        lines.append(
            f"| `{key}` | {summary.n} | {summary.agreement:.1%} | {summary.kappa:.2f} "
            f"({interval}) | {_cells(held_out)} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table, or the disagreements of one criterion."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD, help="the gold JSONL file")
    parser.add_argument("--misses", metavar="CRITERION", help="list the disagreements")
    args = parser.parse_args(argv)
    labels = gold_labels(args.gold)
    if args.misses:
        for row in labels.get(args.misses, []):
            if row.gold != row.detected:
                sys.stdout.write(
                    f"{row.external_id} ({row.split}): gold {row.gold}, detector {row.detected}\n"
                )
        return 0
    sys.stdout.write(table(labels) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
