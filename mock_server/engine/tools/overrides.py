"""Override rules: scripted answers and injected faults, applied before the handler.

A rule names what it matches — an operation by id, or a method and a path (a template
such as `/cat/channels/{id}`, or a concrete path naming one object); optionally the
account, query parameters and a body predicate — how often (the first `times` matches,
or every one, each with a `probability` drawn under the seed), and what it does:

- `response`: answer a status, headers and body; an error status without a body answers
  in the API's error shape;
- `delay_ms`: wait first (a number, or `[min, max]` for a random wait), then answer as
  usual or as the rule says;
- `fault`: `drop` (close the connection without an answer; the operation does not run),
  `truncate` (the real answer, cut off half-way), `malformed` (half of the real body as
  a complete answer), `rate_limit` (429 with `Retry-After`), `unavailable` (503).

Scripted responses are checked against every operation the rule matches when it is
added: the status must be documented, and the body must fit that status's documented
answer, so a test cannot script an answer the vendor never gives by accident
(`"unchecked": true` lifts the check). Faults stand for what happens around an API —
network, gateway — and are not held to the contract.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..behaviour.matching import contains, query_contains
from ..contract.operations import CompiledContract, OperationSpec
from ..errors import ApiError, OverrideError
from ..http.validation import problems_of
from ..state.watchers import Watchers
from ..vendor import Call, Interception, Reply
from . import wire

if TYPE_CHECKING:  # the rule models are built when a rule is first read
    from .override_rules import OverrideRule, ScriptedResponse


@dataclass
class ActiveRule:
    """A rule checked against its API's contract, with what it has done so far."""

    id: str
    api: str
    rule: OverrideRule
    operations: frozenset[str]  # operation ids it applies to
    path_values: dict[str, str]  # path parameters a concrete path fixes
    random: random.Random
    remaining: int | None  # matches left; None for always
    fired: int = 0
    position: int = 0  # when it was added, among every API's rules
    enabled: bool = True  # a rule turned off keeps its counts and acts on nothing

    def matches(self, call: Call) -> bool:
        """Whether the rule acts on this call (drawing its probability last)."""
        rule = self.rule
        if not self.enabled or self.remaining == 0 or call.operation.operation_id not in self.operations:
            return False
        if rule.account is not None and call.account.name != rule.account:
            return False
        parameters = call.incoming.path_parameters
        if any(parameters.get(name) != value for name, value in self.path_values.items()):
            return False
        if rule.query and not query_contains(call.incoming.query, rule.query):
            return False
        if rule.has_body_predicate and not contains(call.body, rule.body):
            return False
        return rule.probability >= 1 or self.random.random() < rule.probability

    async def fire(self, call: Call) -> Reply | None:
        """Do what the rule says; None lets the operation answer (after a delay, or to be cut).

        The answer is made before the delay, so what it draws from the API's state (an
        error reference) comes from the state the call arrived in, even when a reset
        comes during the delay.
        """
        rule = self.rule
        self.fired += 1
        if self.remaining is not None:
            self.remaining -= 1
        note: dict[str, Any] = {"rule": self.id}
        call.interception = Interception({"override": note})
        delay = None
        if rule.delay_ms is not None:
            low, high = rule.delay_ms if isinstance(rule.delay_ms, tuple) else (rule.delay_ms, rule.delay_ms)
            delay = self.random.uniform(low, high) if high > low else low
            note["delay_ms"] = round(delay, 3)
        reply = None
        if rule.response is not None:
            note["status"] = rule.response.status
            reply = scripted_reply(call, rule.response)
        elif rule.fault is not None:
            note["fault"] = rule.fault
            reply = fault_reply(call, rule.fault, rule.retry_after)
        if delay is not None:
            await asyncio.sleep(delay / 1000)
        return reply

    def fresh(self) -> "ActiveRule":
        """A copy of the rule with what it has done so far (fired, remaining, random draws)
        as it is now; the rule as written is shared."""
        copied = replace(self, path_values=dict(self.path_values), random=random.Random())
        copied.random.setstate(self.random.getstate())
        return copied

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "api": self.api,
            **self.rule.model_dump(mode="json", exclude_unset=True, exclude={"id", "api"}),
            "fired": self.fired,
            "remaining": self.remaining,
            "enabled": self.enabled,
        }


# What happened to a rule: added, removed, fired, enabled, disabled (with the rule), or cleared (None).
RuleNews = tuple[str, ActiveRule | None]


def scripted_reply(call: Call, response: ScriptedResponse) -> Reply:
    """The answer a rule scripts; an error status without a body in the API's error shape."""
    headers = dict(response.headers)
    content_type = next((headers.pop(name) for name in list(headers) if name.lower() == "content-type"), None)
    if not response.has_body:
        if response.status >= 400:
            return Reply(response.status, error_body(call, response.status, response.message), headers, content_type)
        return Reply(response.status, None, headers, content_type)
    body = response.body
    if isinstance(body, str) and content_type is not None and "json" not in content_type:
        body = body.encode()
    return Reply(response.status, body, headers, content_type)


