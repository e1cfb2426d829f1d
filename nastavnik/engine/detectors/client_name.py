"""Family ``client_name``: the operator addresses the client by name.

Parameter: ``min_uses`` (default 1): operator turns that use the name. The name comes from
``conversation.client_name`` (its first name: the word pymorphy3 knows as a first name, else
the first word), or else from the client's own words: «меня зовут Олег», «моё имя Ольга»,
«это Ольга» / «я Ольга» at the start of a turn, an e-mail signature («С уважением, Ольга»
or a last line that is a name), and in English «my name is …», «this is …», «I'm …»,
«Regards, …». The operator's words match it by lemma, so every case form counts (Олег,
Олегу, Олега), and common short forms too (Ольга ↔ Оля, Александр ↔ Саша).

At least ``min_uses`` operator turns with the name → yes, fewer but some → partial, none →
no; na when the name is unknown or the operator has no turns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from nastavnik.engine.detectors import messages
from nastavnik.engine.detectors.base import (
    DetectorContext,
    DetectorResult,
    PhraseSet,
    evidence_of,
)
from nastavnik.engine.detectors.config import Params
from nastavnik.engine.text import morph
from nastavnik.engine.text.phrases import Hit, compile_phrase
from nastavnik.engine.types import Conversation

USED, PARTLY_USED, NOT_USED, NOT_APPLICABLE = 0.9, 0.8, 0.75, 0.9
_LEADING_TOKENS = 4  # «это Ольга» / «я Ольга» count only near the start of a turn
_SIGNATURE_REACH = 3  # a name this many words after «с уважением»

# Placeholders that systems put where the name is unknown.
_NOT_NAMES = frozenset(
    {
        "клиент", "покупатель", "гость", "аноним", "анонимный", "пользователь", "абонент",
        "неизвестно", "неизвестный", "client", "customer", "guest", "anonymous", "user",
        "unknown", "visitor", "n/a", "na", "none", "null",
    }
)  # fmt: skip

# Full first name → usual short forms (nominative, ё folded); used in both directions.
SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "александр": ("саша", "шура", "санек"), "александра": ("саша", "шура"),
    "алексей": ("леша", "алеша"), "анастасия": ("настя",), "анна": ("аня",),
    "андрей": ("андрюша",), "артем": ("тема",), "валентина": ("валя",),
    "валерия": ("лера",), "василий": ("вася",), "виктор": ("витя",), "виктория": ("вика",),
    "владимир": ("володя", "вова"), "владислав": ("влад",), "вячеслав": ("слава",),
    "галина": ("галя",), "георгий": ("гоша", "жора"), "григорий": ("гриша",),
    "дарья": ("даша",), "дмитрий": ("дима",), "евгений": ("женя",), "евгения": ("женя",),
    "екатерина": ("катя",), "елена": ("лена",), "елизавета": ("лиза",),
    "иван": ("ваня",), "ирина": ("ира",), "константин": ("костя",), "ксения": ("ксюша",),
    "любовь": ("люба",), "людмила": ("люда",), "максим": ("макс",), "маргарита": ("рита",),
    "мария": ("маша",), "михаил": ("миша",), "надежда": ("надя",), "наталья": ("наташа",),
    "наталия": ("наташа",), "николай": ("коля",), "ольга": ("оля",), "павел": ("паша",),
    "петр": ("петя",), "полина": ("поля",), "роман": ("рома",), "светлана": ("света",),
    "сергей": ("сережа",), "софья": ("соня",), "софия": ("соня",), "станислав": ("стас",),
    "татьяна": ("таня",), "тимофей": ("тима",), "федор": ("федя",), "юлия": ("юля",),
    "юрий": ("юра",), "ярослав": ("слава",),
}  # fmt: skip
_FULL_FORMS: dict[str, tuple[str, ...]] = {}
for _full, _shorts in SHORT_FORMS.items():
    for _short in _shorts:
        _FULL_FORMS[_short] = (*_FULL_FORMS.get(_short, ()), _full)

_CAPITALISED = re.compile(r"[A-ZА-ЯЁ][a-zа-яё'-]+")
# English words go through morph's light stemmer («name» → «nam»): compare stems with stems.
_ENGLISH_INTRODUCERS = frozenset(morph.lemma(word) for word in ("i", "this", "name"))
_REGARDS = morph.lemma("regards")
# Lemmas that can open a self-introduction or a signature; other tokens are skipped at once.
_TRIGGERS = frozenset({"звать", "имя", "be", "это", "я", "уважение", _REGARDS})


# Every word that can be a first name, found by the scorecard's one scan of each turn: the
# operator's turns are then searched only at those words.
_ANY_NAME_LABEL = f"class:{morph.NAME_CLASS}"
_ANY_NAME = PhraseSet(
    _ANY_NAME_LABEL, (compile_phrase(morph.NAME_CLASS, label=_ANY_NAME_LABEL),), "name"
)


@dataclass(frozen=True, slots=True)
class ClientNameDetector:
    """Compiled ``client_name`` detector."""

    family: ClassVar[str] = "client_name"
    min_uses: int
    phrase_sets: ClassVar[tuple[PhraseSet, ...]] = (_ANY_NAME,)

    def detect(self, conversation: Conversation, context: DetectorContext) -> DetectorResult:
        """Find the client's name and count the operator's uses of it."""
        language = context.language
        operator_turns = context.turns_of("operator")
        name = client_name(conversation, context)
        if name is None or not operator_turns:
            note = messages.say(language, "name_unknown" if name is None else "no_conversation")
            return DetectorResult("na", NOT_APPLICABLE, (), note)
        keys, known = _name_keys(name)
        # A dictionary name (it has the {name} class, as its short forms do) is looked for
        # only at the name-like words the scorecard's scan already found.
        found = _uses(context, operator_turns, keys, known=known)
        if not found:
            note = messages.say(language, "name_unused", name=name)
            return DetectorResult("no", NOT_USED, (context.point_at(operator_turns[0]),), note)
        uses = len({turn for turn, _match in found})
        note = messages.say(language, "name_used", name=name, count=uses, minimum=self.min_uses)
        if uses >= self.min_uses:
            return DetectorResult("yes", USED, evidence_of(context, found), note)
        return DetectorResult("partial", PARTLY_USED, evidence_of(context, found), note)


def _uses(
    context: DetectorContext, turns: tuple[int, ...], keys: frozenset[str], *, known: bool
) -> list[tuple[int, Hit]]:
    """Tokens of the turns whose lemmas include one of the keys, as one-word hits."""
    found = []
    phrase = _ANY_NAME.phrases[0]
    disjoint = keys.isdisjoint
    for turn in turns:
        lemma_sets = context.lemmas(turn)
        if known:  # a dictionary name: only words that can be names need a look
            positions: Iterable[int] = [hit.first for hit in context.matches(turn, _ANY_NAME_LABEL)]
        else:
            positions = range(len(lemma_sets))
        for position in positions:
            if not disjoint(lemma_sets[position]):
                found.append((turn, Hit(phrase, position, position + 1)))
    return found


def client_name(conversation: Conversation, context: DetectorContext) -> str | None:
    """The client's first name as written, from the metadata or the client's own words."""
    from_metadata = _metadata_name(conversation.client_name)
    if from_metadata is not None:
        return from_metadata
    for turn in context.turns_of("client"):
        found = _name_in_turn(context, turn)
        if found is None and conversation.channel == "email":
            found = _signature_line(context.text(turn))
        if found is not None:
            return found
    return None


def name_lemmas(name: str) -> frozenset[str]:
    """Every lemma that counts as a use of the name (case forms and short forms)."""
    keys = set(morph.lemmas(name)) - {morph.NAME_CLASS}
    base = morph.first_name_lemma(name)
    if base is not None:
        keys.add(base)
    for key in list(keys):
        keys.update(SHORT_FORMS.get(key, ()))
        keys.update(_FULL_FORMS.get(key, ()))
    return frozenset(keys)


def operator_name_uses(
    conversation: Conversation, context: DetectorContext, turns: Iterable[int]
) -> list[tuple[int, Hit]]:
    """The operator's own first name (from ``operator_name``) in the given turns, as hits."""
    keys = _operator_name_keys(conversation.operator_name)
    if not keys:
        return []
    found = []
    for turn in turns:
        for position, lemma_set in enumerate(context.lemmas(turn)):
            if not keys.isdisjoint(lemma_set):
                found.append((turn, Hit(_ANY_NAME.phrases[0], position, position + 1)))
    return found


