"""Reading a detector's configuration: typed parameters, phrase sources, lexicon cache.

Every problem raises :class:`~nastavnik.engine.detectors.base.DetectorConfigError` naming
the parameter (``before.lexicon``, ``per_100_words_max``); a key the family does not know
is an error too, so a typo never silently falls back to a default.

A phrase source (``lexicon``/``phrases`` of ``phrase`` and ``rate``, or the value of
``before``, ``after``, ``triggers``, ``attempts``, ``refund``, ``negativity``, ``empathy``,
``ask``, ``thanks``) is written as a lexicon name (``clarifying_questions``), a list of
phrases, or a mapping ``{lexicon: name, phrases: [...]}`` with either key or both.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from nastavnik.engine.detectors.base import DetectorConfigError, PhraseSet
from nastavnik.engine.text.lexicons import LexiconError, load_lexicon
from nastavnik.engine.text.phrases import Phrase, compile_phrase

PathLike = str | os.PathLike[str]


class Lexicons:
    """Compiled lexicons of one language (and user directories), loaded once each."""

    def __init__(self, language: str, extra_dirs: Sequence[PathLike] = ()) -> None:
        self.language = language
        self.extra_dirs = tuple(os.fspath(path) for path in extra_dirs)

    def phrases(self, name: str) -> tuple[Phrase, ...]:
        """The phrases of a lexicon, labelled ``lexicon:<name>``; raises LexiconError."""
        return _compiled_lexicon(name, self.language, self.extra_dirs)


@lru_cache(maxsize=512)
def _compiled_lexicon(name: str, language: str, extra_dirs: tuple[str, ...]) -> tuple[Phrase, ...]:
    label = f"lexicon:{name}"
    phrases = []
    for entry in load_lexicon(name, language, extra_dirs=extra_dirs):
        try:
            phrases.append(compile_phrase(entry.phrase, label=label, alternative=entry.alternative))
        except ValueError as error:
            raise LexiconError(f"lexicon {name!r} ({language}): {error}") from None
    return tuple(phrases)


def clear_lexicon_cache() -> None:
    """Forget compiled lexicons (after editing lexicon files in a running process)."""
    _compiled_lexicon.cache_clear()


class Params:
    """The parameters of one detector configuration, read with types and defaults."""

    def __init__(self, config: Mapping[str, Any], lexicons: Lexicons) -> None:
        self._config = config
        self._used = {"family"}
        self.lexicons = lexicons

    def has(self, name: str) -> bool:
        """True if the parameter is given."""
        return name in self._config

    def raw(self, name: str) -> Any:
        """The value as written (None if absent), marked as known."""
        self._used.add(name)
        return self._config.get(name)

    def choice(self, name: str, choices: Sequence[str], default: str) -> str:
        """A string from a fixed set."""
        value = self.raw(name)
        if value is None:
            return default
        if value not in choices:
            raise DetectorConfigError(
                name, f"expected one of {', '.join(choices)}, got {_shown(value)}"
            )
        return value

    def integer(self, name: str, default: int | None, *, minimum: int = 0) -> int | None:
        """A whole number ≥ ``minimum`` (booleans refused)."""
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise DetectorConfigError(
                name, f"expected a whole number ≥ {minimum}, got {_shown(value)}"
            )
        return value

    def number(self, name: str, default: float | None, *, required: bool = False) -> float | None:
        """A number ≥ 0 (integers and decimals)."""
        value = self.raw(name)
        if value is None:
            if required:
                raise DetectorConfigError(name, "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise DetectorConfigError(name, f"expected a number ≥ 0, got {_shown(value)}")
        return float(value)

    def names(self, name: str) -> tuple[str, ...]:
        """A list of lexicon names."""
        value = self.raw(name)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            reason = f"expected a list of lexicon names, got {_shown(value)}"
            raise DetectorConfigError(name, reason)
        return tuple(value)

    def source(self, name: str, *, default_lexicon: str | None = None) -> PhraseSet:
        """A phrase source given as one parameter (a name, a list, or a mapping)."""
        value = self.raw(name)
        if value is None:
            if default_lexicon is None:
                raise DetectorConfigError(name, "is required (a lexicon name or phrases)")
            value = default_lexicon
        if isinstance(value, str):
            return self._build(name, lexicon=value, phrases=None, lexicon_parameter=name)
        if isinstance(value, list | tuple):
            return self._build(name, lexicon=None, phrases=value, phrases_parameter=name)
        if isinstance(value, Mapping):
            unknown = sorted(set(value) - {"lexicon", "phrases"})
            if unknown:
                raise DetectorConfigError(
                    f"{name}.{unknown[0]}", "unknown key: expected lexicon and/or phrases"
                )
            return self._build(
                name,
                lexicon=value.get("lexicon"),
                phrases=value.get("phrases"),
                lexicon_parameter=f"{name}.lexicon",
                phrases_parameter=f"{name}.phrases",
            )
        raise DetectorConfigError(
            name, f"expected a lexicon name, a list of phrases or a mapping, got {_shown(value)}"
        )

    def top_source(self, *, required: bool = True) -> PhraseSet | None:
        """The ``lexicon`` and/or ``phrases`` parameters of the configuration itself."""
        lexicon, phrases = self.raw("lexicon"), self.raw("phrases")
        if lexicon is None and phrases is None:
            if required:
                raise DetectorConfigError("lexicon", "give a lexicon name and/or phrases")
            return None
        return self._build("lexicon", lexicon=lexicon, phrases=phrases)

    def lexicon_set(self, parameter: str, name: str) -> PhraseSet:
        """One lexicon as its own phrase set (``require_all_of`` groups)."""
        return self._build(parameter, lexicon=name, phrases=None, lexicon_parameter=parameter)

    def finish(self) -> None:
        """Raise for the first parameter the family does not know."""
        unknown = sorted(set(self._config) - self._used)
        if unknown:
            known = ", ".join(sorted(self._used - {"family"}))
            raise DetectorConfigError(unknown[0], f"unknown parameter (this family takes: {known})")

    def _build(
        self,
        name: str,
        *,
        lexicon: Any,
        phrases: Any,
        lexicon_parameter: str = "lexicon",
        phrases_parameter: str = "phrases",
    ) -> PhraseSet:
        parts: list[str] = []
        found: list[Phrase] = []
        if lexicon is not None:
            if not isinstance(lexicon, str):
                raise DetectorConfigError(
                    lexicon_parameter, f"expected a lexicon name, got {_shown(lexicon)}"
                )
            try:
                found.extend(self.lexicons.phrases(lexicon))
            except LexiconError as error:
                raise DetectorConfigError(lexicon_parameter, str(error)) from None
            parts.append(f"lexicon:{lexicon}")
        if phrases is not None:
            written = _phrase_list(phrases, phrases_parameter)
            digest = hashlib.blake2b("\n".join(written).encode(), digest_size=6).hexdigest()
            parts.append(f"phrases:{digest}")
            for text in written:
                try:
                    found.append(compile_phrase(text))
                except ValueError as error:
                    raise DetectorConfigError(phrases_parameter, str(error)) from None
        label = "|".join(parts)
        display = lexicon if isinstance(lexicon, str) and phrases is None else name
        return PhraseSet(label, tuple(replace(phrase, label=label) for phrase in found), display)


def _phrase_list(value: Any, parameter: str) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise DetectorConfigError(parameter, f"expected a non-empty list of phrases, got {value!r}")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise DetectorConfigError(parameter, f"every phrase must be text, got {item!r}")
    return [item.strip() for item in value]


def _shown(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else f"'{value}'"
