"""The scorecard editor's working copy: drafts, rearranging buttons, validation issues.

The editor keeps a whole scorecard as plain drafts (``ScorecardDraft`` → ``StageDraft`` →
``CriterionDraft``) that hold what the person typed, so a half-finished edit (a new empty
stage, a weight typed as "abc") survives reordering and re-rendering. Only on save is the
draft turned into a scorecard document, and the engine (``parse_scorecard``) decides whether
it is valid: the editor never stores anything that a YAML import would reject. Field names
in the posted form: ``title``…, ``s<i>-title``…, ``s<i>-c<j>-weight``… (indexes from 0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils.translation import gettext_lazy as _

from nastavnik.engine import types

CHANNEL_CHOICES = (
    ("call", _("Call")),
    ("chat", _("Chat")),
    ("email", _("E-mail")),
    ("messenger", _("Messenger")),
)
DIRECTION_CHOICES = (("inbound", _("Inbound")), ("outbound", _("Outbound")))
DISPLAY_CHOICES = (("percent", _("Percent")), ("points", _("Points")))
SCALE_CHOICES = (
    ("binary", _("yes / no")),
    ("ternary", _("yes / partly / no")),
    ("points", _("points 0…N")),
)
CRITICAL_CHOICES = (
    ("none", _("not critical")),
    ("stage", _("critical for the stage")),
    ("evaluation", _("critical for the evaluation")),
)
SCORECARD_TEXT_FIELDS = ("key", "title", "title_en", "direction", "display", "description")
STAGE_TEXT_FIELDS = ("key", "title", "title_en")
CRITERION_TEXT_FIELDS = (
    "key",
    "title",
    "title_en",
    "rule",
    "rule_en",
    "weight",
    "scale",
    "points",
    "critical",
    "skills",
    "detector",
)
CRITERION_FLAGS = ("na_allowed", "pilot")
# Hard limits on what one post may describe, so a forged form cannot make us loop forever.
MAX_STAGES = 50
MAX_CRITERIA_PER_STAGE = 200

_PATH = re.compile(r"stages\[(\d+)\](?:\.criteria\[(\d+)\])?(?:\.([a-z_]+))?(.*)\Z")
_TOP = re.compile(r"([a-z_]+)(.*)\Z")


class EditorError(ValueError):
    """An editor action that cannot be applied (e.g. deleting a stage that has criteria)."""


@dataclass
class CriterionDraft:
    """One criterion as typed in the editor (every value is the raw text)."""

    key: str = ""
    title: str = ""
    title_en: str = ""
    rule: str = ""
    rule_en: str = ""
    weight: str = "1"
    scale: str = "binary"
    points: str = ""
    na_allowed: bool = False
    critical: str = "none"
    pilot: bool = False
    skills: str = ""
    detector: str = ""
    prefix: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        """True when any field of the criterion has an error."""
        return bool(self.errors)

    @property
    def has_extra_errors(self) -> bool:
        """True when the folded part (translations, detector) has an error, so it opens."""
        return bool(self.errors.keys() & {"title_en", "rule_en", "detector", "skills"})


@dataclass
class StageDraft:
    """One stage as typed in the editor."""

    key: str = ""
    title: str = ""
    title_en: str = ""
    criteria: list[CriterionDraft] = field(default_factory=list)
    prefix: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ScorecardDraft:
    """A whole scorecard as typed in the editor."""

    key: str = ""
    title: str = ""
    title_en: str = ""
    channels: list[str] = field(default_factory=list)
    direction: str = "inbound"
    display: str = "percent"
    description: str = ""
    stages: list[StageDraft] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    issue_count: int = 0
    issue_links: list[tuple[str, str]] = field(default_factory=list)  # (anchor, message)
    notice: str = ""

    @property
    def criterion_count(self) -> int:
        """How many criteria the draft has."""
        return sum(len(stage.criteria) for stage in self.stages)


# --- building drafts -------------------------------------------------------------------------


def draft_new() -> ScorecardDraft:
    """A blank scorecard: one stage with one criterion, ready to be filled in."""
    draft = ScorecardDraft(channels=["chat"])
    draft.stages.append(StageDraft(key="stage-1", criteria=[CriterionDraft(key="criterion-1")]))
    return _numbered(draft)


def draft_from_document(document: dict[str, Any]) -> ScorecardDraft:
    """The editor draft of a stored version's document (``dump_scorecard`` output)."""
    draft = ScorecardDraft(
        key=document.get("key", ""),
        title=document.get("title", ""),
        title_en=document.get("title_en", ""),
        channels=list(document.get("channels", [])),
        direction=document.get("direction", "inbound"),
        display=document.get("display", "percent"),
        description=document.get("description", ""),
    )
    for stage in document.get("stages", []):
        draft.stages.append(
            StageDraft(
                key=stage.get("key", ""),
                title=stage.get("title", ""),
                title_en=stage.get("title_en", ""),
                criteria=[_criterion_draft(item) for item in stage.get("criteria", [])],
            )
        )
    return _numbered(draft)


