"""Family ``phrase``: a phrase is present (or absent) in a speaker's turns at a position.

Parameters: ``lexicon`` and/or ``phrases``; ``speaker`` (operator | client, default
operator); ``position`` (first_turn | first_turns | last_turns | anywhere, default
anywhere); ``turns`` (N for first_turns / last_turns, default 1); ``expect`` (present |
absent, default present); ``require_all_of`` (lexicon names that must all be found);
``min_count`` (default 1); ``operator_name_counts_as`` (the name of one of the groups: the
operator's own first name, from the conversation's ``operator_name``, said in the window
counts as a match of that group — «банк Заря, Екатерина, добрый день» introduces the
operator without «меня зовут»); ``partial_needs`` (the name of one of the groups: a partial
answer needs that group found, else the answer is no — an introduction without a greeting
is not half a greeting); ``na_if_client_left`` (true: with nothing found, the answer is na
when the client broke the contact off — the conversation ends with an operator turn that
asks the client something («…?») or holds a ``client_gone`` phrase («вы на связи?», «алло,
говорите»); false by default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from nastavnik.engine.detectors import messages
from nastavnik.engine.detectors.base import (
    SPEAKERS,
    DetectorConfigError,
    DetectorContext,
    DetectorResult,
    Found,
    PhraseSet,
    Turns,
    evidence_of,
    matches_in,
    quotes,
)
from nastavnik.engine.detectors.client_name import operator_name_uses
from nastavnik.engine.detectors.config import Params
from nastavnik.engine.types import Conversation

CLIENT_GONE_LEXICON = "client_gone"
POSITIONS: tuple[str, ...] = ("first_turn", "first_turns", "last_turns", "anywhere")
EXPECTATIONS: tuple[str, ...] = ("present", "absent")
DEFAULT_TURNS = 1

FOUND, PARTLY_FOUND, MISSING, ABSENT_AS_EXPECTED, NOT_APPLICABLE = 0.9, 0.75, 0.7, 0.8, 0.95
CLIENT_LEFT = 0.7
# A turn that ends in a question (emoji and closing brackets after the «?» allowed).
_ASKS = re.compile(r"\?[^\w?]*$")


@dataclass(frozen=True, slots=True)
class PhraseDetector:
    """Compiled ``phrase`` detector."""

    family: ClassVar[str] = "phrase"
    groups: tuple[PhraseSet, ...]
    speaker: str
    position: str
    turns: int
    expect: str
    min_count: int
    operator_name_group: int | None = None
    """Index of the group that the operator's own first name counts for, if any."""
    partial_group: int | None = None
    """Index of the group a partial answer needs found, if any."""
    client_gone: PhraseSet | None = None
    """``na_if_client_left``: the phrases that show the client has gone."""

    @property
    def phrase_sets(self) -> tuple[PhraseSet, ...]:
        return self.groups if self.client_gone is None else (*self.groups, self.client_gone)

    def detect(self, conversation: Conversation, context: DetectorContext) -> DetectorResult:
        """Find the phrases in the speaker's turns at the position."""
        language = context.language
        turns = self._scope(context)
        if not turns:
            speaker = messages.say(language, self.speaker)
            note = messages.say(language, "no_turns", speaker=speaker)
            if self.expect == "absent":  # nothing said, so nothing forbidden said
                return DetectorResult("yes", NOT_APPLICABLE, (), note)
            return DetectorResult("na", NOT_APPLICABLE, (), note)
        found = [matches_in(context, turns, group.label) for group in self.groups]
        named = self.operator_name_group
        if named is not None and len(found[named]) < self.min_count:
            found[named] = found[named] + operator_name_uses(conversation, context, turns)
        if self.expect == "absent":
            return self._absent(context, turns, found[0])
        if len(self.groups) == 1:
            result = self._present(context, turns, found[0])
        else:
            result = self._all_of(context, turns, found)
        if result.verdict == "no" and self.client_gone is not None and self._client_left(context):
            scope = self._scope_note(language)
            note = messages.say(language, "client_left", scope=scope)
            return DetectorResult("na", CLIENT_LEFT, (context.point_at(turns[-1]),), note)
        return result

    def _client_left(self, context: DetectorContext) -> bool:
        """The conversation ends with the operator asking the client, who never answers."""
        spoken = [
            index
            for index, turn in enumerate(context.conversation.turns)
            if turn.speaker in SPEAKERS
        ]
        if not spoken or context.conversation.turns[spoken[-1]].speaker != "operator":
            return False
        last = spoken[-1]
        assert self.client_gone is not None
        return bool(_ASKS.search(context.text(last))) or bool(
            context.matches(last, self.client_gone.label)
        )

    def _scope(self, context: DetectorContext) -> tuple[int, ...]:
        turns = context.turns_of(self.speaker)
        if self.position == "first_turn":
            return turns[:1]
        if self.position == "first_turns":
            return turns[: self.turns]
        if self.position == "last_turns":
            return turns[-self.turns :]
        return turns

    def _scope_note(self, language: str) -> str:
        return _scope_note(language, self.speaker, self.position, self.turns)

    def _absent(self, context: DetectorContext, turns: Turns, found: Found) -> DetectorResult:
        language = context.language
        if len(found) >= self.min_count:
            evidence = evidence_of(context, found)
            shown = quotes(context, found, evidence=evidence)
            return DetectorResult(
                "no", FOUND, evidence, messages.say(language, "absent_broken", quotes=shown)
            )
        note = messages.say(language, "absent_ok", scope=self._scope_note(language))
        return DetectorResult("yes", ABSENT_AS_EXPECTED, (context.point_at(turns[0]),), note)

    def _present(self, context: DetectorContext, turns: Turns, found: Found) -> DetectorResult:
        language = context.language
        evidence = evidence_of(context, found)
        shown = quotes(context, found, evidence=evidence)
        if len(found) >= self.min_count:
            return DetectorResult(
                "yes", FOUND, evidence, messages.say(language, "found", quotes=shown)
            )
        if found:
            note = messages.say(
                language, "too_few", count=len(found), minimum=self.min_count, quotes=shown
            )
            return DetectorResult("partial", PARTLY_FOUND, evidence, note)
        note = messages.say(language, "not_found", scope=self._scope_note(language))
        return DetectorResult("no", MISSING, (context.point_at(turns[0]),), note)

    def _all_of(self, context: DetectorContext, turns: Turns, found: list[Found]) -> DetectorResult:
        language = context.language
        pairs = list(zip(self.groups, found, strict=True))
        present = [group.name for group, got in pairs if len(got) >= self.min_count]
        missing = [group.name for group, got in pairs if len(got) < self.min_count]
        every = sorted(
            (pair for group in found for pair in group),
            key=lambda pair: (pair[0], pair[1].first),
        )
        note = messages.say(
            language,
            "groups",
            present=", ".join(messages.lexicon_name(language, n) for n in present) or "—",
            missing=", ".join(messages.lexicon_name(language, n) for n in missing) or "—",
        )
        if not missing:
            return DetectorResult("yes", FOUND, evidence_of(context, every), note)
        needed = self.partial_group
        if every and (needed is None or len(found[needed]) >= self.min_count):
            return DetectorResult("partial", PARTLY_FOUND, evidence_of(context, every), note)
        return DetectorResult("no", MISSING, (context.point_at(turns[0]),), note)


