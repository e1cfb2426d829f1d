"""A conversation with its turns (a JSON list on the row) and derived metrics."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from nastavnik.accounts.models import Operator, Team


class Channel(models.TextChoices):
    CALL = "call", _("call")
    CHAT = "chat", _("chat")
    EMAIL = "email", _("e-mail")
    MESSENGER = "messenger", _("messenger")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("inbound")
    OUTBOUND = "outbound", _("outbound")


class Conversation(models.Model):
    """One contact with a client in one channel.

    ``(source, external_id)`` is unique: re-importing a file updates, never duplicates.
    Turns are stored as a JSON list because they are always read together; evidence
    refers to turn indexes. Text is stored PII-masked when masking is on.
    """

    source = models.CharField(_("source"), max_length=64)
    external_id = models.CharField(_("external id"), max_length=128)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    direction = models.CharField(
        _("direction"), max_length=16, choices=Direction.choices, default=Direction.INBOUND
    )
    operator = models.ForeignKey(
        Operator,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="conversations",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    client_ref = models.CharField(_("client"), max_length=128, blank=True)
    client_name = models.CharField(_("client name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, default="ru")
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    turns = models.JSONField(_("turns"), default=list, blank=True)
    meta = models.JSONField(_("meta"), default=dict, blank=True)

    csat = models.PositiveSmallIntegerField(_("CSAT"), null=True, blank=True)
    helped = models.BooleanField(_("helped"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("NPS"), null=True, blank=True)
    resolved = models.BooleanField(_("resolved"), null=True, blank=True)
    converted = models.BooleanField(_("converted to order"), null=True, blank=True)
    cancelled = models.BooleanField(_("cancelled"), null=True, blank=True)
    missed = models.BooleanField(_("missed call"), null=True, blank=True)
    retention_requested = models.BooleanField(_("retention requested"), null=True, blank=True)
    retained = models.BooleanField(_("retained"), null=True, blank=True)
    escalated = models.BooleanField(_("escalated"), null=True, blank=True)
    transfers = models.PositiveSmallIntegerField(_("transfers"), null=True, blank=True)
    order_amount = models.DecimalField(
        _("order amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    cancel_reason = models.CharField(_("cancel reason"), max_length=500, blank=True)

    duration_seconds = models.FloatField(_("duration, s"), null=True, blank=True)
    first_response_seconds = models.FloatField(_("first response, s"), null=True, blank=True)
    longest_operator_delay_seconds = models.FloatField(
        _("longest operator delay, s"), null=True, blank=True
    )
    longest_silence_seconds = models.FloatField(_("longest silence, s"), null=True, blank=True)
    overlap_seconds = models.FloatField(_("overlap, s"), null=True, blank=True)
    turn_count = models.PositiveIntegerField(_("turns"), default=0)

    # Lower-cased, ё-folded text of all turns: what the conversation list searches.
    search_text = models.TextField(blank=True, default="")
    content_hash = models.CharField(max_length=32)
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="unique_conversation_source_external_id"
            ),
        ]
        indexes = [
            models.Index(fields=["started_at"], name="conv_started_idx"),
            models.Index(fields=["operator", "started_at"], name="conv_operator_started_idx"),
            models.Index(fields=["team", "started_at"], name="conv_team_started_idx"),
            models.Index(fields=["channel", "started_at"], name="conv_channel_started_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"