def fault_reply(call: Call, fault: str, retry_after: int | None) -> Reply | None:
    """The answer of a fault; None where the operation's own answer is spoilt on the wire."""
    interception = call.interception
    assert interception is not None
    if fault == "drop":
        interception.send = wire.send_nothing
        return Reply(0)  # never sent; the journal shows status 0
    if fault == "truncate":
        interception.send = wire.send_truncated
        return None
    if fault == "malformed":
        interception.send = wire.send_malformed
        return None
    status = 429 if fault == "rate_limit" else 503
    headers = {}
    if fault == "rate_limit" or retry_after is not None:
        headers["Retry-After"] = str(1 if retry_after is None else retry_after)
    return Reply(status, error_body(call, status, None), headers)


def error_body(call: Call, status: int, message: str | None) -> Any:
    """An error body in the API's shape (the status's reason phrase when no message is given)."""
    return call.vendor.error_shape.render(ApiError(status, message), call.runtime.next_reference())


class ApiOverrides:
    """The override rules of one API, in the order they were added, and their interceptor.

    The interceptor is in the pipeline's list only while there are rules, so an API
    without rules pays nothing for them.
    """

    def __init__(self, api: str, contract: CompiledContract, seed: int) -> None:
        self.api = api
        self.contract = contract
        self.seed = seed
        self.rules: list[ActiveRule] = []
        # Told what happened to a rule: (added | removed | fired | enabled | disabled | cleared, the rule).
        self.watchers: Watchers[RuleNews] = Watchers()
        self._interceptors: list[Any] | None = None
        self._interceptor = self.intercept

    # --- rules --------------------------------------------------------------------------

    def compile(self, rule: OverrideRule, rule_id: str) -> ActiveRule:
        """The rule checked against the contract (OverrideError names what is wrong)."""
        operations, path_values = self._operations(rule)
        if rule.response is not None and not rule.unchecked:
            for operation in operations:
                self._check_response(rule.response, operation)
        return ActiveRule(
            id=rule_id,
            api=self.api,
            rule=rule,
            operations=frozenset(operation.operation_id for operation in operations),
            path_values=path_values,
            random=random.Random(f"{self.seed}/override/{self.api}/{rule_id}"),
            remaining=rule.times,
        )

    def add(self, rule: ActiveRule) -> None:
        """Apply a compiled rule after the ones already there."""
        self.rules.append(rule)
        self._sync()
        self.watchers.tell(("added", rule))

    def find(self, rule_id: str) -> ActiveRule | None:
        """The rule with this id, if this API has it."""
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    def remove(self, rule_id: str) -> bool:
        """Stop applying a rule; False when there is none with that id."""
        rule = self.find(rule_id)
        if rule is None:
            return False
        self.rules.remove(rule)
        self._sync()
        self.watchers.tell(("removed", rule))
        return True

    def clear(self) -> None:
        """Forget every rule (the interceptor leaves the pipeline)."""
        self.rules.clear()
        self._sync()
        self.watchers.tell(("cleared", None))

    def turn(self, rule: ActiveRule, enabled: bool) -> None:
        """Turn one of the API's rules on or off; its counts stay as they are."""
        rule.enabled = enabled
        self.watchers.tell(("enabled" if enabled else "disabled", rule))

    def replace(self, rules: list[ActiveRule]) -> None:
        """Apply exactly these rules, in this order."""
        self.rules = list(rules)
        self._sync()

    # --- the pipeline -------------------------------------------------------------------

    def bind(self, interceptors: list[Any]) -> None:
        """Keep the rules' interceptor at the front of a pipeline's list while there are rules."""
        self._interceptors = interceptors
        self._sync()

    async def intercept(self, call: Call) -> Reply | None:
        """The first matching rule acts on the call."""
        for rule in self.rules:
            if rule.matches(call):
                reply = await rule.fire(call)
                self.watchers.tell(("fired", rule))
                return reply
        return None

    def _sync(self) -> None:
        interceptors = self._interceptors
        if interceptors is None:
            return
        installed = self._interceptor in interceptors
        if self.rules and not installed:
            interceptors.insert(0, self._interceptor)
        elif not self.rules and installed:
            interceptors.remove(self._interceptor)

    # --- checks -------------------------------------------------------------------------

    def _operations(self, rule: OverrideRule) -> tuple[list[OperationSpec], dict[str, str]]:
        contract = self.contract
        path_values: dict[str, str] = {}
        if rule.path is not None:
            match = contract.router.match(rule.path)
            if match is None:
                raise OverrideError("path", f"no operation of {self.api} has the path {rule.path}")
            selected = list(match.methods.values())
            where = match.template
            path_values = {
                name: value
                for name, value in match.parameters.items()
                if not (value.startswith("{") and value.endswith("}"))
            }
        else:
            selected = list(contract.operations.values())
            where = self.api
        if rule.method is not None:
            methods = sorted({operation.method for operation in selected})
            selected = [operation for operation in selected if operation.method == rule.method]
            if not selected:
                raise OverrideError("method", f"no {rule.method} operation at {where} (there: {', '.join(methods)})")
        if rule.operation is not None:
            operation = contract.operations.get(rule.operation)
            if operation is None:
                raise OverrideError("operation", f"{self.api} has no operation {rule.operation!r}")
            if operation not in selected:
                raise OverrideError(
                    "operation", f"{rule.operation} is {operation.method} {operation.path}, which method and path exclude"
                )
            selected = [operation]
        return selected, path_values

    def _check_response(self, response: ScriptedResponse, operation: OperationSpec) -> None:
        name = f"{operation.operation_id} ({operation.method} {operation.path})"
        responses = operation.raw.get("responses", {})
        documented = responses.get(str(response.status))
        if documented is None:
            listed = ", ".join(sorted(key for key in responses if key.isdigit()))
            raise OverrideError(
                "response.status",
                f"{name} does not document {response.status} (it documents {listed}); "
                'set "unchecked": true to script it anyway',
            )
        content = documented.get("content") or {}
        media_type = next((media for media in content if "json" in media), next(iter(content), None))
        schema = content[media_type].get("schema") if media_type else None
        if response.has_body:
            if media_type is None:
                raise OverrideError("response.body", f"the documented {response.status} answer of {name} has no body")
            if "json" not in media_type:
                if not isinstance(response.body, str):
                    raise OverrideError("response.body", f"the documented {response.status} answer of {name} is {media_type}; give it as text")
                return
            if schema:
                problems = problems_of(self.contract.schemas.validator(schema), response.body, "body")
                if problems:
                    raise OverrideError(
                        "response.body",
                        f"does not fit the documented {response.status} answer of {name}: {problems[0].describe()}; "
                        'set "unchecked": true to script it anyway',
                    )
        elif response.status < 400 and schema:
            raise OverrideError(
                "response.body",
                f"the documented {response.status} answer of {name} has a body; give one, or set \"unchecked\": true",
            )