def _criterion_draft(item: dict[str, Any]) -> CriterionDraft:
    detector = item.get("detector")
    return CriterionDraft(
        key=item.get("key", ""),
        title=item.get("title", ""),
        title_en=item.get("title_en", ""),
        rule=item.get("rule", ""),
        rule_en=item.get("rule_en", ""),
        weight=_number_text(item.get("weight", 1)),
        scale=item.get("scale", "binary"),
        points=str(item["points"]) if "points" in item else "",
        na_allowed=bool(item.get("na_allowed", False)),
        critical=item.get("critical", "none"),
        pilot=bool(item.get("pilot", False)),
        skills=", ".join(item.get("skills", [])),
        detector=_detector_text(detector) if detector is not None else "",
    )


def draft_from_post(data: Any) -> ScorecardDraft:
    """The editor draft as posted (``data`` is request.POST, a QueryDict)."""
    draft = ScorecardDraft(**{name: _text(data, name) for name in SCORECARD_TEXT_FIELDS})
    draft.channels = [
        value for value, _label in CHANNEL_CHOICES if value in data.getlist("channels")
    ]
    for i in range(_count(data, "stages", MAX_STAGES)):
        stage = StageDraft(**{name: _text(data, f"s{i}-{name}") for name in STAGE_TEXT_FIELDS})
        for j in range(_count(data, f"s{i}-criteria", MAX_CRITERIA_PER_STAGE)):
            prefix = f"s{i}-c{j}-"
            criterion = CriterionDraft(
                **{name: _text(data, prefix + name) for name in CRITERION_TEXT_FIELDS}
            )
            for flag in CRITERION_FLAGS:
                setattr(criterion, flag, bool(data.get(prefix + flag)))
            stage.criteria.append(criterion)
        draft.stages.append(stage)
    return _numbered(draft)


def _text(data: Any, name: str) -> str:
    value = data.get(name, "")
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


def _count(data: Any, name: str, limit: int) -> int:
    try:
        return max(0, min(int(data.get(name, 0)), limit))
    except (TypeError, ValueError):
        return 0


def _numbered(draft: ScorecardDraft) -> ScorecardDraft:
    """Give every stage and criterion the field-name prefix of its current position."""
    for i, stage in enumerate(draft.stages):
        stage.prefix = f"s{i}-"
        for j, criterion in enumerate(stage.criteria):
            criterion.prefix = f"s{i}-c{j}-"
    return draft


# --- editor actions --------------------------------------------------------------------------


def draft_apply(draft: ScorecardDraft, action: str, data: Any = None) -> ScorecardDraft:
    """Apply one editor button (``stage-add``, ``stage:1:up``, ``criterion:0:2:move``…).

    Raises EditorError for an action that does not fit the draft (a stale page).
    """
    parts = action.split(":")
    try:
        if parts == ["stage-add"]:
            _add_stage(draft)
        elif parts[0] == "stage" and len(parts) == 3:
            _stage_action(draft, int(parts[1]), parts[2])
        elif parts[0] == "criterion" and len(parts) == 4:
            target = None
            if parts[3] == "move" and data is not None:
                target = data.get(f"s{parts[1]}-c{parts[2]}-move", "")
            _criterion_action(draft, int(parts[1]), int(parts[2]), parts[3], target)
        else:
            raise EditorError(f"unknown editor action {action!r}")
    except (ValueError, IndexError) as error:
        raise EditorError(str(error)) from error
    return _numbered(draft)


