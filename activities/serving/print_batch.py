"""The post room's print batch: claim the waiting letters, render them on the worker's PDF pool, archive, date.

Claiming is one conditional UPDATE, so two batches made at the same moment never take the same
letter. Rendering is idempotent: a retried activity finds the letters and the batch archived and
returns what it made the first time.
"""

import asyncio
from concurrent.futures import ProcessPoolExecutor

from sqlalchemy import update
from sqlmodel import Session, col, select
from temporalio import activity

from activities.grants.records import add_timeline_event
from activities.heartbeat import heartbeating
from activities.serving.letter_template import letter_html
from activities.serving.letters import LETTER, archive, letter_facts, record_service, stored_letter
from core.db import Database
from core.pdf import render_in_pool, render_pdf_batch
from core.storage import FileStore
from models.audit import audit
from models.documents import DocumentKind
from models.grants.decisions import Decision
from models.grants.programme import Programme
from models.serving.payloads import ClaimedLetters, PrintBatchDone, PrintBatchRef
from models.serving.print_batches import PrintBatch, PrintBatchStatus
from models.time_limits import Channel
from models.types import utcnow


class PrintBatchActivities:
    def __init__(
        self, db: Database, store: FileStore, programmes: dict[str, Programme], pool: ProcessPoolExecutor
    ) -> None:
        self._db, self._store, self._programmes, self._pool = db, store, programmes, pool

    @activity.defn(name="claim_letters")
    def claim_letters(self, ref: PrintBatchRef) -> ClaimedLetters:
        """Takes every letter of the batch's programme still waiting for the post room (a retry takes the same)."""
        with self._db.session() as session:
            batch = self._batch(session, ref)
            session.execute(
                update(Decision)
                .where(
                    col(Decision.programme_code) == batch.programme_code,
                    col(Decision.channel) == Channel.LETTER,
                    col(Decision.sent_at).is_(None),
                    col(Decision.print_batch_id).is_(None),
                )
                .values(print_batch_id=batch.id)
                .execution_options(synchronize_session=False)
            )
            claimed = self._letters(session, batch)
            if not claimed:
                batch.status = PrintBatchStatus.EMPTY
                session.add(batch)
            session.commit()
            return ClaimedLetters(
                letters=len(claimed),
                posted_on=batch.posted_on,
                serving_workflow_ids=[d.serving_workflow_id for d in claimed if d.serving_workflow_id],
            )

    @activity.defn(name="render_print_batch")
    async def render_print_batch(self, ref: PrintBatchRef) -> PrintBatchDone:
        """Each letter dated as posted on the batch's day (deemed received on the 7th day), then one PDF of all."""
        async with heartbeating():
            done, htmls = await asyncio.to_thread(self._letters_to_render, ref)
            if done is not None:
                return done
            letters = [await render_in_pool(self._pool, html) for html in htmls]
            joined = await asyncio.get_running_loop().run_in_executor(self._pool, render_pdf_batch, htmls)
            return await asyncio.to_thread(self._finish, ref, letters, joined)

    def _letters_to_render(self, ref: PrintBatchRef) -> tuple[PrintBatchDone | None, list[str]]:
        with self._db.session() as session:
            batch = self._batch(session, ref)
            if batch.status != PrintBatchStatus.PREPARING:
                return PrintBatchDone(
                    letters=batch.letters, document_id=batch.document_id, posted_on=batch.posted_on
                ), []
            programme = self._programmes[batch.programme_code]
            htmls = [
                letter_html(letter_facts(session, decision, programme, Channel.LETTER, batch.posted_on))
                for decision in self._letters(session, batch)
            ]
            return None, htmls

    def _finish(self, ref: PrintBatchRef, letters: list[bytes], joined: bytes) -> PrintBatchDone:
        """Archives the letters and the batch and dates every decision as posted, in one transaction."""
        with self._db.session() as session:
            batch = self._batch(session, ref)
            if batch.status != PrintBatchStatus.PREPARING:
                return PrintBatchDone(letters=batch.letters, document_id=batch.document_id, posted_on=batch.posted_on)
            programme = self._programmes[batch.programme_code]
            decisions = self._letters(session, batch)
            now = utcnow()
            for decision, pdf in zip(decisions, letters, strict=True):
                facts = letter_facts(session, decision, programme, Channel.LETTER, batch.posted_on)
                if stored_letter(session, decision.id or 0, batch.posted_on) is None:
                    archive(
                        session,
                        self._store,
                        pdf=pdf,
                        kind=LETTER,
                        version=batch.posted_on.isoformat(),
                        language=facts.language,
                        programme_code=programme.code,
                        decision=decision,
                    )
                record_service(session, decision, facts, now)
                add_timeline_event(
                    session, decision.application_id, f"decision_sent:{batch.posted_on}", "decision_sent"
                )
                audit(
                    session,
                    action="decision_posted",
                    application_id=decision.application_id,
                    actor_id=batch.created_by,
                    number=decision.number,
                    print_batch=batch.id,
                )
            document = archive(
                session,
                self._store,
                pdf=joined,
                kind=DocumentKind.PRINT_BATCH,
                version=f"batch-{batch.id}",
                language="fi",
                programme_code=programme.code,
            )
            batch.status, batch.letters, batch.document_id = PrintBatchStatus.READY, len(decisions), document.id
            session.add(batch)
            session.commit()
            activity.logger.info("print batch %s ready: %s letters", batch.id, len(decisions))
            return PrintBatchDone(letters=len(decisions), document_id=document.id, posted_on=batch.posted_on)

    @staticmethod
    def _batch(session: Session, ref: PrintBatchRef) -> PrintBatch:
        batch = session.get(PrintBatch, ref.print_batch_id)
        if batch is None:
            raise ValueError(f"print batch {ref.print_batch_id} does not exist")
        return batch

    @staticmethod
    def _letters(session: Session, batch: PrintBatch) -> list[Decision]:
        return list(
            session.exec(select(Decision).where(Decision.print_batch_id == batch.id).order_by(col(Decision.id))).all()
        )
