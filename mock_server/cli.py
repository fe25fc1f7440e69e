"""The `mock-server` command line."""

from __future__ import annotations

import argparse
import errno
import logging
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from . import __version__
from .commands import coverage, drift_report, proxy, verify
from .commands.receive import add_receive_command
from .config import API_NAMES, SETTINGS, ServerConfig, add_setting_flags, settings_from_args
from .serving.collector import collector_paused, settle_for_serving

DESCRIPTION = """\
API sandbox for the casavi, Afosto, Relay and Case messages REST APIs.

  mock-server serve                      all four APIs on one port:
                                         /casavi, /afosto, /relay, /messages
  mock-server serve --api afosto         one API at the root of the server
  mock-server contracts export --out DIR write the served contracts to DIR
  mock-server contracts generate --docs DIR --out contracts/
  mock-server contracts check --docs DIR
  mock-server receive --port 9000        print the webhook calls a local receiver gets
  mock-server proxy --api afosto --upstream URL
                                         the real API behind, checked against its contract
  mock-server drift-report               where the real API differed (from the proxy)
  mock-server coverage --fail-under 60   documented operations and status codes exercised
  mock-server verify --method POST --path /hooks --count 1
                                         assert how often a call was made

Every serve flag can also be set with an environment variable (MOCK_SERVER_<FLAG>);
flags win over the environment. The admin API lives under /__admin: health, reset,
state, fixtures, requests, coverage, overrides, jobs/run, contracts/{api}.
"""

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


