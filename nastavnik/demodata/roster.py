"""The demo contact centre: three teams, 24 operators, their mentors and the office staff.

Operators carry the behaviour the generator gives them: an overall ``skill`` that
correlates with the grade, and ``habits`` (systematic mistakes such as never using the
client's name) that make some ``weak_stages`` visible in their conversations.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

STAGES: tuple[str, ...] = ("greeting", "needs", "solution", "objections", "closing")
TEAMS: tuple[str, ...] = ("Линия 1", "Линия 2", "Премиум")
GRADES: tuple[str, ...] = ("junior", "middle", "senior", "mentor")

# Habit → the stage where it costs points. A habit is a systematic mistake of one operator.
HABIT_STAGES: dict[str, str] = {
    "no_introduction": "greeting",  # does not say their name
    "no_client_name": "greeting",  # never addresses the client by name
    "slow_first_response": "greeting",  # first reply in a chat comes after many minutes
    "no_clarifying_questions": "needs",  # jumps to a solution without asking
    "bureaucratese": "solution",  # «осуществить возврат денежных средств»
    "filler_words": "solution",  # «как бы», «в принципе», «собственно»
    "no_empathy": "objections",  # ignores an angry client's feelings
    "no_retention": "objections",  # processes a refund without one retention attempt
    "pushy_retention": "objections",  # a third attempt after a categorical refusal
    "no_closing_question": "closing",  # forgets «остались ли у вас вопросы?»
}
HABITS: tuple[str, ...] = tuple(HABIT_STAGES)

# Used when a caller passes its own roster with weak_stages but no habits.
DEFAULT_STAGE_HABITS: dict[str, tuple[str, ...]] = {
    "greeting": ("no_introduction", "no_client_name"),
    "needs": ("no_clarifying_questions",),
    "solution": ("bureaucratese",),
    "objections": ("no_empathy",),
    "closing": ("no_closing_question",),
}


@dataclass(frozen=True, slots=True)
class OperatorProfile:
    """One operator of the demo contact centre and how well they work."""

    external_id: str
    full_name: str
    team: str
    grade: str
    hired_at: date
    mentor_login: str | None
    weak_stages: tuple[str, ...]
    skill: float
    habits: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A person who logs in but does not talk to clients (mentors, QA, head, …)."""

    login: str
    full_name: str
    roles: tuple[str, ...]
    team: str | None


FEMALE_FIRST_NAMES: tuple[str, ...] = (
    "Анна", "Мария", "Екатерина", "Ольга", "Наталья", "Елена", "Татьяна", "Ирина",
    "Юлия", "Дарья", "Алина", "Виктория", "Ксения", "Полина", "Светлана", "Анастасия",
    "Марина", "Валерия", "Кристина", "Софья", "Вероника", "Людмила", "Надежда", "Галина",
    "Любовь", "Елизавета", "Диана", "Алёна", "Яна", "Оксана",
)  # fmt: skip
MALE_FIRST_NAMES: tuple[str, ...] = (
    "Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья",
    "Кирилл", "Михаил", "Никита", "Матвей", "Роман", "Егор", "Иван", "Павел", "Денис",
    "Евгений", "Олег", "Владимир", "Николай", "Антон", "Виктор", "Игорь", "Константин",
    "Тимур", "Руслан", "Григорий", "Степан", "Фёдор",
)  # fmt: skip
# Surnames in the masculine form; the feminine one is derived.
SURNAMES: tuple[str, ...] = (
    "Смирнов", "Иванов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков",
    "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов",
    "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров",
    "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев",
    "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв", "Ильин",
    "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов",
)  # fmt: skip

_FEMALE_SET = frozenset(FEMALE_FIRST_NAMES)

# (team, grade, tenure in days (min, max), habits, mentor login). Fixed so that every seed
# gives the same shape of contact centre; the seed varies names, skills and exact dates.
_OPERATOR_PLAN: tuple[tuple[str, str, tuple[int, int], tuple[str, ...], str | None], ...] = (
    ("Линия 1", "junior", (20, 35), ("no_client_name", "no_closing_question"), "mentor.petrova"),
    ("Линия 1", "junior", (40, 60), ("no_clarifying_questions",), "mentor.petrova"),
    ("Линия 1", "junior", (65, 85), ("slow_first_response", "filler_words"), "mentor.petrova"),
    ("Линия 1", "junior", (150, 210), (), "mentor.petrova"),
    ("Линия 1", "middle", (400, 700), ("bureaucratese",), "mentor.petrova"),
    ("Линия 1", "middle", (380, 800), ("no_empathy",), "mentor.petrova"),
    ("Линия 1", "middle", (500, 900), (), "mentor.lebedeva"),
    ("Линия 1", "middle", (420, 760), ("no_closing_question",), "mentor.lebedeva"),
    ("Линия 1", "senior", (1100, 1800), (), "mentor.lebedeva"),
    ("Линия 1", "senior", (1000, 1600), ("pushy_retention",), "mentor.lebedeva"),
    ("Линия 2", "junior", (60, 85), ("no_empathy", "no_introduction"), "mentor.sokolov"),
    ("Линия 2", "middle", (400, 900), ("no_retention",), "mentor.sokolov"),
    ("Линия 2", "middle", (450, 850), ("bureaucratese", "no_client_name"), "mentor.sokolov"),
    ("Линия 2", "middle", (600, 1000), (), "mentor.sokolov"),
    ("Линия 2", "senior", (1200, 2000), (), "mentor.lebedeva"),
    ("Линия 2", "senior", (1100, 1900), ("slow_first_response",), "mentor.lebedeva"),
    ("Линия 2", "senior", (1300, 2200), (), "mentor.lebedeva"),
    ("Линия 2", "mentor", (1800, 3000), (), None),
    ("Премиум", "middle", (500, 900), ("filler_words",), "tl.volkova"),
    ("Премиум", "middle", (550, 950), (), "tl.volkova"),
    ("Премиум", "senior", (1200, 2100), (), "tl.volkova"),
    ("Премиум", "senior", (1000, 1700), ("no_closing_question",), "tl.volkova"),
    ("Премиум", "mentor", (2000, 3200), (), None),
    ("Премиум", "mentor", (1900, 2900), (), None),
)

