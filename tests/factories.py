"""Test data built through the real services (no mocks of our own code)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from nastavnik.accounts import services as account_services
from nastavnik.accounts.models import Operator, OperatorExternalId, Team, User
from nastavnik.conversations import services as conversation_services

_counter = itertools.count(1)
PASSWORD = "Nastavnik-test-2026"


def user(*roles: str, username: str | None = None, full_name: str = "") -> User:
    """A login holding ``roles``, created by the user service."""
    name = username or f"user{next(_counter)}"
    return account_services.user_create(
        actor=None, username=name, password=PASSWORD, roles=roles, full_name=full_name or name
    )


def record(
    external_id: str,
    *,
    operator: str = "op-1",
    channel: str = "chat",
    team: str = "Линия 1",
    started_at: str = "2026-03-02T10:15:00+03:00",
    turns: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A valid JSONL record in the public import format."""
    start = datetime.fromisoformat(started_at)
    if turns is None:
        if channel == "call":
            turns = [
                {
                    "speaker": "operator",
                    "text": "Здравствуйте, меня зовут Анна.",
                    "start": 0.0,
                    "end": 2.5,
                },
                {"speaker": "client", "text": "Где мой заказ?", "start": 3.0, "end": 4.2},
            ]
        else:
            turns = [
                {"speaker": "client", "text": "Где мой заказ?", "at": started_at},
                {
                    "speaker": "operator",
                    "text": "Здравствуйте! Меня зовут Анна, сейчас проверю.",
                    "at": (start + timedelta(seconds=45)).isoformat(),
                },
            ]
    data = {
        "external_id": external_id,
        "channel": channel,
        "operator": operator,
        "operator_name": extra.pop("operator_name", f"Оператор {operator}"),
        "team": team,
        "started_at": started_at,
        "turns": turns,
    }
    data.update(extra)
    return data


def write_jsonl(path: Path, records: list[dict[str, Any] | str]) -> Path:
    """Write records (dicts, or raw strings for broken lines) as a JSONL file."""
    with path.open("wb") as out:
        for item in records:
            line = item.encode() if isinstance(item, str) else orjson.dumps(item)
            out.write(line + b"\n")
    return path


def import_records(
    tmp_path: Path, records: list[dict[str, Any] | str], *, source: str = "test", **options: Any
) -> conversation_services.ImportReport:
    """Import records through the real importer."""
    path = write_jsonl(tmp_path / f"import-{next(_counter)}.jsonl", records)
    return conversation_services.conversation_import(
        path=path, source=source, actor=None, **options
    )


def operator(external_id: str, *, source: str = "test") -> Operator:
    """The operator the importer created for ``external_id``."""
    return OperatorExternalId.objects.get(source=source, external_id=external_id).operator


def link_login(op: Operator, login: User, **fields: Any) -> Operator:
    """Give an operator a login (and optionally a mentor/team)."""
    return account_services.operator_update(actor=None, operator=op, user=login, **fields)


def team(name: str, *, lead: User | None = None) -> Team:
    """A team with an optional lead."""
    return account_services.team_upsert(actor=None, name=name, lead=lead)
