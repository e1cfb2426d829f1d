"""Auto-QA of conversations without a database: records in, one result per record out.

``score_records`` runs a compiled scorecard's detectors over parsed import records,
scores the answers with the one formula (criteria without a detector are left to a
person, so the score covers the automatically answered ones) and yields plain dicts — the
result format documented in ``docs/formats.md`` ("Auto-QA results").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from nastavnik.engine import scoring, types
from nastavnik.engine.detectors.compile import CompiledScorecard


def result_record(conversation: types.Conversation, compiled: CompiledScorecard) -> dict[str, Any]:
    """The auto-QA result of one conversation as a JSON-ready dict."""
    spec = compiled.spec
    answers = compiled.evaluate(conversation)
    score = scoring.score(spec, answers, allow_missing=True)
    criteria = {c.key: c for c in spec.criteria()}
    return {
        "external_id": conversation.external_id,
        "source": conversation.source,
        "scorecard": spec.key,
        "version": spec.version,
        "score": _rounded(score.percent),
        "earned": _rounded(score.earned),
        "maximum": _rounded(score.maximum),
        "critical_failed": score.critical_failed,
        "stages": {stage.stage: _rounded(stage.percent) for stage in score.stages},
        "criteria": [
            {
                "criterion": answer.criterion,
                "verdict": scoring.verdict(criteria[answer.criterion], answer.value),
                "value": answer.value,
                "confidence": _rounded(answer.confidence),
                "comment": answer.comment,
                "evidence": [
                    {"turn": e.turn, "start": e.start, "end": e.end, "quote": e.quote}
                    for e in answer.evidence
                ],
            }
            for answer in answers
        ],
    }


def score_records(
    records: Iterable[types.ParsedRecord], compiled: CompiledScorecard
) -> Iterator[tuple[types.ParsedRecord, dict[str, Any] | None]]:
    """Each parsed record with its result (None for a record rejected by validation)."""
    for parsed in records:
        if parsed.conversation is None or parsed.issues:
            yield parsed, None
        else:
            yield parsed, result_record(parsed.conversation, compiled)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
