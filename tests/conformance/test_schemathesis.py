"""Every operation of every contract, driven by schemathesis against the in-process app.

Each response must not be a server error and must conform to the contract: documented
status code, content type, body schema and headers.
"""

from __future__ import annotations

import asyncio
import os

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis.checks import (
    content_type_conformance,
    ensure_resource_availability,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)
from mock_server.app import create_app
from mock_server.config import ServerConfig

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES = int(os.environ.get("MOCK_SERVER_CONFORMANCE_EXAMPLES", "8"))

APP = create_app(ServerConfig(seed=1234))


def _casavi_token() -> str:
    async def login() -> str:
        transport = httpx.ASGITransport(app=APP)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            response = await client.post("/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"})
            return response.json()["token"]

    return asyncio.run(login())


CREDENTIALS = {
    "casavi": lambda: {"token": _casavi_token()},
    "afosto": lambda: {"Authorization": "Bearer demo-afosto-token"},
    "relay": lambda: {"Authorization": "Bearer demo-relay-key"},
    "messages": lambda: {},
}
QUERY_CREDENTIALS = {"messages": {"accessToken": "demo-partner-token"}}


def _schema(api: str):
    return schemathesis.openapi.from_asgi(f"/__admin/contracts/{api}", APP)


casavi = _schema("casavi")
afosto = _schema("afosto")
relay = _schema("relay")
messages = _schema("messages")
_HEADERS = {api: make() for api, make in CREDENTIALS.items()}


def _run(api: str, case) -> None:
    if api in QUERY_CREDENTIALS:
        case.query = {**(case.query or {}), **QUERY_CREDENTIALS[api]}
    case.call_and_validate(headers=_HEADERS[api], checks=CHECKS)


_SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
    database=None,
)


@casavi.parametrize()
@_SETTINGS
def test_casavi(case):
    _run("casavi", case)


@afosto.parametrize()
@_SETTINGS
def test_afosto(case):
    _run("afosto", case)


@relay.parametrize()
@_SETTINGS
def test_relay(case):
    _run("relay", case)


@messages.parametrize()
@_SETTINGS
def test_messages(case):
    _run("messages", case)


def _state_machine(api: str, schema):
    """Stateful runs: schemathesis links operations (create -> read -> update ...) itself."""

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Every scenario starts from the start-up state, so replays see what the first run saw.
            APP.sandbox.reset([api])
            _HEADERS[api] = CREDENTIALS[api]()

        def before_call(self, case) -> None:
            if api in QUERY_CREDENTIALS:
                case.query = {**(case.query or {}), **QUERY_CREDENTIALS[api]}

        def get_call_kwargs(self, case) -> dict:
            return {"headers": _HEADERS[api]}

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:
            case.validate_response(response, checks=STATEFUL_CHECKS, transport_kwargs=kwargs)

    return Machine


# Along links, a created object must be found and a deleted one must stay gone.
STATEFUL_CHECKS = [*CHECKS, use_after_free, ensure_resource_availability]
_STATEFUL_SETTINGS = hypothesis.settings(
    max_examples=int(os.environ.get("MOCK_SERVER_STATEFUL_EXAMPLES", "25")),
    stateful_step_count=int(os.environ.get("MOCK_SERVER_STATEFUL_STEPS", "8")),
    deadline=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
    database=None,
)


# Case messages names its objects in a query parameter and a body array, which leaves
# nothing to link; its operations are covered by the runs above, the operation walk and
# tests/messages/test_messages.py.
@pytest.mark.parametrize("api", ["casavi", "afosto", "relay"])
def test_stateful(api):
    schema = {"casavi": casavi, "afosto": afosto, "relay": relay}[api]
    _state_machine(api, schema).run(settings=_STATEFUL_SETTINGS)


@pytest.mark.parametrize("api", ["casavi", "afosto", "relay"])
def test_the_stateful_phase_follows_the_generated_links(api):
    schema = {"casavi": casavi, "afosto": afosto, "relay": relay}[api]
    document = APP.sandbox.apis[api].runtime.contract.document
    declared = {
        (f"{method.upper()} {path}", name)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for response in operation.get("responses", {}).values()
        for name in response.get("links", {})
    }
    machine = schema.as_state_machine()
    followed = {
        (link.source.label, link.name)
        for transitions in machine._transitions.operations.values()
        for link in transitions.outgoing
    }
    assert declared and declared <= followed
