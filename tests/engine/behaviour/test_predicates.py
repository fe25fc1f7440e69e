"""Partial matching of bodies and query strings."""

from mock_server.engine.behaviour.matching import contains, query_contains


def test_objects_match_on_the_fields_they_name():
    body = {"eventName": "contact_created", "hookUrl": "https://x", "meta": {"a": 1, "b": [1, 2]}}
    assert contains(body, {"eventName": "contact_created"})
    assert contains(body, {"meta": {"b": [2]}})
    assert contains(body, {})
    assert not contains(body, {"eventName": "contact_updated"})
    assert not contains(body, {"missing": None})
    assert not contains([body], {"eventName": "contact_created"})


def test_arrays_match_when_each_expected_item_is_found():
    items = [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]
    assert contains(items, [{"sku": "B"}])
    assert contains(items, [{"sku": "B"}, {"sku": "A"}])
    assert not contains(items, [{"sku": "C"}])
    assert not contains({"sku": "A"}, [{"sku": "A"}])


def test_numbers_compare_by_value_and_booleans_only_with_booleans():
    assert contains(1, 1.0) and contains(2.5, 2.5)
    assert not contains(1, True) and not contains(True, 1)
    assert contains(False, False) and not contains(0, False)
    assert not contains("1", 1) and contains(None, None)


def test_query_parameters_match_every_expected_value():
    query = [("status", "OPEN"), ("status", "CLOSED"), ("page", "2"), ("ids[]", "7")]
    assert query_contains(query, {"status": "OPEN", "page": "2"})
    assert query_contains(query, {"status": ["CLOSED", "OPEN"], "ids": "7"})
    assert not query_contains(query, {"status": "PENDING"})
    assert not query_contains(query, {"size": "10"})
