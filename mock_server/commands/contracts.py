"""`mock-server contracts`: export the served contracts, generate them from the vendor
documents, or check the committed ones against a fresh generation."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..config import API_NAMES
from .failure import fail


def register(commands: argparse._SubParsersAction) -> None:
    """Add the command's parser to `mock-server`'s subcommands."""
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


def _export(args: argparse.Namespace) -> int:
    from ..contracts.writer import dump_yaml
    from ..engine import jsonio
    from ..engine.contract.files import default_contracts_dir, load_contract

    apis = [args.api] if args.api else list(API_NAMES)
    try:
        source = args.contracts_dir or default_contracts_dir()
        documents = {api: dict(load_contract(source, api)) for api in apis}
    except OSError as error:
        return fail(f"cannot read the contracts: {error.filename or ''} {error.strerror or error}")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for api, document in documents.items():
            mount = "" if args.api else f"/{api}"
            document["servers"] = [{"url": args.base_url.rstrip("/") + mount}]
            target = args.out / f"{api}.{args.format}"
            target.write_bytes(dump_yaml(document).encode() if args.format == "yaml" else jsonio.dumps(document))
            print(f"wrote {target}")
    except OSError as error:
        return fail(f"cannot write to {args.out}: {error.strerror or error}")
    return 0


def _generate(args: argparse.Namespace) -> int:
    from ..contracts import write_contracts

    written = _reading_documents(lambda: write_contracts(args.docs, args.out))
    if written is None:
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from ..contracts import check_contracts

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
    from ..contracts import DocumentsError

    try:
        return work()
    except DocumentsError as error:
        print(f"mock-server: {error}", file=sys.stderr)
        return None

