"""A compiled phrase matcher over lemma sequences, with character spans for evidence.

Each phrase is lemmatised once into a sequence of lemma sets (``*`` = any one word,
``{name}`` = any first name, ``...`` = up to four words, ``=form`` = this written form
only), so the entry «помочь» matches «помогу», «поможем» and
«помочь». A text word matches a phrase word when their lemma sets share a lemma (see
:mod:`nastavnik.engine.text.morph`): an ambiguous form on either side («отменён»: отменный /
отменить) matches every reading. One-word phrases are indexed by lemma and longer ones by
their first two lemmas, so a text is scanned once and at each token only the few phrases
that can start there are checked. Matching works on whole tokens, so word boundaries hold
by construction (``нет`` never matches inside ``интернет``).

Inside a phrase the text may hold up to two words the phrase does not list, if they are
only a form of address or an emphatic particle (``вы``/``ты`` in any case, ``же``, ``ведь``,
``уж``, a first name): «Хорошего вам дня, Игорь» matches «хорошего дня», «я же вам уже
объяснила» matches «я уже объяснила». A phrase word that is itself such a word («всего вам
доброго») still has to be there.

Each phrase carries a ``label`` (usually the lexicon's name); one matcher serves many
lexicons, and :meth:`PhraseMatcher.find` returns, per label, the leftmost-longest matches
that do not overlap (so «в настоящее время» counts once, not also as «настоящее время»).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from nastavnik.engine.text.morph import (
    EXACT_MARK,
    NAME_CLASS,
    Token,
    exact_form_lemma,
    lemma_tokens,
    tokenize,
)

_TOKEN_CACHE_SIZE = 200_000

TURN_CACHE_SIZE = 20_000
"""Distinct turn texts whose analysis a matcher remembers (0: none). Scripted operator turns
and short answers («да», «спасибо, всё понятно») recur across conversations."""
_SEEN_SIZE = 200_000  # hashes of texts seen once, to admit a text on its second sighting

SKIPPABLE: frozenset[str] = frozenset(
    {"вы", "ты", "же", "ж", "ведь", "уж", "пожалуйста", NAME_CLASS}
)
"""Lemmas of words a phrase match may step over: address and emphasis, not meaning."""
MAX_SKIPS = 2
"""At most this many such words inside one match."""

WILDCARD = "*"
"""A phrase word that matches any one word."""

GAP = "..."
"""A phrase word that matches up to ``MAX_GAP`` arbitrary words (none too)."""
MAX_GAP = 4
_GAP_WORD: tuple[str, ...] = ("\x00gap",)  # never a lemma: only ever compared by identity


Word = tuple[str, ...] | None
"""The lemmas of one phrase word (most likely first), or None for the ``*`` wildcard."""


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrase as written, the lemmas of each of its words, its label and alternative."""

    text: str
    words: tuple[Word, ...]
    label: str = ""
    alternative: str = ""

    def matches_lemmas(self, lemma_sets: Sequence[tuple[str, ...]]) -> bool:
        """True if a sequence of token lemma sets is exactly one match of this phrase.

        Word by word, as the matcher reads it: ``*`` one word, ``...`` up to ``MAX_GAP``,
        and up to ``MAX_SKIPS`` address words or particles stepped over.
        """
        first = self.words[0]
        if not lemma_sets or first is None or set(first).isdisjoint(lemma_sets[0]):
            return False
        count = len(lemma_sets)
        return _tail_end(self.words[1:], lemma_sets, 1, count, MAX_SKIPS) == count


_Entry = tuple[tuple[Word, ...], Phrase]
"""The words of a phrase still to check after the indexed ones, and the phrase."""


_Start = tuple[tuple[Phrase, ...], dict[str, tuple[_Entry, ...]], tuple[_Entry, ...]]
"""What can start at a lemma: one-word phrases, longer ones by their second lemma, and
phrases whose second word is ``*``."""


