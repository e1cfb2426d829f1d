"""Scorecards and their versions; a version's content is the validated YAML document."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scorecard(models.Model):
    """A checklist identified by its key; its content lives in versions."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title


class ScorecardVersion(models.Model):
    """One version of a scorecard: draft → active → archived.

    ``spec`` holds the document as ``engine.scorecards.dump_scorecard`` writes it. A version
    that has been active is never edited again: saving creates the next version, so every
    evaluation keeps the version it was made with.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        ARCHIVED = "archived", _("archived")

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    spec = models.JSONField(_("content"))
    channels = models.JSONField(_("channels"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")
        ordering = ["scorecard__key", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "number"], name="unique_scorecard_version_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scorecard.key} v{self.number} ({self.state})"
