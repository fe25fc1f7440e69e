"""`mock-server proxy`: the validating proxy in front of the real vendor API."""

from __future__ import annotations

import argparse
import logging
import sys

from pydantic import ValidationError

from ..apis import API_NAMES
from ..config import LOG_LEVELS
from ..engine.errors import describe_validation_error

EXAMPLE = """\
example:
  mock-server proxy --api afosto --upstream https://afosto.app/api --port 8081
  # point the client at http://127.0.0.1:8081 instead of the vendor, then:
  mock-server drift-report --url http://127.0.0.1:8081
"""


def register(commands: argparse._SubParsersAction) -> None:
    """Add the command's parser to `mock-server`'s subcommands."""
    parser = commands.add_parser(
        "proxy",
        help="forward to the real API and report where it differs from the contract",
        description=(
            "Serve one API at the root, forwarding every request to the upstream unchanged\n"
            "(credentials included, never logged) and returning the real answer byte for byte.\n"
            "Requests and answers are checked against the contract; every difference is recorded\n"
            "in the journal (GET /__admin/requests) and the drift report (GET /__admin/drift)."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--api", required=True, choices=API_NAMES, help="the API the upstream serves")
    parser.add_argument("--upstream", required=True, metavar="URL", help="base URL of the real API (its documented paths follow it)")
    parser.add_argument("--host", default="127.0.0.1", metavar="ADDR", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, metavar="PORT", help="port to listen on (default 8080)")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="seconds the upstream has to answer (default 30)")
    parser.add_argument("--contracts-dir", metavar="DIR", help="folder holding the contracts (default: the bundled ones)")
    parser.add_argument("--admin-token", metavar="TOKEN", help="require 'Authorization: Bearer TOKEN' on /__admin")
    parser.add_argument("--journal-size", type=int, default=1000, metavar="N", help="requests kept in the journal (default 1000)")
    parser.add_argument("--log-level", default="info", choices=LOG_LEVELS, help="log level (default info)")
    parser.set_defaults(handler=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    """Run the command; returns its exit status."""
    import uvicorn

    from ..proxy.app import ProxyConfig, ValidatingProxy
    from ..serving.stopping import StoppingServer
    from .serve import inspector_address

    try:
        config = ProxyConfig(
            api=args.api, upstream=args.upstream, host=args.host, port=args.port, timeout=args.timeout,
            contracts_dir=args.contracts_dir, admin_token=args.admin_token, journal_size=args.journal_size,
            log_level=args.log_level,
        )
        app = ValidatingProxy(config)
    except ValidationError as error:
        print(f"mock-server proxy: {describe_validation_error(error).replace('Value error, ', '')}", file=sys.stderr)
        return 2
    except (ValueError, FileNotFoundError) as error:
        print(f"mock-server proxy: {error}", file=sys.stderr)
        return 2
    _log_drift(config.log_level)
    base = f"http://{config.host}:{config.port}"
    print(f"mock-server proxy for {config.api} on {base} -> {config.upstream}", flush=True)
    print(f"  drift report  {base}/__admin/drift  (mock-server drift-report --url {base})", flush=True)
    print(f"  inspector     {inspector_address(base, config.admin_token)}", flush=True)
    server = StoppingServer(
        uvicorn.Config(
            app, host=config.host, port=config.port, log_level=config.log_level, access_log=False,
            server_header=False, date_header=False, ws="none",
        ),
        on_stopping=app.stopping,
    )
    server.run()
    return 0


def _log_drift(level: str) -> None:
    """Drift found and upstream failures on the console, as they happen."""
    logger = logging.getLogger("mock_server.proxy")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s:  %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level.upper())
