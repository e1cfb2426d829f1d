"""Scorecards as YAML documents: parse and validate into ScorecardSpec, dump back, defaults.

Every problem is an Issue naming the exact field (``stages[1].criteria[2].weight``, indexes
from 0), and all of a document's problems are collected before ScorecardError is raised.
A ``detector`` block is checked here only for being a mapping of plain data with a
``family``; the detector compiler checks its parameters (``docs/detectors.md``). The
default scorecards ship as YAML in ``data/scorecards/``. Rules: ``docs/scoring.md``.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Hashable
from importlib import resources
from typing import Any

import yaml

from nastavnik.engine.types import (
    CHANNELS,
    CRITICAL_LEVELS,
    DIRECTIONS,
    DISPLAYS,
    SCALES,
    CriterionSpec,
    Issue,
    ScorecardSpec,
    StageSpec,
)

SLUG_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*\Z")
SLUG_MAX_LENGTH = 64
POINTS_MAX = 100
DEFAULT_SCORECARD_KEYS: tuple[str, ...] = (
    "default-call",
    "default-chat",
    "default-email",
    "default-messenger",
)

SCORECARD_FIELDS: tuple[str, ...] = (
    "key",
    "title",
    "title_en",
    "version",
    "channels",
    "direction",
    "display",
    "description",
    "stages",
)
STAGE_FIELDS: tuple[str, ...] = ("key", "title", "title_en", "criteria")
CRITERION_FIELDS: tuple[str, ...] = (
    "key",
    "title",
    "title_en",
    "rule",
    "rule_en",
    "weight",
    "scale",
    "points",
    "na_allowed",
    "critical",
    "pilot",
    "skills",
    "detector",
)
_DEFAULTS_PACKAGE = "nastavnik.engine"


class ScorecardError(ValueError):
    """A scorecard document that does not validate; ``issues`` names every bad field."""

    def __init__(self, issues: list[Issue] | tuple[Issue, ...]) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        shown = "; ".join(str(issue) for issue in self.issues[:5])
        more = len(self.issues) - 5
        super().__init__(shown + (f"; and {more} more" if more > 0 else ""))


def parse_scorecard(data: Any, *, source: str = "") -> ScorecardSpec:
    """Validate a scorecard document (a decoded YAML/JSON mapping) into a ScorecardSpec.

    Raises ScorecardError with every Issue found; ``source`` (a file name) names the record,
    else the scorecard's key does.
    """
    record = source or (data.get("key") if isinstance(data, dict) else None)
    reader = _Reader(record if isinstance(record, str) and record else "scorecard")
    spec = _scorecard(reader, data)
    if reader.issues:
        raise ScorecardError(reader.issues)
    assert spec is not None  # no issues means every part was read
    return spec


def scorecard_from_yaml(text: str, *, source: str = "") -> ScorecardSpec:
    """Parse YAML (or JSON) text into a ScorecardSpec; syntax errors become Issues too."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: plain data only
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        where = f" at line {line}" if line is not None else ""
        issue = Issue(
            source or "scorecard", "(document)", f"not valid YAML: {problem}{where}", line
        )
        raise ScorecardError([issue]) from None
    return parse_scorecard(data, source=source)


def load_scorecard(path: str | os.PathLike[str]) -> ScorecardSpec:
    """Read and validate a scorecard file (YAML or JSON)."""
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8-sig") as stream:
            text = stream.read()
    except (OSError, UnicodeDecodeError) as error:
        raise ScorecardError([Issue(name, "(file)", f"cannot read: {error}")]) from None
    return scorecard_from_yaml(text, source=name)


def dump_scorecard(spec: ScorecardSpec) -> dict[str, Any]:
    """The YAML document of a scorecard: ``parse_scorecard(dump_scorecard(s)) == s``."""
    document: dict[str, Any] = {"key": spec.key, "title": spec.title}
    _put_text(document, "title_en", spec.title_en)
    document["version"] = spec.version
    document["channels"] = list(spec.channels)
    document["direction"] = spec.direction
    document["display"] = spec.display
    _put_text(document, "description", spec.description)
    document["stages"] = [_dump_stage(stage) for stage in spec.stages]
    return document


