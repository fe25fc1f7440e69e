"""Each API's error shape renders the engine's problems in the vendor's words."""

from mock_server.apis.afosto.errors import AfostoErrorShape
from mock_server.apis.casavi.errors import CasaviErrorShape
from mock_server.apis.messages.errors import MessagesErrorShape
from mock_server.apis.relay.errors import RelayErrorShape
from mock_server.engine.errors import ApiError, Problem

PROBLEMS = [Problem("body", ("items", 0, "sku"), "required"), Problem("query", ("limit",), "type", "integer", "x")]


def test_afosto_sorts_fields_into_required_and_invalid():
    body = AfostoErrorShape().render(ApiError(400, problems=PROBLEMS), "ref")
    assert body == {
        "code": 400,
        "message": 'body field "items[0].sku" is required; query parameter "limit" must be an integer',
        "reference": "ref",
        "errors": {"invalid value": ["limit"], "required": ["items[0].sku"]},
    }


def test_casavi_and_relay():
    assert CasaviErrorShape().render(ApiError(404, "ticket 'T-1' not found"), "r") == {
        "statusCode": 404, "error": "Not Found", "message": "ticket 'T-1' not found",
    }
    assert RelayErrorShape().render(ApiError(400, problems=PROBLEMS), "r") == {
        "statusCode": 400,
        "message": ['body field "items[0].sku" is required', 'query parameter "limit" must be an integer'],
        "error": "Bad Request",
    }


def test_messages_reports_the_first_problem_as_joi_does():
    assert MessagesErrorShape().render(ApiError(400, problems=PROBLEMS), "r") == {
        "error": {"message": 'child "items" fails because ["value" at position 0 fails because [child "sku" fails because ["sku" is required]]]'}
    }
