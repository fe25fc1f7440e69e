"""`mock-server verify`: assert how often a call was made, from a running sandbox's journal."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ..engine import jsonio
from .admin_client import CommandError, add_connection_flags, fetch_json, table

if TYPE_CHECKING:
    from ..verification import CallPattern

EXAMPLE = """\
examples:
  mock-server verify --api casavi --method POST --path /hooks --body '{"eventName": "contact_created"}' --count 1
  mock-server verify --api afosto --operation createOrder --at-least 3
  mock-server verify --api afosto --method DELETE --path '/cat/channels/{id}' --count 0
"""


def register(commands: argparse._SubParsersAction) -> None:
    """Add the command's parser to `mock-server`'s subcommands."""
    parser = commands.add_parser(
        "verify",
        help="assert how many matching calls a running sandbox received",
        description=(
            "Count the calls in a running sandbox's request journal that match every given\n"
            "filter, and exit 1 unless the count is as expected (at least one by default)."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_connection_flags(parser)
    parser.add_argument("--api", metavar="NAME", help="only calls to this API")
    parser.add_argument("--method", metavar="METHOD", help="only calls with this HTTP method")
    parser.add_argument("--path", metavar="PATH", help="the whole path within the API's mount; {name} segments match any value")
    parser.add_argument("--operation", metavar="ID", help="only calls of this operation id")
    parser.add_argument("--status", type=int, metavar="CODE", help="only calls answered with this status")
    parser.add_argument("--body", metavar="JSON", help="JSON the request body must contain, e.g. '{\"eventName\": \"contact_created\"}'")
    parser.add_argument("--query", action="append", default=[], metavar="NAME=VALUE", help="a query parameter the call must carry (repeatable)")
    bounds = parser.add_mutually_exclusive_group()
    bounds.add_argument("--count", type=int, metavar="N", help="exactly N calls")
    bounds.add_argument("--at-least", type=int, metavar="N", help="at least N calls")
    bounds.add_argument("--at-most", type=int, metavar="N", help="at most N calls")
    parser.set_defaults(handler=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    """Run the command; returns its exit status."""
    from ..verification import CallCount, verify_calls  # only here: the other commands do not load it

    try:
        pattern = _pattern(args)
        expected = CallCount.of(args.count, args.at_least, args.at_most)
        listed = fetch_json(args.url, "/requests", pattern.admin_params(), args.admin_token)
    except (CommandError, ValueError) as error:
        print(f"mock-server verify: {error}", file=sys.stderr)
        return 2
    verification = verify_calls(listed["requests"], pattern, expected)
    out = sys.stdout if verification.holds else sys.stderr
    print(verification.message, file=out)
    if verification.matched and not verification.holds:
        rows = [[e["sequence"], e["method"], e["path"], e["status"], e.get("operation") or ""] for e in verification.matched[:20]]
        print(table(["#", "method", "path", "status", "operation"], rows, "  "), file=out)
    return 0 if verification.holds else 1


def _pattern(args: argparse.Namespace) -> CallPattern:
    from ..verification import CallPattern

    query: dict[str, list[str]] = {}
    for item in args.query:
        name, separator, value = item.partition("=")
        if not separator or not name:
            raise ValueError(f"--query takes NAME=VALUE, not {item!r}")
        query.setdefault(name, []).append(value)
    pattern = CallPattern(
        api=args.api, method=args.method, path=args.path, operation=args.operation, status=args.status, query=dict(query)
    )
    if args.body is not None:
        try:
            pattern.body = jsonio.loads(args.body)
        except ValueError as error:
            raise ValueError(f"--body is not JSON: {error}") from None
    return pattern
