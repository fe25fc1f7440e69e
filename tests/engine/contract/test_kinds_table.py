"""The committed kinds table is what the classifier decides for the committed contracts."""

from mock_server.apis import vendor_for
from mock_server.contracts import API_NAMES, KINDS_TABLE
from mock_server.engine.contract.kinds import decide_document, kinds_table
from tests.conftest import CONTRACTS_DIR


def test_kinds_table_is_current(committed):
    table = kinds_table(
        {api: decide_document(committed[api]) for api in API_NAMES},
        {api: set(vendor_for(api).handlers) for api in API_NAMES},
        {api: vendor_for(api).data_model().no_demo for api in API_NAMES},
    )
    assert (CONTRACTS_DIR / KINDS_TABLE).read_text(encoding="utf-8") == table, "run 'mock-server contracts generate'"


def test_every_operation_has_a_kind(committed):
    for api in API_NAMES:
        decided = decide_document(committed[api])
        assert len(decided) == sum(
            1 for item in committed[api]["paths"].values() for method in item if method in ("get", "post", "put", "patch", "delete")
        )
