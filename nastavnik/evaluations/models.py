"""Evaluations (one filled scorecard version for one conversation) and their answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nastavnik.conversations.models import Conversation
from nastavnik.scorecards.models import ScorecardVersion


class Evaluation(models.Model):
    """A scorecard version filled in for a conversation, by a person or by auto-QA.

    The score columns are computed by ``engine.scoring`` whenever answers change; they are
    stored so lists and rollups never recompute them. ``revision`` guards against two
    people overwriting each other (optimistic locking).
    """

    class Kind(models.TextChoices):
        MANUAL = "manual", _("manual")
        AUTO = "auto", _("automatic")

    class Purpose(models.TextChoices):
        OFFICIAL = "official", _("official")
        PRACTICE = "practice", _("practice")
        MYSTERY_SHOPPER = "mystery_shopper", _("mystery shopper")
        CALIBRATION = "calibration", _("calibration")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="evaluations"
    )
    scorecard_version = models.ForeignKey(
        ScorecardVersion, on_delete=models.PROTECT, related_name="evaluations"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    purpose = models.CharField(
        _("purpose"), max_length=24, choices=Purpose.choices, default=Purpose.OFFICIAL
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluations_made",
    )
    score_percent = models.FloatField(_("score, %"), null=True, blank=True)
    earned = models.FloatField(_("points earned"), default=0)
    maximum = models.FloatField(_("maximum points"), default=0)
    critical_failed = models.BooleanField(_("critical error"), default=False)
    stage_scores = models.JSONField(_("stage scores"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Auto-QA keeps one evaluation per conversation and scorecard version; a re-run
            # replaces it.
            models.UniqueConstraint(
                fields=["conversation", "scorecard_version"],
                condition=models.Q(kind="auto"),
                name="unique_auto_evaluation",
            ),
        ]
        indexes = [models.Index(fields=["kind", "state"], name="evaluation_kind_state_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.conversation} ({self.score_percent})"


class Answer(models.Model):
    """The value of one criterion in one evaluation, with its evidence."""

    class Origin(models.TextChoices):
        AUTO = "auto", _("automatic")
        MANUAL = "manual", _("manual")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="answers")
    criterion = models.CharField(_("criterion"), max_length=64)
    stage = models.CharField(_("stage"), max_length=64)
    value = models.FloatField(_("value"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=8)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices)
    # What auto-QA answered when an analyst reviewed its evaluation ("accept or override"):
    # kept so an override stays visible next to the person's answer.
    auto_verdict = models.CharField(_("auto-QA verdict"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["evaluation", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"], name="unique_answer_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.verdict}"


class Dispute(models.Model):
    """An operator's appeal against one answer (``criterion``) or a whole evaluation."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="disputes")
    criterion = models.CharField(_("criterion"), max_length=64, blank=True)
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disputes_raised"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disputes_reviewed",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("decision"), blank=True)
    # The answers the decision changed, as {criterion: [old verdict, new verdict]}, and the
    # score before and after: the history stays readable after later edits.
    changes = models.JSONField(default=dict, blank=True)
    score_before = models.FloatField(null=True, blank=True)
    score_after = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"],
                condition=models.Q(state="open"),
                name="one_open_dispute_per_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id}/{self.criterion or '*'}: {self.state}"
