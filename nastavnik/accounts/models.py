"""Users with a set of roles, teams, and operators (who may exist before they have a login)."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("administrator")
    HEAD = "head", _("head of support")
    QA_LEAD = "qa_lead", _("QA lead")
    QA_ANALYST = "qa_analyst", _("QA analyst")
    TEAM_LEAD = "team_lead", _("team lead")
    MENTOR = "mentor", _("mentor")
    TRAINER = "trainer", _("trainer")
    OPERATOR = "operator", _("operator")


class User(AbstractUser):
    """A person who logs in. Access is the union of what the user's roles allow."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        """The display name: ``full_name`` (one field, as Russian names are written)."""
        return self.full_name or super().get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        """The user's role codes; superusers also hold ``admin``."""
        codes = {assignment.role for assignment in self.role_assignments.all()}
        if self.is_superuser:
            codes.add(Role.ADMIN)
        return frozenset(codes)

    def has_role(self, *roles: str) -> bool:
        """True when the user holds at least one of ``roles``."""
        return bool(self.roles.intersection(roles))


class UserRole(models.Model):
    """One role held by a user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="unique_user_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}"


class Team(models.Model):
    """A group of operators with a team lead."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Grade(models.TextChoices):
    JUNIOR = "junior", _("Junior")
    MIDDLE = "middle", _("Middle")
    SENIOR = "senior", _("Senior")
    MENTOR = "mentor", _("Mentor")


class Operator(models.Model):
    """A person who talks to clients; linked to a login once they get one."""

    full_name = models.CharField(_("full name"), max_length=200)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="operators",
    )
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    hired_at = models.DateField(_("hired"), null=True, blank=True)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentees",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="operator_profile",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["full_name", "id"]

    def __str__(self) -> str:
        return self.full_name


class OperatorExternalId(models.Model):
    """The operator's id in one source system (helpdesk, telephony, CRM)."""

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="external_ids")
    source = models.CharField(_("source"), max_length=64)
    external_id = models.CharField(_("external id"), max_length=128)

    class Meta:
        verbose_name = _("operator external id")
        verbose_name_plural = _("operator external ids")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="unique_operator_external_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"
