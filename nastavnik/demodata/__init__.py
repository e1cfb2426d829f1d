"""Deterministic demo data: a contact-centre roster and realistic Russian conversations.

Pure Python (stdlib + orjson), no Django: ``demo_roster`` gives the people,
``generate_records`` streams conversations in the JSONL import contract, and
``write_jsonl`` writes them to a file.
"""

from nastavnik.demodata.generator import generate_records
from nastavnik.demodata.roster import STAGES, OperatorProfile, StaffMember, demo_roster
from nastavnik.demodata.writer import write_jsonl

__all__ = [
    "STAGES",
    "OperatorProfile",
    "StaffMember",
    "demo_roster",
    "generate_records",
    "write_jsonl",
]
