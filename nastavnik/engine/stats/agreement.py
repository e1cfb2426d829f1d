"""Agreement between two raters of the same items: percent agreement, Cohen's kappa, its
confidence interval, the confusion matrix and precision/recall of violations.

A *pair* is ``(reference, rated)``: for auto-QA trust the reference is the person's verdict
and the rated one the detector's (``yes``, ``partial``, ``no``, ``na``). Kappa is nominal
(every label is its own category; ``partial`` is neither near ``yes`` nor near ``no``).
Definitions, the degenerate cases and a worked example: ``docs/autoqa-trust.md``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

VERDICT_LABELS: tuple[str, ...] = ("yes", "partial", "no", "na")
VIOLATION_LABELS: frozenset[str] = frozenset({"no", "partial"})
NA_LABEL = "na"

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ConfusionMatrix:
    """Counts of (reference, rated) label pairs: rows are the reference, columns the rated."""

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def count(self, reference: str, rated: str) -> int:
        """How many pairs have this reference label and this rated label."""
        return self.counts[self.labels.index(reference)][self.labels.index(rated)]

    def as_dict(self) -> dict[str, dict[str, int]]:
        """``{reference: {rated: count}}`` for JSON output."""
        return {
            row: dict(zip(self.labels, cells, strict=True))
            for row, cells in zip(self.labels, self.counts, strict=True)
        }


@dataclass(frozen=True, slots=True)
class ViolationMetrics:
    """Detection of violations, the positive class being a reference ``no`` or ``partial``.

    Pairs with ``na`` on either side are left out of the four cells: ``na_disagreements``
    counts those where only one side said N/A, ``na_agreements`` those where both did.
    ``precision``/``recall``/``f1`` are None when their denominator is zero.
    """

    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    na_disagreements: int
    na_agreements: int
    precision: float | None
    recall: float | None
    f1: float | None


@dataclass(frozen=True, slots=True)
class Agreement:
    """Every agreement figure for one set of pairs."""

    n: int
    agreement: float
    kappa: float
    kappa_low: float
    kappa_high: float
    confusion: ConfusionMatrix
    violations: ViolationMetrics

    @property
    def precision(self) -> float | None:
        """Share of the rated violations that the reference confirms."""
        return self.violations.precision

    @property
    def recall(self) -> float | None:
        """Share of the reference violations that the rater found."""
        return self.violations.recall


def _checked(pairs: Iterable[Pair]) -> list[Pair]:
    items = [tuple(pair) for pair in pairs]
    if not items:
        raise ValueError("agreement needs at least one pair")
    for index, pair in enumerate(items):
        if len(pair) != 2:
            raise ValueError(f"pair {index}: expected (reference, rated), got {pair!r}")
    return items  # type: ignore[return-value]


def _counts(items: Sequence[Pair]) -> tuple[int, int, int]:
    """(n, observed agreements, Σ over labels of reference count × rated count)."""
    reference = Counter(a for a, _ in items)
    rated = Counter(b for _, b in items)
    agreed = sum(1 for a, b in items if a == b)
    chance = sum(count * rated[label] for label, count in reference.items())
    return len(items), agreed, chance


def percent_agreement(pairs: Iterable[Pair]) -> float:
    """Share of pairs (0..1) where both raters gave the same label."""
    items = _checked(pairs)
    n, agreed, _ = _counts(items)
    return agreed / n


def cohen_kappa(pairs: Iterable[Pair]) -> float:
    """Cohen's kappa (nominal) of ``(reference, rated)`` label pairs.

    ``κ = (pₒ − pₑ) / (1 − pₑ)`` with pₒ the observed agreement and pₑ the agreement
    expected by chance from each rater's label shares. Computed on integer counts, so it
    is exactly symmetric. Degenerate case: when pₑ = 1 (both raters used one and the same
    single label) the formula is 0/0 and kappa is defined as 1.0 for perfect agreement,
    0.0 otherwise. Raises ValueError for no pairs.
    """
    items = _checked(pairs)
    n, agreed, chance = _counts(items)
    return _kappa(n, agreed, chance)


def _kappa(n: int, agreed: int, chance: int) -> float:
    # pₒ = agreed / n and pₑ = chance / n², so κ = (n·agreed − chance) / (n² − chance).
    denominator = n * n - chance
    if denominator == 0:
        return 1.0 if agreed == n else 0.0
    return (n * agreed - chance) / denominator


def kappa_interval(pairs: Iterable[Pair], confidence: float = 0.95) -> tuple[float, float]:
    """Approximate confidence interval of kappa, clipped to [−1, 1].

    Uses Cohen's (1960) large-sample standard error ``√(pₒ(1 − pₒ) / (n (1 − pₑ)²))``;
    cheap, and good enough to show how little 20 pairs say. In the degenerate case
    (pₑ = 1) the interval is the point itself.
    """
    items = _checked(pairs)
    n, agreed, chance = _counts(items)
    return _interval(n, agreed, chance, confidence)


def _interval(n: int, agreed: int, chance: int, confidence: float) -> tuple[float, float]:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    kappa = _kappa(n, agreed, chance)
    expected = chance / (n * n)
    if expected >= 1:
        return kappa, kappa
    observed = agreed / n
    error = math.sqrt(observed * (1 - observed) / (n * (1 - expected) ** 2))
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    return max(-1.0, kappa - z * error), min(1.0, kappa + z * error)


def confusion_matrix(
    pairs: Iterable[Pair], labels: Sequence[str] = VERDICT_LABELS
) -> ConfusionMatrix:
    """Counts per (reference, rated) label; labels outside ``labels`` are appended in order."""
    items = [tuple(pair) for pair in pairs]
    order = list(labels)
    for pair in items:
        for label in pair:
            if label not in order:
                order.append(label)
    cells = Counter(items)
    return ConfusionMatrix(
        labels=tuple(order),
        counts=tuple(tuple(cells[(row, column)] for column in order) for row in order),
    )


def violation_metrics(pairs: Iterable[Pair]) -> ViolationMetrics:
    """Precision, recall and F1 of finding violations (reference ``no``/``partial``)."""
    tp = fp = fn = tn = na_disagreements = na_agreements = 0
    for reference, rated in pairs:
        if reference == NA_LABEL or rated == NA_LABEL:
            if reference == rated:
                na_agreements += 1
            else:
                na_disagreements += 1
            continue
        actual = reference in VIOLATION_LABELS
        found = rated in VIOLATION_LABELS
        if actual and found:
            tp += 1
        elif found:
            fp += 1
        elif actual:
            fn += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    if precision is None or recall is None:
        f1 = None
    else:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ViolationMetrics(
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        true_negatives=tn,
        na_disagreements=na_disagreements,
        na_agreements=na_agreements,
        precision=precision,
        recall=recall,
        f1=f1,
    )


def summarise(
    pairs: Iterable[Pair], labels: Sequence[str] = VERDICT_LABELS, confidence: float = 0.95
) -> Agreement:
    """Every figure for a set of pairs in one pass over the counts."""
    items = _checked(pairs)
    n, agreed, chance = _counts(items)
    low, high = _interval(n, agreed, chance, confidence)
    return Agreement(
        n=n,
        agreement=agreed / n,
        kappa=_kappa(n, agreed, chance),
        kappa_low=low,
        kappa_high=high,
        confusion=confusion_matrix(items, labels),
        violations=violation_metrics(items),
    )
