"""Migration 0010: batches printed before the post room confirmed postings were dated when made; they stay
served on that day, and every served decision gets the day it left."""

from pathlib import Path

from alembic import command
from sqlalchemy import text

from core.db import Database
from core.migrate import alembic_config

ROWS = [
    "INSERT INTO organisation (code, name, description) VALUES ('E', 'City', '')",
    "INSERT INTO staff_user (id, email, full_name, organisation_code, password_hash, is_active, created_at)"
    " VALUES (1, 'a@e.example', 'A', 'E', 'h', 1, '2020-05-02 07:00:00')",
    "INSERT INTO printbatch (id, programme_code, posted_on, status, letters, created_by, created_at)"
    " VALUES (1, 'p', '2020-05-02', 'ready', 1, 1, '2020-05-02 07:00:00')",
]


def _decision(n: int, channel: str, sent_at: str, batch: int | None) -> list[tuple[str, dict[str, object]]]:
    values = {"n": n, "reference": f"R-{n}", "digest": f"d{n}", "number": f"P 2020/{n}"}
    return [
        (
            "INSERT INTO application (id, reference, programme_code, status, submitted_at, language, applicant_name,"
            " email, business_name, person_digest, form, form_digest) VALUES (:n, :reference, 'p', 'decided',"
            " '2020-05-02 07:00:00', 'fi', 'A', 'a@example.com', 'B', :digest, '{}', 'f')",
            values,
        ),
        (
            "INSERT INTO proposal (id, application_id, seq, outcome, amount, reasons, justification, proposer_id,"
            " proposed_at) VALUES (:n, :n, 1, 'reject', 0, '[]', '-', 1, '2020-05-02 07:00:00')",
            values,
        ),
        (
            "INSERT INTO decision (application_id, programme_code, year, seq, number, outcome, amount, reasons,"
            " justification, proposal_id, presenter_id, decider_id, decided_at, channel, sent_at, print_batch_id,"
            " details) VALUES (:n, 'p', 2020, :n, :number, 'reject', 0, '[]', '-', :n, 1, 1,"
            " '2020-05-02 07:00:00', :channel, :sent_at, :batch, '{}')",
            {**values, "channel": channel, "sent_at": sent_at, "batch": batch},
        ),
    ]


def test_printed_batches_stay_posted_on_their_day_and_decisions_get_the_day_they_left(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0009")
    engine = Database(url).engine
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
        for statement, values in [
            *_decision(1, "letter", "2020-05-02 10:00:00", 1),
            # Sent at 01.30 Helsinki time on 5 May: the e-mail left on the 5th, not on the UTC day.
            *_decision(2, "email", "2020-05-04 22:30:00", None),
        ]:
            connection.execute(text(statement), values)
    engine.dispose()

    command.upgrade(alembic_config(url), "head")

    with Database(url).engine.connect() as connection:
        batch = connection.execute(text("SELECT made_on, posted_on, status FROM printbatch")).one()
        assert tuple(batch) == ("2020-05-02", "2020-05-02", "posted")
        days = connection.execute(text("SELECT channel, dispatched_on FROM decision ORDER BY id")).all()
        assert [tuple(row) for row in days] == [("letter", "2020-05-02"), ("email", "2020-05-05")]
    command.downgrade(alembic_config(url), "0009")
