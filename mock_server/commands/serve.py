"""`mock-server serve`: the sandbox server, its settings as flags, and what it prints at start."""

from __future__ import annotations

import argparse
import errno
import logging
import signal
import socket
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..config import SETTINGS, ServerConfig, add_setting_flags, settings_from_args
from ..serving.collector import collector_paused, settle_for_serving
from .failure import fail

SERVE_EPILOG = """\
examples:
  mock-server serve --seed 7 --frozen-time 2026-01-01T00:00:00.000Z
  mock-server serve --api afosto --port 9000
  mock-server serve --fixtures my-accounts.yaml --state-file sandbox-state.json
"""

# The `serve --help` sections; a setting missing here is listed under "other settings".
SERVE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("where it listens", ("host", "port", "admin_token")),
    ("what it serves", ("api", "seed", "fixtures", "no_demo_data", "contracts_dir")),
    ("how it behaves", ("frozen_time", "token_ttl", "job_delay", "journal_size", "chaos")),
    ("limits", ("max_store_mb", "max_account_store_mb", "read_timeout")),
    ("webhooks", ("webhook_timeout", "webhook_attempts", "allow_http_hooks", "webhook_envelope")),
    ("state that survives a restart", ("state_file", "state_save_interval")),
    ("logging", ("log_level", "log_format")),
)
ALL_INTERFACES = ("0.0.0.0", "::", "")
LOOPBACK = ("127.0.0.1", "localhost", "::1")

log = logging.getLogger("mock_server")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the command's parser to `mock-server`'s subcommands."""
    serve = commands.add_parser(
        "serve",
        help="start the sandbox server",
        description="Start the sandbox. Each flag has an environment variable, shown in brackets.",
        epilog=SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_grouped_setting_flags(serve)
    serve.set_defaults(handler=run, parser=serve)


def _add_grouped_setting_flags(serve: argparse.ArgumentParser) -> None:
    grouped: set[str] = set()
    for title, names in SERVE_GROUPS:
        add_setting_flags(serve.add_argument_group(title), names)
        grouped.update(names)
    others = [setting.name for setting in SETTINGS if setting.name not in grouped]
    if others:
        add_setting_flags(serve.add_argument_group("other settings"), others)


def run(args: argparse.Namespace) -> int:
    """Serve until stopped; 0 after a clean stop, 2 for bad settings, 1 when it cannot listen."""
    try:
        config = ServerConfig.from_env(**settings_from_args(args))
    except ValueError as error:
        return fail(error)

    # Start-up makes what lives as long as the server: the collector does not walk it meanwhile.
    with collector_paused():
        import uvicorn

        from ..app import create_app
        from ..serving.connections import read_timeout_protocol
        from ..serving.log_format import logging_config
        from ..serving.state_file import StateFile, StateFileError, StateKeeper, StateKeepingApp
        from ..serving.stopping import StoppingServer

        try:
            app = create_app(config)
        except OSError as error:
            return fail(f"cannot read {error.filename or 'a start-up file'}: {error.strerror or error}")
        except ValueError as error:
            return fail(error)

        served: Any = app
        keeper = None
        state_note = None
        if config.state_file is not None:
            keeper = StateKeeper(app.sandbox, StateFile(config.state_file), config.state_save_interval)
            try:
                loaded = keeper.load()
            except StateFileError as error:
                return fail(error)
            state_note = f"{config.state_file} ({'loaded' if loaded else 'new'}; saved every {config.state_save_interval:g} s when changed, and on exit)"
            served = StateKeepingApp(app, keeper)

        settle_for_serving()
    try:
        listener = _listen(config.host, config.port)
    except OSError as error:
        return fail(_listen_problem(config.host, config.port, error), status=1)

    server = StoppingServer(
        uvicorn.Config(
            served, log_config=logging_config(config.log_format, config.log_level),
            log_level=config.log_level.lower(), access_log=False, lifespan="on", ws="none",  # no API has WebSockets
            http=read_timeout_protocol(config.read_timeout),
        ),
        on_stopping=app.stopping,
    )
    _announce(app, config, listener.getsockname()[:2], state_note)
    with _QuietStopSignals():
        try:
            server.run(sockets=[listener])
        finally:
            listener.close()
    if keeper is not None and keeper.error is not None:
        return fail(keeper.error, status=1)
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so a busy port is reported before anything starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
    except OSError:
        listener.close()
        raise
    return listener


def _listen_problem(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use; choose another with --port or MOCK_SERVER_PORT"
    if error.errno == errno.EACCES:
        return f"not allowed to listen on {host}:{port}; ports below 1024 need privileges, choose another with --port"
    if isinstance(error, socket.gaierror):
        return f"cannot listen on {host!r}: not an address or host name of this machine"
    return f"cannot listen on {host}:{port}: {error.strerror or error}"


class _QuietStopSignals:
    """Ctrl-C and SIGTERM stop the server gracefully and the command exits 0, with no traceback.

    uvicorn handles both while it serves and raises the signal again once it has shut
    down; these handlers take that second delivery instead of a KeyboardInterrupt or the
    default SIGTERM action.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __enter__(self) -> None:
        self._previous = {number: signal.signal(number, self._stopped) for number in self.SIGNALS}

    def __exit__(self, *exc_info: Any) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    @staticmethod
    def _stopped(number: int, frame: Any) -> None:
        """The server has already stopped; nothing is left to do."""


