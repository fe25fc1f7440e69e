"""Afosto, poison then trigger: hostile values in every field the module's code reads
(webhook subscriptions and the events they send, instant search documents, settings and
proxies, contacts and their search, batches and dataset rows, orders and invoices,
printers and hubs, upload signatures), then the code that reads them driven: the
listeners (webhooks to a local receiver), the background tasks, the searches, the reads
and the state export. See poison.py for what every answer is held to."""

from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

from tests.receiver import Receiver
from tests.http_sandbox import AFOSTO, SECOND_ACCOUNTS, sandbox_client
from tests.poison import HOSTILE, HOSTILE_URLS, Watch

A = "/afosto"
OTHER = {"Authorization": "Bearer other-afosto-token"}
SUBSCRIBED = ["channel.created", "channel.updated", "channel.deleted", "conversation.created", "conversation.updated",
              "contact.created", "contact.updated", "batch.created", "batch.updated", "dataset.updated",
              "order.updated", "invoice.updated", "printer.updated", "file.created"]
SETTINGS = ["distinct_field", "search_fields", "facet_fields", "display_fields", "synonyms", "stop_words", "filters", "ranking_rules"]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


async def _subscribe(watch: Watch, receiver: Receiver) -> None:
    await watch.post(f"{A}/mes/webhooks/subscriptions", headers=AFOSTO, json={"events": SUBSCRIBED, "endpoint": f"{receiver.url}/hook"})


async def _index(watch: Watch, documents: list[dict[str, Any]]) -> str:
    index = (await watch.post(f"{A}/cnt/instant/indexes", headers=AFOSTO, json={"name": "products"})).json()["id"]
    await watch.put(f"{A}/cnt/instant/indexes/{index}/documents", headers=AFOSTO, json=documents)
    await watch.post(f"{A}/cnt/instant/proxies", headers=AFOSTO, json={"key": "storefront", "indexes": [{"index_id": index, "alias": "products"}]})
    await watch.run_jobs("afosto")
    return index


QUERIES = [
    {"q": "shirt", "facets": ["price", "brand", "*"]},
    {"filters": [{"key": "price", "operator": "gt", "values": ["0"]}, {"key": "metadata.n", "operator": "exists"}]},
    {"filters": [{"key": "price", "operator": "between", "values": ["-1", "1e300"]}, {"key": "brand", "operator": "in", "values": ["5"]}]},
]


async def _search(watch: Watch, index: str, queries: list[dict[str, Any]] = QUERIES) -> None:
    """The searches that read documents and settings: through the index, and through the
    proxy in the documented and in the JavaScript client's form."""
    for query in queries:
        await watch.post(f"{A}/cnt/instant/indexes/{index}/search", headers=AFOSTO, json=query)
        await watch.post(f"{A}/cnt/instant/search/storefront", json=query)
    await watch.post(f"{A}/cnt/instant/search/storefront", headers={"accept": "application/vnd.instantsearch+json"}, json={"data": queries})
    await watch.get(f"{A}/cnt/instant/search/storefront/settings")
    await watch.get(f"{A}/cnt/instant/indexes/{index}/settings", headers=AFOSTO)


async def _updates_processed(watch: Watch, index: str) -> None:
    """Once the jobs ran, every index update was processed, and a processed one happened."""
    updates = (await watch.get(f"{A}/cnt/instant/indexes/{index}/updates", headers=AFOSTO)).json()
    for update in updates if isinstance(updates, list) else []:
        if update.get("status") != "processed":
            watch.problem(f"index update {update.get('id')} is {update.get('status')!r} after the jobs ran")


