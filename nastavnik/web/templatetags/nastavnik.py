"""Template helpers: durations, dates, channel badges, icons, outcomes, import issues."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from nastavnik.conversations import issue_text
from nastavnik.conversations.models import Channel, Conversation
from nastavnik.core import audit_labels
from nastavnik.engine import types

register = template.Library()

SPEAKER_LABELS = {
    "operator": _("Operator"),
    "client": _("Client"),
    "bot": _("Bot"),
    "system": _("System"),
}
# Outcome columns shown on the conversation page when they are set, in this order.
OUTCOME_FIELDS = types.OUTCOME_FIELDS
# Dates in tables: day first in Russian, an unambiguous month name in English.
DATETIME_FORMATS = {"ru": "d.m.Y H:i", "en": "j M Y, H:i"}
DATE_FORMATS = {"ru": "d.m.Y", "en": "j M Y"}

# 20×20 stroke icons for the menu, drawn for this product.
_ICON_PATHS = {
    "sampling:queue": (
        '<path d="M8 6h13"/><path d="M8 12h13"/><path d="M8 18h13"/>'
        '<path d="M3 6h.01"/><path d="M3 12h.01"/><path d="M3 18h.01"/>'
    ),
    "evaluations:trust": (
        '<path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z"/><path d="M9 12l2 2 4-4"/>'
    ),
    "coaching:mystery_visits": ('<circle cx="11" cy="11" r="7"/><path d="M21 21l-4.35-4.35"/>'),
    "evaluations:list": (
        '<path d="M9 11l3 3 8-8"/>'
        '<path d="M20 12v7a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h9"/>'
    ),
    "audit": '<path d="M12 8v4l3 2"/><circle cx="12" cy="12" r="9"/>',
    "home": '<path d="M3 10.5 12 3l9 7.5"/><path d="M5 9.5V21h5v-6h4v6h5V9.5"/>',
    "conversations:list": (
        '<path d="M4 5h12a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2H9l-4 3.5V15H4a2 2 0 0 1-2-2V7'
        'a2 2 0 0 1 2-2z"/><path d="M20 9h.5A1.5 1.5 0 0 1 22 10.5V17a1.5 1.5 0 0 1-1.5 1.5H20'
        'V21l-3-2.5h-4"/>'
    ),
    "accounts:operator_list": (
        '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20a6.5 6.5 0 0 1 13 0"/>'
        '<path d="M16 4.5a3.5 3.5 0 0 1 0 7"/><path d="M18 14.5a6.5 6.5 0 0 1 3.5 5.5"/>'
    ),
    "conversations:import": (
        '<path d="M12 15V3"/><path d="m7 8 5-5 5 5"/><path d="M4 14v5a2 2 0 0 0 2 2h12'
        'a2 2 0 0 0 2-2v-5"/>'
    ),
    "scorecards:list": (
        '<rect x="4" y="3" width="16" height="18" rx="2"/><path d="m8 9 1.5 1.5L12 8"/>'
        '<path d="M14 9.5h3"/><path d="m8 15 1.5 1.5L12 14"/><path d="M14 15.5h3"/>'
    ),
    "api-docs": '<path d="m8 7-5 5 5 5"/><path d="m16 7 5 5-5 5"/><path d="m14 4-4 16"/>',
}


@register.filter
def duration(seconds: Any) -> str:
    """Seconds as ``m:ss`` (``h:mm:ss`` from one hour); an em dash when unknown."""
    if seconds is None or seconds == "":
        return "—"
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


@register.filter
def datetime_short(value) -> str:
    """A date and time in the local zone, formatted for the active language."""
    if value is None:
        return "—"
    language = (get_language() or "ru")[:2]
    return dateformat.format(timezone.localtime(value), DATETIME_FORMATS.get(language, "d.m.Y H:i"))


@register.filter
def date_short(value) -> str:
    """A date formatted for the active language."""
    if value is None:
        return "—"
    language = (get_language() or "ru")[:2]
    return dateformat.format(value, DATE_FORMATS.get(language, "d.m.Y"))


@register.filter
def channel_badge(channel: str) -> str:
    """A coloured badge with the channel's translated name."""
    label = dict(Channel.choices).get(channel, channel)
    return format_html('<span class="badge badge-{}">{}</span>', channel, capfirst(label))


@register.filter
def speaker_label(speaker: str) -> str:
    """The translated name of a turn's speaker role."""
    return SPEAKER_LABELS.get(speaker, speaker)


VERDICT_LABELS = {
    "yes": _("yes"),
    "partial": _("partly"),
    "no": _("no"),
    "na": _("N/A"),
}


