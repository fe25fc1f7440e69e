"""Sizes the sandbox measures bodies and stored data in, and its default body limits."""

from __future__ import annotations

MIB = 1024 * 1024
# Largest request bodies an API accepts unless its module says otherwise.
BODY_LIMIT = 10 * MIB
MULTIPART_BODY_LIMIT = 100 * MIB
# Bodies larger than this are parsed on a worker thread (multipart bodies, admin documents).
PARSE_OFF_LOOP_BYTES = MIB
