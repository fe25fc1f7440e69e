"""Python's cyclic garbage collector, set for a server that runs for long."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

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


@contextmanager
def collector_paused(*, keep_made: bool = False) -> Iterator[None]:
    """No collections while the block runs; the collector is as it was afterwards.

    With ``keep_made``, what the block made is frozen (left out of every later collection)
    before the collector runs again: for imports, whose modules and classes live as long
    as the process and which the first collection after the pause would otherwise walk in
    full, for nothing.

    Start-up makes a few hundred thousand objects (contracts, compiled operations, demo
    schemas) and nearly all of them live as long as the sandbox: collected while they are
    being made, they would be walked again and again, for nothing, which costs start-up a
    tenth of its time. Start-up leaves almost no cyclic garbage (about a thousand objects,
    from imports).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if keep_made:
            gc.freeze()
    finally:
        if enabled:
            gc.enable()


def settle_for_serving() -> None:
    """Once start-up is done: what it made lives as long as the server, so the collector
    is kept from walking it again and again (its pauses are what a request's worst
    latency is made of), and the young generation is collected less often.

    What start-up made is frozen without a collection first: the little cyclic garbage
    it leaves is not worth a walk over everything, which would delay the first answer
    by tens of milliseconds.
    """
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, gc.get_threshold()[2])
