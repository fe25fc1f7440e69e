"""Server configuration: every setting has a command-line flag and an environment variable.

The table `SETTINGS` is the single source: the `serve` command builds its flags from it,
`--help` and the README list it, and `ServerConfig.from_env` reads the same variables.
`ServerConfig` checks every value (ranges, choices, formats), so a bad one is refused at
start with the flag and the problem named.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .apis import API_NAMES
from .engine.clock import parse_instant

ENV_PREFIX = "MOCK_SERVER_"
DEFAULT_SEED = 1234
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
LOG_FORMATS = ("text", "json")
DEFAULT_STORE_MB = 256
DEFAULT_ACCOUNT_STORE_MB = 64
DEFAULT_READ_TIMEOUT = 30.0


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {text!r}")


def _paths(text: str) -> list[Path]:
    return [Path(part) for part in text.split(os.pathsep) if part]


@dataclass(frozen=True)
class Setting:
    """One configurable value of the server."""

    name: str  # field of ServerConfig; flag is --name-with-dashes
    parse: Callable[[str], Any]  # text (flag or environment) -> value
    help: str
    metavar: str | None = None
    is_flag: bool = False  # a boolean switch on the command line
    repeatable: bool = False  # the flag may be given several times; the values add up
    choices: tuple[str, ...] | None = None  # the values it can take, when they are few

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("host", str, "address to bind (default 127.0.0.1; 0.0.0.0 in containers)", "ADDR"),
    Setting("port", int, "port to listen on (default 8080)", "PORT"),
    Setting("api", str, "serve only this API, at the root instead of under its mount", "NAME", choices=API_NAMES),
    Setting("seed", int, f"seed for generated ids and fake data (default {DEFAULT_SEED})", "N"),
    Setting(
        "fixtures", _paths, "fixture file to load at start, YAML or JSON; give the flag once per file (env: separated by ':')",
        "PATH", repeatable=True,
    ),
    Setting("no_demo_data", _bool, "start without the generated demo data set", is_flag=True),
    Setting("contracts_dir", Path, "folder holding the generated contracts (default: the bundled ones)", "DIR"),
    Setting(
        "admin_token", str,
        "require 'Authorization: Bearer TOKEN' on /__admin (health stays open); empty means no token", "TOKEN",
    ),
    Setting("frozen_time", str, "answer every clock read with this ISO 8601 instant (reproducible timestamps; casavi tokens are then derived from the seed too)", "ISO"),
    Setting("token_ttl", int, "lifetime of casavi access tokens in seconds (default 3600)", "SECONDS"),
    Setting("allow_http_hooks", _bool, "accept http:// casavi hook URLs (casavi itself takes https only)", is_flag=True),
    Setting("webhook_envelope", _bool, "send casavi hook events in the envelope {eventId, eventName, eventTimestamp, tenantId, payload} instead of the bare payload", is_flag=True),
    Setting("job_delay", float, "seconds a background task (casavi import, Afosto batch) waits after each step (default 0.01)", "SECONDS"),
    Setting("webhook_timeout", float, "seconds a webhook receiver has to answer one delivery attempt (default 5)", "SECONDS"),
    Setting("webhook_attempts", int, "attempts per webhook delivery before it is marked failed (default 4)", "N"),
    Setting("journal_size", int, "requests kept in the request journal (default 1000)", "N"),
    Setting(
        "chaos", float,
        "share of requests (0 to 1) that get a documented server error or a delay of up to 1 s, drawn under the seed, for soak tests (default 0)",
        "RATE",
    ),
    Setting("max_store_mb", int, f"data the whole server stores, in MB of JSON; writes beyond answer 507 (default {DEFAULT_STORE_MB})", "MB"),
    Setting(
        "max_account_store_mb", int,
        f"data one account of one API stores, in MB of JSON; writes beyond answer 507 (default {DEFAULT_ACCOUNT_STORE_MB})", "MB",
    ),
    Setting("read_timeout", float, f"seconds a connection may stay silent while a request is incomplete (default {DEFAULT_READ_TIMEOUT:g})", "SECONDS"),
    Setting("log_level", str.lower, "log level (default info)", "LEVEL", choices=LOG_LEVELS),
    Setting("log_format", str.lower, "log lines as text, or json (one object a line; default text)", "FORMAT", choices=LOG_FORMATS),
    Setting("state_file", Path, "keep the state in this JSON file: loaded at start, saved when it changed", "PATH"),
    Setting("state_save_interval", float, "seconds between saves of a changed state (default 5)", "SECONDS"),
)
SETTING_BY_NAME = {setting.name: setting for setting in SETTINGS}


class ServerConfig(BaseModel):
    """Everything `create_app` and `serve` need; the defaults are the documented ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field("127.0.0.1", min_length=1)
    port: int = Field(8080, ge=0, le=65535)
    api: str | None = None
    seed: int = DEFAULT_SEED
    fixtures: list[Path] = Field(default_factory=list)
    no_demo_data: bool = False
    contracts_dir: Path | None = None
    admin_token: str | None = None
    frozen_time: str | None = None
    token_ttl: int = Field(3600, ge=0)
    allow_http_hooks: bool = False
    webhook_envelope: bool = False
    job_delay: float = Field(0.01, ge=0, le=3600)
    webhook_timeout: float = Field(5.0, gt=0, le=600)
    webhook_attempts: int = Field(4, ge=1, le=100)
    journal_size: int = Field(1000, ge=1, le=1_000_000)
    chaos: float = Field(0.0, ge=0, le=1)
    max_store_mb: int = Field(DEFAULT_STORE_MB, ge=1, le=1_000_000)
    max_account_store_mb: int = Field(DEFAULT_ACCOUNT_STORE_MB, ge=1, le=1_000_000)
    read_timeout: float = Field(DEFAULT_READ_TIMEOUT, gt=0, le=3600)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    log_format: Literal["text", "json"] = "text"
    state_file: Path | None = None
    state_save_interval: float = Field(5.0, gt=0, le=86400)

    @field_validator("api")
    @classmethod
    def _known_api(cls, value: str | None) -> str | None:
        if value is not None and value not in API_NAMES:
            raise ValueError(f"unknown API {value!r}; choose one of {', '.join(API_NAMES)}")
        return value

    @field_validator("admin_token", mode="before")
    @classmethod
    def _token(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return None  # an empty token (e.g. an unset variable in a compose file) means none
            if not value.isascii() or not value.isprintable() or " " in value.strip():
                raise ValueError("use printable ASCII characters without spaces (it travels in an HTTP header)")
            return value.strip()
        return value

    @field_validator("frozen_time")
    @classmethod
    def _instant(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_instant(value)
            except ValueError:
                raise ValueError(f"not an ISO 8601 instant: {value!r} (e.g. 2026-01-02T03:04:05.000Z)") from None
        return value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @property
    def apis(self) -> tuple[str, ...]:
        """The APIs this server answers."""
        return (self.api,) if self.api else API_NAMES

    def mount_of(self, api: str) -> str:
        """URL prefix an API is served under: `/afosto`, or `` with `--api`."""
        return "" if self.api else f"/{api}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> "ServerConfig":
        """Defaults, then `MOCK_SERVER_*` variables, then explicit overrides.

        Raises ValueError naming the flag (and its variable) of every bad value.
        """
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.env in environ:
                try:
                    values[setting.name] = setting.parse(environ[setting.env])
                except ValueError as error:
                    raise ValueError(f"{setting.env}: {_plain(error)}") from None
        values.update({key: value for key, value in overrides.items() if value is not None})
        unknown = set(values) - set(cls.model_fields)
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        try:
            return cls(**values)
        except ValidationError as error:
            raise ValueError(_setting_problems(error)) from None


def _plain(error: ValueError) -> str:
    text = str(error)
    if text.startswith(("invalid literal for int", "could not convert string")):
        return f"expected a number, not {text.rsplit(': ', 1)[-1]}"
    return text


def _setting_problems(error: ValidationError) -> str:
    """`--port (MOCK_SERVER_PORT): must be at most 65535`."""
    by_name = {setting.name: setting for setting in SETTINGS}
    lines = []
    for problem in error.errors(include_url=False):
        name = str(problem["loc"][0]) if problem["loc"] else ""
        setting = by_name.get(name)
        where = f"{setting.flag} ({setting.env})" if setting else name
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {message}")
    return "; ".join(lines)


def add_setting_flags(parser: Any, names: Iterable[str] | None = None) -> None:
    """Add one flag per setting, or per named setting, to a parser or an argument group.

    Defaults stay None so the environment can fill in.
    """
    for setting in SETTINGS if names is None else [SETTING_BY_NAME[name] for name in names]:
        help_text = f"{setting.help}" + (f"; one of {', '.join(setting.choices)}" if setting.choices else "")
        help_text += f" [env {setting.env}]"
        if setting.is_flag:
            parser.add_argument(setting.flag, dest=setting.name, action="store_true", default=None, help=help_text)
        elif setting.repeatable:
            parser.add_argument(
                setting.flag, dest=setting.name, type=_argparse_type(setting), action="extend", default=None,
                metavar=setting.metavar, help=help_text,
            )
        else:
            parser.add_argument(
                setting.flag, dest=setting.name, type=_argparse_type(setting), default=None,
                metavar=setting.metavar, help=help_text, choices=setting.choices,
            )


def _argparse_type(setting: Setting) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            return setting.parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(_plain(error)) from None

    convert.__name__ = setting.name
    return convert


def settings_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given on the command line."""
    return {setting.name: getattr(args, setting.name) for setting in SETTINGS}
