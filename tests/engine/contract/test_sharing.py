"""Equal schemas of a compiled contract are one object, and nothing else changes."""

from __future__ import annotations

import copy
import pickle

from mock_server.engine.contract.files import default_contracts_dir, parse_contract
from mock_server.engine.contract.operations import compile_contract
from mock_server.engine.contract.sharing import SchemaSharer, share_schemas


def _dicts(value, found=None) -> dict[int, dict]:
    found = {} if found is None else found
    if isinstance(value, dict) and id(value) not in found:
        found[id(value)] = value
        for part in value.values():
            _dicts(part, found)
    elif isinstance(value, (list, tuple)):
        for part in value:
            _dicts(part, found)
    return found


def _schemas(contract) -> list[tuple]:
    found: list[tuple] = []
    for operation in contract.operations.values():
        found += [(parameter.schema, parameter.source) for parameter in operation.parameters]
        found += [(body.schema, body.source, body.encoding) for body in operation.bodies.values()]
        found.append((operation.success.schema, operation.success.headers, operation.success.media))
    return found


def test_equal_values_become_one_object_and_the_originals_are_not_changed():
    first = {"type": "object", "properties": {"name": {"type": "string"}, "code": {"type": "string"}}}
    second = {"type": "object", "properties": {"name": {"type": "string"}, "code": {"type": "string"}}}
    before = copy.deepcopy([first, second])
    inner = first["properties"]["name"]
    sharer = SchemaSharer()
    one, other = sharer.share(first), sharer.share(second)
    assert one is other and one == first
    assert one["properties"]["name"] is one["properties"]["code"]
    assert [first, second] == before and first["properties"]["name"] is inner  # nothing changed in place


def test_values_that_only_look_alike_stay_apart():
    sharer = SchemaSharer()
    shared = [sharer.share(value) for value in ({"a": 1}, {"a": True}, {"a": 1.5}, {"a": "1"}, {"a": [1]}, {"a": {}})]
    assert [value["a"] for value in shared] == [1, True, 1.5, "1", [1], {}]
    assert type(shared[1]["a"]) is bool and type(shared[0]["a"]) is int
    assert len({id(value) for value in shared}) == 6


def test_a_recursive_schema_is_walked_once_and_keeps_its_shape():
    node = {"type": "object", "properties": {"label": {"type": "string"}}}
    node["properties"]["children"] = {"type": "array", "items": node}
    shared = SchemaSharer().share(node)
    assert shared["properties"]["children"]["items"]["properties"]["label"] == {"type": "string"}
    assert shared["properties"]["children"]["items"]["properties"]["children"]["items"]["type"] == "object"


def test_the_largest_contract_shares_its_schemas_and_compiles_to_the_same_answers():
    document = parse_contract((default_contracts_dir() / "afosto.yaml").read_bytes(), "afosto")
    plain = compile_contract("afosto", copy.deepcopy(document))
    shared = compile_contract("afosto", document)
    original = copy.deepcopy(document)
    share_schemas(shared.operations)
    assert document == original  # the document is not changed
    assert _schemas(shared) == _schemas(plain)
    assert len(_dicts(_schemas(shared))) * 4 < len(_dicts(_schemas(plain)))
    assert len(pickle.dumps(shared.operations)) < 0.7 * len(pickle.dumps(plain.operations))
