"""Statistics for the apps, in pure Python: agreement between raters (see docs/autoqa-trust.md)."""

from nastavnik.engine.stats.agreement import (
    Agreement,
    ConfusionMatrix,
    ViolationMetrics,
    cohen_kappa,
    confusion_matrix,
    kappa_interval,
    percent_agreement,
    summarise,
    violation_metrics,
)

__all__ = [
    "Agreement",
    "ConfusionMatrix",
    "ViolationMetrics",
    "cohen_kappa",
    "confusion_matrix",
    "kappa_interval",
    "percent_agreement",
    "summarise",
    "violation_metrics",
]
