"""The pytest plugin as a downstream project uses it: no conftest, only the installed package.

Each test writes a small project with pytester and runs pytest on it; the plugin comes in
through its `pytest11` entry point, as it does after `pip install vendor-api-sandbox[pytest]`.
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
            # The reset forgot the first login with the rest of the journal; the client logged in again.
            assert [entry["path"] for entry in sandbox.requests(api="casavi")] == ["/tickets/T-2", "/authenticate", "/tickets/T-2"]
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


def test_each_test_starts_as_a_new_sandbox(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest

        seen = {}

        def create(sandbox):
            created = sandbox.afosto.post("/cat/channels", json={"name": "Mine"})
            assert created.status_code == 200, created.text
            ticket = sandbox.casavi.post("/tickets", json={"id": "T-1", "title": "Leak", "propertyId": "P-00001"})
            assert ticket.status_code == 200, ticket.text
            names = [channel["name"] for channel in sandbox.afosto.get("/cat/channels").json()]
            return created.json()["id"], ticket.json()["internalId"], names

        @pytest.mark.parametrize("run", [1, 2])
        def test_creates_the_same_objects(sandbox, run):
            channel, ticket, names = create(sandbox)
            assert names.count("Mine") == 1  # its own, not the one of the test before
            assert [entry["sequence"] for entry in sandbox.requests()] == [1, 2, 3, 4]  # channel, login, ticket, list
            seen[run] = (channel, ticket, names)

        def test_ids_repeat():
            assert seen[1] == seen[2]

        @pytest.mark.asyncio
        @pytest.mark.parametrize("run", [1, 2])
        async def test_async_tests_start_fresh_too(async_sandbox, run):
            created = await async_sandbox.afosto.post("/cat/channels", json={"name": "Mine"})
            assert created.json()["id"] == seen[1][0]
            assert len(await async_sandbox.requests()) == 1
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=5)


def test_work_a_test_leaves_never_completes_in_the_next(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import time
        import pytest
        from tests_receiver import Receiver

        MAPPING = [{"column": "sku", "type": "integer", "required": True}]
        left = {}

        @pytest.fixture(scope="module")
        def receiver():
            with Receiver(by_path={"/failing": (500, 0.0)}) as started:
                yield started

        pytestmark = pytest.mark.sandbox(allow_http_hooks=True, job_delay=0.2)

        def test_leaves_a_batch_validating_and_a_delivery_pending(sandbox, receiver):
            hook = sandbox.casavi.post("/hooks", json={"eventName": "contact_created", "hookUrl": receiver.url + "/failing"})
            assert hook.status_code == 200, hook.text
            sandbox.casavi.post("/import", json={"contacts": [{"id": "C-1", "lastName": "Smith"}]})
            dataset = sandbox.afosto.post("/cnt/datasets", json={"reference": "products"}).json()["id"]
            rows = [{"data": {"sku": number}} for number in range(50)]
            assert sandbox.afosto.post(f"/cnt/datasets/{dataset}/upload", json=rows).status_code == 204
            batch = sandbox.afosto.post("/cnt/batches", json={"dataset_id": dataset, "import": {"mapping": MAPPING}}).json()
            assert sandbox.afosto.put(f"/cnt/batches/{batch['id']}/validate").status_code == 200
            receiver.wait_for(1)  # the first attempt failed; the next one is due in half a second
            (delivery,) = sandbox.webhooks(api="casavi")
            assert delivery["status"] == "pending"
            (validating,) = sandbox.afosto.get(f"/cnt/batches/{batch['id']}").json()
            assert validating["is_locked"] is True and validating["is_accepted"] is False
            left["batch"] = batch["id"]

        def test_sees_none_of_it_complete(sandbox, receiver):
            time.sleep(1.0)  # past the retry, and long enough for the batch to be validated
            assert sandbox.webhooks() == []
            assert sandbox.state()["afosto"]["tasks"] == [] and sandbox.state()["casavi"]["tasks"] == []
            assert sandbox.afosto.get(f"/cnt/batches/{left['batch']}").status_code == 404
            assert sandbox.casavi.get("/contacts/C-1").status_code == 404
            assert len(receiver.requests) == 1  # nothing reached the receiver after the reset
        """
    )
    pytester.makepyfile(tests_receiver=(Path(__file__).parents[1] / "receiver.py").read_text())
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_markers_with_different_settings_each_get_theirs(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest

        FROZEN = "2030-05-06T07:08:09.123Z"

        def channels(sandbox):
            return sandbox.afosto.get("/cat/channels").json()

        @pytest.mark.sandbox(no_demo_data=True)
        def test_empty(sandbox):
            assert channels(sandbox) == []

        def test_with_demo_data(sandbox):
            assert len(channels(sandbox)) == 3

        @pytest.mark.sandbox(frozen_time=FROZEN)
        def test_frozen(sandbox):
            assert sandbox.afosto.post("/cat/channels", json={"name": "x"}).json()["created_at"] == FROZEN

        @pytest.mark.sandbox(api="relay")
        def test_relay_alone(sandbox):
            assert sandbox.relay.get("/orders").status_code == 200 and set(sandbox.base_urls) == {"relay"}

        @pytest.mark.sandbox(fixtures={"afosto": {"data": {"demo": {"/cat/channels": [{"name": "From the marker"}]}}}})
        def test_marker_fixture(sandbox):
            assert [channel["name"] for channel in channels(sandbox)][-1] == "From the marker"

        @pytest.mark.sandbox(no_demo_data=True)
        def test_empty_again(sandbox):
            assert channels(sandbox) == []

        def test_with_demo_data_again(sandbox):
            assert len(channels(sandbox)) == 3
            assert "From the marker" not in str(channels(sandbox))

        @pytest.mark.sandbox(fixtures={"afosto": {"data": {"demo": {"/cat/channels": [{"name": "From the marker"}]}}}})
        def test_marker_fixture_again(sandbox):
            assert [channel["name"] for channel in channels(sandbox)][-1] == "From the marker"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=8)