_SKILL_BY_GRADE: dict[str, tuple[float, float]] = {
    "junior": (0.45, 0.62),
    "middle": (0.62, 0.78),
    "senior": (0.76, 0.9),
    "mentor": (0.86, 0.96),
}

_STAFF: tuple[StaffMember, ...] = (
    StaffMember("tl.kuznetsova", "Елена Кузнецова", ("team_lead",), "Линия 1"),
    StaffMember("tl.morozov", "Игорь Морозов", ("team_lead",), "Линия 2"),
    StaffMember("tl.volkova", "Ирина Волкова", ("team_lead", "mentor"), "Премиум"),
    StaffMember("mentor.petrova", "Ольга Петрова", ("mentor",), "Линия 1"),
    StaffMember("mentor.sokolov", "Денис Соколов", ("mentor",), "Линия 2"),
    StaffMember("mentor.lebedeva", "Марина Лебедева", ("mentor",), None),
    StaffMember("qa.orlova", "Светлана Орлова", ("qa_analyst",), None),
    StaffMember("qa.nikitin", "Павел Никитин", ("qa_analyst",), None),
    StaffMember("qa.zaitseva", "Наталья Зайцева", ("qa_lead",), None),
    StaffMember("head.romanov", "Андрей Романов", ("head",), None),
    StaffMember("trainer.belova", "Юлия Белова", ("trainer",), None),
    StaffMember("admin", "Администратор системы", ("admin",), None),
)


def feminine_surname(surname: str) -> str:
    """The feminine form of a Russian surname in -ов/-ев/-ин (others are unchanged)."""
    if surname.endswith(("ов", "ев", "ёв", "ин")):
        return surname + "а"
    return surname


def is_female_name(full_name: str) -> bool:
    """Guess the gender of a Russian full name «Имя Фамилия» (for verb agreement)."""
    parts = full_name.split()
    if not parts:
        return False
    if parts[0] in _FEMALE_SET:
        return True
    if len(parts) > 1 and parts[-1].endswith(("ова", "ева", "ёва", "ина", "ая")):
        return True
    return parts[0] not in MALE_FIRST_NAMES and parts[0].endswith(("а", "я"))


def weak_stages_of(habits: tuple[str, ...]) -> tuple[str, ...]:
    """The stages (in STAGES order) touched by a set of habits."""
    touched = {HABIT_STAGES[habit] for habit in habits}
    return tuple(stage for stage in STAGES if stage in touched)


def habits_of(operator: OperatorProfile) -> tuple[str, ...]:
    """The operator's habits, or default ones derived from ``weak_stages``."""
    if operator.habits:
        return operator.habits
    derived: list[str] = []
    for stage in operator.weak_stages:
        derived.extend(DEFAULT_STAGE_HABITS.get(stage, ()))
    return tuple(derived)


def demo_roster(
    seed: int = 7, *, today: date | None = None
) -> tuple[list[OperatorProfile], list[StaffMember]]:
    """The demo contact centre: 24 operators in 3 teams and 12 staff members.

    Hire dates count back from ``today`` (default: the current date), so juniors are
    always recent hires; the same seed and ``today`` give the same roster.
    """
    rng = random.Random(seed * 7_919 + 17)
    today = today or date.today()  # noqa: DTZ011 - a calendar date, no zone involved
    females = list(FEMALE_FIRST_NAMES)
    males = list(MALE_FIRST_NAMES)
    surnames = list(SURNAMES)
    rng.shuffle(females)
    rng.shuffle(males)
    rng.shuffle(surnames)
    taken = {member.full_name.split()[-1].removesuffix("а") for member in _STAFF}
    surnames = [surname for surname in surnames if surname not in taken]
    operators: list[OperatorProfile] = []
    for number, (team, grade, tenure, habits, mentor) in enumerate(_OPERATOR_PLAN, start=1):
        is_female = rng.random() < 0.7  # contact centres are mostly staffed by women
        first = females.pop() if is_female else males.pop()
        surname = surnames.pop()
        low, high = _SKILL_BY_GRADE[grade]
        operators.append(
            OperatorProfile(
                external_id=f"op-{number:03d}",
                full_name=f"{first} {feminine_surname(surname) if is_female else surname}",
                team=team,
                grade=grade,
                hired_at=today - timedelta(days=rng.randint(*tenure)),
                mentor_login=mentor,
                weak_stages=weak_stages_of(habits),
                skill=round(rng.uniform(low, high), 2),
                habits=habits,
            )
        )
    return operators, list(_STAFF)
