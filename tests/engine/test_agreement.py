"""Agreement statistics: hand-computed examples, degenerate cases and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nastavnik.engine.stats import agreement
from nastavnik.engine.stats.agreement import (
    cohen_kappa,
    confusion_matrix,
    kappa_interval,
    percent_agreement,
    summarise,
    violation_metrics,
)

labels = st.sampled_from(agreement.VERDICT_LABELS)
pairs_strategy = st.lists(st.tuples(labels, labels), min_size=1, max_size=60)


def _pairs(*groups: tuple[str, str, int]) -> list[tuple[str, str]]:
    """Pairs from (reference, rated, how many) groups."""
    return [(a, b) for a, b, count in groups for _ in range(count)]


DOCS_EXAMPLE = _pairs(
    ("yes", "yes", 18),
    ("yes", "partial", 1),
    ("yes", "no", 1),
    ("partial", "yes", 2),
    ("partial", "partial", 4),
    ("partial", "no", 2),
    ("no", "yes", 2),
    ("no", "partial", 1),
    ("no", "no", 9),
)


# --- hand-computed examples -----------------------------------------------------------------


def test_textbook_two_by_two_example():
    """Given 50 items (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no), when measured,
    then pₒ = 0.7, pₑ = 0.5·0.6 + 0.5·0.4 = 0.5 and κ = 0.2 / 0.5 = 0.4."""
    pairs = _pairs(("yes", "yes", 20), ("yes", "no", 5), ("no", "yes", 10), ("no", "no", 15))
    assert percent_agreement(pairs) == pytest.approx(0.7)
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_three_labels_example_from_the_docs():
    """Given the worked example of docs/autoqa-trust.md (40 pairs), when measured, then
    pₒ = 31/40, pₑ = (20·22 + 8·6 + 12·12)/40² = 632/1600 and κ = 608/968 exactly."""
    pairs = DOCS_EXAMPLE
    assert len(pairs) == 40
    assert percent_agreement(pairs) == 31 / 40
    assert cohen_kappa(pairs) == 608 / 968
    result = summarise(pairs)
    assert (
        result.violations.true_positives,
        result.violations.false_positives,
        result.violations.false_negatives,
        result.violations.true_negatives,
    ) == (16, 2, 4, 18)
    assert result.precision == 16 / 18
    assert result.recall == 16 / 20
    assert (round(result.kappa_low, 3), round(result.kappa_high, 3)) == (0.414, 0.842)


def test_perfect_agreement_on_one_label_is_kappa_one_by_definition():
    """Given both raters said "yes" every time (pₑ = 1), when measured, then κ = 1.0."""
    assert cohen_kappa([("yes", "yes")] * 12) == 1.0
    assert kappa_interval([("yes", "yes")] * 12) == (1.0, 1.0)


def test_one_rater_constant_the_other_not_is_zero():
    """Given the reference always "yes" and the rater mixed, when measured, then κ = 0."""
    pairs = _pairs(("yes", "yes", 8), ("yes", "no", 2))
    assert cohen_kappa(pairs) == 0.0


def test_complete_disagreement_on_two_balanced_labels_is_minus_one():
    """Given every pair swapped on two equally used labels, when measured, then κ = −1."""
    pairs = _pairs(("yes", "no", 5), ("no", "yes", 5))
    assert cohen_kappa(pairs) == -1.0
    assert percent_agreement(pairs) == 0.0


def test_no_pairs_is_an_error():
    """Given no pairs, when asked for kappa or agreement, then ValueError says so."""
    with pytest.raises(ValueError, match="at least one pair"):
        cohen_kappa([])
    with pytest.raises(ValueError, match="at least one pair"):
        percent_agreement([])


def test_interval_uses_cohens_standard_error():
    """Given the textbook example, when the 95 % interval is taken, then it is
    κ ± 1.96·√(0.7·0.3 / (50·0.25)) = 0.4 ± 0.2540…"""
    pairs = _pairs(("yes", "yes", 20), ("yes", "no", 5), ("no", "yes", 10), ("no", "no", 15))
    low, high = kappa_interval(pairs)
    error = math.sqrt(0.7 * 0.3 / (50 * 0.25))
    z = 1.959963984540054
    assert low == pytest.approx(0.4 - z * error)
    assert high == pytest.approx(0.4 + z * error)


def test_confusion_matrix_rows_are_the_reference():
    """Given pairs, when the matrix is built, then rows are reference and columns rated."""
    matrix = confusion_matrix([("no", "yes"), ("no", "yes"), ("yes", "yes"), ("na", "no")])
    assert matrix.labels == ("yes", "partial", "no", "na")
    assert matrix.count("no", "yes") == 2
    assert matrix.count("yes", "no") == 0
    assert matrix.as_dict()["na"] == {"yes": 0, "partial": 0, "no": 1, "na": 0}


def test_confusion_matrix_keeps_unknown_labels():
    """Given a label outside the verdicts, when the matrix is built, then it is appended."""
    matrix = confusion_matrix([("yes", "maybe")])
    assert matrix.labels[-1] == "maybe"
    assert matrix.count("yes", "maybe") == 1


def test_violations_counts_partial_as_a_violation_and_na_apart():
    """Given pairs with partial, no and N/A, when violations are measured, then partial and
    no are positive and any N/A pair is counted apart from the four cells."""
    pairs = _pairs(
        ("no", "no", 3),  # tp
        ("partial", "no", 1),  # tp
        ("yes", "partial", 2),  # fp
        ("no", "yes", 2),  # fn
        ("yes", "yes", 10),  # tn
        ("no", "na", 1),  # N/A disagreement
        ("na", "yes", 2),  # N/A disagreement
        ("na", "na", 4),  # N/A agreement
    )
    result = violation_metrics(pairs)
    assert (
        result.true_positives,
        result.false_positives,
        result.false_negatives,
        result.true_negatives,
    ) == (4, 2, 2, 10)
    assert (result.na_disagreements, result.na_agreements) == (3, 4)
    assert result.precision == pytest.approx(4 / 6)
    assert result.recall == pytest.approx(4 / 6)
    assert result.f1 == pytest.approx(4 / 6)


def test_violations_without_positives_have_no_precision_or_recall():
    """Given nobody saw a violation, when measured, then precision and recall are None."""
    result = violation_metrics([("yes", "yes")] * 3)
    assert (result.precision, result.recall, result.f1) == (None, None, None)


def test_summary_holds_every_figure():
    """Given pairs, when summarised, then the figures equal the separate functions."""
    pairs = _pairs(("yes", "yes", 20), ("yes", "no", 5), ("no", "yes", 10), ("no", "no", 15))
    result = summarise(pairs)
    assert result.n == 50
    assert result.agreement == pytest.approx(0.7)
    assert result.kappa == pytest.approx(0.4)
    assert (result.kappa_low, result.kappa_high) == pytest.approx(kappa_interval(pairs))
    assert result.precision == pytest.approx(15 / 20)
    assert result.recall == pytest.approx(15 / 25)


# --- properties ---------------------------------------------------------------------------


@given(pairs_strategy)
def test_kappa_is_between_minus_one_and_one(pairs):
    """Given any pairs, when kappa is taken, then −1 ≤ κ ≤ 1."""
    assert -1.0 <= cohen_kappa(pairs) <= 1.0


@given(st.lists(labels, min_size=1, max_size=60))
def test_identical_labels_give_kappa_one(values):
    """Given the rater copies the reference, when kappa is taken, then κ = 1."""
    assert cohen_kappa([(v, v) for v in values]) == 1.0
    assert percent_agreement([(v, v) for v in values]) == 1.0


@given(pairs_strategy)
def test_kappa_is_symmetric(pairs):
    """Given pairs, when the raters swap places, then κ and agreement stay the same."""
    swapped = [(b, a) for a, b in pairs]
    assert cohen_kappa(swapped) == cohen_kappa(pairs)
    assert percent_agreement(swapped) == percent_agreement(pairs)


@given(pairs_strategy)
def test_agreement_is_a_share(pairs):
    """Given pairs, when agreement is taken, then it lies in [0, 1]."""
    assert 0.0 <= percent_agreement(pairs) <= 1.0


@given(pairs_strategy, st.randoms(use_true_random=False))
def test_order_of_pairs_does_not_matter(pairs, random):
    """Given pairs, when they are shuffled, then every figure is the same."""
    shuffled = list(pairs)
    random.shuffle(shuffled)
    assert summarise(shuffled) == summarise(pairs)


@given(pairs_strategy)
def test_renaming_labels_does_not_change_kappa(pairs):
    """Given pairs, when labels are renamed one-to-one, then κ (nominal) is the same."""
    rename = {"yes": "a", "partial": "b", "no": "c", "na": "d"}
    renamed = [(rename[a], rename[b]) for a, b in pairs]
    assert cohen_kappa(renamed) == cohen_kappa(pairs)


@given(pairs_strategy)
def test_interval_contains_kappa(pairs):
    """Given pairs, when the interval is taken, then low ≤ κ ≤ high within [−1, 1]."""
    low, high = kappa_interval(pairs)
    kappa = cohen_kappa(pairs)
    assert -1.0 <= low <= kappa <= high <= 1.0


@given(pairs_strategy)
def test_confusion_matrix_sums_to_n(pairs):
    """Given pairs, when the matrix is built, then its cells sum to the number of pairs."""
    matrix = confusion_matrix(pairs)
    assert sum(map(sum, matrix.counts)) == len(pairs)
    assert sum(matrix.counts[i][i] for i in range(len(matrix.labels))) == sum(
        1 for a, b in pairs if a == b
    )


@given(pairs_strategy)
def test_violation_cells_and_na_counts_cover_every_pair(pairs):
    """Given pairs, when violations are measured, then every pair lands in exactly one count."""
    result = violation_metrics(pairs)
    total = (
        result.true_positives
        + result.false_positives
        + result.false_negatives
        + result.true_negatives
        + result.na_disagreements
        + result.na_agreements
    )
    assert total == len(pairs)
    for value in (result.precision, result.recall, result.f1):
        assert value is None or 0.0 <= value <= 1.0