async def test_a_subscription_endpoint_is_an_address_the_events_can_go_to(caplog, receiver):
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE + HOSTILE_URLS, "afosto"):
            created = await watch.post(f"{A}/mes/webhooks/subscriptions", headers=AFOSTO, json={"events": SUBSCRIBED, "endpoint": value})
            good = (await watch.post(f"{A}/mes/webhooks/subscriptions", headers=AFOSTO,
                                     json={"events": ["channel.created"], "endpoint": f"{receiver.url}/hook"})).json()["id"]
            await watch.put(f"{A}/mes/webhooks/subscriptions/{good}", headers=AFOSTO, json={"events": SUBSCRIBED, "endpoint": value})
            channel = await watch.post(f"{A}/cat/channels", headers=AFOSTO, json={"name": "Webshop"})
            if channel.status_code == 200:
                await watch.put(f"{A}/cat/channels/{channel.json()['id']}", headers=AFOSTO, json={"name": "Shop"})
                await watch.delete(f"{A}/cat/channels/{channel.json()['id']}", headers=AFOSTO)
            if created.status_code == 200:
                message = await watch.post(f"{A}/mes/webhooks/subscriptions/{created.json()['id']}/trigger", headers=AFOSTO,
                                           json={"event": "channel.created"})
                if message.status_code == 200:
                    await watch.post(f"{A}/mes/webhooks/messages/{message.json()['id']}", headers=AFOSTO)
            await watch.run_jobs("afosto")
            await watch.get(f"{A}/mes/webhooks/messages", headers=AFOSTO)
            await watch.get(f"{A}/mes/webhooks/subscriptions", headers=AFOSTO)
            for delivery in (await watch.get("/__admin/webhooks", params={"api": "afosto"})).json().get("deliveries", []):
                sent_to = urlsplit(delivery["target"])
                if delivery["target"] != f"{receiver.url}/hook" and (sent_to.hostname, sent_to.port) != _host_and_port(value):
                    watch.problem(f"endpoint {value!r} got its message at {delivery['target']!r}")
        watch.assert_clean()


def _host_and_port(url: Any) -> tuple[Any, Any]:
    try:
        parts = urlsplit(str(url))
        return parts.hostname, parts.port
    except ValueError:
        return None, None


async def test_a_conversation_with_subscribers_is_stored_once_and_answered(caplog, receiver):
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "afosto"):
            earlier = await watch.post(f"{A}/mes/conversations", headers=AFOSTO, json={"name": "before anyone listened"})
            await _subscribe(watch, receiver)
            if earlier.status_code == 200:
                await watch.post(f"{A}/mes/webhooks/subscriptions/1/trigger", headers=AFOSTO,
                                 json={"event": "conversation.updated", "entity_id": str(earlier.json()["id"])})
            for body in ({"name": value}, {"metadata": {"n": value}}, {"entity_id": value}, {"participant": {"name": value}}):
                created = await watch.post(f"{A}/mes/conversations", headers=AFOSTO, json=body)
                if created.status_code == 200:
                    key = created.json()["id"]
                    await watch.post(f"{A}/mes/conversations/{key}/unsubscribe", headers=AFOSTO, json={})
                    await watch.get(f"{A}/mes/conversations/{key}", headers=AFOSTO)
                    await watch.post(f"{A}/mes/webhooks/subscriptions/1/trigger", headers=AFOSTO,
                                     json={"event": "conversation.updated", "entity_id": str(key)})
            await watch.get(f"{A}/mes/conversations", headers=AFOSTO)
            await watch.run_jobs("afosto")
        watch.assert_clean()


async def test_documents_with_any_values_are_searched_and_counted(caplog):
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "afosto"):
            index = await _index(watch, [
                {"reference": "r1", "title": "shirt", "filters": {"price": value, "brand": value}, "metadata": {"n": value}},
                {"reference": "r2", "title": "Blue shirt", "filters": {"price": value, "brand": "Acme"}, "metadata": {"n": value}},
            ])
            for documents in ([{"reference": "r3", "title": value}], [{"reference": value, "title": "shirt", "filters": {"price": 5}}]):
                await watch.put(f"{A}/cnt/instant/indexes/{index}/documents", headers=AFOSTO, json=documents)
            await watch.run_jobs("afosto")
            await _search(watch, index)
            await watch.call("DELETE", f"{A}/cnt/instant/indexes/{index}/documents", headers=AFOSTO, json=["r1", value])
            await watch.run_jobs("afosto")
            await _search(watch, index, QUERIES[:1])
            await _updates_processed(watch, index)
        watch.assert_clean()


@pytest.mark.parametrize("setting", SETTINGS)
async def test_index_settings_hold_only_what_search_can_use(caplog, setting):
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "afosto"):
            index = await _index(watch, [{"reference": "r1", "title": "Blue shirt", "filters": {"price": 19, "brand": "Acme"}}])
            await watch.post(f"{A}/cnt/instant/indexes/{index}/settings?sync=1", headers=AFOSTO, json={setting: value})
            await watch.post(f"{A}/cnt/instant/indexes/{index}/settings", headers=AFOSTO, json={setting: value})
            await watch.run_jobs("afosto")
            await _search(watch, index, QUERIES[:1])
            await _updates_processed(watch, index)
        watch.assert_clean()


