"""Cases live for weeks: the current workflow code must replay the histories recorded from every path.

A change that alters a recorded path fails here with a non-determinism error. Guard it with
`workflow.patched(...)` so running cases keep their old path; record a new history
(`python -m tests.histories.record`) only for a path that is new on purpose.
"""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.temporal import data_converter
from tests.histories.record import SCENARIOS
from tests.support import TEST_PAYLOAD_KEY
from workflows.grant_application import GrantApplicationWorkflow

HISTORIES = Path(__file__).resolve().parent / "histories"


def test_every_scenario_has_a_recorded_history() -> None:
    assert {path.stem for path in HISTORIES.glob("*.json")} == set(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_the_current_code_replays_the_recorded_history(name: str) -> None:
    history = WorkflowHistory.from_json(f"grant-{name}", (HISTORIES / f"{name}.json").read_text(encoding="utf-8"))
    replayer = Replayer(workflows=[GrantApplicationWorkflow], data_converter=data_converter(TEST_PAYLOAD_KEY))

    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)

    assert result.replay_failure is None, f"{name}: {result.replay_failure}"
