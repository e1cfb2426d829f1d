"""Notes that detectors attach to their answers, in Russian or English.

The note is what a QA analyst or operator reads beside the verdict, so it is written for
people, in the conversation's language (Russian unless the conversation is English).
"""

from __future__ import annotations

from typing import Any

_RU: dict[str, str] = {
    "no_turns": "нет реплик ({speaker})",
    "found": "найдено: {quotes}",
    "not_found": "не найдено ({scope})",
    "client_left": "не найдено ({scope}); клиент не ответил на последнюю реплику оператора — "
    "обращение прервано",
    "too_few": "найдено {count} из {minimum}: {quotes}",
    "groups": "есть: {present}; нет: {missing}",
    "absent_ok": "не найдено ({scope}) — так и должно быть",
    "absent_broken": "найдено, хотя не должно быть: {quotes}",
    "scope_first_turn": "{speaker}, первая реплика",
    "scope_first_turns": "{speaker}, первые реплики: {turns}",
    "scope_last_turns": "{speaker}, последние реплики: {turns}",
    "scope_anywhere": "{speaker}, все реплики",
    "operator": "оператор",
    "client": "клиент",
    "order_na": "решение не найдено — порядок не проверяется",
    "order_yes": "уточнение {before} до решения {after}",
    "order_no": "нет уточняющего вопроса до решения {after}",
    "rate": "{count} на 100 слов ({matches} на {words} сл.), норма ≤ {limit}",
    "rate_na": "нет слов ({speaker})",
    "alternatives": "лучше: {pairs}",
    "name_unknown": "имя клиента неизвестно",
    "name_used": "имя «{name}» — реплик с ним: {count}, нужно {minimum}",
    "name_unused": "имя «{name}» не использовано оператором",
    "timing_na": "показатель «{metric}» неизвестен для этого обращения",
    "timing": "«{metric}»: {value}, норма ≤ {limit}",
    "metric_first_response": "первый ответ",
    "metric_longest_operator_delay": "самая долгая задержка ответа",
    "metric_longest_silence": "самая долгая пауза",
    "metric_overlap": "одновременная речь",
    "metric_hold": "самое долгое удержание",
    "refusal_na": "категоричного отказа не было",
    "refusal": "попыток удержания: {attempts} (норма {maximum}); {outcome}",
    "refund_done": "возврат оформлен",
    "refund_missing": "возврат не оформлен",
    "refund_missing_insisted": "клиент настоял повторно, возврат не оформлен",
    "empathy_na": "негатива клиента не было",
    "empathy": "эмпатия в ответ на негатив: {covered} из {total}",
    "hold_na": "удержания не было",
    "hold_note": "удержаний: {holds}; спросил(а) разрешения: {asked}; поблагодарил(а): {thanked}",
    "seconds": "{value} с",
    "minutes": "{minutes} мин {seconds:02d} с",
    "no_conversation": "в обращении нет реплик",
    "counted_partial": "выполнено частично (по шкале да/нет — «нет»)",
    "counted_no": "не применимо, но этот критерий требует ответа — «нет»",
}

