"""`mock-server coverage`: which documented operations and status codes a client's tests
exercised, as a table, JSON or JUnit XML, failing below a threshold (for CI)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine.tools.coverage import percent
from .admin_client import CommandError, add_connection_flags, fetch_json, table

if TYPE_CHECKING:
    from xml.etree import ElementTree

EXAMPLE = """\
examples:
  mock-server coverage --url http://127.0.0.1:8080 --api afosto --fail-under 60
  mock-server coverage --file coverage.json --format junit > coverage.xml

exit status: 0 at or above the thresholds, 1 below one, 2 when the report cannot be read.
"""


def register(commands: argparse._SubParsersAction) -> None:
    """Add the command's parser to `mock-server`'s subcommands."""
    parser = commands.add_parser(
        "coverage",
        help="report which documented operations and status codes the tests exercised",
        description=(
            "Read the coverage of a running sandbox (GET /__admin/coverage) or a saved copy of it,\n"
            "and report per API which documented operations were called and which documented\n"
            "status codes were answered."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_connection_flags(parser)
    parser.add_argument("--file", type=Path, metavar="PATH", help="read a saved /__admin/coverage JSON document instead of --url")
    parser.add_argument("--api", action="append", metavar="NAME", help="count only this API (repeatable; default: all in the report)")
    parser.add_argument("--fail-under", type=float, metavar="PCT", help="exit 1 when operation coverage is below PCT percent")
    parser.add_argument("--fail-under-statuses", type=float, metavar="PCT", help="exit 1 when status code coverage is below PCT percent")
    parser.add_argument("--format", choices=("table", "json", "junit"), default="table", help="output format (default table)")
    parser.set_defaults(handler=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    """Run the command; returns its exit status."""
    try:
        report = _read(args)
        summary = summarise(report, args.api)
    except (CommandError, ValueError) as error:
        print(f"mock-server coverage: {error}", file=sys.stderr)
        return 2
    failures = threshold_failures(summary["total"], args.fail_under, args.fail_under_statuses)
    summary["thresholds"] = {"operations": args.fail_under, "statuses": args.fail_under_statuses}
    summary["passed"] = not failures
    if args.format == "json":
        print(json.dumps(summary, indent=2))
    elif args.format == "junit":
        print(junit(report, summary, failures))
    else:
        print(render(report, summary))
    for failure in failures:
        print(f"mock-server coverage: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _read(args: argparse.Namespace) -> dict[str, Any]:
    if args.file is not None:
        try:
            document = json.loads(args.file.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"{args.file}: cannot be read: {error.strerror or error}") from None
        except ValueError as error:
            raise CommandError(f"{args.file}: not JSON: {error}") from None
    else:
        document = fetch_json(args.url, "/coverage", token=args.admin_token)
    if not isinstance(document, dict) or not all(isinstance(api, dict) and "byOperation" in api for api in document.values()):
        raise CommandError("not a coverage report (expected GET /__admin/coverage's document)")
    return document


def summarise(report: dict[str, Any], apis: list[str] | None) -> dict[str, Any]:
    """Per API and in total: operations called and documented status codes seen, in percent."""
    if apis:
        unknown = [api for api in apis if api not in report]
        if unknown:
            raise ValueError(f"the report has no API {', '.join(unknown)} (it has {', '.join(report)})")
    selected = {api: data for api, data in report.items() if not apis or api in apis}
    per_api = {
        api: {
            "operations": data["operations"],
            "called": data["called"],
            "operationCoverage": percent(data["called"], data["operations"]),
            "documentedStatuses": data["documentedStatuses"],
            "exercisedStatuses": data["exercisedStatuses"],
            "statusCoverage": percent(data["exercisedStatuses"], data["documentedStatuses"]),
            "neverCalled": data["neverCalled"],
        }
        for api, data in selected.items()
    }
    operations = sum(data["operations"] for data in per_api.values())
    called = sum(data["called"] for data in per_api.values())
    documented = sum(data["documentedStatuses"] for data in per_api.values())
    exercised = sum(data["exercisedStatuses"] for data in per_api.values())
    total = {
        "operations": operations,
        "called": called,
        "operationCoverage": percent(called, operations),
        "documentedStatuses": documented,
        "exercisedStatuses": exercised,
        "statusCoverage": percent(exercised, documented),
    }
    return {"apis": per_api, "total": total}


def threshold_failures(total: dict[str, Any], operations: float | None, statuses: float | None) -> list[str]:
    """A sentence for each threshold the totals fall short of."""
    failures = []
    if operations is not None and total["operationCoverage"] < operations:
        failures.append(f"operation coverage {total['operationCoverage']}% is below {operations:g}%")
    if statuses is not None and total["statusCoverage"] < statuses:
        failures.append(f"status code coverage {total['statusCoverage']}% is below {statuses:g}%")
    return failures


def render(report: dict[str, Any], summary: dict[str, Any]) -> str:
    """A summary table, then per API the operations called with the status codes seen and missing."""
    rows = [
        [api, data["called"], data["operations"], f"{data['operationCoverage']}%",
         data["exercisedStatuses"], data["documentedStatuses"], f"{data['statusCoverage']}%"]
        for api, data in [*summary["apis"].items(), ("total", summary["total"])]
    ]
    blocks = [table(["api", "called", "operations", "coverage", "statuses seen", "documented", "coverage"], rows)]
    for api in summary["apis"]:
        called = [(operation_id, entry) for operation_id, entry in report[api]["byOperation"].items() if entry["calls"]]
        if not called:
            continue
        lines = [
            [operation_id, entry["method"], entry["path"], entry["calls"],
             " ".join(code for code in entry["statuses"] if code != "0") or "-",
             " ".join(str(code) for code in entry["statusesNotSeen"]) or "-"]
            for operation_id, entry in called
        ]
        blocks.append(f"{api}: operations called\n" + table(["operation", "method", "path", "calls", "seen", "not seen"], lines, "  "))
    never = sum(len(data["neverCalled"]) for data in summary["apis"].values())
    if never:
        blocks.append(f"{never} operation(s) never called; --format json lists them")
    return "\n\n".join(blocks)


def junit(report: dict[str, Any], summary: dict[str, Any], failures: list[str]) -> str:
    """JUnit XML: a test case per documented operation (skipped when never called), and one
    per threshold (failed when not met)."""
    from xml.etree import ElementTree  # only here: the other commands, serve above all, do not load it

    root = ElementTree.Element("testsuites", name="mock-server coverage")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for api in summary["apis"]:
        suite = ElementTree.SubElement(root, "testsuite", name=api)
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for operation_id, entry in report[api]["byOperation"].items():
            case = ElementTree.SubElement(suite, "testcase", classname=api, name=f"{operation_id} ({entry['method']} {entry['path']})")
            counts["tests"] += 1
            if not entry["calls"]:
                ElementTree.SubElement(case, "skipped", message="never called")
                counts["skipped"] += 1
            elif entry["statusesNotSeen"]:
                ElementTree.SubElement(case, "system-out").text = "status codes not seen: " + " ".join(map(str, entry["statusesNotSeen"]))
        _count(suite, counts, totals)
    suite = ElementTree.SubElement(root, "testsuite", name="thresholds")
    counts = {"tests": 0, "failures": 0, "skipped": 0}
    thresholds = summary["thresholds"]
    for name, key, value in (("operation coverage", "operationCoverage", thresholds["operations"]), ("status code coverage", "statusCoverage", thresholds["statuses"])):
        if value is None:
            continue
        case = ElementTree.SubElement(suite, "testcase", classname="thresholds", name=f"{name} >= {value:g}%")
        counts["tests"] += 1
        failure = next((text for text in failures if text.startswith(name)), None)
        if failure is not None:
            ElementTree.SubElement(case, "failure", message=failure)
            counts["failures"] += 1
        else:
            ElementTree.SubElement(case, "system-out").text = f"{name} {summary['total'][key]}%"
    _count(suite, counts, totals)
    for key, value in totals.items():
        root.set(key, str(value))
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode")


def _count(suite: ElementTree.Element, counts: dict[str, int], totals: dict[str, int]) -> None:
    for key, value in counts.items():
        suite.set(key, str(value))
        totals[key] += value
