"""The walk fails where an operation cannot be reached: a wrong answer, a creation that
cannot be read back, a prerequisite that cannot be made."""

from __future__ import annotations

from mock_server.engine.vendor import Reply
from tests.http_sandbox import sandbox_client
from tests.walk.exceptions import ACCESS, BODIES, PARAMETERS
from tests.walk.plan import plan_for
from tests.walk.runner import Walker


def _answering(operation_id: str, status: int):
    async def interceptor(call):
        if call.operation.operation_id == operation_id:
            return Reply(status, {"statusCode": status, "message": "sabotaged", "error": "Sabotaged"})
        return None

    return interceptor


async def _walk(committed, api, *sabotage):
    async with sandbox_client() as client:
        client.app.pipelines[api].interceptors.extend(sabotage)
        walker = Walker(client, plan_for(api, committed[api]), f"/{api}", ACCESS[api], PARAMETERS[api], BODIES[api])
        return {outcome.operation_id: outcome for outcome in await walker.walk()}


async def _walk_relay(committed, *sabotage):
    return await _walk(committed, "relay", *sabotage)


async def test_an_operation_answering_an_error_is_failing(committed):
    outcomes = await _walk_relay(committed, _answering("GetProperties", 400))
    assert outcomes["GetProperties"].result == "failing" and "answered 400" in outcomes["GetProperties"].detail
    assert outcomes["GetCustomers"].result == "reached"


async def test_a_creation_that_cannot_be_read_back_is_failing(committed):
    outcomes = await _walk_relay(committed, _answering("GetOrderById", 404))
    assert outcomes["CreateOrder"].result == "failing"
    assert "GetOrderById answered 404" in outcomes["CreateOrder"].detail


async def test_an_operation_whose_prerequisite_fails_is_not_reached(committed):
    outcomes = await _walk_relay(committed, _answering("CreateOrder", 400), _answering("GetAllOrders", 400))
    assert outcomes["CreateOrderComment"].result == "skipped"
    assert "CreateOrder" in outcomes["CreateOrderComment"].detail


async def test_an_operation_whose_prerequisite_step_fails_is_not_reached(committed):
    # A batch is confirmed once validated: with validation failing, confirming cannot be prepared.
    outcomes = await _walk(committed, "afosto", _answering("validateBatch", 400))
    assert outcomes["validateBatch"].result == "failing"
    assert outcomes["confirmBatch"].result == "skipped" and "needs validateBatch" in outcomes["confirmBatch"].detail
    assert outcomes["createBatch"].result == "reached"
