"""The fixture document, as models: what one API's section may hold.

    <api>:
      accounts: [{name: demo, <credentials>..., <attributes>...}]
      data: {<account name>: {<collection path>: [objects] | <singleton object>}}
      counters: {<sequence>: n}            # state exports
      tasks: [...]                         # state exports: background tasks
      <what the API module keeps>: ...     # casavi tokens, Case messages cases, ...

Each API module extends `ApiSection` and `AccountEntry` with what its vendor needs
(credentials an account must have, its own state), so a bad document is refused with
the field named, before anything is loaded.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Credential = Annotated[str, StringConstraints(min_length=1)]


class AccountEntry(BaseModel):
    """An account: its name, the credentials its API needs, and any attributes."""

    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True, defer_build=True)

    name: Name


class TaskEntry(BaseModel):
    """A background task as a state export lists it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    id: Name
    account: str
    type: Name
    payload: Any = None
    steps: list[Any] = Field(default_factory=list)
    done: int = Field(default=0, ge=0)
    status: str = "queued"
    failedSteps: int = Field(default=0, ge=0)
    results: dict[str, Any] = Field(default_factory=dict)
    createdAt: str
    startedAt: str | None = None
    completedAt: str | None = None


class ApiSection(BaseModel):
    """One API's part of a fixture document."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    accounts: list[AccountEntry] = Field(default_factory=list)
    # account name -> collection path -> its objects (a list), or a singleton path's object
    data: dict[Name, dict[str, Any] | None] = Field(default_factory=dict)
    counters: dict[str, int] = Field(default_factory=dict)
    tasks: list[TaskEntry] = Field(default_factory=list)

    def module_state(self) -> dict[str, Any]:
        """What the API module keeps beside the store (the fields its section adds), as data."""
        common = set(ApiSection.model_fields)
        return {
            name: value
            for name, value in self.model_dump(mode="json").items()
            if name not in common and name in self.model_fields_set
        }

    def references(self, known_accounts: set[str]) -> list[str]:
        """Problems with what the section's own state names (accounts, ...), as `where: what`."""
        return []
