"""The pytest plugin as a downstream project uses it: no conftest, only the installed package.

Each test writes a small project with pytester and runs pytest on it; the plugin comes in
through its `pytest11` entry point, as it does after `pip install mock-server[test]`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

GUID = "1e0abcb7-b94c-4072-a9c0-37072a1ef015"


@pytest.fixture(scope="module", autouse=True)
def _sandbox_loaded_before_the_runs():
    """Load every sandbox module once, before pytester's in-process runs.

    After each run pytester forgets the modules the run imported, while packages keep
    their submodules as attributes, so a later run would mix two copies of the classes.
    A downstream project runs pytest once per process and never sees this.
    """
    from mock_server.testing import InProcessSandbox

    with InProcessSandbox() as loaded:
        loaded.casavi.get("/contacts")


def test_three_lines_in_a_fresh_interpreter(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        def test_channels(sandbox):
            created = sandbox.afosto.post("/cat/channels", json={"name": "Webshop"})
            assert sandbox.afosto.get(f"/cat/channels/{created.json()['id']}").json()["name"] == "Webshop"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


@pytest.fixture
def pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    """A downstream project that has pytest-asyncio configured, as async users do."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    return pytester


def test_one_authenticated_client_per_api(pytester: pytest.Pytester):
    pytester.makepyfile(
        f"""
        def test_casavi(sandbox):
            created = sandbox.casavi.post("/tickets", json={{"id": "T-1", "title": "Leak", "propertyId": "P-00001"}})
            assert created.status_code == 200, created.text
            assert sandbox.casavi.get("/tickets/T-1").json()["title"] == "Leak"
            assert sandbox.anonymous("casavi").get("/tickets/T-1").status_code == 401

        def test_afosto(sandbox):
            assert sandbox.afosto.get("/cat/channels").status_code == 200
            assert str(sandbox.afosto.base_url) == "http://localhost/afosto/"

        def test_relay(sandbox):
            assert sandbox.relay.get("/orders").status_code == 200

        def test_messages_as_partner_and_provider(sandbox):
            written = sandbox.messages.post(
                "/api/v3/case-messages/create",
                json={{"guid": "{GUID}", "type": "serviceComment", "content": "Hello"}},
            )
            assert written.status_code == 200, written.text
            provider = sandbox.client("messages", token="demo-provider-token")
            listed = provider.get("/api/v3/case-messages", params={{"guid": "{GUID}"}})
            assert "Hello" in listed.text

        def test_admin_helpers(sandbox):
            sandbox.relay.get("/orders")
            assert [(entry["method"], entry["status"]) for entry in sandbox.requests(api="relay")] == [("GET", 200)]
            assert sandbox.run_jobs() == {{"casavi": 0, "afosto": 0, "relay": 0, "messages": 0}}
            assert set(sandbox.state()) == {{"casavi", "afosto", "relay", "messages"}}

        def test_casavi_logs_in_again_after_a_reset(sandbox):
            assert sandbox.casavi.post("/tickets", json={{"id": "T-2", "title": "Gone", "propertyId": "P-00001"}}).status_code == 200
            sandbox.reset()
            assert sandbox.casavi.get("/tickets/T-2").status_code == 404
            logins = [entry for entry in sandbox.requests(api="casavi") if entry["path"] == "/authenticate"]
            assert len(logins) == 2
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)


def test_state_is_reset_between_tests(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        def test_writes(sandbox):
            sandbox.afosto.post("/cat/channels", json={"name": "Only in the first test"})
            names = [channel["name"] for channel in sandbox.afosto.get("/cat/channels").json()]
            assert "Only in the first test" in names

        def test_starts_fresh(sandbox):
            assert sandbox.requests() == []
            names = [channel["name"] for channel in sandbox.afosto.get("/cat/channels").json()]
            assert "Only in the first test" not in names
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_live_server_answers_a_plain_httpx_client(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import httpx

        def test_live(sandbox_server):
            assert sandbox_server.url.startswith("http://127.0.0.1:")
            with httpx.Client(base_url=sandbox_server.base_url("afosto"),
                              headers={"Authorization": "Bearer demo-afosto-token"}) as client:
                created = client.post("/cat/channels", json={"name": "Over the wire"})
                assert client.get(f"/cat/channels/{created.json()['id']}").json()["name"] == "Over the wire"
            assert httpx.get(sandbox_server.url + "/__admin/health").json()["status"] == "ok"
            assert set(sandbox_server.base_urls) == {"casavi", "afosto", "relay", "messages"}

        def test_same_server_for_the_session(sandbox_server):
            assert "Over the wire" in sandbox_server.afosto.get("/cat/channels").text
            sandbox_server.reset()
            assert "Over the wire" not in sandbox_server.afosto.get("/cat/channels").text
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_marker_changes_the_seed(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest

        seen = {}

        def channels(sandbox):
            return sandbox.afosto.get("/cat/channels").json()

        @pytest.mark.sandbox(seed=1)
        def test_seed_one(sandbox):
            seen[1] = channels(sandbox)

        @pytest.mark.sandbox(seed=2)
        def test_seed_two(sandbox):
            seen[2] = channels(sandbox)

        @pytest.mark.sandbox(seed=1)
        def test_seed_one_again(sandbox):
            assert channels(sandbox) == seen[1]

        def test_seeds_differ():
            assert seen[1] and seen[1] != seen[2]
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_the_option_sets_the_seed_for_the_run(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        from mock_server.testing import InProcessSandbox

        def test_option_seed(sandbox, sandbox_config):
            assert sandbox_config.seed == 99
            with InProcessSandbox(seed=99) as reference:
                assert sandbox.afosto.get("/cat/channels").json() == reference.afosto.get("/cat/channels").json()
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--sandbox-seed", "99")
    result.assert_outcomes(passed=1)


def test_marker_fixtures_and_single_api(pytester: pytest.Pytester):
    pytester.makefile(
        ".yaml",
        extra_accounts="afosto:\n  accounts: [{name: second, token: second-token}]\n",
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sandbox(api="afosto", fixtures=["extra_accounts.yaml",
                             {"afosto": {"data": {"demo": {"/cat/channels": [{"name": "From the marker"}]}}}}])
        def test_only_afosto(sandbox):
            assert str(sandbox.afosto.base_url) == "http://localhost"
            assert "From the marker" in sandbox.afosto.get("/cat/channels").text
            assert sandbox.client("afosto", token="second-token").get("/cat/channels").status_code == 200
            with pytest.raises(LookupError, match="casavi is not served"):
                sandbox.casavi

        @pytest.mark.sandbox(no_such_setting=1)
        def test_unknown_setting(sandbox):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.sandbox: unknown setting 'no_such_setting'*"])


def test_background_jobs_run_between_calls_and_on_demand(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import time
        import pytest

        ENVELOPE = {"contacts": [{"id": "C-1", "firstName": "Joe", "lastName": "Smith"},
                                 {"id": "C-2", "lastName": "Doe"}]}

        @pytest.mark.sandbox(job_delay=0.05)
        def test_job_proceeds_while_the_test_waits(sandbox):
            job = sandbox.casavi.post("/import", json=ENVELOPE).json()["jobId"]
            assert sandbox.casavi.get(f"/jobs/{job}").json()["completed"] is False
            for _ in range(200):
                if sandbox.casavi.get(f"/jobs/{job}").json()["completed"]:
                    break
                time.sleep(0.02)
            assert sandbox.casavi.get("/contacts/C-2").status_code == 200

        @pytest.mark.sandbox(job_delay=60)
        def test_run_jobs_finishes_them_now(sandbox):
            job = sandbox.casavi.post("/import", json=ENVELOPE).json()["jobId"]
            assert sandbox.run_jobs(api="casavi") == {"casavi": 1}
            assert sandbox.casavi.get(f"/jobs/{job}").json()["completed"] is True
            assert sandbox.casavi.get("/contacts/C-1").json()["lastName"] == "Smith"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error::pytest.PytestUnraisableExceptionWarning")
    result.assert_outcomes(passed=2)


def test_async_twin(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        @pytest.mark.asyncio
        async def test_async_clients(async_sandbox):
            created = await async_sandbox.afosto.post("/cat/channels", json={"name": "Async"})
            assert (await async_sandbox.afosto.get(f"/cat/channels/{created.json()['id']}")).json()["name"] == "Async"
            assert (await async_sandbox.casavi.get("/contacts")).status_code == 200
            assert (await async_sandbox.relay.get("/orders")).status_code == 200
            messages = await async_sandbox.messages.get("/api/v3/case-messages", params={"guid": "%s"})
            assert messages.status_code == 200
            assert [entry["path"] for entry in await async_sandbox.requests(api="afosto")] == [
                "/cat/channels", f"/cat/channels/{created.json()['id']}"]

        @pytest.mark.asyncio
        @pytest.mark.sandbox(job_delay=0.02)
        async def test_async_jobs_proceed(async_sandbox):
            job = (await async_sandbox.casavi.post("/import", json={"contacts": [{"id": "C-9", "lastName": "Nine"}]})).json()["jobId"]
            for _ in range(200):
                if (await async_sandbox.casavi.get(f"/jobs/{job}")).json()["completed"]:
                    break
                await asyncio.sleep(0.02)
            assert (await async_sandbox.casavi.get("/contacts/C-9")).status_code == 200
        """ % GUID
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_webhooks_overrides_and_verification_from_a_test(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest
        from tests_receiver import Receiver

        @pytest.mark.sandbox(allow_http_hooks=True)
        def test_a_hook_delivers_and_the_calls_are_verified(sandbox):
            with Receiver() as receiver:
                hook = sandbox.casavi.post("/hooks", json={"eventName": "contact_created", "hookUrl": receiver.url})
                assert hook.status_code == 200, hook.text
                sandbox.casavi.post("/import", json={"contacts": [{"id": "C-1", "lastName": "Smith"}]})
                sandbox.run_jobs()
                (delivery,) = sandbox.webhooks(api="casavi", event="contact_created")
                assert delivery["status"] == "delivered" and delivery["target"] == receiver.url
            sandbox.verify(1, api="casavi", method="POST", path="/hooks", body={"eventName": "contact_created"})
            with pytest.raises(AssertionError, match="expected exactly 2 calls"):
                sandbox.verify(2, api="casavi", method="POST", path="/hooks")

        def test_an_override_fails_the_next_call_only(sandbox):
            sandbox.override(api="afosto", method="POST", path="/cat/channels", times=1, response={"status": 503})
            assert sandbox.afosto.post("/cat/channels", json={"name": "x"}).status_code == 503
            assert sandbox.afosto.post("/cat/channels", json={"name": "x"}).status_code == 200
        """
    )
    pytester.makepyfile(tests_receiver=(Path(__file__).parents[1] / "receiver.py").read_text())
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
