"""Every contract driven by schemathesis with every check it has, stateless and stateful,
under a seed that changes with every run.

`test_schemathesis.py` runs a fixed seed and the conformance checks, so a failure there
is the same on every machine. This module looks further: a new seed each run (printed in
the test report's header and named in every failure) for the generated requests and for
the sandbox's own data, every check schemathesis registers (server errors, conformance,
negative and positive data, missing headers, unsupported methods, ignored
authentication, object-level authorization, use after free, resource availability),
and the stateful phase: sequences of calls that follow the contracts' links.

Replay a failing run with `MOCK_SERVER_FUZZ_SEED=<seed> python -m pytest
tests/conformance/test_schemathesis_every_check.py`. The sizes are set for CI (about two
minutes on two cores); `MOCK_SERVER_FUZZ_EXAMPLES`, `MOCK_SERVER_FUZZ_SCENARIOS` and
`MOCK_SERVER_FUZZ_STEPS` make a run longer.

Where a check would call documented behaviour a failure, it is narrowed, never dropped
for a whole API:

- `positive_data_acceptance` also takes 400 on the operations whose requests name other
  objects (the reference tables of the API modules, and `NAMED_IN_CODE`): a request can
  match its schema and still name an object that does not exist (a printer's hub, a
  measurement's meter, a message's parent), which the documents answer with 400; a
  contract cannot say "must exist".
- `negative_data_rejection` and `positive_data_acceptance` are left out for Relay's two
  multipart operations (`CreateOrder`, `CreateOrderComment`, `EXCLUDED`): on the wire
  every part is bytes, so a `files` part sent without a file name, or a part the
  operation does not name, is what multipart readers ignore; Relay documents 413 (not
  400) for more than ten files; and the extra parts schemathesis adds to valid bodies
  may have names holding NUL, which no multipart header can carry (400). Their answers
  are still checked; their bodies by the fixed-seed run and tests/relay/test_relay.py.
- `negative_data_rejection` and `positive_data_acceptance` are left out for casavi's
  `POST /files`: its body is raw bytes of any media type (`*/*`), and schemathesis
  serialises it for the media type it picks: an empty (too short) body inside a
  multipart envelope is no longer empty, and bytes sent as a form come out empty. The
  operation's answers are still checked; an empty body is refused with 400
  (tests/sandbox/test_reachability_faults.py).
- Headers and query parameters a contract does not declare are not generated
  (`allow-extra-parameters = false`): HTTP servers ignore headers they do not know, and
  no contract closes an object (`additionalProperties: false`), so an extra name is no
  invalid request.
"""

from __future__ import annotations

import asyncio
import os

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from mock_server.app import create_app
from mock_server.config import ServerConfig

from tests.conformance.seed import REPLAY, SEED

EXAMPLES = int(os.environ.get("MOCK_SERVER_FUZZ_EXAMPLES", "2"))
SCENARIOS = int(os.environ.get("MOCK_SERVER_FUZZ_SCENARIOS", "20"))
STEPS = int(os.environ.get("MOCK_SERVER_FUZZ_STEPS", "10"))
APIS = ("casavi", "afosto", "relay", "messages")

APP = create_app(ServerConfig(seed=SEED))

# Operations whose requests name other objects in code the reference tables do not list:
# a meter its consumption resource, a measurement its meter, an order part its order, a
# message its parent message.
NAMED_IN_CODE = {
    "casavi": ("createMeterForUnit", "createMeterForCommunity", "updateConsumptionMeter",
               "createBulkConsumptionMeasurements", "updateConsumptionMeasurement"),
    "relay": ("CreateOrderField", "CreateOrderContactPerson"),
    "afosto": (),
    "messages": ("createCaseMessages",),
}
# Checks left out for an operation (see the module's docstring for why).
EXCLUDED = {
    "relay": {name: ("negative_data_rejection", "positive_data_acceptance") for name in ("CreateOrder", "CreateOrderComment")},
    "casavi": {"fileUpload": ("negative_data_rejection", "positive_data_acceptance")},
}
POSITIVE_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


def naming_operations(api: str) -> list[str]:
    """The operations whose requests name objects that must exist (400 when they do not)."""
    runtime = APP.sandbox.apis[api].runtime
    by_route = {(operation.method, operation.path): operation.operation_id for operation in runtime.contract.operations.values()}
    tabled = {by_route[(reference.method, reference.path)] for reference in runtime.data_model.references}
    return sorted(tabled | set(NAMED_IN_CODE[api]))


