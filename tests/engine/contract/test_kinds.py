from mock_server.engine.contract.kinds import OperationFacts, classify, title_words


def _kinds(*facts):
    decisions = classify(OperationFacts(*fact) for fact in facts)
    return {key: (decision.kind, decision.resource) for key, decision in decisions.items()}


def test_rest_shapes():
    kinds = _kinds(
        ("GET", "/channels", "List channels"),
        ("POST", "/channels", "Create channel"),
        ("GET", "/channels/{id}", "View channel"),
        ("PUT", "/channels/{id}", "Update channel"),
        ("PATCH", "/channels/{id}", "Patch channel"),
        ("DELETE", "/channels/{id}", "Delete channel"),
    )
    assert kinds == {
        ("GET", "/channels"): ("list", "/channels"),
        ("POST", "/channels"): ("create", "/channels"),
        ("GET", "/channels/{id}"): ("read", "/channels"),
        ("PUT", "/channels/{id}"): ("replace", "/channels"),
        ("PATCH", "/channels/{id}"): ("update", "/channels"),
        ("DELETE", "/channels/{id}"): ("delete", "/channels"),
    }


def test_titles_decide_search_and_upsert():
    kinds = _kinds(
        ("PUT", "/rel/contacts", "Upsert a new contact"),
        ("POST", "/rel/contacts", "Search contacts"),
        ("POST", "/rel/search/addresses", "Search address"),
        ("POST", "/properties", "CreateProperties", "Creates or Updates one or multiple Properties."),
    )
    assert kinds[("PUT", "/rel/contacts")] == ("upsert", "/rel/contacts")
    assert kinds[("POST", "/rel/contacts")] == ("search", "/rel/contacts")
    assert kinds[("POST", "/rel/search/addresses")] == ("search", "/rel/addresses")
    assert kinds[("POST", "/properties")] == ("upsert", "/properties")


def test_actions_singletons_and_computations():
    kinds = _kinds(
        ("GET", "/orders/{id}", "Get order"),
        ("POST", "/orders/{id}/cancel", "Cancel order"),
        ("GET", "/orders/{id}/items", "List items"),
        ("POST", "/orders/{id}/items", "Add items"),
        ("GET", "/iam/customer", "Obtain billing information"),
        ("PUT", "/iam/customer", "Update billing information"),
        ("POST", "/odr/projection", "Project pricing"),
        ("POST", "/api/v3/messages/create", "Add a new message"),
    )
    assert kinds[("POST", "/orders/{id}/cancel")] == ("action", "/orders")
    assert kinds[("POST", "/orders/{id}/items")] == ("create", "/orders/{id}/items")
    assert kinds[("GET", "/iam/customer")] == ("singleton_read", "/iam/customer")
    assert kinds[("PUT", "/iam/customer")] == ("singleton_write", "/iam/customer")
    assert kinds[("POST", "/odr/projection")] == ("process", None)
    assert kinds[("POST", "/api/v3/messages/create")] == ("create", "/api/v3/messages")


def test_title_words_split_operation_ids():
    assert title_words("CreateOrderComment") == ["create", "order", "comment"]
    assert title_words("Create a new ticket") == ["create", "a", "new", "ticket"]
