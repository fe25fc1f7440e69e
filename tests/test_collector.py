"""The garbage collector as `mock-server serve` sets it once start-up is done."""

from __future__ import annotations

import json
import subprocess
import sys

from mock_server.serving import collector

PROBE = """
import gc, json
from mock_server.app import create_app
from mock_server.serving.collector import settle_for_serving
app = create_app()
before = gc.get_threshold()
settle_for_serving()
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count()}))
"""


def test_start_up_is_frozen_and_the_young_generation_is_collected_less_often():
    # In a process of its own: the test run's collector stays as it is.
    output = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    found = json.loads(output)
    assert found["frozen"] > 10_000  # the contracts, routes and validators made at start-up
    assert found["after"] == [collector.YOUNG_THRESHOLD, collector.MIDDLE_THRESHOLD, found["before"][2]]
    assert found["after"][0] > found["before"][0]


def test_serve_settles_the_collector_once_the_app_is_made_and_before_it_serves(monkeypatch):
    import uvicorn

    from mock_server import cli
    from mock_server.commands import serve

    steps: list[str] = []
    monkeypatch.setattr(serve, "settle_for_serving", lambda: steps.append("settled"))
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: steps.append("served"))
    assert cli.main(["serve", "--host", "127.0.0.1", "--port", "0", "--log-level", "warning"]) == 0
    assert steps == ["settled", "served"]


IMPORT_PROBE = """
import gc, json
collections = []
gc.callbacks.append(lambda phase, info: phase == "stop" and collections.append(info["generation"]))
import mock_server.cli
print(json.dumps({"collections": collections, "frozen": gc.get_freeze_count(), "enabled": gc.isenabled()}))
"""


def test_the_command_line_imports_without_collections_and_keeps_what_they_made_frozen():
    output = subprocess.run([sys.executable, "-c", IMPORT_PROBE], capture_output=True, text=True, check=True).stdout
    found = json.loads(output)
    assert found["frozen"] > 50_000  # the package's modules and classes, left out of later walks
    assert found["enabled"]
    # A few young collections before the pause (the package and the collector module
    # themselves); collected all along, the import makes about eighty.
    assert len(found["collections"]) <= 10


def test_a_paused_block_that_keeps_what_it_made_freezes_it_before_collecting_again():
    import gc

    frozen_before = gc.get_freeze_count()
    try:
        with collector.collector_paused(keep_made=True):
            assert not gc.isenabled()
            made = [[index] for index in range(1000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + len(made)
    finally:
        gc.unfreeze()
