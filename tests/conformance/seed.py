"""The seed of the every-check schemathesis run: new for every test run, or the one
`MOCK_SERVER_FUZZ_SEED` names (to replay a failure)."""

from __future__ import annotations

import os
import secrets

SEED_VARIABLE = "MOCK_SERVER_FUZZ_SEED"
SEED = int(os.environ.get(SEED_VARIABLE) or secrets.randbelow(2**31))
REPLAY = f"replay with {SEED_VARIABLE}={SEED}"