def _add_stage(draft: ScorecardDraft) -> None:
    if len(draft.stages) >= MAX_STAGES:
        raise EditorError(f"a scorecard has at most {MAX_STAGES} stages")
    key = _unique_key("stage", {stage.key for stage in draft.stages})
    draft.stages.append(StageDraft(key=key))


def _stage_action(draft: ScorecardDraft, i: int, verb: str) -> None:
    stages = draft.stages
    if not 0 <= i < len(stages):
        raise EditorError(f"no stage stages[{i}]")
    stage = stages[i]
    if verb == "up" and i > 0:
        stages[i - 1], stages[i] = stages[i], stages[i - 1]
    elif verb == "down" and i < len(stages) - 1:
        stages[i + 1], stages[i] = stages[i], stages[i + 1]
    elif verb == "delete":
        if stage.criteria:
            raise EditorError(f"stages[{i}] still has criteria; move or delete them first")
        del stages[i]
    elif verb == "add-criterion":
        if len(stage.criteria) >= MAX_CRITERIA_PER_STAGE:
            raise EditorError(f"a stage has at most {MAX_CRITERIA_PER_STAGE} criteria")
        taken = {c.key for s in stages for c in s.criteria}
        stage.criteria.append(CriterionDraft(key=_unique_key("criterion", taken)))
    elif verb not in ("up", "down"):
        raise EditorError(f"unknown stage action {verb!r}")


def _criterion_action(draft: ScorecardDraft, i: int, j: int, verb: str, target: str | None) -> None:
    stages = draft.stages
    if not (0 <= i < len(stages) and 0 <= j < len(stages[i].criteria)):
        raise EditorError(f"no criterion stages[{i}].criteria[{j}]")
    criteria = stages[i].criteria
    if verb == "up":
        if j > 0:
            criteria[j - 1], criteria[j] = criteria[j], criteria[j - 1]
        elif i > 0:  # the first of a stage moves to the end of the previous stage
            stages[i - 1].criteria.append(criteria.pop(j))
    elif verb == "down":
        if j < len(criteria) - 1:
            criteria[j + 1], criteria[j] = criteria[j], criteria[j + 1]
        elif i < len(stages) - 1:  # the last of a stage moves to the start of the next one
            stages[i + 1].criteria.insert(0, criteria.pop(j))
    elif verb == "delete":
        del criteria[j]
    elif verb == "move":
        if target in (None, ""):
            return  # nothing chosen: leave it where it is
        destination = int(target)
        if not 0 <= destination < len(stages):
            raise EditorError(f"no stage {destination}")
        if destination != i:
            stages[destination].criteria.append(criteria.pop(j))
    else:
        raise EditorError(f"unknown criterion action {verb!r}")


def _unique_key(base: str, taken: set[str]) -> str:
    number = 1
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


# --- draft → document ------------------------------------------------------------------------


def draft_document(draft: ScorecardDraft) -> tuple[dict[str, Any], list[types.Issue]]:
    """The scorecard document of a draft, for the engine to validate.

    Texts that look like numbers become numbers; anything else is passed on as typed, so
    the engine's reason names the field. Only a detector that is not valid YAML is reported
    here (as an Issue on ``…detector``), because the engine sees data, not YAML text.
    """
    record = draft.key or "scorecard"
    issues: list[types.Issue] = []
    document: dict[str, Any] = {"key": draft.key.strip(), "title": draft.title}
    _put(document, "title_en", draft.title_en)
    document["channels"] = list(draft.channels)
    document["direction"] = draft.direction or "inbound"
    document["display"] = draft.display or "percent"
    _put(document, "description", draft.description)
    document["stages"] = []
    for i, stage in enumerate(draft.stages):
        stage_document: dict[str, Any] = {"key": stage.key.strip(), "title": stage.title}
        _put(stage_document, "title_en", stage.title_en)
        stage_document["criteria"] = [
            _criterion_document(criterion, f"stages[{i}].criteria[{j}]", record, issues)
            for j, criterion in enumerate(stage.criteria)
        ]
        document["stages"].append(stage_document)
    return document, issues