def scorecard_to_yaml(spec: ScorecardSpec) -> str:
    """The scorecard as YAML text (UTF-8 Cyrillic kept readable, field order kept)."""
    return yaml.dump(
        dump_scorecard(spec),
        Dumper=_BlockTextDumper,
        allow_unicode=True,
        sort_keys=False,
        width=88,
    )


def default_scorecards() -> dict[str, ScorecardSpec]:
    """The scorecards that ship with Nastavnik, by key (a fresh copy on every call)."""
    folder = resources.files(_DEFAULTS_PACKAGE).joinpath("data").joinpath("scorecards")
    specs: dict[str, ScorecardSpec] = {}
    for key in DEFAULT_SCORECARD_KEYS:
        text = folder.joinpath(f"{key}.yaml").read_text(encoding="utf-8")
        specs[key] = scorecard_from_yaml(text, source=f"{key}.yaml")
    return specs


def default_scorecard(key: str) -> ScorecardSpec:
    """One shipped scorecard by key (``default-call``, ``default-chat``, …)."""
    if key not in DEFAULT_SCORECARD_KEYS:
        known = ", ".join(DEFAULT_SCORECARD_KEYS)
        raise KeyError(f"no default scorecard {key!r}; there are: {known}")
    return default_scorecards()[key]


# --- reading -------------------------------------------------------------------------------


