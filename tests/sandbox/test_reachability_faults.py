"""Faults an outside fuzzing run found: operations that could not succeed, limits the
contracts did not carry, errors naming the wrong thing, values that changed between reads."""

from __future__ import annotations

from tests.http_sandbox import AFOSTO, RELAY, casavi_headers, sandbox_client

RESOURCE = {"id": "R-WATER", "name": "Water", "unit": "qm"}


async def _import_unit(client, headers, property_id: str = "P-77", unit_id: str = "P-77-0001") -> None:
    body = {"properties": [{"id": property_id, "name": "House", "units": [{"id": unit_id, "number": "1"}]}]}
    assert (await client.post("/casavi/import", json=body, headers=headers)).status_code == 200
    await client.post("/__admin/jobs/run")


# --- casavi consumptions -------------------------------------------------------------------


async def test_a_meter_created_for_a_unit_is_a_consumption_meter(client):
    headers = await casavi_headers(client)
    await _import_unit(client, headers)
    assert (await client.post("/casavi/consumptions/resources", json=RESOURCE, headers=headers)).status_code == 204
    meter = {"id": "M-1", "number": "Q1", "resourceId": "R-WATER"}
    assert (await client.post("/casavi/units/P-77-0001/meters", json=meter, headers=headers)).status_code == 204

    read = await client.get("/casavi/consumptions/meters/M-1", headers=headers)
    assert read.status_code == 200 and read.json()["unitId"] == "P-77-0001" and read.json()["resourceId"] == "R-WATER"
    listed = (await client.get("/casavi/consumptions/meters", headers=headers)).json()
    assert "M-1" in [item["id"] for item in listed]
    of_unit = (await client.get("/casavi/units/P-77-0001/meters", headers=headers)).json()
    assert [item["id"] for item in of_unit] == ["M-1"]

    replaced = await client.put(
        "/casavi/consumptions/meters/M-1", json={**meter, "number": "Q2", "unitId": "P-77-0001"}, headers=headers
    )
    assert replaced.status_code == 200 and replaced.json()["number"] == "Q2"
    assert (await client.get("/casavi/units/P-77-0001/meters", headers=headers)).json()[0]["number"] == "Q2"
    assert (await client.delete("/casavi/consumptions/meters/M-1", headers=headers)).status_code == 204
    assert (await client.get("/casavi/consumptions/meters/M-1", headers=headers)).status_code == 404
    assert (await client.get("/casavi/units/P-77-0001/meters", headers=headers)).json() == []


async def test_a_community_meter_belongs_to_the_property(client):
    headers = await casavi_headers(client)
    await _import_unit(client, headers)
    await client.post("/casavi/consumptions/resources", json=RESOURCE, headers=headers)
    meter = {"id": "M-2", "resourceId": "R-WATER", "unitId": "P-77-0001"}
    assert (await client.post("/casavi/communities/P-77/meters", json=meter, headers=headers)).status_code == 204
    read = (await client.get("/casavi/consumptions/meters/M-2", headers=headers)).json()
    assert read["propertyId"] == "P-77" and "unitId" not in read
    assert [item["id"] for item in (await client.get("/casavi/communities/P-77/meters", headers=headers)).json()] == ["M-2"]
    assert (await client.get("/casavi/units/P-77-0001/meters", headers=headers)).json() == []
    missing = await client.post("/casavi/communities/P-404/meters", json={**meter, "id": "M-3"}, headers=headers)
    assert missing.status_code == 404 and "community 'P-404'" in missing.json()["message"]