_TokenStarts = tuple[tuple[_Start, ...], frozenset[str] | None] | tuple[()]
"""What can start at a token (one entry per lemma that starts something) and, when only
phrases with a second word start there, every lemma that can come next; ``()``: nothing."""


class Hit(NamedTuple):
    """A phrase found in a token sequence: tokens [first, last)."""

    phrase: Phrase
    first: int
    last: int


class Match(NamedTuple):
    """A phrase found in a text: tokens [first, last) and characters [start, end)."""

    phrase: Phrase
    first: int
    last: int
    start: int
    end: int


def compile_phrase(text: str, *, label: str = "", alternative: str = "") -> Phrase:
    """Lemmatise a phrase once; ``*`` is one word, ``...`` up to four (neither first nor last)."""
    words: list[Word] = []
    for chunk in text.split():
        if chunk == WILDCARD:
            words.append(None)
        elif chunk in (GAP, "…"):
            words.append(_GAP_WORD)
        elif chunk.strip(",.!?;:") == NAME_CLASS:
            words.append((NAME_CLASS,))
        elif chunk.startswith(EXACT_MARK) and len(chunk.strip(",.!?;:")) > 1:
            words.append((exact_form_lemma(chunk.strip(",.!?;:")[1:]),))
        else:
            # A written word means itself: its {name} class (if any) must not match every name.
            words.extend(
                tuple(lemma for lemma in token.lemmas if lemma != NAME_CLASS)
                for token in tokenize(chunk)
            )
    if not words or words[0] in (None, _GAP_WORD) or words[-1] in (None, _GAP_WORD):
        raise ValueError(f"phrase {text!r} must have a word first and last (not '*' or '...')")
    return Phrase(text, tuple(words), label, alternative)


TurnAnalysis = tuple[list[tuple[str, ...]], int, dict[str, list[Hit]], list[tuple[int, int]]]
"""A turn's token lemma sets, its written word count, its hits per label and the character
span of each token (empty until a caller that quotes the turn fills it in). Shared by every
conversation with the same text: read-only but for filling in the spans once."""