async def test_a_proxy_publishes_only_indexes_it_can_name(caplog):
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "afosto"):
            index = await _index(watch, [{"reference": "r1", "title": "Blue shirt", "filters": {"price": 19}}])
            for body in ({"key": value, "indexes": [{"index_id": index, "alias": "a"}]},
                         {"key": "k-alias", "indexes": [{"index_id": index, "alias": value}]},
                         {"key": "k-index", "indexes": [{"index_id": value, "alias": "a"}]},
                         {"key": "k-list", "indexes": value}):
                created = await watch.post(f"{A}/cnt/instant/proxies", headers=AFOSTO, json=body)
                if created.status_code == 200:
                    key = created.json().get("key")
                    await watch.post(f"{A}/cnt/instant/search/{key}", json={"q": "shirt"})
                    await watch.get(f"{A}/cnt/instant/search/{key}/settings")
            await watch.post(f"{A}/cnt/instant/search/storefront", json={"indices": ["products", value]})
            await watch.get(f"{A}/cnt/instant/proxies", headers=AFOSTO)
        watch.assert_clean()


async def test_contacts_with_any_values_are_upserted_and_searched(caplog, receiver):
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "afosto"):
            await _subscribe(watch, receiver)
            for body in ({"email": "a@example.com", "metadata": {"n": value}, "given_name": "A"},
                         {"email": "a@example.com", "given_name": value},
                         {"email": value, "given_name": "B"},
                         {"id": value, "given_name": "C"},
                         {"email": "b@example.com", "phone_numbers": {"primary": value, "secondary": [value]}},
                         {"email": "b@example.com", "billing": {"primary": value, "secondary": value}}):
                await watch.put(f"{A}/rel/contacts", headers=AFOSTO, json=body)
            for constraint in ({"key": "metadata.n", "operator": "gt", "value": ["1"]},
                               {"key": "metadata.n", "operator": "eq", "value": ["5"]},
                               {"key": "metadata.n", "operator": "exists"},
                               {"key": "given_name", "operator": "in", "value": ["A"]}):
                await watch.post(f"{A}/rel/contacts", headers=AFOSTO, json={"constraints": [constraint]})
            await watch.post(f"{A}/rel/contacts", headers=AFOSTO, json={"emails": [value], "ids": [value]})
            await watch.get(f"{A}/rel/contacts", headers=AFOSTO)
            await watch.run_jobs("afosto")
        watch.assert_clean()


async def test_a_batch_over_any_rows_ends_as_its_task_says(caplog, receiver):
    async with sandbox_client(no_demo_data=True, job_delay=0) as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "afosto"):
            await _subscribe(watch, receiver)
            dataset = (await watch.post(f"{A}/cnt/datasets", headers=AFOSTO, json={"reference": "spring"})).json()["id"]
            rows = [{"data": {"sku": value, "name": value, "when": value}}, {"data": {"sku": 2, "name": "Cap", "nested": {"x": value}}},
                    {"reference": value, "data": {"sku": 3}}]
            await watch.post(f"{A}/cnt/datasets/{dataset}/upload", headers=AFOSTO, json=rows)
            await watch.post(f"{A}/cnt/batches", headers=AFOSTO, json={"dataset_id": dataset, "import": {"mapping": [{"column": value}]}})
            await watch.post(f"{A}/cnt/batches", headers=AFOSTO, json={"dataset_id": dataset, "config": value})
            mapping = [{"column": "sku", "type": "integer", "required": True}, {"column": "name"}, {"column": "when", "type": "date"}]
            batch = (await watch.post(f"{A}/cnt/batches", headers=AFOSTO, json={"dataset_id": dataset, "import": {"mapping": mapping}})).json()["id"]
            await watch.put(f"{A}/cnt/batches/{batch}", headers=AFOSTO, json={"reference": value, "import": value})
            validated = await watch.put(f"{A}/cnt/batches/{batch}/validate", headers=AFOSTO)
            await watch.run_jobs("afosto")
            await _task_agrees_with_batch(watch, validated, batch)
            await watch.get(f"{A}/cnt/batches/{batch}/errors", headers=AFOSTO)
            confirmed = await watch.put(f"{A}/cnt/batches/{batch}/confirm", headers=AFOSTO)
            await watch.run_jobs("afosto")
            await _task_agrees_with_batch(watch, confirmed, batch)
            exported = await watch.post(f"{A}/cnt/datasets/{dataset}/export", headers=AFOSTO)
            await watch.run_jobs("afosto")
            if exported.status_code == 200:
                file_id = (await watch.get(f"{A}/cnt/datasets/{dataset}", headers=AFOSTO)).json().get("file_id")
                again = (await watch.post(f"{A}/cnt/datasets", headers=AFOSTO, json={"reference": "again"})).json()["id"]
                await watch.post(f"{A}/cnt/datasets/{again}/attach", headers=AFOSTO, json={"file_id": file_id})
                await watch.get(f"{A}/cnt/datasets/{again}/lines", headers=AFOSTO)
            await watch.get(f"{A}/cnt/datasets/{dataset}/lines", headers=AFOSTO)
        watch.assert_clean()


