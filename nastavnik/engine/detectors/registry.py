"""Detector families by name, and compiling one detector from its configuration."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nastavnik.engine.detectors import (
    client_name,
    empathy,
    hold,
    order,
    phrase,
    rate,
    refusal_protocol,
    timing,
)
from nastavnik.engine.detectors.base import Detector, DetectorConfigError
from nastavnik.engine.detectors.config import Lexicons, Params

Factory = Callable[[Params], Detector]

FAMILIES: Mapping[str, Factory] = {
    "phrase": phrase.build,
    "order": order.build,
    "rate": rate.build,
    "client_name": client_name.build,
    "timing": timing.build,
    "refusal_protocol": refusal_protocol.build,
    "empathy_after_negativity": empathy.build,
    "hold_etiquette": hold.build,
}
"""Family name → factory that compiles its parameters into a detector."""


def compile_detector(
    config: Mapping[str, Any],
    *,
    language: str = "ru",
    extra_dirs: Sequence[str | os.PathLike[str]] = (),
    lexicons: Lexicons | None = None,
) -> Detector:
    """Compile one detector configuration (``{"family": …, …}``) for a language.

    Raises :class:`DetectorConfigError` naming the parameter that is wrong.
    """
    if not isinstance(config, Mapping):
        raise DetectorConfigError("(detector)", f"expected a mapping, got {config!r}")
    family = config.get("family")
    if family is None:
        raise DetectorConfigError("family", f"is required: one of {', '.join(FAMILIES)}")
    factory = FAMILIES.get(family) if isinstance(family, str) else None
    if factory is None:
        raise DetectorConfigError(
            "family", f"unknown family {family!r}: expected one of {', '.join(FAMILIES)}"
        )
    params = Params(config, lexicons or Lexicons(language, extra_dirs))
    detector = factory(params)
    params.finish()
    return detector