class _Reader:
    """Reads fields of a document, recording an Issue for every bad one."""

    def __init__(self, record: str) -> None:
        self.record = record
        self.issues: list[Issue] = []

    def problem(self, path: str, reason: str) -> None:
        self.issues.append(Issue(self.record, path or "(document)", reason))

    def mapping(
        self, value: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping, got {_describe(value)}")
            return None
        for name in value:
            if name not in allowed:
                self.problem(_join(path, str(name)), f"unknown field; known: {', '.join(allowed)}")
        for name in required:
            if name not in value:
                self.problem(_join(path, name), "required")
        return value

    def text(self, data: dict[str, Any], path: str, name: str, *, required: bool = False) -> str:
        value = data.get(name, "")
        if not isinstance(value, str):
            self.problem(_join(path, name), f"must be text, got {_describe(value)}")
            return ""
        value = value.strip()
        if required and name in data and not value:
            self.problem(_join(path, name), "must not be blank")
        return value

    def slug(self, data: dict[str, Any], path: str, seen: dict[str, str]) -> str:
        if "key" not in data:
            return ""  # reported as required
        value = data["key"]
        where = _join(path, "key")
        if not isinstance(value, str) or not SLUG_PATTERN.match(value):
            self.problem(
                where,
                f"must be a slug (lowercase Latin letters, digits, '-' or '_', starting with a "
                f"letter), got {_describe(value)}",
            )
            return value if isinstance(value, str) else ""
        if len(value) > SLUG_MAX_LENGTH:
            self.problem(where, f"must be at most {SLUG_MAX_LENGTH} characters")
        if value in seen:
            self.problem(where, f"duplicate key {value!r}, already used at {seen[value]}")
        else:
            seen[value] = where
        return value

    def flag(self, data: dict[str, Any], path: str, name: str) -> bool:
        value = data.get(name, False)
        if not isinstance(value, bool):
            self.problem(_join(path, name), f"must be true or false, got {_describe(value)}")
            return False
        return value

    def choice(
        self, data: dict[str, Any], path: str, name: str, options: tuple[str, ...], default: str
    ) -> str:
        value = data.get(name, default)
        if not isinstance(value, str) or value not in options:
            self.problem(
                _join(path, name), f"must be one of {', '.join(options)}, got {_describe(value)}"
            )
            return default
        return value

    def integer(
        self, data: dict[str, Any], path: str, name: str, default: int, low: int, high: int
    ) -> int:
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(
                _join(path, name), f"must be an integer {low}..{high}, got {_describe(value)}"
            )
            return default
        return value


def _scorecard(reader: _Reader, data: Any) -> ScorecardSpec | None:
    document = reader.mapping(data, "", SCORECARD_FIELDS, ("key", "title", "channels", "stages"))
    if document is None:
        return None
    key = reader.slug(document, "", {})
    title = reader.text(document, "", "title", required=True)
    title_en = reader.text(document, "", "title_en")
    version = reader.integer(document, "", "version", 1, 1, 1_000_000)
    channels = _channels(reader, document["channels"]) if "channels" in document else ()
    direction = reader.choice(document, "", "direction", DIRECTIONS, "inbound")
    display = reader.choice(document, "", "display", DISPLAYS, "percent")
    description = reader.text(document, "", "description")
    stages_value = document.get("stages", [])
    stages: list[StageSpec] = []
    if not isinstance(stages_value, list) or (not stages_value and "stages" in document):
        reader.problem("stages", f"must be a non-empty list, got {_describe(stages_value)}")
    else:
        stage_keys: dict[str, str] = {}
        criterion_keys: dict[str, str] = {}
        for index, value in enumerate(stages_value):
            stage = _stage(reader, value, f"stages[{index}]", stage_keys, criterion_keys)
            if stage is not None:
                stages.append(stage)
    return ScorecardSpec(
        key=key,
        title=title,
        version=version,
        channels=channels,
        stages=tuple(stages),
        direction=direction,
        display=display,
        title_en=title_en,
        description=description,
    )


def _channels(reader: _Reader, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        reader.problem("channels", f"must be a non-empty list, got {_describe(value)}")
        return ()
    channels: list[str] = []
    for index, channel in enumerate(value):
        if not isinstance(channel, str) or channel not in CHANNELS:
            reader.problem(
                f"channels[{index}]",
                f"must be one of {', '.join(CHANNELS)}, got {_describe(channel)}",
            )
        elif channel in channels:
            reader.problem(f"channels[{index}]", f"duplicate channel {channel!r}")
        else:
            channels.append(channel)
    return tuple(channels)


def _stage(
    reader: _Reader,
    value: Any,
    path: str,
    stage_keys: dict[str, str],
    criterion_keys: dict[str, str],
) -> StageSpec | None:
    data = reader.mapping(value, path, STAGE_FIELDS, ("key", "title", "criteria"))
    if data is None:
        return None
    key = reader.slug(data, path, stage_keys)
    title = reader.text(data, path, "title", required=True)
    title_en = reader.text(data, path, "title_en")
    criteria_value = data.get("criteria", [])
    criteria: list[CriterionSpec] = []
    if not isinstance(criteria_value, list) or (not criteria_value and "criteria" in data):
        reader.problem(
            _join(path, "criteria"), f"must be a non-empty list, got {_describe(criteria_value)}"
        )
    else:
        for index, item in enumerate(criteria_value):
            criterion = _criterion(reader, item, f"{path}.criteria[{index}]", criterion_keys)
            if criterion is not None:
                criteria.append(criterion)
    return StageSpec(key=key, title=title, criteria=tuple(criteria), title_en=title_en)


def _criterion(
    reader: _Reader, value: Any, path: str, criterion_keys: dict[str, str]
) -> CriterionSpec | None:
    data = reader.mapping(value, path, CRITERION_FIELDS, ("key", "title"))
    if data is None:
        return None
    key = reader.slug(data, path, criterion_keys)
    title = reader.text(data, path, "title", required=True)
    title_en = reader.text(data, path, "title_en")
    rule = reader.text(data, path, "rule")
    rule_en = reader.text(data, path, "rule_en")
    weight = _weight(reader, data, path)
    scale = reader.choice(data, path, "scale", SCALES, "binary")
    if scale == "points":
        if "points" not in data:
            reader.problem(_join(path, "points"), "required when scale is points")
        points = reader.integer(data, path, "points", 1, 1, POINTS_MAX)
    else:
        if "points" in data:
            reader.problem(_join(path, "points"), "allowed only when scale is points")
        points = 1
    return CriterionSpec(
        key=key,
        title=title,
        rule=rule,
        weight=weight,
        scale=scale,
        points=points,
        na_allowed=reader.flag(data, path, "na_allowed"),
        critical=reader.choice(data, path, "critical", CRITICAL_LEVELS, "none"),
        pilot=reader.flag(data, path, "pilot"),
        skills=_skills(reader, data.get("skills", []), _join(path, "skills")),
        detector=_detector(reader, data.get("detector"), _join(path, "detector")),
        title_en=title_en,
        rule_en=rule_en,
    )


def _weight(reader: _Reader, data: dict[str, Any], path: str) -> float:
    value = data.get("weight", 1.0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        reader.problem(_join(path, "weight"), f"must be a number, got {_describe(value)}")
        return 1.0
    if value <= 0:
        reader.problem(_join(path, "weight"), f"must be greater than 0, got {value!r}")
        return 1.0
    return float(value)


def _skills(reader: _Reader, value: Any, path: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        reader.problem(path, f"must be a list of skill codes, got {_describe(value)}")
        return ()
    skills: list[str] = []
    for index, skill in enumerate(value):
        if not isinstance(skill, str) or not skill.strip():
            reader.problem(f"{path}[{index}]", f"must be a skill code, got {_describe(skill)}")
        elif skill.strip() in skills:
            reader.problem(f"{path}[{index}]", f"duplicate skill {skill.strip()!r}")
        else:
            skills.append(skill.strip())
    return tuple(skills)


def _detector(reader: _Reader, value: Any, path: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        reader.problem(path, f"must be a mapping with a family, got {_describe(value)}")
        return None
    family = value.get("family")
    if not isinstance(family, str) or not family.strip():
        reader.problem(
            _join(path, "family"), f"must be a detector family name, got {_describe(family)}"
        )
    before = len(reader.issues)
    copy = _plain(reader, value, path)
    return copy if len(reader.issues) == before else None


def _plain(reader: _Reader, value: Any, path: str) -> Any:
    """A deep copy of detector parameters, which must be plain JSON-like data."""
    if isinstance(value, dict):
        copy: dict[str, Any] = {}
        for name, item in value.items():
            if not isinstance(name, str):
                reader.problem(path, f"parameter names must be text, got {_describe(name)}")
                continue
            copy[name] = _plain(reader, item, _join(path, name))
        return copy
    if isinstance(value, list):
        return [_plain(reader, item, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        reader.problem(path, f"must be a finite number, got {value!r}")
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    reader.problem(
        path, f"must be text, a number, true/false, a list or a mapping, got {_describe(value)}"
    )
    return None


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


# --- writing -------------------------------------------------------------------------------


def _dump_stage(stage: StageSpec) -> dict[str, Any]:
    document: dict[str, Any] = {"key": stage.key, "title": stage.title}
    _put_text(document, "title_en", stage.title_en)
    document["criteria"] = [_dump_criterion(criterion) for criterion in stage.criteria]
    return document


def _dump_criterion(criterion: CriterionSpec) -> dict[str, Any]:
    document: dict[str, Any] = {"key": criterion.key, "title": criterion.title}
    _put_text(document, "title_en", criterion.title_en)
    _put_text(document, "rule", criterion.rule)
    _put_text(document, "rule_en", criterion.rule_en)
    weight = criterion.weight
    document["weight"] = int(weight) if float(weight).is_integer() else weight
    document["scale"] = criterion.scale
    if criterion.scale == "points":
        document["points"] = criterion.points
    if criterion.na_allowed:
        document["na_allowed"] = True
    if criterion.critical != "none":
        document["critical"] = criterion.critical
    if criterion.pilot:
        document["pilot"] = True
    if criterion.skills:
        document["skills"] = list(criterion.skills)
    if criterion.detector is not None:
        document["detector"] = _copy(criterion.detector)
    return document


def _put_text(document: dict[str, Any], name: str, value: str) -> None:
    if value:
        document[name] = value


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _copy(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(item) for item in value]
    return value


# --- YAML ----------------------------------------------------------------------------------


# libyaml's parser when PyYAML was built with it (several times faster), else pure Python.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A safe loader that rejects a key given twice in one mapping (YAML keeps the last)."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, Hashable) and key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"found the key {key!r} twice",
                key_node.start_mark,
            )
        if isinstance(key, Hashable):
            seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


_OTHER_BREAKS = frozenset("\r\x85\u2028\u2029")


class _BlockTextDumper(yaml.SafeDumper):
    """Writes rules as folded blocks and short lists inline, so exports stay readable."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Other line breaks (CR, NEL, LS, PS) survive only in double quotes, where they are escaped.
    if _OTHER_BREAKS.intersection(value):
        style: str | None = '"'
    else:
        style = ">" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    inline = all(not isinstance(item, dict | list) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=inline)


_BlockTextDumper.add_representer(str, _represent_text)
_BlockTextDumper.add_representer(list, _represent_list)
