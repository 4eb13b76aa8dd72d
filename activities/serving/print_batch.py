"""The post room's print batch: claim the waiting letters, render them on the worker's PDF pool, archive, date.

Claiming is one conditional UPDATE, so two batches made at the same moment never take the same
letter; a letter that would lack a fact it must state is set aside there, with its reason, and the
others go on. The batch is printed undated; the letters are dated only when the post room confirms
the day they left (`record_posting`), since that day starts the rectification period. Every step is
idempotent: a retried activity finds what the first attempt stored and returns it.
"""

import asyncio
from concurrent.futures import ProcessPoolExecutor
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, col, func, select
from temporalio import activity

from activities.errors import MissingLetterFact
from activities.heartbeat import heartbeating
from activities.serving.letters import LETTER, archive, letter_of, record_service, stored_letter
from core.db import Database
from core.pdf import join_for_print, render_all_in_pool
from core.storage import FileStore
from models.audit import audit, audit_subject
from models.documents import DocumentKind
from models.grants.applications import add_timeline_event
from models.grants.decisions import Decision
from models.grants.programme import Programme
from models.serving.payloads import ClaimedLetters, HeldLetter, PrintBatchDone, PrintBatchRef, RecordPostingInput
from models.serving.print_batches import LETTERS_PER_BATCH, PrintBatch, PrintBatchStatus, waiting_for_the_post_room
from models.subjects import SubjectType
from models.time_limits import Channel
from models.types import utcnow