async def test_meters_and_measurements_name_what_exists(client):
    headers = await casavi_headers(client)
    await _import_unit(client, headers)
    unknown_resource = await client.post(
        "/casavi/units/P-77-0001/meters", json={"id": "M-9", "resourceId": "R-NONE"}, headers=headers
    )
    assert unknown_resource.status_code == 400
    assert 'body field "resourceId"' in unknown_resource.json()["message"] and "R-NONE" in unknown_resource.json()["message"]
    assert (await client.get("/casavi/consumptions/meters/M-9", headers=headers)).status_code == 404

    measurement = {"value": 12.5, "date": "2024-03-01", "meterId": "Z-00001"}
    unknown_meter = await client.post(
        "/casavi/consumptions/measurements", json=[measurement, {**measurement, "meterId": "Z-NONE"}], headers=headers
    )
    assert unknown_meter.status_code == 400 and 'body field "[1].meterId"' in unknown_meter.json()["message"]
    before = (await client.get("/casavi/consumptions/measurements", headers=headers)).json()
    assert all(item["meterId"] != "Z-NONE" for item in before)
    changed = await client.put(
        f"/casavi/consumptions/measurements/{before[0]['id']}", json={**measurement, "meterId": "Z-NONE"}, headers=headers
    )
    assert changed.status_code == 400 and "meterId" in changed.json()["message"]


async def test_a_meter_names_an_existing_unit_property_and_resource_wherever_it_is_written(client):
    headers = await casavi_headers(client)
    await _import_unit(client, headers)
    assert (await client.post("/casavi/consumptions/resources", json=RESOURCE, headers=headers)).status_code == 204
    meter = {"id": "M-1", "number": "Q1", "resourceId": "R-WATER"}
    assert (await client.post("/casavi/units/P-77-0001/meters", json=meter, headers=headers)).status_code == 204
    before = (await client.get("/casavi/consumptions/meters/M-1", headers=headers)).json()
    for field, value in (("unitId", "P-77-9999"), ("propertyId", "P-404"), ("resourceId", "R-NONE"), ("resourceId", "")):
        changed = await client.put("/casavi/consumptions/meters/M-1", json={**meter, field: value}, headers=headers)
        assert changed.status_code == 400, (field, value, changed.text)
        assert f'body field "{field}"' in changed.json()["message"], changed.text
    assert (await client.get("/casavi/consumptions/meters/M-1", headers=headers)).json() == before
    moved = await client.put("/casavi/consumptions/meters/M-1", json={**meter, "unitId": "P-77-0001", "propertyId": "P-77"}, headers=headers)
    assert moved.status_code == 200 and moved.json()["propertyId"] == "P-77"


async def test_a_consumption_resource_a_meter_names_cannot_be_deleted(client):
    headers = await casavi_headers(client)
    contract = (await client.get("/__admin/contracts/casavi")).json()
    conflict = contract["paths"]["/consumptions/resources/{resourceId}"]["delete"]["responses"]["409"]
    assert conflict["x-inferred"] is True
    assert (await client.post("/casavi/consumptions/resources", json=RESOURCE, headers=headers)).status_code == 204
    meter = {"id": "M-1", "resourceId": "R-WATER"}
    assert (await client.post("/casavi/communities/P-00001/meters", json=meter, headers=headers)).status_code == 204
    refused = await client.delete("/casavi/consumptions/resources/R-WATER", headers=headers)
    assert refused.status_code == 409 and "meter 'M-1'" in refused.json()["message"], refused.text
    assert (await client.get("/casavi/consumptions/resources/R-WATER", headers=headers)).status_code == 200
    assert (await client.get("/casavi/consumptions/meters/M-1", headers=headers)).json()["resourceId"] == "R-WATER"
    assert (await client.delete("/casavi/consumptions/meters/M-1", headers=headers)).status_code == 204
    assert (await client.delete("/casavi/consumptions/resources/R-WATER", headers=headers)).status_code == 204


async def test_measurement_ids_are_given_by_the_server(client):
    headers = await casavi_headers(client)
    chosen = {"id": 424242, "value": 3.0, "date": "2024-03-01", "meterId": "Z-00001"}
    assert (await client.post("/casavi/consumptions/measurements", json=[chosen], headers=headers)).status_code == 204
    listed = (await client.get("/casavi/consumptions/measurements", headers=headers)).json()
    assert 424242 not in [item["id"] for item in listed]
    new = [item for item in listed if item["value"] == 3.0]
    assert len(new) == 1 and isinstance(new[0]["id"], int)
    assert (await client.get(f"/casavi/consumptions/measurements/{new[0]['id']}", headers=headers)).status_code == 200
    of_meter = (await client.get("/casavi/consumptions/meters/Z-00001/measurements", headers=headers)).json()
    assert new[0]["id"] in [item["id"] for item in of_meter]


