"""Mystery shopping: scenarios («легенды») and the visits made with them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nastavnik.accounts.models import Operator
from nastavnik.conversations.models import Channel, Conversation
from nastavnik.evaluations.models import Evaluation


class MysteryScenario(models.Model):
    """A scripted test contact: who the shopper is, what they say, what the operator should do.

    ``expected_behaviours`` is a list of ``{"text": …, "criterion": …}``; each criterion key
    belongs to the active scorecard of the channel when the scenario is saved, so results can
    read "was the behaviour met" from that criterion's answer.
    """

    title = models.CharField(_("title"), max_length=200)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    script = models.TextField(_("situation script"), blank=True)
    expected_behaviours = models.JSONField(_("expected behaviours"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mystery shopper scenario")
        verbose_name_plural = _("mystery shopper scenarios")
        ordering = ["-is_active", "title", "id"]

    def __str__(self) -> str:
        return self.title


class MysteryVisit(models.Model):
    """One test contact of a scenario with one operator: planned → done → evaluated.

    ``done`` means the conversation is known (attached or typed in); ``evaluated`` that an
    evaluation was started for it. The operator sees the visit only once that evaluation is
    submitted (see selectors.visit_list).
    """

    class State(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("mystery visit", "planned")
        DONE = "done", pgettext_lazy("mystery visit", "done")
        EVALUATED = "evaluated", pgettext_lazy("mystery visit", "evaluated")
        CANCELLED = "cancelled", pgettext_lazy("mystery visit", "cancelled")

    scenario = models.ForeignKey(
        MysteryScenario,
        verbose_name=_("scenario"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    operator = models.ForeignKey(
        Operator,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="mystery_visits",
    )
    # Usually an outside person hired for the test, so free text rather than a login.
    shopper_name = models.CharField(_("shopper"), max_length=200, blank=True)
    planned_on = models.DateField(_("planned date"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PLANNED
    )
    conversation = models.ForeignKey(
        Conversation,
        verbose_name=_("conversation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mystery_visits",
    )
    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("evaluation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mystery_visits",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mystery shopper visit")
        verbose_name_plural = _("mystery shopper visits")
        ordering = ["-planned_on", "-id"]
        constraints = [
            # One conversation is the result of one visit: results would count it twice.
            models.UniqueConstraint(
                fields=["conversation"],
                condition=models.Q(conversation__isnull=False),
                name="unique_mystery_visit_conversation",
            ),
        ]
        indexes = [
            models.Index(fields=["scenario", "state"], name="mystery_visit_scenario_idx"),
            models.Index(fields=["operator", "state"], name="mystery_visit_operator_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} · {self.operator} · {self.planned_on}"
