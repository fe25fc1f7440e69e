"""What the request path keeps from one request for the next: the routes of paths without
parameters and header texts decoded. Kept facts must answer like fresh ones, and stay bounded."""

from __future__ import annotations

from mock_server.engine.http import headers as headers_module
from mock_server.engine.http.headers import header_texts
from mock_server.engine.pipeline import ApiPipeline

from tests.http_sandbox import AFOSTO, sandbox_client


def _scope(path: str, method: str = "GET") -> dict:
    return {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"", "headers": []}


async def _nothing() -> dict:
    return {"type": "http.request", "body": b"", "more_body": False}


def _route(pipeline: ApiPipeline, path: str, method: str = "GET"):
    exchange = pipeline.start(_scope(path, method), _nothing)
    pipeline.match_route(exchange)
    return exchange


async def test_objects_read_again_by_a_kept_route_are_the_ones_the_path_names():
    async with sandbox_client() as client:
        channels = (await client.get("/afosto/cat/channels", headers=AFOSTO)).json()
        first, second = channels[0]["id"], channels[1]["id"]
        for identifier in (first, second, first, second):
            response = await client.get(f"/afosto/cat/channels/{identifier}", headers=AFOSTO)
            assert response.status_code == 200
            assert response.json()["id"] == identifier
        missing = await client.get("/afosto/cat/channels/no-such-channel", headers=AFOSTO)
        assert missing.status_code == 404
        assert (await client.get(f"/afosto/cat/channels/{first}", headers=AFOSTO)).json()["id"] == first


async def test_each_request_gets_its_own_path_parameters():
    async with sandbox_client() as client:
        pipeline = client.app.pipelines["afosto"]
        exchange = _route(pipeline, "/afosto/cat/channels/c-1")
        assert exchange.parameters == {"id": "c-1"}
        exchange.parameters["id"] = "changed by a handler"
        assert _route(pipeline, "/afosto/cat/channels/c-1").parameters == {"id": "c-1"}


async def test_a_percent_encoded_path_is_decoded_alike_when_read_again():
    async with sandbox_client() as client:
        pipeline = client.app.pipelines["afosto"]
        for _ in range(2):
            exchange = _route(pipeline, "/afosto/cat/channels/a%2Fb")
            assert pipeline._segments(exchange.path) == ("cat", "channels", "a/b")
            assert exchange.parameters == {"id": "a/b"}


async def test_a_path_that_failed_to_match_is_not_kept_and_fails_again():
    async with sandbox_client() as client:
        pipeline = client.app.pipelines["afosto"]
        for _ in range(2):
            assert (await client.get("/afosto/no/such/path", headers=AFOSTO)).status_code == 404
            assert (await client.put("/afosto/cat/channels", headers=AFOSTO, json={})).status_code == 405
        assert not [key for key in pipeline._literal_routes if key[0].startswith("/no/") or key == ("/cat/channels", "PUT")]


async def test_only_routes_of_templates_without_parameters_are_kept():
    async with sandbox_client() as client:
        pipeline = client.app.pipelines["afosto"]
        for number in range(50):
            assert _route(pipeline, f"/afosto/cat/channels/c-{number}").parameters == {"id": f"c-{number}"}
            assert _route(pipeline, "/afosto/cat/channels").parameters == {}
        assert _route(pipeline, "/afosto/cat/chann%65ls").operation is _route(pipeline, "/afosto/cat/channels").operation
        assert list(pipeline._literal_routes) == [("/cat/channels", "GET")]


def test_header_texts_are_decoded_as_latin_1_and_shared_between_requests():
    raw = [(b"host", b"localhost:8000"), (b"x-name", "Zoë".encode("latin-1"))]
    first, second = header_texts(list(raw)), header_texts([(bytes(name), bytes(value)) for name, value in raw])
    assert first == second == {"host": "localhost:8000", "x-name": "Zoë"}
    assert first["host"] is second["host"]
    assert header_texts([(b"x-empty", b"")]) == {"x-empty": ""}


def test_shared_header_texts_are_bounded_and_long_values_are_not_kept(monkeypatch):
    monkeypatch.setattr(headers_module.HEADER_TEXTS, "most", 16)
    for number in range(100):
        assert header_texts([(b"x-request-id", f"r-{number}".encode())]) == {"x-request-id": f"r-{number}"}
        assert len(headers_module.HEADER_TEXTS) <= 16
    long_value = b"v" * (headers_module.SHARED_HEADER_BYTES + 1)
    assert header_texts([(b"x-long", long_value)]) == {"x-long": long_value.decode()}
    assert long_value not in headers_module.HEADER_TEXTS
