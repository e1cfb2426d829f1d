"""Sampling rules and the graders' queue of conversations to evaluate.

Invariant (see docs/decisions/0008-sampling.md): a conversation is in the queue at most
once — ``QueueItem.conversation`` is unique — so no conversation is evaluated twice by
accident, whichever rules, runs or workers picked it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from nastavnik.accounts.models import Team
from nastavnik.conversations.models import Channel, Conversation


class Period(models.TextChoices):
    WEEK = "week", _("week")
    MONTH = "month", _("month")


class Reason(models.TextChoices):
    LOW_CSAT = "low_csat", _("low CSAT")
    LONG_HANDLING = "long_handling", _("long handling")
    AUTOQA_FLAG = "autoqa_flag", _("auto-QA flag")
    REPEAT_CONTACT = "repeat_contact", _("repeat contact")
    RANDOM = "random", _("random")


class SamplingRule(models.Model):
    """How many conversations of each operator go to the graders per week or month."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sampling_rules",
        help_text=_("Empty: every team."),
    )
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=Channel.choices,
        blank=True,
        help_text=_("Empty: every channel, stratified by volume."),
    )
    per_operator = models.PositiveSmallIntegerField(
        _("conversations per operator"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    period = models.CharField(
        _("period"), max_length=8, choices=Period.choices, default=Period.MONTH
    )
    risk_share = models.FloatField(
        _("share of risk picks"),
        default=0.3,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("From 0 to 1: how much of the quota goes to risky conversations first."),
    )
    low_csat_max = models.PositiveSmallIntegerField(
        _("low CSAT: at most"),
        null=True,
        blank=True,
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("A rating at or below this is a risk. Empty: ignore CSAT."),
    )
    long_handling_minutes = models.PositiveIntegerField(
        _("long handling: from, minutes"),
        null=True,
        blank=True,
        default=20,
        validators=[MinValueValidator(1)],
        help_text=_("A conversation at least this long is a risk. Empty: ignore duration."),
    )
    autoqa_score_below = models.FloatField(
        _("auto-QA score below, %"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "An automatic score below this is a risk; a failed critical criterion always is."
        ),
    )
    graders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graders"),
        related_name="sampling_rules",
        blank=True,
    )
    due_days = models.PositiveSmallIntegerField(
        _("days to evaluate"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sampling rule")
        verbose_name_plural = _("sampling rules")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class QueueItem(models.Model):
    """A conversation assigned to a grader; done once a submitted manual evaluation exists."""

    conversation = models.ForeignKey(
        Conversation,
        verbose_name=_("conversation"),
        on_delete=models.CASCADE,
        related_name="queue_items",
    )
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queue_items",
    )
    rule = models.ForeignKey(
        SamplingRule,
        verbose_name=_("sampling rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queue_items",
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    period = models.CharField(_("period"), max_length=16)
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("queue item")
        verbose_name_plural = _("queue items")
        ordering = ["due_at", "id"]
        constraints = [
            # The "never evaluated twice by accident" guarantee: one queue item per
            # conversation, whichever rule or run picked it.
            models.UniqueConstraint(fields=["conversation"], name="unique_queue_conversation"),
        ]
        indexes = [
            models.Index(fields=["grader", "due_at"], name="queue_grader_due_idx"),
            models.Index(fields=["rule", "period"], name="queue_rule_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.conversation} → {self.grader} ({self.period})"