async def test_deleting_a_meter_removes_its_measurements(client):
    headers = await casavi_headers(client)
    await client.post("/casavi/consumptions/resources", json=RESOURCE, headers=headers)
    for meter_id in ("M-1", "M-2"):
        created = await client.post("/casavi/communities/P-00001/meters", json={"id": meter_id, "resourceId": "R-WATER"}, headers=headers)
        assert created.status_code == 204, created.text
    readings = [{"value": value, "date": "2024-03-01", "meterId": meter} for value, meter in ((1.5, "M-1"), (2.5, "M-1"), (3.5, "M-2"))]
    assert (await client.post("/casavi/consumptions/measurements", json=readings, headers=headers)).status_code == 204
    of_first = (await client.get("/casavi/consumptions/meters/M-1/measurements", headers=headers)).json()
    assert sorted(item["value"] for item in of_first) == [1.5, 2.5]

    assert (await client.delete("/casavi/consumptions/meters/M-1", headers=headers)).status_code == 204
    remaining = (await client.get("/casavi/consumptions/measurements", headers=headers)).json()
    assert all(item.get("meterId") != "M-1" for item in remaining)
    assert [item["value"] for item in remaining if item.get("meterId") == "M-2"] == [3.5]
    for item in of_first:
        assert (await client.get(f"/casavi/consumptions/measurements/{item['id']}", headers=headers)).status_code == 404
    assert (await client.get("/casavi/consumptions/meters/M-1/measurements", headers=headers)).status_code == 404


async def test_an_integral_number_names_the_same_file_and_ticket_number(client):
    headers = await casavi_headers(client)
    uploaded = await client.post("/casavi/files", content=b"pdf", headers={**headers, "content-type": "application/pdf", "x-filename": "a.pdf"})
    file_id = uploaded.json()["id"]
    body = b'{"id": "T-77", "title": "Leak", "propertyId": "P-00001", "attachments": [%d.0]}' % file_id
    created = await client.post("/casavi/tickets", content=body, headers={**headers, "content-type": "application/json"})
    assert created.status_code == 200, created.text
    assert [item["id"] for item in created.json()["attachmentDetails"]] == [file_id]
    numbered = b'{"id": "T-78", "title": "Leak", "propertyId": "P-00001", "number": 12.0}'
    created = await client.post("/casavi/tickets", content=numbered, headers={**headers, "content-type": "application/json"})
    assert created.status_code == 200 and created.json()["number"] == "12"
    assert (await client.get("/casavi/tickets/T-78", headers=headers)).json()["number"] == "12"


# --- Afosto --------------------------------------------------------------------------------


async def test_setting_absolute_stock_needs_no_id(client):
    location = (await client.post("/afosto/wms/locations", json={"name": "Main"}, headers=AFOSTO)).json()["id"]
    body = {"location_id": location, "items": [{"sku": "SKU-1", "quantity": 7}, {"sku": "SKU-2", "quantity": 3}]}
    answer = await client.put("/afosto/wms/inventory", json=body, headers=AFOSTO)
    assert answer.status_code == 200, answer.text
    assert [(row["sku"], row["location_id"]) for row in answer.json()] == [("SKU-1", location), ("SKU-2", location)]


async def test_routing_order_items_needs_no_id(client):
    order = (await client.post("/afosto/odr/orders", json={}, headers=AFOSTO)).json()["id"]
    route = (await client.post("/afosto/wms/routes", json={"name": "Dock"}, headers=AFOSTO)).json()["id"]
    routes = [{"item_ids": ["9a4f6a8e-3c53-4b2f-9d54-1c1f6d0c1e11"], "delivery_route_id": route}]
    answer = await client.put(f"/afosto/odr/orders/{order}/items/routing", json=routes, headers=AFOSTO)
    assert answer.status_code == 200, answer.text
    listed = (await client.get(f"/afosto/odr/orders/{order}/items/routing", headers=AFOSTO)).json()
    assert listed == answer.json() and len(listed) == 1


