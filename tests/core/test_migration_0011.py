"""Migration 0011: existing decisions become grant decisions, still one per application; an application may
now also have a recovery decision."""

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from core.db import Database
from core.migrate import alembic_config

ROWS = [
    "INSERT INTO organisation (code, name, description) VALUES ('E', 'City', '')",
    "INSERT INTO staff_user (id, email, full_name, organisation_code, password_hash, is_active, created_at)"
    " VALUES (1, 'a@e.example', 'A', 'E', 'h', 1, '2020-05-02 07:00:00')",
    "INSERT INTO application (id, reference, programme_code, status, submitted_at, language, applicant_name,"
    " email, business_name, person_digest, form, form_digest) VALUES (1, 'R-1', 'p', 'approved',"
    " '2020-05-02 07:00:00', 'fi', 'A', 'a@example.com', 'B', 'd1', '{}', 'f')",
    "INSERT INTO proposal (id, application_id, seq, outcome, amount, reasons, justification, proposer_id,"
    " proposed_at) VALUES (1, 1, 1, 'approve', 200000, '[]', '-', 1, '2020-05-02 07:00:00')",
    "INSERT INTO decision (application_id, programme_code, year, seq, number, outcome, amount, reasons,"
    " justification, proposal_id, presenter_id, decider_id, decided_at, details) VALUES (1, 'p', 2020, 1,"
    " 'P 2020/1', 'approve', 200000, '[]', '-', 1, 1, 1, '2020-05-02 07:00:00', '{}')",
]
SECOND = (
    "INSERT INTO decision (application_id, kind, kind_seq, programme_code, year, seq, number, outcome, amount,"
    " reasons, justification, presenter_id, decider_id, decided_at, details) VALUES (1, :kind, 1, 'p', 2020, :seq,"
    " :number, 'recover', 200000, '[]', '-', 1, 1, '2020-09-02 07:00:00', '{}')"
)


def test_existing_decisions_are_grant_decisions_and_a_recovery_may_join_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0010")
    engine = Database(url).engine
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    engine.dispose()

    command.upgrade(alembic_config(url), "head")

    engine = Database(url).engine
    with engine.begin() as connection:
        assert connection.execute(text("SELECT kind, kind_seq FROM decision")).one() == ("grant", 1)
        connection.execute(text(SECOND), {"kind": "recovery", "seq": 2, "number": "P 2020/2"})
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text(SECOND), {"kind": "grant", "seq": 3, "number": "P 2020/3"})  # still one grant
    engine.dispose()
