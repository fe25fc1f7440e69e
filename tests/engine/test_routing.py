from mock_server.engine.routing import PathRouter


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
