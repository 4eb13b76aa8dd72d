"""Cases live for weeks: the current workflow code must replay every history recorded from earlier code.

`tests/workflows/histories/<version>/` holds one history per workflow a scenario ran (the grant workflow, its
serving child, a print batch; service requests and queued e-mails have folders of their own), and every
workflow type the worker runs has at least one. A change that alters a recorded path fails here with a
non-determinism error: guard it with `workflow.patched(...)` so running cases keep their old path,
and record the new path as a new version (`python -m tests.workflows.histories.record`).
"""

import asyncio
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.temporal import data_converter
from runtime.worker import WORKFLOWS
from tests.support import TEST_PAYLOAD_KEY
from tests.workflows.histories import record_mail as mail
from tests.workflows.histories import record_service_requests as service_requests
from tests.workflows.histories.record import OTHERS, SCENARIOS, VERSION

HISTORIES = Path(__file__).resolve().parent / "histories"
RECORDED = sorted(
    [*HISTORIES.glob("v*/*.json"), *HISTORIES.glob("service-requests/v*/*.json"), *HISTORIES.glob("mail/v*/*.json")]
)


def _workflow_type(path: Path) -> str:
    started = json.loads(path.read_text(encoding="utf-8"))["events"][0]
    return str(started["workflowExecutionStartedEventAttributes"]["workflowType"]["name"])


def test_every_workflow_type_the_worker_runs_has_a_recorded_history() -> None:
    """A workflow added to the worker without a recorded history would go unguarded against non-determinism."""
    recorded = {_workflow_type(path) for path in RECORDED}
    assert recorded == {workflow.__name__ for workflow in WORKFLOWS}


def test_every_scenario_of_the_current_version_is_recorded() -> None:
    recorded = {path.stem.split(".")[0] for path in (HISTORIES / VERSION).glob("*.json")}
    posted = ("rejected_by_post", "email_failed_then_posted", "letter_held_then_posted")
    expected = {f"grant-{name}" for name in SCENARIOS} | {f"print-batch-grant-{name}" for name in posted}
    assert recorded == expected | {other.split("/")[0] for other in OTHERS}


def test_every_service_request_scenario_of_the_current_version_is_recorded() -> None:
    folder = HISTORIES / "service-requests" / service_requests.VERSION
    assert {path.stem for path in folder.glob("*.json")} == set(service_requests.SCENARIOS)


def test_every_queued_email_scenario_of_the_current_version_is_recorded() -> None:
    folder = HISTORIES / "mail" / mail.VERSION
    assert {path.stem for path in folder.glob("*.json")} == set(mail.SCENARIOS)


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
