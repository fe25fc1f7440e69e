from mock_server.engine.contract.routing import PathRouter


def test_literals_win_and_parameters_backtrack():
    router: PathRouter[str] = PathRouter()
    router.add("/orders/{id}", "GET", "read")
    router.add("/orders/search", "POST", "search")
    router.add("/orders/{id}/items", "GET", "items")
    router.add("/orders/search/items", "GET", "search-items")
    assert router.match("/orders/search").methods == {"POST": "search"}
    match = router.match("/orders/42")
    assert match.template == "/orders/{id}" and match.parameters == {"id": "42"}
    # `search` is a literal, but only a parameter continues to /items for other ids
    assert router.match("/orders/7/items").parameters == {"id": "7"}
    assert router.match("/orders/search/items").methods == {"GET": "search-items"}
    assert router.match("/orders") is None
    assert router.match("/orders/1/unknown") is None


def test_a_parameter_template_that_answers_the_method_wins_over_a_literal_that_does_not():
    router: PathRouter[str] = PathRouter()
    router.add("/emails/form", "POST", "send-form")
    router.add("/emails/{id}", "GET", "read")
    router.add("/emails/{id}", "DELETE", "delete")
    assert router.match("/emails/form", "POST").methods == {"POST": "send-form"}
    deleted = router.match("/emails/form", "DELETE")
    assert deleted.template == "/emails/{id}" and deleted.parameters == {"id": "form"}
    # no template answers PUT: the most literal match, whose answer is 405
    assert router.match("/emails/form", "PUT").template == "/emails/form"
    assert router.match("/emails/form").template == "/emails/form"


def test_parameter_names_may_differ_between_templates():
    router: PathRouter[str] = PathRouter()
    router.add("/transfers/{id}", "GET", "transfer")
    router.add("/transfers/{transfer_id}/transports/{id}/state", "PUT", "state")
    assert router.match("/transfers/5").parameters == {"id": "5"}
    assert router.match("/transfers/5/transports/9/state").parameters == {"transfer_id": "5", "id": "9"}


def test_encoded_slash_stays_inside_a_segment():
    router: PathRouter[str] = PathRouter()
    router.add("/files/{name}", "GET", "file")
    assert router.match_segments(["files", "a/b"]).parameters == {"name": "a/b"}


def test_a_literal_for_another_method_wins_over_a_parameter_the_segment_cannot_be():
    router: PathRouter[str] = PathRouter()
    router.add("/conversations/search", "POST", "search")
    router.add("/conversations/{id}", "GET", "read")
    router.add("/conversations/{id}/messages", "GET", "messages")

    def integer_ids(target: str, name: str, value: str) -> bool:
        return value.isdigit()

    searched = router.match("/conversations/search", "GET", integer_ids)
    assert searched.template == "/conversations/search" and searched.methods == {"POST": "search"}  # answered 405
    assert router.match("/conversations/7", "GET", integer_ids).parameters == {"id": "7"}
    # where no literal template completes the path, the parameter's does (its answer: 400 for the id)
    assert router.match("/conversations/search/messages", "GET", integer_ids).template == "/conversations/{id}/messages"
    # a segment the parameter takes is the object it names, as without a check
    assert router.match("/conversations/search", "GET", lambda target, name, value: True).template == "/conversations/{id}"
    assert router.match("/conversations/search", "GET").template == "/conversations/{id}"