@lru_cache(maxsize=256)
def _scope_note(language: str, speaker: str, position: str, turns: int) -> str:
    """«первая реплика: оператор», «последние 2 реплик: оператор» …"""
    who = messages.say(language, speaker)
    return messages.say(language, f"scope_{position}", speaker=who, turns=turns)


def build(params: Params) -> PhraseDetector:
    """Compile a ``phrase`` configuration."""
    required = tuple(params.names("require_all_of"))
    main = params.top_source(required=not required)
    speaker = params.choice("speaker", SPEAKERS, "operator")
    position = params.choice("position", POSITIONS, "anywhere")
    turns = params.integer("turns", None, minimum=1)
    if turns is not None and position not in ("first_turns", "last_turns"):
        raise DetectorConfigError("turns", "applies only to position first_turns or last_turns")
    expect = params.choice("expect", EXPECTATIONS, "present")
    if expect == "absent" and required:
        raise DetectorConfigError("require_all_of", "cannot be combined with expect: absent")
    min_count = params.integer("min_count", 1, minimum=1)
    groups = ((main,) if main is not None else ()) + tuple(
        params.lexicon_set(f"require_all_of[{index}]", name) for index, name in enumerate(required)
    )
    operator_name_group = _group_index(params, "operator_name_counts_as", groups)
    partial_group = _group_index(params, "partial_needs", groups)
    client_gone = None
    client_left = params.raw("na_if_client_left")
    if client_left is not None and not isinstance(client_left, bool):
        raise DetectorConfigError("na_if_client_left", "expected true or false")
    if client_left:
        if expect == "absent":
            raise DetectorConfigError("na_if_client_left", "cannot be combined with expect: absent")
        client_gone = params.lexicon_set("na_if_client_left", CLIENT_GONE_LEXICON)
    return PhraseDetector(
        groups=groups,
        speaker=speaker,
        position=position,
        turns=turns or DEFAULT_TURNS,
        expect=expect,
        min_count=min_count or 1,
        operator_name_group=operator_name_group,
        partial_group=partial_group,
        client_gone=client_gone,
    )


def _group_index(params: Params, parameter: str, groups: tuple[PhraseSet, ...]) -> int | None:
    """The index of the group a parameter names (by lexicon name), or None when not given."""
    named = params.raw(parameter)
    if named is None:
        return None
    names = [group.name for group in groups]
    if named not in names:
        raise DetectorConfigError(parameter, f"expected one of the detector's lexicons: {names}")
    return names.index(named)