async def test_installing_an_app_adds_an_integration(client):
    catalogue = (await client.get("/afosto/int/apps/store", headers=AFOSTO)).json()
    code = catalogue[0]["code"]
    installed = await client.post(f"/afosto/int/apps/store/{code}", json={"name": "My shop"}, headers=AFOSTO)
    assert installed.status_code == 200 and installed.json()["state"] == "installed"
    integrations = (await client.get("/afosto/int/apps/integrations", headers=AFOSTO)).json()
    mine = [item for item in integrations if item.get("app_code") == code]
    assert len(mine) == 1 and mine[0]["name"] == "My shop" and mine[0]["is_installed"] is True
    assert installed.json()["redirect_url"].endswith(f"/int/apps/integrations/{mine[0]['id']}")
    read = await client.get(f"/afosto/int/apps/integrations/{mine[0]['id']}", headers=AFOSTO)
    assert read.status_code == 200 and read.json()["app_code"] == code
    assert (await client.get("/afosto/int/apps/store", headers=AFOSTO)).json() == catalogue  # the catalogue is unchanged
    unknown = await client.post("/afosto/int/apps/store/no-such-app", json={}, headers=AFOSTO)
    assert unknown.status_code == 404 and "no-such-app" in unknown.json()["message"]


async def test_a_clash_in_the_path_names_the_path_parameter(client):
    assert (await client.post("/afosto/iam/2fa/secrets/totp", json={"name": "Phone"}, headers=AFOSTO)).status_code == 200
    clash = await client.post("/afosto/iam/2fa/secrets/totp", json={"name": "Phone"}, headers=AFOSTO)
    assert clash.status_code == 409
    assert clash.json()["message"] == "path parameter \"type\" 'totp' exists already"
    assert clash.json()["errors"]["invalid value"] == ["type"]


async def test_an_upload_names_a_signature_handed_out_before(client):
    files = {"file": ("a.txt", b"hello", "text/plain")}
    unknown = await client.post("/afosto/cnt/files/upload/sig-1", files=files, headers=AFOSTO)
    assert unknown.status_code == 404 and "'sig-1'" in unknown.json()["message"]
    signature = (await client.post("/afosto/cnt/files/signature", json={}, headers=AFOSTO)).json()["signature"]
    first = await client.post(f"/afosto/cnt/files/upload/{signature}", files=files, headers=AFOSTO)
    again = await client.post(f"/afosto/cnt/files/upload/{signature}", files=files, headers=AFOSTO)
    assert first.status_code == again.status_code == 200  # a signature is good for its hour, not for one file
    assert first.json()[0]["id"] != again.json()[0]["id"]


# --- integer formats -------------------------------------------------------------------------


async def test_int32_query_parameters_are_in_range(client):
    headers = await casavi_headers(client)
    assert (await client.get("/casavi/tickets?page=2147483647", headers=headers)).status_code == 200
    beyond = await client.get("/casavi/tickets?page=2147483648", headers=headers)
    assert beyond.status_code == 400 and 'query parameter "page" must be at most 2147483647' in beyond.json()["message"]


async def test_int64_body_fields_are_in_range(client):
    def organisation(limit: int) -> dict:
        return {"name": "ACME", "payment_settings": {"post_payment": {"spending_limit": limit}}}

    fits = await client.post("/afosto/rel/organisations", json=organisation(2**63 - 1), headers=AFOSTO)
    assert fits.status_code == 200, fits.text
    beyond = await client.post("/afosto/rel/organisations", json=organisation(2**63), headers=AFOSTO)
    assert beyond.status_code == 400
    assert beyond.json()["errors"]["invalid value"] == ["payment_settings.post_payment.spending_limit"]


# --- limits the contracts carry --------------------------------------------------------------


