"""The sandbox as the benchmark serves it: all four APIs with demo data, and optionally
with answers never reused, so every read runs the whole request path."""

import os

from mock_server.app import create_app
from mock_server.engine.state.answer_cache import AnswerCache
from mock_server.serving.collector import settle_for_serving


class NoReuse(AnswerCache):
    def put(self, key, answer):
        pass


app = create_app()
if os.environ.get("BENCHMARK_NO_REUSE"):
    for api in app.sandbox.apis.values():
        api.runtime.answers = NoReuse()
settle_for_serving()  # as `mock-server serve` does once it has started