async def _task_agrees_with_batch(watch: Watch, started: Any, batch: str) -> None:
    """A finished validation or processing task reports what became of the batch."""
    task_id = started.headers.get("x-task-id")
    if started.status_code != 200 or not task_id:
        return
    task = (await watch.get(f"{A}/mes/tasks/{task_id}", headers=AFOSTO)).json()
    state = (await watch.get(f"{A}/cnt/batches/{batch}", headers=AFOSTO)).json()
    state = state[0] if isinstance(state, list) and state else state  # the document answers a batch in a list
    happened = {"accepted": state.get("is_accepted") and state.get("is_locked"), "failing": state.get("is_failing"),
                "ready": state.get("is_ready")}
    if task.get("progress") != 100 or not happened.get(task.get("result")):
        flags = {flag: state.get(flag) for flag in ("is_locked", "is_accepted", "is_failing", "is_ready")}
        watch.problem(f"task {task_id} says {task.get('result')!r} at {task.get('progress')}% but batch {batch} is {flags}")


async def test_order_actions_and_paid_invoices_read_what_was_stored(caplog, receiver):
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "afosto"):
            await _subscribe(watch, receiver)
            order = await watch.post(f"{A}/odr/orders", headers=AFOSTO, json={"transaction_secret": value, "state": {"progress": value}})
            if order.status_code != 200:
                order = await watch.post(f"{A}/odr/orders", headers=AFOSTO, json={"transaction_secret": value})
            if order.status_code == 200:
                key = order.json()["id"]
                for action in ("accept", "confirm", "allocate", "fulfil", "authorize", "cancel"):
                    await watch.post(f"{A}/odr/orders/{key}/{action}", headers=AFOSTO, json={})
                await watch.get(f"{A}/odr/orders/{key}", headers=AFOSTO)
            invoice = await watch.post(f"{A}/odr/invoices", headers=AFOSTO, json={})
            if invoice.status_code == 200:
                await watch.put(f"{A}/odr/invoices/{invoice.json()['id']}/paid", headers=AFOSTO, json={"paid_at": value})
                await watch.get(f"{A}/odr/invoices/{invoice.json()['id']}", headers=AFOSTO)
            await watch.run_jobs("afosto")
        watch.assert_clean()


async def test_a_printer_names_only_a_hub_of_its_own_account(caplog):
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for value in watch.each([*HOSTILE, ("other-account", "OTHER")], "afosto", {"afosto": SECOND_ACCOUNTS["afosto"]}):
            hub = (await watch.post(f"{A}/spl/hubs", headers=AFOSTO, json={"name": "Front"})).json()["id"]
            foreign = (await watch.post(f"{A}/spl/hubs", headers=OTHER, json={"name": "Theirs"})).json()["id"]
            named = foreign if value == "OTHER" else value
            printer = (await watch.post(f"{A}/spl/printers", headers=AFOSTO, json={"name": "P", "hub_id": hub})).json()["id"]
            await watch.post(f"{A}/spl/printers", headers=AFOSTO, json={"name": "Q", "hub_id": named})
            await watch.put(f"{A}/spl/printers/{printer}", headers=AFOSTO, json={"name": "P", "hub_id": named})
            await watch.put(f"{A}/spl/printers/{printer}/inbox", headers=AFOSTO, json={"hub_id": named})
            await watch.post(f"{A}/spl/queue", headers=AFOSTO, json={"job": "print", "hub_id": named})
            shown = (await watch.get(f"{A}/spl/printers/{printer}", headers=AFOSTO)).json()
            if shown.get("hub_id") != hub:
                watch.problem(f"printer {printer} names hub {shown.get('hub_id')!r} after writes that named {named!r}")
            await watch.delete(f"{A}/spl/hubs/{foreign}", headers=OTHER)
            await watch.get(f"{A}/spl/printers/{printer}", headers=AFOSTO)
        watch.assert_clean()


