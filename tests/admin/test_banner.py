"""The start banner names the inspector's address; with an admin token, in the fragment
of the text banner only (JSON log lines keep it out)."""

from __future__ import annotations

import json
import logging

from mock_server.app import create_app
from mock_server.commands.serve import _announce, inspector_address
from mock_server.config import ServerConfig


def test_the_address_carries_the_token_in_its_fragment_only():
    assert inspector_address("http://127.0.0.1:8080", None) == "http://127.0.0.1:8080/__admin/ui"
    assert inspector_address("http://127.0.0.1:8080", "a b/c#d") == "http://127.0.0.1:8080/__admin/ui#token=a%20b%2Fc%23d"


def test_the_text_banner_prints_the_inspector(capsys):
    config = ServerConfig(port=8123)
    _announce(create_app(config), config, ("127.0.0.1", 8123), None)
    assert "  inspector http://127.0.0.1:8123/__admin/ui\n" in capsys.readouterr().out + "\n"


def test_with_a_token_the_text_banner_prints_it_in_the_fragment(capsys):
    config = ServerConfig(port=8123, admin_token="tkn-1")
    _announce(create_app(config), config, ("127.0.0.1", 8123), None)
    assert "inspector http://127.0.0.1:8123/__admin/ui#token=tkn-1" in capsys.readouterr().out


def test_json_log_lines_name_the_inspector_without_the_token(caplog):
    config = ServerConfig(port=8123, admin_token="tkn-1", log_format="json")
    with caplog.at_level(logging.INFO, logger="mock_server"):
        _announce(create_app(config), config, ("127.0.0.1", 8123), None)
    (record,) = [record for record in caplog.records if record.getMessage() == "mock-server is serving"]
    assert record.fields["inspector"] == "http://127.0.0.1:8123/__admin/ui"
    assert "tkn-1" not in json.dumps(record.fields) + caplog.text
