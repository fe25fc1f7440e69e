"""`mock-server drift-report`: the differences a validating proxy found, a table per operation."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .admin_client import CommandError, add_connection_flags, fetch_json, table


def register(commands: argparse._SubParsersAction) -> None:
    """Add the command's parser to `mock-server`'s subcommands."""
    parser = commands.add_parser(
        "drift-report",
        help="print where the real API differed from its contract (from a running proxy)",
        description=(
            "Read GET /__admin/drift from a running `mock-server proxy` and print the differences\n"
            "it recorded, a table per operation. Exits 1 when there is drift, 0 when there is none."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_connection_flags(parser, "proxy")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    parser.set_defaults(handler=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    """Run the command; returns its exit status."""
    try:
        report = fetch_json(args.url, "/drift", token=args.admin_token)
    except CommandError as error:
        print(f"mock-server drift-report: {error}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(report, indent=2))
    else:
        print(render(report))
    return 1 if report["differences"] else 0


def render(report: dict[str, Any]) -> str:
    """The report as text: a heading and a table of differences per operation."""
    checked = report["checked"]
    heading = f"{report['api']} via {report['upstream']}: {checked['requests']} request(s) to {checked['operations']} operation(s)"
    if not report["operations"]:
        return f"{heading}; no drift: everything matched the contract"
    blocks = [f"{heading}; {report['differences']} difference(s)"]
    for entry in report["operations"]:
        rows = [
            [
                difference["side"], difference.get("status", ""), difference["kind"], difference.get("field", ""),
                difference.get("expected", ""), difference.get("actual", ""), difference["count"],
            ]
            for difference in entry["differences"]
        ]
        title = f"{entry['operation']}  {entry['method']} {entry['path']}  ({entry['calls']} call(s))"
        blocks.append(title + "\n" + table(["side", "status", "difference", "field", "expected", "actual", "seen"], rows, "  "))
    return "\n\n".join(blocks)