@register.filter
def verdict_label(verdict: str) -> str:
    """The translated word for an answer's verdict (yes / partly / no / N/A)."""
    return str(VERDICT_LABELS.get(verdict, verdict))


@register.filter
def issue_reason(reason: str) -> str:
    """An import issue's reason in the active language (the engine writes it in English)."""
    return issue_text.translate_reason(reason)


@register.filter
def issue_record(record: str) -> str:
    """An import issue's record label (``line 17 (ch-1029)``) in the active language."""
    return issue_text.translate_issue_record(record)


@register.filter
def issue_field(field: str) -> str:
    """An import issue's field path, or the translated label of an issue about no field."""
    return issue_text.translate_issue_field(field)


@register.filter
def csat_class(value: Any) -> str:
    """CSS class of a CSAT score: good (4–5), neutral (3), bad (1–2)."""
    if value is None or value == "":
        return ""
    score = float(value)
    if score >= 4:
        return "score-good"
    if score >= 3:
        return "score-neutral"
    return "score-bad"


@register.simple_tag
def nav_icon(name: str) -> str:
    """The menu icon of a navigation entry (empty when there is none)."""
    paths = _ICON_PATHS.get(name)
    if not paths:
        return ""
    return mark_safe(  # constant markup defined above
        '<svg class="nav-icon" viewBox="0 0 24 24" width="20" height="20" fill="none" '
        'stroke="currentColor" stroke-width="1.8" stroke-linecap="round" '
        f'stroke-linejoin="round" aria-hidden="true">{paths}</svg>'
    )


@register.simple_tag
def active_nav_url(navigation: list[dict], path: str) -> str:
    """The URL of the menu entry that contains ``path`` (longest match wins)."""
    best = ""
    for item in navigation:
        url = item["url"]
        matches = path == url if url == "/" else path.startswith(url)
        if matches and len(url) > len(best):
            best = url
    return best


@register.simple_tag
def nav_url(navigation: list[dict], name: str) -> str:
    """The URL of the menu entry ``name`` if the user has it, else an empty string."""
    return next((item["url"] for item in navigation if item["name"] == name), "")


@register.simple_tag
def channel_breakdown(by_channel: dict[str, int]) -> list[dict[str, Any]]:
    """Per-channel counts in the order of the channel list, with their share in percent."""
    total = sum(by_channel.values())
    return [
        {
            "code": code,
            "label": capfirst(label),
            "count": by_channel.get(code, 0),
            "percent": round(100 * by_channel.get(code, 0) / total) if total else 0,
        }
        for code, label in Channel.choices
    ]


@register.simple_tag
def channel_chart(by_channel: dict[str, int]) -> dict[str, list]:
    """Data of the conversations-by-channel bar chart (labels, counts, channel codes)."""
    rows = channel_breakdown(by_channel)
    return {
        "labels": [str(row["label"]) for row in rows],
        "counts": [row["count"] for row in rows],
        "channels": [row["code"] for row in rows],
    }


@register.simple_tag
def outcome_items(conversation: Conversation) -> list[dict[str, Any]]:
    """The conversation's outcome fields that are set, as label/value pairs."""
    items = []
    for name in OUTCOME_FIELDS:
        value = getattr(conversation, name)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            shown = _("yes") if value else _("no")
        else:
            shown = value
        label = Conversation._meta.get_field(name).verbose_name
        items.append({"name": name, "label": capfirst(label), "value": shown})
    return items


@register.simple_tag
def page_numbers(page) -> list[int | None]:
    """Page numbers around the current page and at both ends; None marks a gap."""
    ellipsis = page.paginator.ELLIPSIS
    return [
        None if number == ellipsis else number
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]


@register.filter
def localized(obj: Any, field: str) -> str:
    """``obj.<field>_en`` in the English interface when it is set, else ``obj.<field>``."""
    from django.utils.translation import get_language

    if (get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "")


@register.filter
def percent_number(value: Any) -> str:
    """A weight or score without a trailing ``.0``."""
    if value is None:
        return "—"
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


@register.filter
def audit_action(action: str) -> str:
    """A readable name for an audit action code (the code itself when unknown)."""
    return audit_labels.action_label(action)


@register.filter
def audit_field(field: str) -> str:
    """A readable name for a changed field of an audit row."""
    return audit_labels.field_label(field)


@register.filter
def audit_entity(entity_type: str) -> str:
    """A readable name for the kind of record an audit row is about."""
    return audit_labels.entity_label(entity_type)


@register.filter
def audit_change(change: Any) -> str:
    """``[old, new]`` of an audit row as «old → new», answers shown by their verdict."""
    return audit_labels.change_text(change, verdict_label)
