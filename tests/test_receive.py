"""`mock-server receive`: the receiver a newcomer points a hook at prints what arrives."""

from __future__ import annotations

import base64
import io
import threading

import httpx
import pytest

from mock_server.cli import build_parser
from mock_server.commands.receive import make_server


def test_it_prints_each_request_and_answers_with_the_chosen_status():
    out = io.StringIO()
    server = make_server("127.0.0.1", 0, status=503, out=out)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        credentials = base64.b64encode(b"hook-user:secret").decode()
        answer = httpx.post(
            f"http://127.0.0.1:{port}/hooks/casavi?x=1",
            content=b'{"id":"C-1","internalId":1,"isRegistered":false}',
            headers={"Content-Type": "application/json", "Authorization": f"Basic {credentials}"},
        )
        plain = httpx.post(f"http://127.0.0.1:{port}/plain", content=b"not json")
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 503 and plain.status_code == 503
    printed = out.getvalue()
    assert "--- POST /hooks/casavi?x=1" in printed and "answered 503" in printed
    assert f"authorization: Basic {credentials}  (user 'hook-user', password 'secret')" in printed
    assert '  "id": "C-1",\n  "internalId": 1,' in printed
    assert "--- POST /plain" in printed and "not json" in printed
    assert "host:" not in printed and "content-length:" not in printed


def test_the_command_is_registered_with_its_options():
    args = build_parser().parse_args(["receive", "--port", "9123", "--status", "500"])
    assert (args.port, args.status, args.host) == (9123, 500, "127.0.0.1")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["receive", "--status", "99"])
