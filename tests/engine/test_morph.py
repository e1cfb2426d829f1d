"""Tokens and lemmas: word forms, ё/е, case, punctuation, chat spellings, offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nastavnik.engine.text import morph


@pytest.mark.parametrize(
    ("forms", "expected"),
    [
        (["помогу", "поможем", "помочь", "Поможет", "помогла"], "помочь"),
        (["Олег", "Олегу", "Олега", "олегом"], "олег"),
        (["заказ", "заказа", "заказы", "заказами"], "заказ"),
        (["деньги", "денег", "деньгами", "Деньгам"], "деньги"),
        (["сутки", "суток"], "сутки"),
        (["ожидание", "ожидания", "ожиданием"], "ожидание"),
    ],
)
def test_word_forms_share_one_lemma(forms: list[str], expected: str) -> None:
    # given several forms of one word, when each is lemmatised, then they share one lemma
    assert {morph.lemma(form) for form in forms} == {expected}


def test_yo_and_case_are_folded() -> None:
    assert morph.lemma("ЕЩЁ") == morph.lemma("еще") == morph.lemma("Ещё")
    assert morph.lemma("ЗДРАВСТВУЙТЕ") == morph.lemma("здравствуйте") == "здравствуйте"
    assert morph.fold("Всё’s") == "все's"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("щас", "сейчас"),
        ("Щя", "сейчас"),
        ("спс", "спасибо"),
        ("Спасибки", "спасибо"),
        ("здрасте", "здравствуйте"),
        ("здрасьте", "здравствуйте"),
        ("Здрасти", "здравствуйте"),
        ("здраствуйте", "здравствуйте"),
        ("пжл", "пожалуйста"),
        ("плз", "пожалуйста"),
        ("пожалуйсто", "пожалуйста"),
        ("извените", "извинить"),
        ("ок", "окей"),
        ("чё", "что"),
        ("вообщем", "в общий"),
        ("досвидания", "до свидание"),
        ("thx", "thank"),
        ("plz", "pleas"),
    ],
)
def test_chat_spellings_are_normalised(written: str, expected: str) -> None:
    assert morph.lemma(written) == expected


def test_a_spelling_that_expands_gives_tokens_sharing_the_written_span() -> None:
    # given a chat spelling of two words in one
    text = "Ну всё, досвидания!"
    # when it is tokenised
    tokens = morph.tokenize(text)
    # then «до» and «свидание» both point at «досвидания»
    expanded = [token for token in tokens if text[token.start : token.end] == "досвидания"]
    assert [token.lemmas[0] for token in expanded] == ["до", "свидание"]
    assert morph.count_words(text) == 3


def test_tokens_keep_exact_offsets_through_punctuation_emoji_and_markup() -> None:
    text = "<b>Здравствуйте,Олег!!!</b> 😀😀 чем-нибудь помочь?.. (заказ №12345)"
    tokens = morph.tokenize(text)
    assert [text[token.start : token.end] for token in tokens] == [
        "b",
        "Здравствуйте",
        "Олег",
        "b",
        "чем-нибудь",
        "помочь",
        "заказ",
        "12345",
    ]
    assert tokens[-1].lemmas == ("12345",)


def test_underscores_and_hyphens_at_the_edges_are_not_part_of_words() -> None:
    text = "__важно__ -срочно- кто-нибудь интернет-магазин"
    assert [text[t.start : t.end] for t in morph.tokenize(text)] == [
        "важно",
        "срочно",
        "кто-нибудь",
        "интернет-магазин",
    ]


def test_latin_look_alike_letters_inside_a_russian_word_are_read_as_cyrillic() -> None:
    # «Здpавствуйте» typed with a Latin «p», «зaказ» with a Latin «a»
    assert morph.lemma("Здpавствуйте") == "здравствуйте"
    assert morph.lemma("зaказ") == "заказ"


def test_a_particle_after_a_hyphen_is_dropped_from_an_unknown_word() -> None:
    assert morph.lemma("заказ-то") == "заказ"
    assert morph.lemma("скажите-ка") == "сказать"
    assert morph.lemma("что-то") == "что-то"  # a real word stays whole


def test_ambiguous_forms_keep_every_lemma_most_likely_first() -> None:
    assert morph.lemmas("стали")[:2] == ("стать", "сталь")
    assert "отменить" in morph.lemmas("отменён")


def test_first_names_get_the_name_class_and_their_nominative() -> None:
    assert morph.NAME_CLASS in morph.lemmas("Ольгу")
    assert morph.NAME_CLASS in morph.lemmas("Роман")
    assert morph.NAME_CLASS not in morph.lemmas("заказ")
    # particles, fillers and guessed words that pymorphy could also read as names
    for word in ("ли", "эм", "ээээ", "том", "слава"):
        assert morph.NAME_CLASS not in morph.lemmas(word), word
    assert morph.first_name_lemma("Олегу") == "олег"
    assert morph.first_name_lemma("заказ") is None
    assert morph.is_first_name("саше")


@pytest.mark.parametrize(
    ("forms", "expected"),
    [
        (["help", "helped", "helping", "helps"], "help"),
        (["close", "closed", "closing", "closes"], "clos"),
        (["apply", "applies", "applied"], "apply"),
        (["stop", "stopped", "stopping"], "stop"),
        (["is", "are", "was", "were", "am"], "be"),
    ],
)
def test_english_words_get_one_light_stem(forms: list[str], expected: str) -> None:
    assert {morph.lemma(form) for form in forms} == {expected}


def test_english_contractions_expand() -> None:
    tokens = morph.tokenize("I'm sorry, we can't")
    assert [token.lemmas[0] for token in tokens] == ["i", "be", "sorry", "we", "can", "not"]


def test_lemma_tokens_and_token_spans_agree_with_tokenize() -> None:
    text = "Щас, досвидания!! Олегу I'm fine — деньгами 100 р."
    tokens = morph.tokenize(text)
    lemma_sets, words = morph.lemma_tokens(text)
    assert lemma_sets == [token.lemmas for token in tokens]
    assert list(morph.token_spans(text)) == [(token.start, token.end) for token in tokens]
    assert words == morph.count_words(text) == 8


def test_spelling_table_lines_need_an_arrow() -> None:
    assert morph.parse_spellings("# comment\nспс, сяп => спасибо\n") == {
        "спс": ("спасибо",),
        "сяп": ("спасибо",),
    }
    with pytest.raises(ValueError, match="line 1"):
        morph.parse_spellings("спс спасибо")


_PIECES = st.sampled_from(
    ["Здравствуйте", "щас", "досвидания", "Олегу", "I'm", "кто-нибудь", "деньгами", "12", "ок"]
)
_GLUE = st.sampled_from([" ", ", ", "!!! ", "\n", " 😀 ", "<br>", "...", "—", "«", "»"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_PIECES, _GLUE), max_size=12))
def test_tokens_slice_back_to_their_words(pieces: list[tuple[str, str]]) -> None:
    # given any text glued from words, punctuation, emoji and markup
    text = "".join(word + glue for word, glue in pieces)
    # when it is tokenised, then every token's span is a whole word of the text
    tokens = morph.tokenize(text)
    assert {text[t.start : t.end] for t in tokens} <= {word for word, _glue in pieces} | {"br"}
    assert morph.lemma_tokens(text)[0] == [token.lemmas for token in tokens]
