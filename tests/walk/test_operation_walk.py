"""The operation walk over all four contracts: every operation answers a documented 2xx
once what it needs exists, and what it creates can be read back."""

from __future__ import annotations

import pytest

from mock_server.apis import API_NAMES
from tests.http_sandbox import sandbox_client
from tests.walk.exceptions import ACCESS, BODIES, PARAMETERS, REASONS
from tests.walk.plan import plan_for
from tests.walk.report import table
from tests.walk.runner import Walker


@pytest.mark.parametrize("api", API_NAMES)
async def test_every_operation_is_reached(api, committed, walk_report):
    plan = plan_for(api, committed[api])
    async with sandbox_client() as client:
        walker = Walker(client, plan, f"/{api}", ACCESS[api], PARAMETERS[api], BODIES[api])
        outcomes = await walker.walk()
    exceptions = [f"{name}: {reason}" for (owner, name), reason in REASONS.items() if owner == api]
    walk_report.append(table(api, outcomes, exceptions))
    unreached = [outcome for outcome in outcomes if outcome.result != "reached"]
    assert len(outcomes) == len(plan.steps)
    assert not unreached, table(api, outcomes)
