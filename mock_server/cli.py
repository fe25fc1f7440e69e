"""The `mock-server` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from . import __version__
from .config import ServerConfig, add_setting_flags, settings_from_args

DESCRIPTION = """\
API sandbox for the casavi, Afosto, Relay and Case messages REST APIs.

  mock-server serve                      all four APIs on one port:
                                         /casavi, /afosto, /relay, /messages
  mock-server serve --api afosto         one API at the root of the server
  mock-server contracts generate --docs DIR --out contracts/
  mock-server contracts check --docs DIR

Every serve flag can also be set with an environment variable (MOCK_SERVER_<FLAG>);
flags win over the environment. The admin API lives under /__admin: health, reset,
state, fixtures, requests, coverage, jobs/run, contracts/{api}.
"""


class _Parser(argparse.ArgumentParser):
    """Usage mistakes as one line naming the flag (subcommands share this class)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mock-server", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"mock-server {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="start the sandbox server",
        description="Start the sandbox. Each flag has an environment variable, shown in brackets.",
    )
    add_setting_flags(serve)
    serve.set_defaults(handler=_serve)

    contracts = commands.add_parser("contracts", help="generate or check the OpenAPI contracts")
    contract_commands = contracts.add_subparsers(dest="contracts_command", metavar="ACTION", required=True)
    generate = contract_commands.add_parser(
        "generate", help="write one OpenAPI document per API from the vendor documents"
    )
    generate.add_argument("--docs", type=Path, required=True, metavar="DIR", help="folder of the vendor documents")
    generate.add_argument("--out", type=Path, default=Path("contracts"), metavar="DIR", help="output folder (default contracts/)")
    generate.set_defaults(handler=_generate)
    check = contract_commands.add_parser(
        "check", help="exit non-zero when the committed contracts differ from a fresh generation"
    )
    check.add_argument("--docs", type=Path, required=True, metavar="DIR", help="folder of the vendor documents")
    check.add_argument("--contracts", type=Path, default=Path("contracts"), metavar="DIR", help="folder of the committed contracts (default contracts/)")
    check.set_defaults(handler=_check)
    return parser


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app

    try:
        config = ServerConfig.from_env(**settings_from_args(args))
    except ValueError as error:
        print(f"mock-server: {error}", file=sys.stderr)
        return 2
    try:
        app = create_app(config)
    except (FileNotFoundError, ValueError) as error:
        print(f"mock-server: {error}", file=sys.stderr)
        return 2
    from .connections import read_timeout_protocol

    _print_banner(app)
    uvicorn.run(
        app, host=config.host, port=config.port, log_level=config.log_level, access_log=False,
        http=read_timeout_protocol(config.read_timeout),
    )
    return 0


def _print_banner(app) -> None:
    """Where each API is served and the credentials of its accounts."""
    config = app.sandbox.config
    base = f"http://{config.host}:{config.port}"
    print(f"mock-server {__version__} on {base} (seed {config.seed})", flush=True)
    for api, runtime in app.sandbox.runtimes.items():
        print(f"  {api:<9} {base}{config.mount_of(api) or '/'}", flush=True)
        for account in runtime.accounts.values():
            credentials = ", ".join(f"{key} {value}" for key, value in account.credentials.items())
            print(f"            account {account.name}: {credentials}", flush=True)
    print(f"  admin     {base}/__admin/health", flush=True)
    if config.admin_token is None and config.host not in ("127.0.0.1", "localhost", "::1"):
        print("  warning: the admin API is open on a non-loopback address; set --admin-token", flush=True)


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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 0
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
