"""casavi units as the unit operations show them: the contracts of a unit leave out those
with an archived contact, and those that ended unless asked for."""

from __future__ import annotations

from typing import Any

from ...engine.behaviour.generic import generic_handler
from ...engine.vendor import Call, Reply
from .collection_paths import CONTACTS
from .events import ARCHIVED


def _current_contracts(call: Call, unit: dict[str, Any], include_ended: bool) -> None:
    """Contracts with an archived contact are not shown; ended ones only when asked for."""
    if not isinstance(unit.get("contracts"), list):
        return
    contacts = call.runtime.collection(call.account, CONTACTS)
    today = call.runtime.now()[:10]
    unit["contracts"] = [
        contract
        for contract in unit["contracts"]
        if isinstance(contract, dict)
        and not any((contacts.get(str(contact)) or {}).get(ARCHIVED) for contact in _contact_ids(contract))
        and (include_ended or not contract.get("endAt") or str(contract["endAt"])[:10] >= today)
    ]


def _contact_ids(contract: dict[str, Any]) -> list[Any]:
    named = contract.get("contactIds")
    return named if isinstance(named, list) else []


def units_of_property(call: Call) -> Reply:
    """Contracts that ended are left out unless `includeInactiveContracts` is set."""
    reply = generic_handler(call)
    for unit in reply.body.get("rows", []):
        _current_contracts(call, unit, call.parameter("includeInactiveContracts") is True)
    return reply


def unit_by_id(call: Call) -> Reply:
    reply = generic_handler(call)
    _current_contracts(call, reply.body, include_ended=True)
    return reply