class PhraseMatcher:
    """Finds many labelled phrases in tokenised text in one pass."""

    __slots__ = (
        "_by_token",
        "_seen",
        "_starts",
        "_turn_cache_size",
        "_turns",
        "labels",
        "phrases",
    )

    def __init__(self, phrases: Iterable[Phrase], *, turn_cache_size: int | None = None) -> None:
        """Index the phrases; ``turn_cache_size`` overrides ``TURN_CACHE_SIZE`` (0: none)."""
        unique: dict[tuple[str, tuple[Word, ...]], Phrase] = {}
        for phrase in phrases:
            unique.setdefault((phrase.label, phrase.words), phrase)
        self.phrases: tuple[Phrase, ...] = tuple(unique.values())
        self.labels: frozenset[str] = frozenset(phrase.label for phrase in self.phrases)
        # One-word phrases by lemma; longer ones by their first two lemmas (a phrase whose
        # second word is ``*`` by its first lemma alone), so few candidates need checking.
        singles: dict[str, list[Phrase]] = {}
        pairs: dict[str, dict[str, list[_Entry]]] = {}
        gapped: dict[str, list[_Entry]] = {}
        for phrase in self.phrases:
            first, *_ = phrase.words
            assert first is not None  # compile_phrase guarantees it
            for lemma in first:
                if len(phrase.words) == 1:
                    singles.setdefault(lemma, []).append(phrase)
                elif phrase.words[1] is None or phrase.words[1] is _GAP_WORD:
                    gapped.setdefault(lemma, []).append((phrase.words[1:], phrase))
                else:
                    following = pairs.setdefault(lemma, {})
                    for second in phrase.words[1]:
                        following.setdefault(second, []).append((phrase.words[2:], phrase))
        # One entry per first lemma, so a token that starts nothing costs one lookup.
        self._starts: dict[str, _Start] = {
            lemma: (
                tuple(singles.get(lemma, ())),
                {second: tuple(found) for second, found in pairs.get(lemma, {}).items()},
                tuple(gapped.get(lemma, ())),
            )
            for lemma in singles.keys() | pairs.keys() | gapped.keys()
        }
        self._by_token: dict[tuple[str, ...], _TokenStarts] = {}
        self._turns: dict[str, TurnAnalysis] = {}
        self._seen: set[int] = set()
        self._turn_cache_size = TURN_CACHE_SIZE if turn_cache_size is None else turn_cache_size

    def analyse(self, text: str) -> TurnAnalysis:
        """Lemmatise and scan one turn's text: (lemma sets, word count, hits per label).

        A text is remembered the second time it is seen (up to ``TURN_CACHE_SIZE`` texts;
        the memory is emptied when full), so recurring texts are analysed once while
        one-off texts never enter it: the cache stops changing once the recurring texts are
        in, which keeps the garbage collector's work small. The result is shared, so
        callers must not change it.
        """
        analysis = self._turns.get(text)
        if analysis is not None:
            return analysis
        lemma_sets, words = lemma_tokens(text)
        analysis = (lemma_sets, words, self.scan_by_label(lemma_sets), [])
        if self._turn_cache_size:
            key = hash(text)
            seen = self._seen
            if key in seen:
                if len(self._turns) >= self._turn_cache_size:
                    self._turns.clear()
                self._turns[text] = analysis
            else:
                if len(seen) >= _SEEN_SIZE:
                    seen.clear()
                seen.add(key)
        return analysis

    def scan(self, lemma_sets: Sequence[tuple[str, ...]]) -> list[Hit]:
        """Every phrase found in a sequence of token lemma sets, overlapping ones included."""
        by_token = self._by_token
        count = len(lemma_sets)
        found: list[Hit] = []
        append = found.append
        new = tuple.__new__
        last_position = count - 1
        for position, lemmas in enumerate(lemma_sets):
            entry = by_token.get(lemmas)
            if entry is None:
                entry = self._starts_of(lemmas)
            if not entry:
                continue
            token_starts, seconds = entry
            if seconds is not None and (
                position == last_position or seconds.isdisjoint(lemma_sets[position + 1])
            ):
                continue  # only longer phrases start here, and the next word fits none
            hits: list[tuple[Phrase, int]] = []
            for singles, pairs, gapped in token_starts:
                if singles:
                    hits.extend((phrase, position + 1) for phrase in singles)
                if pairs and position + 1 < count:
                    following = lemma_sets[position + 1]
                    for second in following:
                        candidates = pairs.get(second)
                        if candidates is not None:
                            _extend(hits, candidates, lemma_sets, position + 2, count, MAX_SKIPS)
                    if not SKIPPABLE.isdisjoint(following):
                        _extend_pairs(hits, pairs, lemma_sets, position + 2, count)
                if gapped:
                    _extend(hits, gapped, lemma_sets, position + 1, count, MAX_SKIPS)
            if len(hits) > 1:
                # A phrase indexed under several lemmas of these tokens is found once (by
                # identity: hashing the frozen dataclass field by field is slow).
                hits = list({(id(phrase), last): (phrase, last) for phrase, last in hits}.values())
            for phrase, last in hits:
                append(new(Hit, (phrase, position, last)))
        return found

    def _starts_of(self, lemmas: tuple[str, ...]) -> _TokenStarts:
        """What can start at a token with these lemmas (remembered: most tokens repeat)."""
        if len(self._by_token) >= _TOKEN_CACHE_SIZE:
            self._by_token.clear()
        starts = tuple(self._starts[lemma] for lemma in lemmas if lemma in self._starts)
        entry: _TokenStarts = ()
        if starts:
            seconds: frozenset[str] | None = None
            if not any(singles or gapped for singles, _pairs, gapped in starts):
                # Only phrases of two words or more whose second word is a word: the next
                # token must have one of these lemmas (or be a word a match may step over).
                seconds = SKIPPABLE.union(*(pairs.keys() for _singles, pairs, _gapped in starts))
            entry = (starts, seconds)
        self._by_token[lemmas] = entry
        return entry

    def scan_by_label(self, lemma_sets: Sequence[tuple[str, ...]]) -> dict[str, list[Hit]]:
        """Per label, the leftmost-longest hits that do not overlap, in text order."""
        by_label: dict[str, list[Hit]] = {}
        for hit in self.scan(lemma_sets):
            label = hit[0].label
            found = by_label.get(label)
            if found is None:
                by_label[label] = [hit]
            else:
                found.append(hit)
        for label, hits in by_label.items():
            if len(hits) > 1:
                by_label[label] = _leftmost_longest(hits)
        return by_label

    def find(self, tokens: Sequence[Token]) -> dict[str, list[Match]]:
        """Per label, the leftmost-longest matches with character spans, in text order."""
        found: dict[str, list[Match]] = {}
        for label, hits in self.scan_by_label([token.lemmas for token in tokens]).items():
            found[label] = [
                Match(phrase, first, last, tokens[first].start, tokens[last - 1].end)
                for phrase, first, last in hits
            ]
        return found

    def search(self, text: str) -> dict[str, list[Match]]:
        """Tokenise a text and :meth:`find` in it."""
        return self.find(tokenize(text))