class PrintBatchActivities:
    def __init__(
        self,
        db: Database,
        store: FileStore,
        programmes: dict[str, Programme],
        pool: ProcessPoolExecutor,
        letters_per_batch: int = LETTERS_PER_BATCH,
    ) -> None:
        self._db, self._store, self._programmes, self._pool = db, store, programmes, pool
        self._letters_per_batch = letters_per_batch

    @activity.defn(name="claim_letters")
    def claim_letters(self, ref: PrintBatchRef) -> ClaimedLetters:
        """Takes the letters of the batch's programme still waiting for the post room, oldest first, up to the
        batch's size (a retry takes the same, and no more)."""
        with self._db.session() as session:
            batch = self._batch(session, ref)
            already = session.exec(select(func.count()).where(Decision.print_batch_id == batch.id)).one()
            waiting = waiting_for_the_post_room([batch.programme_code])
            oldest = select(Decision.id).where(*waiting).order_by(col(Decision.id))
            # The conditions again on the update itself: a batch claiming at the same moment may have taken some
            # of these letters since the subquery read them; they stay with it.
            session.execute(
                update(Decision)
                .where(col(Decision.id).in_(oldest.limit(max(self._letters_per_batch - already, 0))), *waiting)
                .values(print_batch_id=batch.id)
                .execution_options(synchronize_session=False)
            )
            self._set_aside_incomplete(session, batch)
            claimed = self._letters(session, batch)
            if not claimed and batch.status == PrintBatchStatus.PREPARING:
                batch.status = PrintBatchStatus.EMPTY
                session.add(batch)
            held = [
                HeldLetter(serving_workflow_id=d.serving_workflow_id, reason=d.letter_held or "")
                for d in self._held(session, batch)
                if d.serving_workflow_id
            ]
            session.commit()
            return ClaimedLetters(
                letters=len(claimed),
                posted_on=batch.posted_on,
                made_on=batch.made_on,
                serving_workflow_ids=[d.serving_workflow_id for d in claimed if d.serving_workflow_id],
                held=held,
            )

    def _set_aside_incomplete(self, session: Session, batch: PrintBatch) -> None:
        """A letter that cannot be made must not hold back the others: it stays with this batch, marked held."""
        programme = self._programmes[batch.programme_code]
        for decision in self._letters(session, batch):
            try:
                letter_of(session, decision, programme, Channel.LETTER, batch.posted_on)
            except MissingLetterFact as missing:
                decision.letter_held = str(missing)[:2000]
                session.add(decision)
                audit(
                    session,
                    action="letter_held",
                    application_id=decision.application_id,
                    number=decision.number,
                    print_batch=batch.id,
                    reason=decision.letter_held,
                )
        session.flush()

    @activity.defn(name="render_print_batch")
    async def render_print_batch(self, ref: PrintBatchRef) -> PrintBatchDone:
        """One PDF of all the letters, undated until the post room confirms the posting day.

        A batch made before postings were confirmed has its day already (`posted_on`): its letters are
        dated and served here, as they were then.
        """
        async with heartbeating():
            done, htmls, dated = await asyncio.to_thread(self._letters_to_render, ref)
            if done is not None:
                return done
            letters = await render_all_in_pool(self._pool, htmls)
            joined = await asyncio.get_running_loop().run_in_executor(self._pool, join_for_print, letters)
            # The letters themselves are kept only by a batch dated when made: an undated batch's letters are
            # rendered again, dated, when its posting is confirmed.
            return await asyncio.to_thread(self._finish, ref, len(htmls), letters if dated else [], joined)

    @activity.defn(name="mark_posting")
    def mark_posting(self, request: RecordPostingInput) -> None:
        """The day the post room gave, on record at once; `record_posting` then dates and serves the letters."""
        with self._db.session() as session:
            batch = self._batch(session, PrintBatchRef(print_batch_id=request.print_batch_id))
            if batch.posted_on is None:
                batch.posted_on, batch.posting_confirmed_by = request.posted_on, request.confirmed_by
                batch.posting_confirmed_at = utcnow()
                session.add(batch)
                session.commit()

    @activity.defn(name="record_posting")
    async def record_posting(self, request: RecordPostingInput) -> PrintBatchDone:
        """The letters left on `posted_on`: each is dated, archived as sent and its decision served that day."""
        async with heartbeating():
            ref = PrintBatchRef(print_batch_id=request.print_batch_id)
            done, htmls = await asyncio.to_thread(self._letters_to_date, ref, request.posted_on)
            if done is not None:
                return done
            letters = await render_all_in_pool(self._pool, htmls)
            return await asyncio.to_thread(self._record_posting, request, letters)

    def _letters_to_render(self, ref: PrintBatchRef) -> tuple[PrintBatchDone | None, list[str], bool]:
        """What is left to do (None), the letters' HTML, and whether the batch is dated."""
        with self._db.session() as session:
            batch = self._batch(session, ref)
            if batch.status != PrintBatchStatus.PREPARING:
                return self._done(batch), [], False
            return None, self._htmls(session, batch, batch.posted_on), batch.posted_on is not None

    def _letters_to_date(self, ref: PrintBatchRef, posted_on: date) -> tuple[PrintBatchDone | None, list[str]]:
        with self._db.session() as session:
            batch = self._batch(session, ref)
            if batch.status == PrintBatchStatus.POSTED:
                return self._done(batch), []
            return None, self._htmls(session, batch, posted_on)

    def _htmls(self, session: Session, batch: PrintBatch, posted_on: date | None) -> list[str]:
        programme = self._programmes[batch.programme_code]
        return [
            letter_of(session, decision, programme, Channel.LETTER, posted_on).html
            for decision in self._letters(session, batch)
        ]

    def _finish(self, ref: PrintBatchRef, count: int, letters: list[bytes], joined: bytes) -> PrintBatchDone:
        """Archives the batch (and, for a batch dated when made, serves its letters), in one transaction."""
        with self._db.session() as session:
            batch = self._batch(session, ref)
            if batch.status != PrintBatchStatus.PREPARING:
                return self._done(batch)
            programme = self._programmes[batch.programme_code]
            document = archive(
                session,
                self._store,
                pdf=joined,
                kind=DocumentKind.PRINT_BATCH,
                version=f"batch-{batch.id}",
                language="fi",
                programme_code=programme.code,
            )
            batch.letters, batch.document_id = count, document.id
            if batch.posted_on is None:
                batch.status = PrintBatchStatus.PRINTED
            else:
                self._serve_letters(session, batch, batch.posted_on, letters)
            session.add(batch)
            session.commit()
            activity.logger.info("print batch %s %s: %s letters", batch.id, batch.status, count)
            return self._done(batch)

    def _record_posting(self, request: RecordPostingInput, letters: list[bytes]) -> PrintBatchDone:
        with self._db.session() as session:
            batch = self._batch(session, PrintBatchRef(print_batch_id=request.print_batch_id))
            if batch.status == PrintBatchStatus.POSTED:
                return self._done(batch)
            batch.posted_on, batch.posting_confirmed_by = request.posted_on, request.confirmed_by
            batch.posting_confirmed_at = batch.posting_confirmed_at or utcnow()
            self._serve_letters(session, batch, request.posted_on, letters)
            session.add(batch)
            audit_subject(
                session,
                action="print_batch_posted",
                subject_type=SubjectType.PRINT_BATCH,
                subject_id=batch.id or 0,
                actor_id=request.confirmed_by,
                posted_on=request.posted_on.isoformat(),
                letters=len(letters),
            )
            session.commit()
            activity.logger.info("print batch %s posted on %s", batch.id, request.posted_on)
            return self._done(batch)

    def _serve_letters(self, session: Session, batch: PrintBatch, posted_on: date, letters: list[bytes]) -> None:
        """Each letter, dated as posted on `posted_on`, archived as sent; its decision served that day."""
        programme = self._programmes[batch.programme_code]
        now = utcnow()
        for decision, pdf in zip(self._letters(session, batch), letters, strict=True):
            letter = letter_of(session, decision, programme, Channel.LETTER, posted_on)
            if stored_letter(session, decision.id or 0, posted_on) is None:
                archive(
                    session,
                    self._store,
                    pdf=pdf,
                    kind=LETTER,
                    version=posted_on.isoformat(),
                    language=letter.language,
                    programme_code=programme.code,
                    decision=decision,
                )
            record_service(session, decision, letter.dispatch, now)
            add_timeline_event(session, decision.application_id, f"decision_sent:{posted_on}", "decision_sent")
            audit(
                session,
                action="decision_posted",
                application_id=decision.application_id,
                actor_id=batch.posting_confirmed_by or batch.created_by,
                number=decision.number,
                print_batch=batch.id,
            )
        batch.status = PrintBatchStatus.POSTED

    @staticmethod
    def _done(batch: PrintBatch) -> PrintBatchDone:
        return PrintBatchDone(letters=batch.letters, document_id=batch.document_id, posted_on=batch.posted_on)

    @staticmethod
    def _batch(session: Session, ref: PrintBatchRef) -> PrintBatch:
        batch = session.get(PrintBatch, ref.print_batch_id)
        if batch is None:
            raise ValueError(f"print batch {ref.print_batch_id} does not exist")
        return batch

    @staticmethod
    def _letters(session: Session, batch: PrintBatch) -> list[Decision]:
        """The batch's letters to print: those it claimed and did not set aside."""
        return list(
            session.exec(
                select(Decision)
                .where(Decision.print_batch_id == batch.id, col(Decision.letter_held).is_(None))
                .order_by(col(Decision.id))
            ).all()
        )

    @staticmethod
    def _held(session: Session, batch: PrintBatch) -> list[Decision]:
        return list(
            session.exec(
                select(Decision)
                .where(Decision.print_batch_id == batch.id, col(Decision.letter_held).is_not(None))
                .order_by(col(Decision.id))
            ).all()
        )
