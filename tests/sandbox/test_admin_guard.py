"""The admin API as a web page in the developer's browser would attack it."""

from __future__ import annotations

import pytest

from mock_server.app import create_app
from mock_server.commands.serve import _announce
from mock_server.config import ServerConfig
from tests.http_sandbox import sandbox_client

FIXTURE = b"afosto: {accounts: [{name: intruder, token: intruder-token}]}"


async def test_a_foreign_host_is_refused_without_a_token(client):
    """DNS rebinding: the page's own name resolves to 127.0.0.1, the Host header keeps it."""
    for method, path in [("GET", "/__admin/state"), ("GET", "/__admin/requests"), ("POST", "/__admin/reset"),
                         ("DELETE", "/__admin/requests")]:
        response = await client.request(method, path, headers={"host": "attacker.example:8080"})
        assert response.status_code == 403, (method, path, response.text)
        assert "attacker.example" in response.json()["error"] and "--admin-token" in response.json()["error"]
    # What is public stays reachable under any name.
    assert (await client.get("/__admin/health", headers={"host": "attacker.example"})).status_code == 200
    assert (await client.get("/__admin/contracts/relay", headers={"host": "attacker.example"})).status_code == 200


@pytest.mark.parametrize("host", ["localhost", "localhost:8080", "127.0.0.1:9", "127.1.2.3", "[::1]:8080", "app.localhost"])
async def test_loopback_names_reach_the_admin_api(client, host):
    assert (await client.get("/__admin/state", headers={"host": host})).status_code == 200


async def test_the_configured_host_and_ip_addresses_reach_the_admin_api_and_no_other_name():
    async with sandbox_client(host="sandbox.internal") as client:
        assert (await client.get("/__admin/state", headers={"host": "sandbox.internal:8080"})).status_code == 200
        refused = await client.get("/__admin/state", headers={"host": "other.internal:8080"})
        assert refused.status_code == 403 and "'other.internal'" in refused.json()["error"]
    # Bound to every interface (a container), the inspector and the admin API answer at the
    # server's addresses: no page can rebind a name into an address.
    async with sandbox_client(host="0.0.0.0") as client:
        for host in ("10.1.2.3:8080", "192.0.2.8", "[2001:db8::7]:8080", "0.0.0.0:8080"):
            assert (await client.get("/__admin/state", headers={"host": host})).status_code == 200, host
            assert (await client.get("/__admin/ui", headers={"host": host})).status_code == 200, host
        for name in ("10.1.2.3.attacker.example", "0.0.0.0.nip.io:8080", "sandbox"):
            assert (await client.get("/__admin/ui", headers={"host": name})).status_code == 403, name


async def test_a_cross_origin_text_plain_post_loads_nothing(client):
    """A form or `fetch(..., {mode: 'no-cors'})` from another page: no preflight, text/plain."""
    before = (await client.get("/__admin/state")).json()
    attacks = [
        ({"origin": "http://attacker.example", "content-type": "text/plain"}, 403),
        ({"origin": "null", "content-type": "application/json"}, 403),
        ({"origin": "http://localhost:9999", "content-type": "application/yaml"}, 403),
        ({"content-type": "text/plain"}, 415),
        ({"content-type": "application/x-www-form-urlencoded"}, 415),
        ({"content-type": "multipart/form-data; boundary=x"}, 415),
        ({}, 415),
    ]
    for headers, status in attacks:
        response = await client.post("/__admin/fixtures", content=FIXTURE, headers=headers)
        assert response.status_code == status, (headers, response.text)
        assert "error" in response.json()
    assert (await client.post("/__admin/reset", headers={"origin": "http://attacker.example"})).status_code == 403
    assert (await client.get("/__admin/state")).json() == before
    same_origin = await client.post("/__admin/fixtures", content=FIXTURE,
                                    headers={"origin": "http://localhost", "content-type": "application/yaml"})
    assert same_origin.status_code == 200, same_origin.text


async def test_writes_without_a_body_need_no_content_type(client):
    assert (await client.post("/__admin/reset")).status_code == 200
    assert (await client.post("/__admin/jobs/run")).status_code == 200