def _extend_pairs(
    hits: list[tuple[Phrase, int]],
    pairs: dict[str, tuple[_Entry, ...]],
    lemma_sets: Sequence[tuple[str, ...]],
    second: int,
    count: int,
) -> None:
    """Add the phrases whose second word comes after an address word or particle that
    follows the first one («хорошего вам дня»): ``second`` is the first place to look."""
    skipped = 1
    while second < count:
        found = lemma_sets[second]
        for lemma in found:
            candidates = pairs.get(lemma)
            if candidates is not None:
                _extend(hits, candidates, lemma_sets, second + 1, count, MAX_SKIPS - skipped)
        if skipped == MAX_SKIPS or SKIPPABLE.isdisjoint(found):
            return
        second += 1
        skipped += 1


def _extend(
    hits: list[tuple[Phrase, int]],
    candidates: tuple[_Entry, ...],
    lemma_sets: Sequence[tuple[str, ...]],
    offset: int,
    count: int,
    skips: int,
) -> None:
    """Add the candidates whose remaining words match from ``offset`` on, with their end."""
    for rest, phrase in candidates:
        if not rest:
            hits.append((phrase, offset))
            continue
        last = _tail_end(rest, lemma_sets, offset, count, skips)
        if last is not None:
            hits.append((phrase, last))


def _tail_end(
    rest: tuple[Word, ...],
    lemma_sets: Sequence[tuple[str, ...]],
    offset: int,
    count: int,
    skips: int,
) -> int | None:
    """Where the phrase words ``rest`` end when they match from ``offset`` on, else None.

    A text word that is not the wanted one but only an address or a particle is stepped
    over, at most ``skips`` times; the wanted word is tried first, so nothing is lost. A
    ``...`` gap tries the shortest stretch first.
    """
    position = offset
    for step, wanted in enumerate(rest):
        if wanted is _GAP_WORD:
            after = rest[step + 1 :]
            for start in range(position, min(position + MAX_GAP, count - len(after)) + 1):
                end = _tail_end(after, lemma_sets, start, count, skips)
                if end is not None:
                    return end
            return None
        while True:
            if position >= count:
                return None
            found = lemma_sets[position]
            position += 1
            if wanted is None:
                break
            for lemma in wanted:
                if lemma in found:
                    break
            else:
                if not skips or SKIPPABLE.isdisjoint(found):
                    return None
                skips -= 1
                continue
            break
    return position


def _leftmost_longest(hits: list[Hit]) -> list[Hit]:
    hits.sort(key=lambda hit: (hit.first, hit.first - hit.last))
    chosen: list[Hit] = []
    taken_until = -1
    for hit in hits:
        if hit.first >= taken_until:
            chosen.append(hit)
            taken_until = hit.last
    return chosen
