"""Staff and customer actions on a service request, sent to its workflow as Temporal updates.

The workflow's validators have the last word (organisation, role, holder, consent); their refusal comes back as
`ActionRefused` with the validator's message. A workflow that has ended (the feedback window passed, or the
request expired unconfirmed) answers as closed for good.
"""

from typing import Any

from temporalio.service import RPCError, RPCStatusCode

from core.i18n import N_
from core.temporal import TemporalGateway
from web.services.processing import ActionRefused, send_update

ENDED = N_("This request is closed for good. If you still need help, please send a new request.")


async def act(gateway: TemporalGateway, workflow_id: str, update: Any, argument: Any) -> Any:
    try:
        return await send_update(gateway, workflow_id, update, argument)
    except ActionRefused as refused:
        if isinstance(refused.__cause__, RPCError) and refused.__cause__.status == RPCStatusCode.NOT_FOUND:
            raise ActionRefused(ENDED) from refused
        raise
