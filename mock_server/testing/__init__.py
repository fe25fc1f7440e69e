"""The sandbox inside a test suite: in process behind httpx clients, or as a real server.

    with InProcessSandbox(ServerConfig(seed=7)) as sandbox:
        sandbox.afosto.post("/cat/channels", json={"name": "Webshop"})
        sandbox.casavi.get("/contacts")

    async with AsyncInProcessSandbox(ServerConfig()) as sandbox:
        await sandbox.relay.get("/orders")

    with LiveSandbox(ServerConfig()) as server:
        httpx.get(server.base_url("relay") + "/orders", headers={"Authorization": "Bearer demo-relay-key"})

Each API's client is based at the API's mount and authenticated with the demo
credentials (`DEMO_CREDENTIALS`) the way the vendor documents it: casavi logs in with
`POST /authenticate` on first use and sends the `token` header, Afosto and Relay send a
bearer token, Case messages sends the `accessToken` query parameter.
`sandbox.client(api, **credentials)` makes a client for another account and
`sandbox.anonymous(api)` one without credentials. The admin calls a test needs (reset,
finishing queued jobs, the request journal, webhook deliveries, the state) are methods.

The pytest fixtures in `mock_server.pytest_plugin` are built on these classes.
"""

from .clients import AsyncSandboxClients, SandboxClients
from .credentials import DEMO_CREDENTIALS, CasaviLogin, client_options
from .errors import SandboxError
from .in_process import IN_PROCESS_URL, AsyncInProcessSandbox, InProcessSandbox, Lifespan
from .kept import KeptSandboxes, configuration_key
from .live import LiveSandbox
from .readiness import wait_until_ready

__all__ = [
    "AsyncInProcessSandbox",
    "AsyncSandboxClients",
    "CasaviLogin",
    "DEMO_CREDENTIALS",
    "IN_PROCESS_URL",
    "InProcessSandbox",
    "KeptSandboxes",
    "Lifespan",
    "LiveSandbox",
    "SandboxClients",
    "SandboxError",
    "client_options",
    "configuration_key",
    "wait_until_ready",
]
