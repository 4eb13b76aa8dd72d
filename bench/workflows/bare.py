"""The pipeline benchmark's baseline: a workflow of three activities that do nothing, on the same server."""

from datetime import timedelta

from temporalio import activity, workflow


@activity.defn(name="bench_nothing")
def nothing(step: int) -> int:
    return step


@workflow.defn
class ThreeNoOpsWorkflow:
    @workflow.run
    async def run(self, number: int) -> int:
        for step in range(3):
            await workflow.execute_activity(nothing, step, start_to_close_timeout=timedelta(seconds=10))
        return number