async def test_casavi_file_upload_refuses_an_empty_body_as_its_contract_says(client):
    headers = await casavi_headers(client)
    contract = (await client.get("/__admin/contracts/casavi")).json()
    schema = contract["paths"]["/files"]["post"]["requestBody"]["content"]["*/*"]["schema"]
    assert schema["minLength"] == 1
    file_headers = {**headers, "X-Filename": "a.txt", "Content-Type": "text/plain"}
    assert (await client.post("/casavi/files", content=b"", headers=file_headers)).status_code == 400
    assert (await client.post("/casavi/files", content=b"x", headers=file_headers)).status_code == 200


async def test_relay_files_limit_is_in_the_contract_and_answered_413(client):
    contract = (await client.get("/__admin/contracts/relay")).json()
    files = contract["paths"]["/orders"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]["files"]
    assert files["maxItems"] == 10
    parts = [("order", (None, '{"title": "Many"}', "application/json"))]
    parts += [("files", (f"{index}.txt", b"x", "text/plain")) for index in range(11)]
    assert (await client.post("/relay/orders", files=parts, headers=RELAY)).status_code == 413
    assert (await client.post("/relay/orders", files=parts[:11], headers=RELAY)).status_code == 200


async def test_afosto_updates_addressed_by_body_require_the_id(client):
    contract = (await client.get("/__admin/contracts/afosto")).json()
    for path in ("/wms/routes", "/wms/hops", "/wms/locations", "/wms/schedules"):
        schema = contract["paths"][path]["put"]["requestBody"]["content"]["application/json"]["schema"]
        assert schema["required"] == ["id"], path
        # An empty identifier names no object: the contract says so, as the server refuses it.
        assert schema["properties"]["id"]["minLength"] == 1, path
        assert contract["paths"][path]["put"]["requestBody"]["required"] is True, path
        assert (await client.put(f"/afosto{path}", headers=AFOSTO)).status_code == 400, path
    missing = await client.put("/afosto/wms/routes", json={"name": "No id"}, headers=AFOSTO)
    assert missing.status_code == 400 and missing.json()["errors"]["required"] == ["id"]
    empty = await client.put("/afosto/wms/routes", json={"id": ""}, headers=AFOSTO)
    assert empty.status_code == 400


# --- identifiers and clashes ------------------------------------------------------------------


async def test_an_id_that_exists_answers_409_as_the_contract_documents(client):
    headers = await casavi_headers(client)
    contract = (await client.get("/__admin/contracts/casavi")).json()
    assert "409" in contract["paths"]["/tickets"]["post"]["responses"]
    ticket = {"id": "T-CLASH", "title": "First", "propertyId": "P-00001"}
    assert (await client.post("/casavi/tickets", json=ticket, headers=headers)).status_code == 200
    clash = await client.post("/casavi/tickets", json={**ticket, "title": "Second"}, headers=headers)
    assert clash.status_code == 409 and "'T-CLASH' exists already" in clash.json()["message"]
    assert (await client.get("/casavi/tickets/T-CLASH", headers=headers)).json()["title"] == "First"

    afosto = (await client.get("/__admin/contracts/afosto")).json()
    assert "409" in afosto["paths"]["/cnt/instant/proxies"]["post"]["responses"]
    assert (await client.post("/afosto/cnt/instant/proxies", json={"key": "shop"}, headers=AFOSTO)).status_code == 201
    assert (await client.post("/afosto/cnt/instant/proxies", json={"key": "shop"}, headers=AFOSTO)).status_code == 409


async def test_relay_numbers_are_counted_per_account(client):
    other = {"Authorization": "Bearer other-relay-key"}
    address = {"streetAddress": "Main street 5", "postalCode": "80331", "locality": "Munich", "country": "DE"}
    mine = (await client.post("/relay/addresses", json=address, headers=RELAY)).json()
    theirs = (await client.post("/relay/addresses", json=address, headers=other)).json()
    assert mine == theirs == 1
    form = [("order", (None, '{"title": "Mine"}', "application/json"))]
    first = (await client.post("/relay/orders", files=form, headers=RELAY)).json()["id"]
    second = (await client.post("/relay/orders", files=form, headers=other)).json()["id"]
    demo_orders = len((await client.get("/relay/orders", headers=other)).json()) - 1
    assert first == second == demo_orders + 1


