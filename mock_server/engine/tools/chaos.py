"""Chaos for soak tests: documented error answers and delays at random, under the seed.

With rate R, each request is disturbed with probability R. A disturbed request of an
operation that documents server-side failures (5xx, 429, 408) gets one of them in the
API's error shape half of the time, and otherwise waits up to `MAX_DELAY_MS` before its
usual answer; operations that document no such failure only get delays, so chaos never
answers what the vendor does not document. Draws come from one generator per API seeded
with the server's seed, so one request sequence meets the same chaos every run.
"""

from __future__ import annotations

import asyncio
import random

from ..contract.operations import OperationSpec
from ..errors import ApiError
from ..vendor import Call, Interception, Reply

MAX_DELAY_MS = 1000.0
_FAILURES = frozenset({408, 429})


class Chaos:
    """The chaos interceptor of one API."""

    def __init__(self, api: str, rate: float, seed: int) -> None:
        self.api = api
        self.rate = rate
        self.seed = seed
        self.random = random.Random()
        self._failures: dict[str, tuple[int, ...]] = {}
        self.restart()

    def restart(self) -> None:
        """Draw the same sequence again (after a reset)."""
        self.random.seed(f"{self.seed}/chaos/{self.api}")

    async def intercept(self, call: Call) -> Reply | None:
        """Draw whether to disturb the call, and how."""
        if self.random.random() >= self.rate:
            return None
        failures = self.failures(call.operation)
        if failures and self.random.random() < 0.5:
            status = self.random.choice(failures)
            call.interception = Interception({"chaos": {"status": status}})
            error = ApiError(status)
            return Reply(status, call.vendor.error_shape.render(error, call.runtime.next_reference()))
        delay = round(self.random.uniform(0, MAX_DELAY_MS), 3)
        call.interception = Interception({"chaos": {"delay_ms": delay}})
        await asyncio.sleep(delay / 1000)
        return None

    def failures(self, operation: OperationSpec) -> tuple[int, ...]:
        """The server-side failures the operation documents."""
        found = self._failures.get(operation.operation_id)
        if found is None:
            found = tuple(sorted(s for s in operation.error_statuses if s >= 500 or s in _FAILURES))
            self._failures[operation.operation_id] = found
        return found
