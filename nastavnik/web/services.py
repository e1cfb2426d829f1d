"""Setting up the demo: roster, logins for every role, generated conversations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from nastavnik.accounts.models import Operator, OperatorExternalId, Role, Team, User, UserRole
from nastavnik.conversations import services as conversation_services
from nastavnik.conversations.models import Conversation
from nastavnik.demodata import generator, roster, writer
from nastavnik.evaluations import services as evaluation_services
from nastavnik.evaluations.models import Evaluation
from nastavnik.scorecards import services as scorecard_services

DEMO_SOURCE = "demo"
DEMO_PASSWORD = "nastavnik"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    roles: tuple[str, ...]


def demo_roster_setup(*, seed: int = 7) -> list[DemoLogin]:
    """Create teams, staff logins and operators (with logins) of the demo roster; idempotent."""
    operators, staff = roster.demo_roster(seed)
    logins: list[DemoLogin] = []
    with transaction.atomic():
        users = {}
        for member in staff:
            users[member.login] = _login(member.login, member.full_name, member.roles)
            logins.append(DemoLogin(member.login, member.full_name, tuple(member.roles)))
        for member in staff:
            if member.team and Role.TEAM_LEAD in member.roles:
                Team.objects.update_or_create(
                    name=member.team, defaults={"lead": users[member.login]}
                )
        for profile in operators:
            team, _ = Team.objects.get_or_create(name=profile.team)
            login = _login(profile.external_id, profile.full_name, (Role.OPERATOR,))
            link = (
                OperatorExternalId.objects.filter(
                    source=DEMO_SOURCE, external_id=profile.external_id
                )
                .select_related("operator")
                .first()
            )
            operator = link.operator if link else Operator()
            operator.full_name = profile.full_name
            operator.team = team
            operator.grade = profile.grade
            operator.hired_at = profile.hired_at
            operator.mentor = users.get(profile.mentor_login) if profile.mentor_login else None
            operator.user = login
            operator.save()
            if link is None:
                OperatorExternalId.objects.create(
                    operator=operator, source=DEMO_SOURCE, external_id=profile.external_id
                )
        logins.extend(
            DemoLogin(p.external_id, p.full_name, (Role.OPERATOR,)) for p in operators[:3]
        )
        scorecard_services.scorecard_install_defaults(actor=None)
    return logins


def _login(username: str, full_name: str, roles) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "full_name": full_name,
            "is_staff": Role.ADMIN in roles,
            "is_superuser": Role.ADMIN in roles,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    UserRole.objects.bulk_create(
        [UserRole(user=user, role=role) for role in roles], ignore_conflicts=True
    )
    return user


def demo_conversations_setup(
    *,
    count: int,
    folder: Path,
    seed: int = 7,
    on_generated: Callable[[int], None] | None = None,
    on_imported: Callable[[int, int], None] | None = None,
) -> conversation_services.ImportReport | None:
    """Generate and import ``count`` demo conversations unless they are already there."""
    if Conversation.objects.filter(source=DEMO_SOURCE).count() >= count:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo-conversations.jsonl"
    operators, _ = roster.demo_roster(seed)
    records = generator.generate_records(count, seed=seed, roster=operators)
    writer.write_jsonl(path, records, progress=on_generated)
    report = conversation_services.conversation_import(
        path=path, source=DEMO_SOURCE, actor=None, progress=on_imported
    )
    path.unlink(missing_ok=True)
    return report


def demo_autoqa_setup(
    *, on_progress: Callable[[int], None] | None = None
) -> evaluation_services.AutoQaReport | None:
    """Evaluate the demo conversations automatically unless that was done already."""
    demo = Conversation.objects.filter(source=DEMO_SOURCE)
    if Evaluation.objects.filter(kind=Evaluation.Kind.AUTO, conversation__in=demo).exists():
        return None
    return evaluation_services.evaluation_auto_run(
        actor=None, conversations=demo, progress=on_progress
    )
