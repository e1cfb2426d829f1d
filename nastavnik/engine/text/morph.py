"""Tokens and lemmas for auto-QA: a precompiled word regex and cached pymorphy3 lemmas.

A turn is cut into word tokens with their character offsets in the original text, so a
match can be quoted exactly. Each distinct surface form is analysed once (``lru_cache``):

* case and ``ё`` are folded (``Ещё`` → ``еще``), Latin look-alike letters inside a Cyrillic
  word are read as Cyrillic (``Здpавствуйте`` with a Latin ``p``);
* frequent chat spellings and typos are normalised from data
  (``data/lexicons/<language>/chat_spellings.txt``: «щас» → «сейчас», «спс» → «спасибо»);
  a spelling may expand to several words («досвидания» → «до свидания»), which then share
  the span of the one written word;
* Cyrillic words get every lemma pymorphy3 proposes (most likely first), so an ambiguous
  form («стали», «мой») matches a phrase written with either reading; a small override
  table fixes pymorphy quirks for domain words (``деньги`` → ``деньга`` → ``деньги``);
* a dictionary word with a fair first-name reading also gets the class lemma ``{name}``
  (last), so a phrase can say «я {name}» for any name («Я Фёдор», «это Оксана»); particles
  and fillers that pymorphy also knows as names («ли», «эм») do not;
* Latin words get a light English stem (``helped``/``helping`` → ``help``), a key rather
  than a dictionary word; digits are kept as they are.

The script of each word picks its analyser, so a Russian chat quoting «ok» or «iPhone» and
an English e-mail with a Russian name both work; the conversation's language only picks the
lexicons. See ``docs/detectors.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
"""A word: letters and digits, with inner hyphens and apostrophes (``кто-нибудь``, ``don't``)."""
_FINDITER = WORD.finditer
_FINDALL = WORD.findall
_chain = chain.from_iterable

NAME_CLASS = "{name}"
"""Extra lemma of every word that can be a first name; phrases use it as a word class."""

EXACT_MARK = "="
"""Prefix of the extra lemma ``=form`` that a registered written form carries (see
:func:`exact_form_lemma`), so a phrase can ask for «=доброго» (a farewell), not «добрый»."""
_EXACT_FORMS: set[str] = set()

LEXICON_ROOT = Path(__file__).resolve().parent.parent / "data" / "lexicons"
SPELLINGS_FILE = "chat_spellings.txt"

_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")
# Latin letters that look like Cyrillic ones, for words typed with a mixed keyboard layout.
_HOMOGLYPHS = str.maketrans("aeopcyxkmtbh", "аеорсухкмтвн")
_FOLD = str.maketrans({"ё": "е", "’": "'"})
_PARTICLES = frozenset({"то", "ка", "таки", "с", "де"})
# First-name readings that are noise: fillers and particles pymorphy also knows as names.
_NOT_NAMES = frozenset({"эм", "мм", "ам", "ом", "ой", "ах", "ох", "эх", "ну", "да", "ага"})
_FUNCTION_WORDS = frozenset({"CONJ", "PRCL", "INTJ", "PREP", "NPRO", "ADVB", "PRED"})
_NAME_SHARE = 0.1  # «Роман» is a name 11 % of the time, «том» 0.7 %, «слава» 5 %

# Lemmas that pymorphy3 gets wrong for contact-centre words, mapped to the lemma we want.
_LEMMA_OVERRIDES: dict[str, str] = {
    "деньга": "деньги",
    "сутка": "сутки",
    "брюка": "брюки",
    "очка": "очки",
    "ножница": "ножницы",
}
# Surface forms whose analysis we fix outright (after folding and spelling normalisation).
_WORD_OVERRIDES: dict[str, tuple[str, ...]] = {
    "деньги": ("деньги",),
    "денег": ("деньги",),
    "сутки": ("сутки",),
    "суток": ("сутки",),
    "окей": ("окей",),
    "алло": ("алло",),
    "ало": ("алло",),
    "спасибо": ("спасибо",),
    "пожалуйста": ("пожалуйста",),
    "здравствуйте": ("здравствуйте",),
    "извините": ("извинить",),
    "простите": ("простить",),
}

_ENGLISH_IRREGULAR: dict[str, str] = {
    "am": "be", "is": "be", "are": "be", "was": "be", "were": "be", "been": "be", "being": "be",
    "has": "have", "had": "have", "having": "have", "does": "do", "did": "do", "done": "do",
    "doing": "do", "went": "go", "gone": "go", "goes": "go", "made": "make", "making": "make",
    "makes": "make", "said": "say", "says": "say", "got": "get", "gotten": "get",
    "took": "take", "taken": "take", "taking": "take", "gave": "give", "given": "give",
    "giving": "give", "came": "come", "coming": "come", "comes": "come", "knew": "know",
    "known": "know", "thought": "think", "told": "tell", "sent": "send", "spent": "spend",
    "paid": "pay", "bought": "buy", "left": "leave", "understood": "understand",
    "children": "child", "people": "person", "men": "man", "women": "woman",
    "better": "good", "best": "good", "worse": "bad", "worst": "bad", "could": "can",
    "would": "will", "yes": "yes", "thus": "thus", "plus": "plus", "news": "news",
    "series": "series", "here": "here", "there": "there", "where": "where",
}  # fmt: skip


class Token(NamedTuple):
    """A word of a text: its [start, end) character span and its lemmas (most likely first).

    A spelling that expands to several words («досвидания») gives several tokens that share
    one span.
    """

    start: int
    end: int
    lemmas: tuple[str, ...]


def fold(word: str) -> str:
    """Lower-case a word and fold ``ё`` → ``е`` and typographic apostrophes."""
    return word.lower().translate(_FOLD)


def tokenize(text: str) -> list[Token]:
    """Cut a text into word tokens with character offsets and lemmas."""
    tokens: list[Token] = []
    append = tokens.append
    analyse = _analyse
    new = tuple.__new__  # NamedTuple's own __new__ is a Python function: twice as slow
    for found in _FINDITER(text):
        start, end = found.span()
        for lemmas in analyse(found.group()):
            append(new(Token, (start, end, lemmas)))
    return tokens


def lemma_tokens(text: str) -> tuple[list[tuple[str, ...]], int]:
    """The lemmas of each token of :func:`tokenize` (same indexes) and the written word count.

    The auto-QA hot path: no offsets are computed; take them from :func:`tokenize` only for
    the turns that are quoted.
    """
    words = _FINDALL(text)
    return list(_chain(map(_analyse, words))), len(words)


def token_spans(text: str) -> Iterator[tuple[int, int]]:
    """The [start, end) character span of each token of :func:`tokenize` (same indexes).

    Lazy, so quoting the first words of a long turn reads only those words.
    """
    analyse = _analyse
    for found in _FINDITER(text):
        span = found.span()
        for _lemmas in analyse(found.group()):
            yield span


def count_words(text: str) -> int:
    """Number of written words (a spelling expansion still counts as one)."""
    return len(WORD.findall(text))


def lemma(word: str) -> str:
    """The most likely lemma of one word (case, ``ё`` and chat spellings folded).

    A chat spelling that expands to several words gives them joined by a space.
    """
    return " ".join(lemmas[0] for lemmas in _analyse(word))


def lemmas(word: str) -> tuple[str, ...]:
    """Every lemma of one word (a spelling expansion: of its first word), most likely first.

    A possible first name ends with the class lemma ``{name}``.
    """
    analysis = _analyse(word)
    return analysis[0] if analysis else ()


def lemmatize(text: str) -> list[str]:
    """The most likely lemma of every word of a text, in order."""
    return [token.lemmas[0] for token in tokenize(text)]


def is_first_name(word: str) -> bool:
    """True if the word is a known first name in any case form (it has ``{name}``)."""
    return any(NAME_CLASS in lemmas for lemmas in _analyse(word))


def first_name_lemma(word: str) -> str | None:
    """The nominative of a first name (``Олегу`` → ``олег``), or None if not a known name."""
    return _first_name_lemma(fold(word)) if is_first_name(word) else None


def is_dictionary_word(word: str) -> bool:
    """True if pymorphy3 knows the (Cyrillic) word, as opposed to guessing its forms."""
    folded = fold(word)
    return bool(_CYRILLIC.search(folded)) and _analyzer().word_is_known(folded)


def exact_form_lemma(word: str) -> str:
    """The extra lemma that marks this written form (``=слушайте``), registering the form.

    A lemma forgets mood and case: «слушайте» (a filler) and «слушаю» (an answer) are both
    «слушать», «доброго дня» (a farewell) and «добрый день» (a greeting) one lemma pair.
    Registered forms also carry ``=form`` in their lemmas, so a phrase word written
    ``=form`` matches that form only. Registering clears the lemma cache (rare: lexicons
    are compiled once per process).
    """
    form = fold(word)
    if _CYRILLIC.search(form) and _LATIN.search(form):
        form = form.translate(_HOMOGLYPHS)
    if form not in _EXACT_FORMS:
        _EXACT_FORMS.add(form)
        _ANALYSES.clear()
    return EXACT_MARK + form


def spellings() -> dict[str, tuple[str, ...]]:
    """The chat-spelling table: folded variant → normal words (from the data files)."""
    return dict(_spellings())


class _Analyses(dict[str, tuple[tuple[str, ...], ...]]):
    """Surface form → analysis, filled on first use (``__missing__``) and emptied when it
    reaches ``_ANALYSIS_CACHE_SIZE``: a plain dict lookup on the hot path, cheaper than an
    ``lru_cache`` call, with memory still bounded."""

    def __missing__(self, surface: str) -> tuple[tuple[str, ...], ...]:
        if len(self) >= _ANALYSIS_CACHE_SIZE:
            self.clear()
        analysis = self[surface] = _analyse_uncached(surface)
        return analysis


_ANALYSIS_CACHE_SIZE = 200_000
_ANALYSES = _Analyses()
_analyse = _ANALYSES.__getitem__


def _analyse_uncached(surface: str) -> tuple[tuple[str, ...], ...]:
    word = fold(surface)
    if _CYRILLIC.search(word) and _LATIN.search(word):
        word = word.translate(_HOMOGLYPHS)
    expansion = _spellings().get(word)
    if expansion is None:
        if word in _EXACT_FORMS:
            return ((*_lemmas_of(word), EXACT_MARK + word),)
        return (_lemmas_of(word),)
    return tuple(_lemmas_of(part) for part in expansion)


def _lemmas_of(word: str) -> tuple[str, ...]:
    override = _WORD_OVERRIDES.get(word)
    if override is not None:
        return override
    if _CYRILLIC.search(word):
        return _russian_lemmas(word)
    if _LATIN.search(word):
        return (_english_stem(word),)
    return (word,)


def _russian_lemmas(word: str) -> tuple[str, ...]:
    analyzer = _analyzer()
    stem, hyphen, particle = word.rpartition("-")
    if hyphen and particle in _PARTICLES and stem and not analyzer.word_is_known(word):
        word = stem  # «заказ-то», «скажите-ка»: the particle is not part of the word
    parses = analyzer.parse(word)
    found: list[str] = []
    for parse in parses:
        normal = fold(parse.normal_form)
        normal = _LEMMA_OVERRIDES.get(normal, normal)
        if normal not in found:
            found.append(normal)
    if not found:
        found.append(word)
    if _is_name(word, parses):
        found.append(NAME_CLASS)
    return tuple(found)


def _is_name(word: str, parses: Sequence[Any]) -> bool:
    """A dictionary word with a fair first-name reading (not «ли», «эм», «слава богу»)."""
    if word in _NOT_NAMES or not parses or parses[0].tag.POS in _FUNCTION_WORDS:
        return False
    share = sum(parse.score for parse in parses if "Name" in parse.tag)
    return share >= _NAME_SHARE and _analyzer().word_is_known(word)


def _english_stem(word: str) -> str:
    """A light, consistent English stem: both the phrase and the text go through it."""
    irregular = _ENGLISH_IRREGULAR.get(word)
    if irregular is not None:
        return irregular
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "ches", "shes", "xes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    elif word.endswith("ing") and len(word) > 5:
        word = _undouble(word[:-3])
    elif word.endswith("eed"):
        word = word[:-1] if len(word) > 4 else word
    elif word.endswith("ied") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("ed") and len(word) > 4:
        word = _undouble(word[:-2])
    if word.endswith("e") and len(word) > 3 and not word.endswith("ee"):
        word = word[:-1]
    return word


def _undouble(stem: str) -> str:
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
        return stem[:-1]
    return stem


@lru_cache(maxsize=20_000)
def _first_name_lemma(word: str) -> str | None:
    if not _CYRILLIC.search(word):
        return None
    for parse in _analyzer().parse(word):
        if "Name" in parse.tag:
            return fold(parse.normal_form)
    return None


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    # Imported on first use: loading the dictionaries takes ~0.2 s.
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=1)
def _spellings() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for path in sorted(LEXICON_ROOT.glob(f"*/{SPELLINGS_FILE}")):
        table.update(parse_spellings(path.read_text(encoding="utf-8")))
    return table


def parse_spellings(text: str) -> dict[str, tuple[str, ...]]:
    """Read ``variant, variant => normal words`` lines (``#`` starts a comment)."""
    table: dict[str, tuple[str, ...]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        variants, arrow, normal = line.partition("=>")
        words = tuple(fold(word) for word in WORD.findall(normal))
        if not arrow or not words:
            raise ValueError(f"line {number}: expected 'variant, variant => normal words'")
        for variant in variants.split(","):
            key = fold(variant.strip())
            if key:
                table[key] = words
    return table
