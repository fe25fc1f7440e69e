"""`mock-server receive`: a small HTTP server that prints every request it receives.

Point a webhook (a casavi REST hook, an Afosto subscription) at it to watch the
sandbox's deliveries arrive: method, path, headers (a Basic `Authorization` is shown
decoded too; connection headers are left out) and the body, JSON pretty-printed. It
answers every request with one status code, so `--status 500` shows how the sandbox
retries.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import sys
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

DEFAULT_PORT = 9000
# Headers about the connection rather than the call; left out of what is printed.
TRANSPORT_HEADERS = {"host", "accept", "accept-encoding", "connection", "content-length"}


def register(commands: argparse._SubParsersAction) -> None:
    """Add the command's parser to `mock-server`'s subcommands."""
    parser = commands.add_parser(
        "receive",
        help="print the webhook calls a local receiver gets",
        description="Listen on HOST:PORT and print every request received (for watching webhook deliveries).",
    )
    parser.add_argument("--host", default="127.0.0.1", metavar="ADDR", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="PORT", help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument(
        "--status", type=_status, default=200, metavar="CODE",
        help="status code every request is answered with (default 200; e.g. 500 to watch retries)",
    )
    parser.set_defaults(handler=_receive)


def _status(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a number") from None
    if not 200 <= value <= 599:
        raise argparse.ArgumentTypeError("must be an HTTP status code from 200 to 599")
    return value


def describe(method: str, path: str, headers: list[tuple[str, str]], body: bytes, status: int) -> str:
    """One received request as printed: a heading line, the headers, the body."""
    moment = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    lines = [f"--- {method} {path}  at {moment}, answered {status}"]
    for name, value in headers:
        if name.lower() in TRANSPORT_HEADERS:
            continue
        lines.append(f"{name.lower()}: {value}{_basic_user(value) if name.lower() == 'authorization' else ''}")
    if body:
        try:
            lines.append(json.dumps(json.loads(body), indent=2, ensure_ascii=False))
        except ValueError:
            lines.append(body.decode("utf-8", "replace"))
    return "\n".join(lines) + "\n"


def _basic_user(value: str) -> str:
    scheme, _, encoded = value.partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "  (not valid Basic credentials)"
    return f"  (user {user!r}, password {password!r})"


def make_server(host: str, port: int, status: int = 200, out: TextIO = sys.stdout) -> ThreadingHTTPServer:
    """A receiver bound to host:port (port 0: any free one); call `serve_forever` to run it."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # only here: serve does not load it

    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            with lock:
                out.write(describe(self.command, self.path, list(self.headers.items()), body, status))
                out.flush()
            payload = b'{"received": true}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_POST = do_PUT = do_PATCH = do_DELETE = do_GET = _answer  # noqa: N815 (http.server's naming)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def _receive(args: argparse.Namespace) -> int:
    try:
        server = make_server(args.host, args.port, args.status)
    except OSError as error:
        print(f"mock-server: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 2
    host, port = server.server_address[:2]
    print(f"receiving on http://{host}:{port}/ (answering {args.status}); Ctrl+C stops", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