@dataclass
class OverrideSet:
    """Every served API's rules, with ids unique across them."""

    apis: dict[str, ApiOverrides]
    numbers: int = field(default=0)  # the highest numeric id added so far
    added: int = field(default=0)
    # The rules per API, `numbers` and `added` as a reset finds them (see `keep_start_up`).
    _start_up: tuple[dict[str, list[ActiveRule]], int, int] = field(default=({}, 0, 0), repr=False)
    # Told what happens to any API's rules (each API's rules tell these).
    watchers: Watchers[RuleNews] = field(default_factory=Watchers, repr=False)

    def __post_init__(self) -> None:
        for overrides in self.apis.values():
            overrides.watchers = self.watchers

    def next_id(self, taken: set[str]) -> str:
        """The id the next rule without one gets: the next free number."""
        number = self.numbers + 1
        while str(number) in taken or self.find(str(number)) is not None:
            number += 1
        return str(number)

    def add(self, rule: ActiveRule) -> None:
        """Apply a compiled rule to its API."""
        self.added += 1
        rule.position = self.added
        self.apis[rule.api].add(rule)
        if rule.id.isdigit():
            self.numbers = max(self.numbers, int(rule.id))

    def find(self, rule_id: str) -> ActiveRule | None:
        """The rule with this id, of whichever API."""
        return next((rule for api in self.apis.values() if (rule := api.find(rule_id)) is not None), None)

    def keep_start_up(self) -> None:
        """Remember the rules as they are now as the ones `restore_start_up` returns to."""
        self._start_up = (
            {api: [rule.fresh() for rule in overrides.rules] for api, overrides in self.apis.items()},
            self.numbers,
            self.added,
        )

    def restore_start_up(self, apis: list[str]) -> None:
        """The given APIs apply the rules they had at start-up again, as they were then.

        When every API is restored, rule numbering starts over as at start-up; otherwise
        it continues after the rules still listed, and a rule another API was given since
        under the id of a restored start-up rule is dropped, so ids stay unique.
        """
        rules, numbers, added = self._start_up
        restored = {api: [rule.fresh() for rule in rules.get(api, [])] for api in apis}
        for api, overrides in self.apis.items():
            if api in restored:
                overrides.replace(restored[api])
        if set(apis) >= set(self.apis):
            self.numbers, self.added = numbers, added
            return
        ids = {rule.id for kept in restored.values() for rule in kept}
        for api, overrides in self.apis.items():
            if api not in restored and any(rule.id in ids for rule in overrides.rules):
                overrides.replace([rule for rule in overrides.rules if rule.id not in ids])
        listed = [int(rule.id) for rule in self.listed() if rule.id.isdigit()]
        self.numbers = max([numbers, *listed])

    def listed(self, apis: list[str] | None = None) -> list[ActiveRule]:
        """The rules of the given APIs (or all), in the order they were added."""
        rules = [rule for name, api in self.apis.items() if apis is None or name in apis for rule in api.rules]
        return sorted(rules, key=lambda rule: rule.position)