@lru_cache(maxsize=4096)
def _name_keys(name: str) -> tuple[frozenset[str], bool]:
    """:func:`name_lemmas` of a name and whether it is a dictionary first name (cached: the
    same client names recur)."""
    return name_lemmas(name), morph.is_first_name(name)


@lru_cache(maxsize=4096)
def _metadata_name(value: str) -> str | None:
    """:func:`_name_from_metadata`, cached per metadata value."""
    return _name_from_metadata(value)


@lru_cache(maxsize=4096)
def _operator_name_keys(value: str) -> frozenset[str]:
    """Lemmas of the operator's first name; none for a placeholder or an unknown word."""
    name = _name_from_metadata(value)
    # Only a dictionary first name: «Оператор», «Поддержка» or a login must not count.
    if name is None or not morph.is_first_name(name):
        return frozenset()
    return name_lemmas(name)


def _name_from_metadata(value: str) -> str | None:
    words = [word for word in morph.WORD.findall(value) if not any(c.isdigit() for c in word)]
    words = [word for word in words if morph.fold(word) not in _NOT_NAMES]
    if not words:
        return None
    # «Петров Олег Иванович»: «Петров» can be read as a form of «Пётр», but only «Олег» is a
    # first name in its most likely reading.
    for word in words:
        if morph.first_name_lemma(word) == morph.lemma(word):
            return word
    for word in words:
        if morph.is_first_name(word):
            return word
    return words[0]


