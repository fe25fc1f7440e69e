"""Override rules checked against what a sandbox serves: the rule's API served, its id
free, its account known. What a rule says on its own is checked by its model
(`engine/tools/override_rules.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .engine.errors import OverrideError
from .engine.tools.overrides import ActiveRule, OverrideSet
from .engine.vendor import ServedApi

if TYPE_CHECKING:
    from .engine.tools.override_rules import OverrideRule


def admit_rule(
    rule: OverrideRule,
    apis: dict[str, ServedApi],
    overrides: OverrideSet,
    new_accounts: dict[str, set[str]] | None = None,
    taken: set[str] | None = None,
) -> ActiveRule:
    """The rule compiled for its API, once it fits the sandbox; OverrideError names the field.

    ``new_accounts`` are accounts about to be loaded with the rule (per API), ``taken`` ids
    given to rules loaded with it.
    """
    taken = taken or set()
    api = api_of(rule, apis)
    if rule.id is not None and (rule.id in taken or overrides.find(rule.id) is not None):
        raise OverrideError("id", f"a rule with id {rule.id!r} exists already", status=409)
    if rule.account is not None:
        known = set(apis[api].runtime.accounts) | (new_accounts or {}).get(api, set())
        if rule.account not in known:
            raise OverrideError("account", f"{api} has no account {rule.account!r} (accounts: {', '.join(sorted(known))})")
    rule_id = rule.id if rule.id is not None else overrides.next_id(taken)
    return overrides.apis[api].compile(rule, rule_id)


def api_of(rule: OverrideRule, apis: dict[str, ServedApi]) -> str:
    """The API a rule is for: its own `api`, or the only one served."""
    if rule.api is None:
        if len(apis) == 1:
            return next(iter(apis))
        raise OverrideError("api", f"name the API the rule is for ({', '.join(apis)})")
    if rule.api not in apis:
        raise OverrideError("api", f"{rule.api!r} is not served here (served: {', '.join(apis)})")
    return rule.api