def test_a_failing_test_does_not_poison_the_next(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import threading
        import time
        import pytest
        from tests_receiver import Receiver

        @pytest.fixture(scope="module")
        def receiver():
            with Receiver(by_path={"/hanging": (200, 3.0)}) as started:
                yield started

        pytestmark = pytest.mark.sandbox(allow_http_hooks=True, job_delay=0.2)

        def test_fails_mid_request(sandbox, receiver):
            sandbox.afosto.post("/mes/webhooks/subscriptions", json={"events": ["channel.created"], "endpoint": receiver.url + "/hanging"})
            sandbox.afosto.post("/cat/channels", json={"name": "Announced"})
            receiver.wait_for(1)  # the receiver holds the delivery without answering
            # Long enough that the next test's reset certainly comes first, on a busy machine too.
            sandbox.override(api="afosto", method="POST", path="/cat/channels", delay_ms=1500)
            sandbox.override(api="afosto", method="GET", path="/cat/channels", times=5, response={"status": 503})
            sandbox.casavi.post("/import", json={"contacts": [{"id": f"C-{n}", "lastName": "Late"} for n in range(20)]})
            waiting = threading.Thread(target=sandbox.client("afosto").post, args=("/cat/channels",), kwargs={"json": {"name": "Late"}})
            waiting.start()
            time.sleep(0.05)
            raise RuntimeError("the test fails while its request waits")

        def test_starts_clean(sandbox, receiver):
            time.sleep(2.0)  # the request of the failed test has come back meanwhile
            assert sandbox.afosto.get("/cat/channels").status_code == 200  # no rule left armed
            assert "Late" not in sandbox.afosto.get("/cat/channels").text
            assert sandbox.afosto.get("/mes/webhooks/subscriptions").json() == []
            assert [entry["path"] for entry in sandbox.requests()] == ["/cat/channels", "/cat/channels", "/mes/webhooks/subscriptions"]
            assert sandbox.state()["casavi"]["tasks"] == [] and sandbox.webhooks() == []
            assert all(contact["lastName"] != "Late" for contact in sandbox.casavi.get("/contacts").json())
            assert len(receiver.requests) == 1  # the delivery it held was given up; nothing came after
        """
    )
    pytester.makepyfile(tests_receiver=(Path(__file__).parents[1] / "receiver.py").read_text())
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)


SESSION_CALLS = """
    import pytest

    MISSING = "00000000-0000-4000-8000-000000000000"

    def test_in_process(sandbox):
        assert sandbox.afosto.post("/cat/channels", json={"name": "One"}).status_code == 200
        assert sandbox.afosto.get(f"/cat/channels/{MISSING}").status_code == 404

    def test_in_process_again(sandbox):
        assert sandbox.afosto.post("/cat/channels", json={"name": "Two"}).status_code == 200

    @pytest.mark.asyncio
    async def test_async(async_sandbox):
        assert (await async_sandbox.relay.get("/orders")).status_code == 200

    def test_live_server_with_resets(sandbox_server):
        assert sandbox_server.afosto.post("/cat/channels", json={"name": "Three"}).status_code == 200
        sandbox_server.reset("afosto")
        assert sandbox_server.casavi.get("/contacts").status_code == 200
        sandbox_server.reset()
        assert sandbox_server.afosto.get("/cat/channels").status_code == 200
"""


def test_the_session_coverage_is_written_for_the_coverage_command(pytester: pytest.Pytester):
    import json
    import subprocess
    import sys

    pytester.makepyfile(SESSION_CALLS)
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--sandbox-coverage=reports/coverage.json", "--sandbox-coverage-junit=reports/coverage.xml"
    )
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*sandbox coverage*", "wrote reports/coverage.json", "wrote reports/coverage.xml", "6 of 619 documented operation(s) called"])

    report = json.loads((pytester.path / "reports" / "coverage.json").read_text())
    afosto = report["afosto"]["byOperation"]
    # Every test's calls count, across the per-test resets and the live server's resets.
    assert afosto["createChannel"]["calls"] == 3 and afosto["createChannel"]["statuses"] == {"200": 3}
    assert afosto["viewChannel"]["statuses"] == {"404": 1} and afosto["listChannels"]["statuses"] == {"200": 1}
    casavi = report["casavi"]["byOperation"]
    assert casavi["getListOfContacts"]["calls"] == 1 and casavi["getAccessToken"]["calls"] == 1  # the client logs in
    assert report["relay"]["called"] == 1 and report["messages"]["called"] == 0
    assert report["afosto"]["called"] == 3 and "createChannel" not in report["afosto"]["neverCalled"]

    command = subprocess.run(
        [sys.executable, "-m", "mock_server", "coverage", "--file", "reports/coverage.json", "--api", "afosto", "--fail-under", "0.5"],
        cwd=pytester.path, capture_output=True, text=True, timeout=120,
    )
    assert command.returncode == 0, command.stderr
    assert command.stdout.splitlines()[1].split()[:3] == ["afosto", "3", "545"]
    junit = (pytester.path / "reports" / "coverage.xml").read_text()
    assert 'name="createChannel (POST /cat/channels)"' in junit and junit.startswith("<?xml")


def test_no_sandbox_used_writes_no_coverage(pytester: pytest.Pytester):
    (pytester.path / "coverage.json").write_text("{}")  # a previous session's file
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--sandbox-coverage=coverage.json")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["no test used a sandbox fixture: no coverage written"])
    assert not (pytester.path / "coverage.json").exists()


def test_without_the_option_nothing_is_written(pytester: pytest.Pytester):
    pytester.makepyfile(SESSION_CALLS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
    assert "sandbox coverage" not in result.stdout.str()
    assert sorted(path.name for path in pytester.path.iterdir() if not path.name.startswith(".")) == [
        "test_without_the_option_nothing_is_written.py", "tox.ini"]