_EN: dict[str, str] = {
    "no_turns": "no {speaker} turns",
    "found": "found: {quotes}",
    "not_found": "not found ({scope})",
    "client_left": "not found ({scope}); the client did not answer the operator's last turn — "
    "the contact was broken off",
    "too_few": "found {count} of {minimum}: {quotes}",
    "groups": "present: {present}; missing: {missing}",
    "absent_ok": "not found ({scope}), as expected",
    "absent_broken": "found where it must not be: {quotes}",
    "scope_first_turn": "first {speaker} turn",
    "scope_first_turns": "first {turns} {speaker} turns",
    "scope_last_turns": "last {turns} {speaker} turns",
    "scope_anywhere": "all {speaker} turns",
    "operator": "operator",
    "client": "client",
    "order_na": "no solution found, so the order is not checked",
    "order_yes": "clarifying question {before} before the solution {after}",
    "order_no": "no clarifying question before the solution {after}",
    "rate": "{count} per 100 words ({matches} in {words} words), limit ≤ {limit}",
    "rate_na": "no {speaker} words",
    "alternatives": "better: {pairs}",
    "name_unknown": "the client's name is unknown",
    "name_used": "the name “{name}” is in {count} turn(s), {minimum} needed",
    "name_unused": "the operator did not use the name “{name}”",
    "timing_na": "“{metric}” is unknown for this conversation",
    "timing": "{metric}: {value}, limit ≤ {limit}",
    "metric_first_response": "first response",
    "metric_longest_operator_delay": "longest operator delay",
    "metric_longest_silence": "longest silence",
    "metric_overlap": "overtalk",
    "metric_hold": "longest hold",
    "refusal_na": "no categorical refusal",
    "refusal": "retention attempts: {attempts} (expected {maximum}); {outcome}",
    "refund_done": "refund processed",
    "refund_missing": "no refund",
    "refund_missing_insisted": "the client insisted again and got no refund",
    "empathy_na": "no client negativity",
    "empathy": "empathy after negativity: {covered} of {total}",
    "hold_na": "no hold",
    "hold_note": "holds: {holds}; asked permission: {asked}; thanked: {thanked}",
    "seconds": "{value} s",
    "minutes": "{minutes} min {seconds:02d} s",
    "no_conversation": "the conversation has no turns",
    "counted_partial": "partly done (on a yes/no scale: no)",
    "counted_no": "not applicable, but this criterion needs an answer: no",
}

_MESSAGES = {"ru": _RU, "en": _EN}
_QUOTES = {"ru": ("«", "»"), "en": ("“", "”")}
_YES_NO = {"ru": ("да", "нет"), "en": ("yes", "no")}


# What each lexicon is called in a note shown to graders and operators.
_LEXICON_NAMES = {
    "ru": {
        "greetings": "приветствие",
        "introductions": "представление",
        "company_names": "название компании",
        "farewells": "прощание",
        "closing_questions": "вопрос «остались ли вопросы»",
        "clarifying_questions": "уточняющий вопрос",
        "solution_markers": "решение",
        "empathy": "эмпатия",
        "client_negativity": "негатив клиента",
        "filler_words": "слова-паразиты",
        "bureaucratese": "канцеляризмы",
        "negative_phrases": "негативные формулировки",
        "refusal_triggers": "категоричный отказ",
        "retention_attempts": "попытка удержания",
        "refund_actions": "оформление возврата",
        "prohibited_words": "запрещённые слова",
        "sensitive_requests": "запрос данных карты",
        "hold_requests": "просьба подождать",
        "hold_thanks": "благодарность за ожидание",
    },
    "en": {},
}


def lexicon_name(language: str, name: str) -> str:
    """A lexicon's name for people (its file name where no translation exists)."""
    return _LEXICON_NAMES.get(language, _LEXICON_NAMES["ru"]).get(name, name.replace("_", " "))


def say(language: str, key: str, **values: Any) -> str:
    """The note ``key`` in the language (Russian unless ``en``), with values filled in."""
    return _MESSAGES.get(language, _RU)[key].format(**values)


def quoted(language: str, text: str) -> str:
    """Text in the language's quotation marks."""
    opening, closing = _QUOTES.get(language, _QUOTES["ru"])
    return f"{opening}{text}{closing}"


def yes_no(language: str, value: bool) -> str:
    """«да»/«нет» (or yes/no)."""
    return _YES_NO.get(language, _YES_NO["ru"])[0 if value else 1]


def duration(language: str, seconds: float) -> str:
    """Seconds for people: ``42 с`` or ``4 мин 12 с``."""
    whole = round(seconds)
    if whole < 60:
        return say(language, "seconds", value=whole)
    return say(language, "minutes", minutes=whole // 60, seconds=whole % 60)