# --- filled-in values ---------------------------------------------------------------------------


async def test_filled_in_values_are_the_same_wherever_the_object_is_read():
    fixture = {
        "casavi": {"data": {"demo": {"/tickets": [{"id": "T-BARE", "status": "OPEN"}]}}},
        "afosto": {"data": {"demo": {"/cnt/instant/proxies": [{"key": "bare", "created_at": 17}]}}},
    }
    async with sandbox_client() as client:
        assert (await client.post("/__admin/fixtures", json=fixture)).status_code == 200
        headers = await casavi_headers(client)
        title = (await client.get("/casavi/tickets/T-BARE", headers=headers)).json()["title"]
        listed = [item for item in (await client.get("/casavi/tickets", headers=headers)).json() if item["id"] == "T-BARE"]
        assert listed[0]["title"] == title
        another = {"id": "T-NEXT", "title": "Another", "propertyId": "P-00001"}
        assert (await client.post("/casavi/tickets", json=another, headers=headers)).status_code == 200
        listed = [item for item in (await client.get("/casavi/tickets", headers=headers)).json() if item["id"] == "T-BARE"]
        assert listed[0]["title"] == title

        stamp = (await client.get("/afosto/cnt/instant/proxies/bare", headers=AFOSTO)).json()["created_at"]
        for size in ("1", "25"):
            page = await client.get("/afosto/cnt/instant/proxies", headers={**AFOSTO, "x-page-size": size, "x-page": "1"})
            rows = [row for row in page.json() if row["key"] == "bare"]
            assert rows == [] or rows[0]["created_at"] == stamp
        everything = (await client.get("/afosto/cnt/instant/proxies", headers=AFOSTO)).json()
        assert [row["created_at"] for row in everything if row["key"] == "bare"] == [stamp]


# --- objects nothing in the contract makes -------------------------------------------------------


async def test_objects_nothing_creates_or_lists_are_looked_up(client):
    first = await client.get("/afosto/cnt/filesystems/integrations/7", headers=AFOSTO)
    assert first.status_code == 200
    assert (await client.get("/afosto/cnt/filesystems/integrations/7", headers=AFOSTO)).content == first.content
    price = (await client.get("/afosto/cat/prices/5f0c1d2e-0000-4000-8000-000000000001", headers=AFOSTO)).json()
    assert price["id"] == "5f0c1d2e-0000-4000-8000-000000000001"
    assert (await client.delete("/afosto/cnt/filesystems/integrations/7", headers=AFOSTO)).status_code in (200, 204)
    assert (await client.get("/afosto/cnt/filesystems/integrations/7", headers=AFOSTO)).status_code == 404
    async with sandbox_client(no_demo_data=True) as empty:
        assert (await empty.get("/afosto/cnt/filesystems/integrations/7", headers=AFOSTO)).status_code == 404


async def test_nested_lists_nothing_fills_show_demo_objects(client):
    transfer = (await client.post("/afosto/wms/transfers", json={}, headers=AFOSTO)).json()["id"]
    transports = (await client.get(f"/afosto/wms/transfers/{transfer}/transports", headers=AFOSTO)).json()
    assert len(transports) == 3
    state = await client.put(
        f"/afosto/wms/transfers/{transfer}/transports/{transports[0]['id']}/state", json={}, headers=AFOSTO
    )
    assert state.status_code == 200, state.text
    headers = await casavi_headers(client)
    await _import_unit(client, headers)
    # casavi units come from imports only: an imported property has exactly its imported units.
    units = (await client.get("/casavi/properties/P-77/units", headers=headers)).json()["rows"]
    assert [unit["id"] for unit in units] == ["P-77-0001"]
    assert (await client.get("/casavi/units/P-99-0001", headers=headers)).status_code == 404
