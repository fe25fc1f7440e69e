"""Time as the sandbox tells it: real, or frozen for reproducible timestamps."""

from __future__ import annotations

import time
from datetime import datetime, timezone


class Clock:
    """Gives the current instant; a frozen clock always gives the same one."""

    def __init__(self, frozen: str | None = None) -> None:
        self.frozen = parse_instant(frozen) if frozen else None
        # The last instant written out, by millisecond: many writes share one.
        self._written: tuple[int, str] = (-1, "")
        # How often the time was read: what a piece of work made without reading it does
        # not depend on when it ran, so it may be kept and reused.
        self.reads = 0

    def now(self) -> datetime:
        self.reads += 1
        return self.frozen or datetime.now(timezone.utc)

    def timestamp(self) -> float:
        """Now as seconds since the epoch (cheaper to take and keep than a datetime)."""
        self.reads += 1
        return self.frozen.timestamp() if self.frozen is not None else time.time()

    def iso(self) -> str:
        """Now as ISO 8601 UTC with milliseconds: `2017-04-11T09:53:42.891Z`."""
        self.reads += 1
        if self.frozen is not None:
            return format_instant(self.frozen)
        millisecond = int(time.time() * 1000)
        if self._written[0] != millisecond:
            moment = datetime.fromtimestamp(millisecond / 1000, timezone.utc)
            self._written = (millisecond, format_instant(moment))
        return self._written[1]


def format_instant(moment: datetime) -> str:
    if moment.tzinfo is not timezone.utc:
        moment = moment.astimezone(timezone.utc)
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant; a missing zone means UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
