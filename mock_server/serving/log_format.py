"""How the server's log lines look: uvicorn's text lines, or one JSON object a line.

`--log-format json` is for pipelines that collect logs: every line is an object with
`time` (ISO 8601 UTC), `level`, `logger` and `message`, plus the structured fields a
record carries in `extra={"fields": {...}}` (the start-up announcement lists the APIs
that way).
"""

from __future__ import annotations

import copy
import logging
from datetime import datetime, timezone
from typing import Any

from ..engine import jsonio


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return jsonio.dumps(entry).decode()


def logging_config(log_format: str, level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` document for uvicorn and the sandbox's own loggers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    if log_format == "json":
        for name in config["formatters"]:
            config["formatters"][name] = {"()": f"{__name__}.JsonFormatter"}
    config["loggers"]["mock_server"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config