def _name_in_turn(context: DetectorContext, turn: int) -> str | None:
    """The name a client gives in one turn, if any (see the module doc for the patterns)."""
    lemma_sets = context.lemmas(turn)
    for index in range(len(lemma_sets) - 1):
        lemmas = lemma_sets[index]
        if not _TRIGGERS.intersection(lemmas):
            continue
        previous = lemma_sets[index - 1] if index else ()
        following = lemma_sets[index + 1]
        if "звать" in lemmas and "я" in previous:
            candidate = _surface(context, turn, index + 1)
            if _could_be_name(candidate):
                return candidate
        if "имя" in lemmas and "мой" in previous:
            candidate = _surface(context, turn, index + 1)
            if _could_be_name(candidate):
                return candidate
        if "be" in lemmas and previous and previous[0] in _ENGLISH_INTRODUCERS:
            candidate = _surface(context, turn, index + 1)
            if _CAPITALISED.fullmatch(candidate):
                return candidate
        if index < _LEADING_TOKENS and ("это" in lemmas or "я" in lemmas):
            if morph.NAME_CLASS in following:
                return _surface(context, turn, index + 1)
        if "уважение" in lemmas or _REGARDS in lemmas:
            for later in range(index + 1, min(index + 1 + _SIGNATURE_REACH, len(lemma_sets))):
                if morph.NAME_CLASS in lemma_sets[later]:
                    return _surface(context, turn, later)
                word = _surface(context, turn, later)
                if _REGARDS in lemmas and _CAPITALISED.fullmatch(word):
                    return word
    return None


def _surface(context: DetectorContext, turn: int, index: int) -> str:
    token = context.tokens(turn)[index]
    return context.text(turn)[token.start : token.end]


def _signature_line(text: str) -> str | None:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    words = morph.WORD.findall(lines[-1])
    if not 1 <= len(words) <= 3:
        return None
    for word in words:
        if morph.is_first_name(word):
            return word
    return None


def _could_be_name(word: str) -> bool:
    """A known first name, a capitalised word, or a word the dictionary does not know."""
    if any(character.isdigit() for character in word):
        return False
    return (
        morph.is_first_name(word)
        or bool(_CAPITALISED.fullmatch(word))
        or not morph.is_dictionary_word(word)
    )


def build(params: Params) -> ClientNameDetector:
    """Compile a ``client_name`` configuration."""
    return ClientNameDetector(min_uses=params.integer("min_uses", 1, minimum=1) or 1)
