"""Case messages operations: the handler of each, by operation id."""

from __future__ import annotations

from ...engine.vendor import Handler
from .case_messages import confirm, create, list_messages

HANDLERS: dict[str, Handler] = {
    "createCaseMessages": create,
    "getCaseMessages": list_messages,
    "confirmCaseMessages": confirm,
}
