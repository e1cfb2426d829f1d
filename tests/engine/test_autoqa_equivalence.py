"""The optimised auto-QA path gives exactly the answers of a straightforward one.

A compiled scorecard shares one analysis per turn (lemmas, word count, hits of every phrase
set) across all its criteria, and its matcher remembers the analysis of recurring turn texts
and skips tokens that can start no phrase. The reference here runs each detector alone, with
a matcher of its own phrases only and no memory of earlier texts, on a fresh context per
conversation: every result must be equal, on generated and gold conversations, including
the second time the same texts come by.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from nastavnik.demodata.generator import generate_records
from nastavnik.engine.detectors.base import DetectorContext, DetectorResult
from nastavnik.engine.detectors.compile import CompiledScorecard, compile_scorecard
from nastavnik.engine.formats import parse_lines, read_file
from nastavnik.engine.scorecards import DEFAULT_SCORECARD_KEYS, default_scorecard
from nastavnik.engine.text.phrases import PhraseMatcher
from nastavnik.engine.types import Conversation

GOLD = Path(__file__).resolve().parent.parent / "data" / "gold" / "gold.jsonl"


def _conversations() -> list[Conversation]:
    records = (orjson.dumps(record) for record in generate_records(300, seed=11))
    parsed = [*parse_lines(records, default_source="demo"), *read_file(GOLD, default_source="g")]
    return [record.conversation for record in parsed if record.conversation is not None]


def _reference(card: CompiledScorecard, conversation: Conversation) -> dict[str, DetectorResult]:
    """Each detector on its own: its own phrases, a fresh context, no remembered texts."""
    results = {}
    for item in card.criteria:
        phrases = (
            phrase for phrase_set in item.detector.phrase_sets for phrase in phrase_set.phrases
        )
        context = DetectorContext(conversation, PhraseMatcher(phrases, turn_cache_size=0))
        results[item.criterion.key] = item.detector.detect(conversation, context)
    return results


def test_shared_and_remembered_analysis_gives_the_reference_answers() -> None:
    """Given ~650 generated and gold conversations and the four default scorecards,
    when each is evaluated twice by the compiled scorecards (the second pass from remembered
    turn texts) and once by every detector alone,
    then every detector result is the same."""
    conversations = _conversations()
    assert len(conversations) > 600
    compiled = {key: compile_scorecard(default_scorecard(key)) for key in DEFAULT_SCORECARD_KEYS}
    for _pass in range(2):
        for conversation in conversations:
            card = compiled[f"default-{conversation.channel}"]
            assert card.detect(conversation) == _reference(card, conversation), (
                conversation.external_id
            )


def test_turn_memory_does_not_change_the_scan() -> None:
    """Given a matcher with the scorecard's phrases and one that remembers no texts,
    when both analyse every turn of the conversations, twice,
    then lemmas, word counts and hits per label are equal."""
    conversations = _conversations()
    card = compile_scorecard(default_scorecard("default-chat"))
    phrases = [
        phrase
        for item in card.criteria
        for phrase_set in item.detector.phrase_sets
        for phrase in phrase_set.phrases
    ]
    remembering = PhraseMatcher(phrases, turn_cache_size=50)  # small: it fills and empties
    plain = PhraseMatcher(phrases, turn_cache_size=0)
    for _pass in range(2):
        for conversation in conversations:
            for turn in conversation.turns:
                assert remembering.analyse(turn.text)[:3] == plain.analyse(turn.text)[:3]