async def test_an_upload_signature_keeps_what_the_upload_reads(caplog):
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for value in watch.each(HOSTILE, "afosto"):
            for body in ({"path": value}, {"metadata": value}, {"is_public": value, "is_listed": value}):
                signed = await watch.post(f"{A}/cnt/files/signature", headers=AFOSTO, json=body)
                if signed.status_code == 200:
                    uploaded = await watch.post(f"{A}/cnt/files/upload/{signed.json()['signature']}", headers=AFOSTO,
                                                files={"file": ("rows.csv", b"sku,name\n1,Shirt\n", "text/csv")})
                    for item in uploaded.json() if uploaded.status_code == 200 else []:
                        await watch.get(f"{A}/cnt/files/{item['id']}", headers=AFOSTO)
            await watch.get(f"{A}/cnt/files", headers=AFOSTO)
        watch.assert_clean()


async def test_a_reference_to_nothing_is_answered_with_the_documented_not_found(caplog):
    """A well-formed id that names nothing of the account (made up, or another account's
    hub) gets the status the operation documents as "... not found"."""
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        nothing = "00000000-0000-4000-8000-000000000000"
        async for value in watch.each([("unknown", nothing), ("other-account", "OTHER")], "afosto", {"afosto": SECOND_ACCOUNTS["afosto"]}):
            foreign = (await watch.post(f"{A}/spl/hubs", headers=OTHER, json={"name": "Theirs"})).json()["id"]
            hub = (await watch.post(f"{A}/spl/hubs", headers=AFOSTO, json={"name": "Front"})).json()["id"]
            printer = (await watch.post(f"{A}/spl/printers", headers=AFOSTO, json={"name": "P", "hub_id": hub})).json()["id"]
            named = foreign if value == "OTHER" else value
            for method, path, body in (("POST", "/spl/printers", {"name": "Q", "hub_id": named}),
                                       ("PUT", f"/spl/printers/{printer}/inbox", {"hub_id": named}),
                                       ("POST", "/spl/queue", {"job": "print", "hub_id": named})):
                answer = await watch.call(method, f"{A}{path}", headers=AFOSTO, json=body)
                if answer.status_code != 404:
                    watch.problem(f"{method} {path} naming {named!r} answered {answer.status_code}; documented: 404 not found")
        watch.assert_clean()


FILES = [
    ("huge-cell", "rows.csv", b"sku,name\n1," + b"x" * 200_000 + b"\n", "text/csv"),
    ("nul", "rows.csv", b"sku,name\n1,a\x00b\n", "text/csv"),
    ("open-quote", "rows.csv", b'sku,name\n1,"open\n2,b\n', "text/csv"),
    ("not-utf-8", "rows.csv", b"sku,name\n1,\xff\xfe\n", "text/csv"),
    ("no-header", "rows.csv", b",,\n1,2,3\n", "text/csv"),
    ("json-numbers", "rows.json", b'[{"data": {"a": ' + b"9" * 400 + b', "b": 1e308, "c": -1e308, "d": 5e-324}}]', "application/json"),
    ("json-not-rows", "rows.json", b'{"a": [1, {"b": null}]}', "application/json"),
]


async def test_an_uploaded_file_with_any_content_is_read_or_refused(caplog):
    """A dataset reads the rows of an uploaded file (attach) and writes them out again
    (export), whatever the file holds."""
    async with sandbox_client(no_demo_data=True) as client:
        watch = Watch(client, caplog)
        async for name, content, mime in watch.each([(label, (filename, content, mime)) for label, filename, content, mime in FILES], "afosto"):
            signature = (await watch.post(f"{A}/cnt/files/signature", headers=AFOSTO, json={})).json()["signature"]
            uploaded = (await watch.post(f"{A}/cnt/files/upload/{signature}", headers=AFOSTO, files={"file": (name, content, mime)})).json()
            dataset = (await watch.post(f"{A}/cnt/datasets", headers=AFOSTO, json={"reference": "spring"})).json()["id"]
            await watch.post(f"{A}/cnt/datasets/{dataset}/attach", headers=AFOSTO, json={"file_id": uploaded[0]["id"]})
            await watch.get(f"{A}/cnt/datasets/{dataset}/lines", headers=AFOSTO)
            await watch.post(f"{A}/cnt/datasets/{dataset}/export", headers=AFOSTO)
            await watch.run_jobs("afosto")
        watch.assert_clean()
