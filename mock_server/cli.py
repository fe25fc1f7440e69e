"""The `mock-server` command line: one parser with every subcommand of `mock_server.commands`."""

from __future__ import annotations

import argparse
import os
import sys

from . import __version__
from .serving.collector import collector_paused

# The sandbox's own models need no pydantic plugin, and looking for installed ones reads
# every installed distribution's entry points when the first model is built (about 5 ms
# of a start). A value the user set stands.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

# The commands import most of the package: collected while it is being made, it would be
# walked again and again for nothing (about a twentieth of a start).
with collector_paused(keep_made=True):
    from .commands import contracts, coverage, drift_report, proxy, receive, serve, verify

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


class CommandParser(argparse.ArgumentParser):
    """argparse whose errors are one line: the problem and where to read more."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


# Each subcommand's name and the module that registers it.
COMMANDS = {
    "serve": serve, "contracts": contracts, "receive": receive, "proxy": proxy, "drift-report": drift_report,
    "coverage": coverage, "verify": verify,
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The `mock-server` parser, each subcommand registered by its module; with ``only``,
    just that one (what running it needs: building every parser is a few milliseconds of
    each start)."""
    parser = CommandParser(
        prog="mock-server", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"mock-server {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in COMMANDS.items():
        if only is None or name == only:
            command.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the subcommand ``argv`` names (the process arguments by default); its exit status."""
    arguments = sys.argv[1:] if argv is None else argv
    parser = build_parser(arguments[0] if arguments and arguments[0] in COMMANDS else None)
    args, unknown = parser.parse_known_args(arguments)
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
