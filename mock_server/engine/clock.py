"""Time as the sandbox tells it: real, or frozen for reproducible timestamps."""

from __future__ import annotations

from datetime import datetime, timezone


class Clock:
    """Gives the current instant; a frozen clock always gives the same one."""

    def __init__(self, frozen: str | None = None) -> None:
        self.frozen = parse_instant(frozen) if frozen else None

    def now(self) -> datetime:
        return self.frozen or datetime.now(timezone.utc)

    def iso(self) -> str:
        """Now as ISO 8601 UTC with milliseconds: `2017-04-11T09:53:42.891Z`."""
        return format_instant(self.now())


def format_instant(moment: datetime) -> str:
    if moment.tzinfo is not timezone.utc:
        moment = moment.astimezone(timezone.utc)
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant; a missing zone means UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
