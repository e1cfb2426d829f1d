"""Scorecard versions ↔ engine ScorecardSpec."""

from __future__ import annotations

from functools import lru_cache

import orjson

from nastavnik.engine import scorecards, types
from nastavnik.scorecards.models import ScorecardVersion


def version_spec(version: ScorecardVersion) -> types.ScorecardSpec:
    """The engine spec of a stored version (parsed once per content)."""
    return _parse(orjson.dumps(version.spec, option=orjson.OPT_SORT_KEYS))


@lru_cache(maxsize=256)
def _parse(document: bytes) -> types.ScorecardSpec:
    return scorecards.parse_scorecard(orjson.loads(document))