def config_for(api: str) -> SchemathesisConfig:
    """How schemathesis runs against one API: its credentials and the documented answers
    the checks would otherwise count as failures (see the module's docstring)."""
    operations = [{
        "include-operation-id": naming_operations(api),
        "checks": {"positive_data_acceptance": {"expected-statuses": ["400", *POSITIVE_STATUSES]}},
    }]
    for operation_id, checks in EXCLUDED.get(api, {}).items():
        operations.append({"include-operation-id": operation_id, "checks": {name: {"enabled": False} for name in checks}})
    credentials = {
        "afosto": {"bearer": {"bearer": "demo-afosto-token"}},
        "relay": {"bearer": {"bearer": "demo-relay-key"}},
        "messages": {"accessToken": {"api_key": "demo-partner-token"}},
    }
    document = {"generation": {"allow-extra-parameters": False}, "operations": operations}
    if api in credentials:
        document["auth"] = {"openapi": credentials[api]}
    return SchemathesisConfig.from_dict(document)


class CasaviToken:
    """casavi's token, logged in again whenever a scenario resets the API."""

    current = ""

    @classmethod
    def login(cls) -> None:
        async def login() -> str:
            transport = httpx.ASGITransport(app=APP)
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
                response = await client.post("/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"})
                return response.json()["token"]

        cls.current = asyncio.run(login())

    def get(self, case, context) -> str:
        return self.current

    def set(self, case, token: str, context) -> None:
        case.headers = {**(case.headers or {}), "token": token}


def _schema(api: str):
    schema = schemathesis.openapi.from_asgi(f"/__admin/contracts/{api}", APP, config=config_for(api))
    if api == "casavi":
        schema.auth(refresh_interval=None)(CasaviToken)
    return schema


CasaviToken.login()
casavi = _schema("casavi")
afosto = _schema("afosto")
relay = _schema("relay")
messages = _schema("messages")
SCHEMAS = {"casavi": casavi, "afosto": afosto, "relay": relay, "messages": messages}


def every_check() -> set[str]:
    """The names of every response check schemathesis registers."""
    load_all_checks()
    return {check.__name__ for check in CHECKS.get_all() if not isinstance(check, type)}


def _run(case) -> None:
    try:
        case.call_and_validate()
    except BaseException as failure:
        failure.add_note(REPLAY)
        raise


_SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=False,
    suppress_health_check=list(hypothesis.HealthCheck),
    database=None,
)


@casavi.parametrize()
@hypothesis.seed(SEED)
@_SETTINGS
def test_casavi(case):
    _run(case)


@afosto.parametrize()
@hypothesis.seed(SEED)
@_SETTINGS
def test_afosto(case):
    _run(case)


@relay.parametrize()
@hypothesis.seed(SEED)
@_SETTINGS
def test_relay(case):
    _run(case)


@messages.parametrize()
@hypothesis.seed(SEED)
@_SETTINGS
def test_messages(case):
    _run(case)


def _state_machine(api: str):
    """Call sequences along the contract's links, every check on every step."""

    class Machine(SCHEMAS[api].as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Each scenario starts from the start-up state, so a replay sees what the run saw.
            APP.sandbox.reset([api])
            if api == "casavi":
                CasaviToken.login()

    return hypothesis.seed(SEED)(Machine)


_STATEFUL_SETTINGS = hypothesis.settings(
    max_examples=SCENARIOS,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=False,
    suppress_health_check=list(hypothesis.HealthCheck),
    database=None,
)


# Case messages links nothing (see test_schemathesis.py): its stateful phase has no steps.
@pytest.mark.parametrize("api", ["casavi", "afosto", "relay"])
def test_stateful(api):
    try:
        _state_machine(api).run(settings=_STATEFUL_SETTINGS)
    except BaseException as failure:
        failure.add_note(REPLAY)
        raise


@pytest.mark.parametrize("api", APIS)
def test_every_registered_check_is_enabled(api):
    """Every check schemathesis has runs here, a check added in a later version too."""
    schema = SCHEMAS[api]
    for result in schema.get_all_operations():
        operation = result.ok()
        excluded = set(EXCLUDED.get(api, {}).get(operation.definition.raw["operationId"], ()))
        config = schema.config.checks_config_for(operation=operation)
        enabled = {name for name in every_check() if config.get_by_name(name=name).enabled}
        assert enabled == every_check() - excluded, operation.label