async def test_an_empty_token_means_no_token():
    config = ServerConfig.from_env({"MOCK_SERVER_ADMIN_TOKEN": "", "MOCK_SERVER_HOST": "0.0.0.0"})
    assert config.admin_token is None
    async with sandbox_client(admin_token="  ") as client:
        # A bare `Bearer` is no key: from a foreign name the request is refused like any other.
        bare = await client.get("/__admin/state", headers={"authorization": "Bearer ", "host": "attacker.example"})
        assert bare.status_code == 403
        assert (await client.get("/__admin/state")).status_code == 200


def test_an_empty_token_on_a_public_address_warns(capsys):
    config = ServerConfig(host="0.0.0.0", admin_token="")
    _announce(create_app(config), config, ("0.0.0.0", 8080), None)
    assert "the admin API is open on a non-loopback address; set --admin-token" in capsys.readouterr().out


async def test_a_non_ascii_authorization_header_is_refused_not_a_server_error():
    async with sandbox_client(admin_token="s3cret") as client:
        for value in ["Bearer s3crét".encode("latin-1"), "Bearer \u00ff".encode("latin-1"), b"Bearer \xff\xfe", b"\xe9"]:
            response = await client.get("/__admin/state", headers={"authorization": value})
            assert response.status_code == 401, value
        assert (await client.get("/__admin/state", headers={"authorization": "Bearer s3cret", "host": "elsewhere"})).status_code == 200


def test_a_token_that_cannot_travel_in_a_header_is_refused_at_start():
    for token in ["sécret", "two words", "tab\there"]:
        with pytest.raises(ValueError, match=r"--admin-token \(MOCK_SERVER_ADMIN_TOKEN\)"):
            ServerConfig.from_env({}, admin_token=token)


async def test_admin_bodies_are_limited():
    async with sandbox_client(max_store_mb=1) as client:
        before = (await client.get("/__admin/state")).json()
        response = await client.post("/__admin/fixtures", content=b"#" * (18 * 1024 * 1024),
                                     headers={"content-type": "application/yaml"})
        assert response.status_code == 413 and "17 MB" in response.json()["error"]
        assert (await client.get("/__admin/state")).json() == before


BAD_YAML = [
    ("an alias bomb", "\n".join(
        ["lol: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        + [f"l{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 9)]
    ), "aliases expand the document"),
    ("binary", "afosto: {data: {demo: {/cat/channels: [{name: x, logo: !!binary aGVsbG8=}]}}}", "bytes value is not JSON"),
    ("a set", "afosto: {data: {demo: {/cat/channels: [{name: x, tags: !!set {a, b}}]}}}", "set value is not JSON"),
    ("NaN", "afosto: {data: {demo: {/cat/channels: [{name: x, rate: .nan}]}}}", "nan is not a JSON number"),
    ("deep nesting", "afosto: {data: {demo: {/cat/channels: [{name: x, a: " + "[" * 90 + "]" * 90 + "}]}}}",
     "nesting deeper than 80 levels"),
]


async def test_hostile_yaml_documents_change_nothing(client):
    before = (await client.get("/__admin/state")).json()
    for name, text, reason in BAD_YAML:
        response = await client.post("/__admin/fixtures", content=text.encode(), headers={"content-type": "application/yaml"})
        assert response.status_code == 400, (name, response.text)
        assert reason in response.json()["error"], (name, response.json())
        response = await client.put("/__admin/state", content=text.encode(), headers={"content-type": "application/yaml"})
        assert response.status_code == 400, (name, response.text)
    assert (await client.get("/__admin/state")).json() == before


async def test_yaml_dates_stay_the_text_they_were_written_as(client):
    text = b"afosto: {data: {demo: {/cat/channels: [{id: d-1, name: x, since: 2020-01-02, at: 2020-01-02T03:04:05Z}]}}}"
    assert (await client.post("/__admin/fixtures", content=text, headers={"content-type": "application/yaml"})).status_code == 200
    state = await client.get("/__admin/state")
    assert state.status_code == 200
    channel = next(c for c in state.json()["afosto"]["data"]["demo"]["/cat/channels"] if c["id"] == "d-1")
    assert channel["since"] == "2020-01-02" and channel["at"] == "2020-01-02T03:04:05Z"
