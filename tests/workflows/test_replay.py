"""Cases live for weeks: the current workflow code must replay every history recorded from earlier code.

`tests/workflows/histories/<version>/` holds one history per workflow a scenario ran (the grant workflow, its
serving child, a print batch). A change that alters a recorded path fails here with a
non-determinism error: guard it with `workflow.patched(...)` so running cases keep their old path,
and record the new path as a new version (`python -m tests.workflows.histories.record`).
"""

import asyncio
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.temporal import data_converter
from tests.support import TEST_PAYLOAD_KEY
from tests.workflows.histories import record_service_requests as service_requests
from tests.workflows.histories.record import OTHERS, SCENARIOS, VERSION, WORKFLOWS

HISTORIES = Path(__file__).resolve().parent / "histories"
RECORDED = sorted([*HISTORIES.glob("v*/*.json"), *HISTORIES.glob("service-requests/v*/*.json")])


def test_every_scenario_of_the_current_version_is_recorded() -> None:
    recorded = {path.stem.split(".")[0] for path in (HISTORIES / VERSION).glob("*.json")}
    posted = ("rejected_by_post", "email_failed_then_posted", "letter_held_then_posted")
    expected = {f"grant-{name}" for name in SCENARIOS} | {f"print-batch-grant-{name}" for name in posted}
    assert recorded == expected | {other.split("/")[0] for other in OTHERS}


def test_every_service_request_scenario_of_the_current_version_is_recorded() -> None:
    folder = HISTORIES / "service-requests" / service_requests.VERSION
    assert {path.stem for path in folder.glob("*.json")} == set(service_requests.SCENARIOS)


def test_earlier_versions_are_kept() -> None:
    assert {path.parent.name for path in RECORDED} >= {"v1", "v2", "v3", "v4"}


@pytest.mark.parametrize("path", RECORDED, ids=lambda path: f"{path.parent.name}/{path.stem}")
async def test_the_current_code_replays_the_recorded_history(path: Path) -> None:
    # The file is named after the workflow id (with "." for "/"): the code builds task keys from it.
    workflow_id = path.stem.replace(".", "/")
    history = WorkflowHistory.from_json(workflow_id, await asyncio.to_thread(path.read_text, encoding="utf-8"))
    replayer = Replayer(workflows=WORKFLOWS, data_converter=data_converter(TEST_PAYLOAD_KEY))

    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)

    assert result.replay_failure is None, f"{path}: {result.replay_failure}"
