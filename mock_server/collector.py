"""Python's cyclic garbage collector, set for a server that runs for long."""

from __future__ import annotations

import gc

# Allocations between two collections of the youngest generation (Python's default is 700).
# A server keeps what each request leaves (its journal entry, the objects it stored) for
# a while: collected every 700 allocations, each of those is walked while it is young,
# and a journal entry again until it ages out. Less often, most entries leave the journal
# before the collector sees them, and each pause stays well under a millisecond.
YOUNG_THRESHOLD = 5000
# Young collections between two of the middle generation (default 10): about as many
# allocations as by default, so the middle collections, which walk every object a
# large request body made, stay as short as they were.
MIDDLE_THRESHOLD = 2


def settle_for_serving() -> None:
    """Once start-up is done: what it made lives as long as the server, so the collector
    is kept from walking it again and again (its pauses are what a request's worst
    latency is made of), and the young generation is collected less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, gc.get_threshold()[2])
