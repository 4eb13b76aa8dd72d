"""Claiming is atomic: handlers pressing "take next" at the same moment never get the same task."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlmodel import select

from core.db import Database
from models.grants.application_form import ApplicationForm
from models.staff import Role
from models.subjects import SubjectType
from models.tasks import Task, TaskStatus
from runtime.seed import create_user, seed_reference_data
from tests.factories import PERSONAL_IDS, application
from tests.support import IN_2020_WINDOW, TEST_SECRET
from web.services.auth import load_staff_user
from web.services.intake import submit_application
from web.services.tasks import claim_next

PROGRAMME = "sole-entrepreneur-2020"


def queue_of(db: Database, programme, count: int) -> None:
    with db.session() as session:
        for n in range(count):
            receipt = submit_application(
                session,
                programme=programme,
                form=ApplicationForm.model_validate(application(applicant__personal_id=PERSONAL_IDS[n % 6])),
                submitted_at=IN_2020_WINDOW + timedelta(minutes=n),
                secret=TEST_SECRET,
            )
            session.add(
                Task(
                    key=f"grant-{receipt.application_id}/handle/1",
                    workflow_id=f"grant-{receipt.application_id}",
                    subject_type=SubjectType.GRANT_APPLICATION,
                    subject_id=receipt.application_id,
                    application_id=receipt.application_id,
                    programme_code=PROGRAMME,
                    kind="handle",
                    role="handler",
                    arrived_at=IN_2020_WINDOW + timedelta(minutes=n),
                )
            )
        session.commit()


def handlers(db: Database, count: int) -> list[int]:
    with db.session() as session:
        seed_reference_data(session)
        return [
            create_user(
                session,
                email=f"h{n}@e.example",
                full_name=f"H{n}",
                organisation="E",
                roles=[Role.HANDLER],
                password="pw-pw-pw-pw",
            ).id
            or 0
            for n in range(count)
        ]


def test_concurrent_take_next_never_gives_one_task_twice(db: Database, programme) -> None:
    queue_of(db, programme, 6)
    user_ids = handlers(db, 10)
    start = threading.Barrier(len(user_ids))

    def press(user_id: int) -> int | None:
        with db.session() as session:  # each handler has a connection of their own
            user = load_staff_user(session, user_id)
            assert user is not None
            start.wait()
            task = claim_next(session, user=user, programme_codes=[PROGRAMME], role="handler")
            return task.id if task else None

    with ThreadPoolExecutor(max_workers=len(user_ids)) as pool:
        results = list(pool.map(press, user_ids))

    claimed = [r for r in results if r is not None]
    assert len(claimed) == 6 == len(set(claimed))
    assert results.count(None) == 4
    with db.session() as session:
        tasks = session.exec(select(Task)).all()
    assert all(t.status == TaskStatus.CLAIMED for t in tasks)
    holders = {t.id: t.assignee_id for t in tasks}
    assert {holders[task_id] for task_id in claimed} == {u for u, r in zip(user_ids, results, strict=True) if r}


def test_take_next_gives_the_oldest_first(db: Database, programme) -> None:
    queue_of(db, programme, 3)
    [user_id] = handlers(db, 1)
    with db.session() as session:
        user = load_staff_user(session, user_id)
        assert user is not None
        order = [claim_next(session, user=user, programme_codes=[PROGRAMME], role="handler") for _ in range(4)]
    assert [t.application_id if t else None for t in order] == [1, 2, 3, None]
