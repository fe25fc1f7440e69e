"""Memos of facts worked out once and looked up again (a path's route, a header's text, ...)."""

from __future__ import annotations

from typing import Any


class BoundedMemo(dict):
    """A dict that holds at most ``most`` entries: once full, it forgets them all at once
    before it keeps the next, which costs less than keeping track of which was used last.
    What it forgot is worked out again when next asked for. Read it as a dict."""

    def __init__(self, most: int) -> None:
        super().__init__()
        self.most = most

    def keep(self, key: Any, value: Any) -> Any:
        """Remember ``value`` under ``key``; returns it."""
        if len(self) >= self.most:
            self.clear()
        self[key] = value
        return value