class CommandParser(argparse.ArgumentParser):
    """argparse whose errors are one line: the problem and where to read more."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="mock-server", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"mock-server {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="start the sandbox server",
        description="Start the sandbox. Each flag has an environment variable, shown in brackets.",
        epilog=SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_grouped_setting_flags(serve)
    serve.set_defaults(handler=_serve, parser=serve)

    contracts = commands.add_parser("contracts", help="export, generate or check the OpenAPI contracts")
    contracts.set_defaults(parser=contracts)
    contract_commands = contracts.add_subparsers(dest="contracts_command", metavar="ACTION", required=True)
    export = contract_commands.add_parser(
        "export", help="write the contracts this sandbox serves (for code generators, Postman, schemathesis)"
    )
    export.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write <api>.yaml into (created if missing)")
    export.add_argument(
        "--base-url", default="http://127.0.0.1:8080", metavar="URL",
        help="where the sandbox runs; each contract's server is URL plus the API's mount (default http://127.0.0.1:8080)",
    )
    export.add_argument("--api", choices=API_NAMES, metavar="NAME", help="only this API, as served with 'serve --api NAME' (at the root)")
    export.add_argument("--format", choices=("yaml", "json"), default="yaml", help="file format (default yaml)")
    export.add_argument("--contracts-dir", type=Path, metavar="DIR", help="contracts to export (default: the bundled ones)")
    export.set_defaults(handler=_export, parser=export)
    generate = contract_commands.add_parser(
        "generate", help="write one OpenAPI document per API from the vendor documents"
    )
    generate.add_argument("--docs", type=Path, required=True, metavar="DIR", help="folder of the vendor documents")
    generate.add_argument("--out", type=Path, default=Path("contracts"), metavar="DIR", help="output folder (default contracts/)")
    generate.set_defaults(handler=_generate, parser=generate)
    check = contract_commands.add_parser(
        "check", help="exit non-zero when the committed contracts differ from a fresh generation"
    )
    check.add_argument("--docs", type=Path, required=True, metavar="DIR", help="folder of the vendor documents")
    check.add_argument("--contracts", type=Path, default=Path("contracts"), metavar="DIR", help="folder of the committed contracts (default contracts/)")
    check.set_defaults(handler=_check, parser=check)
    add_receive_command(commands)
    for command in (proxy, drift_report, coverage, verify):
        command.register(commands)
    return parser


def _add_grouped_setting_flags(serve: argparse.ArgumentParser) -> None:
    grouped: set[str] = set()
    for title, names in SERVE_GROUPS:
        add_setting_flags(serve.add_argument_group(title), names)
        grouped.update(names)
    others = [setting.name for setting in SETTINGS if setting.name not in grouped]
    if others:
        add_setting_flags(serve.add_argument_group("other settings"), others)


def _serve(args: argparse.Namespace) -> int:
    try:
        config = ServerConfig.from_env(**settings_from_args(args))
    except ValueError as error:
        return _fail(error)

    # Start-up makes what lives as long as the server: the collector does not walk it meanwhile.
    with collector_paused():
        import uvicorn

        from .app import create_app
        from .serving.connections import read_timeout_protocol
        from .serving.log_format import logging_config
        from .serving.state_file import StateFile, StateFileError, StateKeeper, StateKeepingApp

        try:
            app = create_app(config)
        except OSError as error:
            return _fail(f"cannot read {error.filename or 'a start-up file'}: {error.strerror or error}")
        except ValueError as error:
            return _fail(error)

        served: Any = app
        keeper = None
        state_note = None
        if config.state_file is not None:
            keeper = StateKeeper(app.sandbox, StateFile(config.state_file), config.state_save_interval)
            try:
                loaded = keeper.load()
            except StateFileError as error:
                return _fail(error)
            state_note = f"{config.state_file} ({'loaded' if loaded else 'new'}; saved every {config.state_save_interval:g} s when changed, and on exit)"
            served = StateKeepingApp(app, keeper)

        settle_for_serving()
    try:
        listener = _listen(config.host, config.port)
    except OSError as error:
        return _fail(_listen_problem(config.host, config.port, error), status=1)

    server = uvicorn.Server(
        uvicorn.Config(
            served, log_config=logging_config(config.log_format, config.log_level),
            log_level=config.log_level.lower(), access_log=False, lifespan="on",
            http=read_timeout_protocol(config.read_timeout),
        )
    )
    _announce(app, config, listener.getsockname()[:2], state_note)
    with _QuietStopSignals():
        try:
            server.run(sockets=[listener])
        finally:
            listener.close()
    if keeper is not None and keeper.error is not None:
        return _fail(keeper.error, status=1)
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
        fields = {"version": __version__, "listen": listening, "seed": config.seed,
                  "apis": apis, "admin": f"{base}/__admin"}
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
    if state_note:
        lines.append(f"  state     {state_note}")
    if open_admin:
        lines.append("  warning: the admin API is open on a non-loopback address; set --admin-token")
    print("\n".join(lines), flush=True)


def _export(args: argparse.Namespace) -> int:
    from .contracts.writer import dump_yaml
    from .engine import jsonio
    from .engine.contract.files import default_contracts_dir, load_contract

    apis = [args.api] if args.api else list(API_NAMES)
    try:
        source = args.contracts_dir or default_contracts_dir()
        documents = {api: dict(load_contract(source, api)) for api in apis}
    except OSError as error:
        return _fail(f"cannot read the contracts: {error.filename or ''} {error.strerror or error}")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for api, document in documents.items():
            mount = "" if args.api else f"/{api}"
            document["servers"] = [{"url": args.base_url.rstrip("/") + mount}]
            target = args.out / f"{api}.{args.format}"
            target.write_bytes(dump_yaml(document).encode() if args.format == "yaml" else jsonio.dumps(document))
            print(f"wrote {target}")
    except OSError as error:
        return _fail(f"cannot write to {args.out}: {error.strerror or error}")
    return 0


def _generate(args: argparse.Namespace) -> int:
    from .contracts import write_contracts

    written = _reading_documents(lambda: write_contracts(args.docs, args.out))
    if written is None:
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from .contracts import check_contracts

    differences = _reading_documents(lambda: check_contracts(args.docs, args.contracts))
    if differences is None:
        return 2
    if differences:
        print("contracts differ from what the generator makes now:", file=sys.stderr)
        for line in differences:
            print(line, file=sys.stderr)
        print("run 'mock-server contracts generate' and commit the result", file=sys.stderr)
        return 1
    print("contracts are up to date")
    return 0


def _reading_documents(work):
    """Run generator work; a missing document is reported, not raised (None)."""
    from .contracts import DocumentsError

    try:
        return work()
    except DocumentsError as error:
        print(f"mock-server: {error}", file=sys.stderr)
        return None


def _fail(problem: object, status: int = 2) -> int:
    """Report a problem that stops the command as one line on stderr."""
    print(f"mock-server: {' '.join(str(problem).split())}", file=sys.stderr)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        kind = "option" if unknown[0].startswith("-") else "argument"
        getattr(args, "parser", parser).error(f"unknown {kind} {unknown[0]}")
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 0
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
