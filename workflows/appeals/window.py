"""A served decision's windows to contest it (id `<parent workflow id>/appeal-window`).

The party may request rectification until the last day after the decision was deemed received; members of
the municipality until the last day after they are deemed to know of it from the public list of decisions
(for a ruling on rectification: an appeal to the administrative court, 30 days). The workflow waits, on a
durable timer, until the end of the later of the two days in Helsinki; with no request in time the decision
is final from the next day. A worker restarted meanwhile changes nothing: the timer is the server's.
"""

from datetime import timedelta

from temporalio import workflow

from workflows.options import DATABASE

with workflow.unsafe.imports_passed_through():
    from activities.appeals.window import AppealWindowActivities
    from core.clock import end_of_day
    from models.appeals.payloads import RecordFinalInput, WindowClosed, WindowInput


@workflow.defn
class AppealWindowWorkflow:
    @workflow.run
    async def run(self, request: WindowInput) -> WindowClosed:
        window = await workflow.execute_activity_method(AppealWindowActivities.open_window, request, **DATABASE)
        closes = end_of_day(window.last_day)
        await workflow.sleep(max(closes - workflow.now(), timedelta(seconds=1)))
        final_on = await workflow.execute_activity_method(
            AppealWindowActivities.record_final,
            RecordFinalInput(decision_number=request.decision_number, final_on=window.last_day + timedelta(days=1)),
            **DATABASE,
        )
        if final_on is None:
            workflow.logger.info("decision %s contested in time: its ruling decides", request.decision_number)
        else:
            workflow.logger.info("decision %s final on %s", request.decision_number, final_on)
        return WindowClosed(final_on=final_on)