def _criterion_document(
    criterion: CriterionDraft, path: str, record: str, issues: list[types.Issue]
) -> dict[str, Any]:
    document: dict[str, Any] = {"key": criterion.key.strip(), "title": criterion.title}
    for name in ("title_en", "rule", "rule_en"):
        _put(document, name, getattr(criterion, name))
    if criterion.weight.strip():
        document["weight"] = _number(criterion.weight)
    document["scale"] = criterion.scale
    if criterion.scale == "points" and criterion.points.strip():
        document["points"] = _number(criterion.points)
    if criterion.na_allowed:
        document["na_allowed"] = True
    document["critical"] = criterion.critical or "none"
    if criterion.pilot:
        document["pilot"] = True
    skills = [item.strip() for item in re.split(r"[,\n]", criterion.skills) if item.strip()]
    if skills:
        document["skills"] = skills
    if criterion.detector.strip():
        try:
            document["detector"] = yaml.safe_load(criterion.detector)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            problem = getattr(error, "problem", None) or str(error)
            issues.append(
                types.Issue(record, f"{path}.detector", f"not valid YAML: {problem}{where}")
            )
            document["detector"] = criterion.detector
    return document


def _put(document: dict[str, Any], name: str, value: str) -> None:
    if value.strip():
        document[name] = value


def _number(text: str) -> Any:
    """``"2"`` → 2, ``"1,5"`` → 1.5; anything else stays text for the engine to reject."""
    cleaned = text.strip().replace(",", ".")
    for kind in (int, float):
        try:
            return kind(cleaned)
        except ValueError:
            continue
    return text.strip()


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _detector_text(detector: Any) -> str:
    return yaml.dump(
        detector, Dumper=_DetectorDumper, allow_unicode=True, sort_keys=False, width=88
    )


class _DetectorDumper(yaml.SafeDumper):
    """Writes text with unusual line breaks double-quoted, so it reads back unchanged."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # YAML folds CR, NEL, LS and PS into plain line feeds unless they are escaped in quotes.
    style = '"' if _OTHER_BREAKS.intersection(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_OTHER_BREAKS = frozenset("\r\x85\u2028\u2029")
_DetectorDumper.add_representer(str, _represent_text)


# --- errors ----------------------------------------------------------------------------------


def draft_attach_issues(draft: ScorecardDraft, issues: list[types.Issue]) -> ScorecardDraft:
    """Put each issue next to its field: ``stages[1].criteria[0].weight`` → that input.

    The message keeps the full field path and the engine's reason. An issue that names no
    field of the editor stays on the scorecard under ``general``.
    """
    draft.issue_count = len(issues)
    for issue in issues:
        message = f"{issue.field}: {issue.reason}"
        errors, name = _slot(draft, issue.field)
        errors.setdefault(name, []).append(message)
        draft.issue_links.append((_anchor(draft, issue.field), message))
    return draft


def _anchor(draft: ScorecardDraft, path: str) -> str:
    """The id of the stage or criterion block an issue is shown in (the page top otherwise)."""
    match = _PATH.match(path)
    if match is None or int(match.group(1)) >= len(draft.stages):
        return "editor"
    i, j = int(match.group(1)), match.group(2)
    if j is None or int(j) >= len(draft.stages[i].criteria):
        return f"stage-{i}"
    return f"criterion-{i}-{j}"


def _slot(draft: ScorecardDraft, path: str) -> tuple[dict[str, list[str]], str]:
    """Which object's errors, and under which field name, an issue on ``path`` goes."""
    match = _PATH.match(path)
    if match is None:
        top = _TOP.match(path)
        return draft.errors, top.group(1) if top is not None else "general"
    i, j, name = int(match.group(1)), match.group(2), match.group(3) or "general"
    if i >= len(draft.stages):
        return draft.errors, "general"
    stage = draft.stages[i]
    if j is None:
        return stage.errors, name
    if int(j) >= len(stage.criteria):
        return stage.errors, "general"
    return stage.criteria[int(j)].errors, name


def merge_issues(first: list[types.Issue], second: list[types.Issue]) -> list[types.Issue]:
    """``first`` plus those of ``second`` on fields that ``first`` does not already name."""
    named = {issue.field for issue in first}
    return first + [issue for issue in second if issue.field not in named]