def inspector_address(base: str, admin_token: str | None) -> str:
    """Where the inspector opens; with an admin token, the token in the fragment, which a
    browser never sends to the server (the page keeps it and clears the address bar)."""
    address = f"{base}/__admin/ui"
    return f"{address}#token={quote(admin_token, safe='')}" if admin_token is not None else address


def _announce(app: Any, config: ServerConfig, bound: tuple[str, int], state_note: str | None) -> None:
    """Where each API is served, the credentials of its accounts, and the admin API.

    ``bound`` is the address the listening socket actually has (IPv6 written in brackets).
    """
    bound_host, port = bound
    listening = f"[{bound_host}]:{port}" if ":" in bound_host else f"{bound_host}:{port}"
    host = "127.0.0.1" if config.host in ALL_INTERFACES else config.host
    base = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    apis = {
        api: {
            "url": f"{base}{config.mount_of(api)}",
            "accounts": [{"name": account.name, **account.credentials} for account in runtime.accounts.values()],
        }
        for api, runtime in app.sandbox.runtimes.items()
    }
    open_admin = config.admin_token is None and config.host not in LOOPBACK
    if config.log_format == "json":
        # Log lines travel further than a terminal: the token stays out of them.
        fields = {"version": __version__, "listen": listening, "seed": config.seed,
                  "apis": apis, "admin": f"{base}/__admin", "inspector": f"{base}/__admin/ui"}
        if state_note:
            fields["stateFile"] = str(config.state_file)
        log.info("mock-server is serving", extra={"fields": fields})
        if open_admin:
            log.warning("the admin API is open on a non-loopback address; set --admin-token")
        return
    lines = [f"mock-server {__version__} listening on {listening} (seed {config.seed})"]
    for api, served in apis.items():
        lines.append(f"  {api:<9} {served['url'] or '/'}")
        for account in served["accounts"]:
            credentials = ", ".join(f"{key} {value}" for key, value in account.items() if key != "name")
            lines.append(f"            account {account['name']}: {credentials}")
    lines.append(f"  admin     {base}/__admin  (health, reset, state, requests, coverage, overrides, jobs/run, tasks, webhooks, contracts/{{api}})")
    lines.append(f"  inspector {inspector_address(base, config.admin_token)}")
    if state_note:
        lines.append(f"  state     {state_note}")
    if open_admin:
        lines.append("  warning: the admin API is open on a non-loopback address; set --admin-token")
    print("\n".join(lines), flush=True)

