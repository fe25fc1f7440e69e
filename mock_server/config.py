"""Server configuration: every setting has a command-line flag and an environment variable.

The table `SETTINGS` is the single source: the `serve` command builds its flags from it,
`--help` and the README list it, and `ServerConfig.from_env` reads the same variables.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Iterable

API_NAMES = ("casavi", "afosto", "relay", "messages")
ENV_PREFIX = "MOCK_SERVER_"
DEFAULT_SEED = 1234
LOG_FORMATS = ("text", "json")


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {text!r}")


def _api(text: str) -> str:
    if text not in API_NAMES:
        raise ValueError(f"unknown API {text!r}; choose one of {', '.join(API_NAMES)}")
    return text


def _paths(text: str) -> list[Path]:
    return [Path(part) for part in text.split(os.pathsep) if part]


def _positive_seconds(text: str) -> float:
    seconds = float(text)
    if not seconds > 0:
        raise ValueError(f"must be a number of seconds above 0, not {text!r}")
    return seconds


def _log_format(text: str) -> str:
    if text not in LOG_FORMATS:
        raise ValueError(f"unknown log format {text!r}; choose one of {', '.join(LOG_FORMATS)}")
    return text


@dataclass(frozen=True)
class Setting:
    """One configurable value of the server."""

    name: str  # attribute of ServerConfig; flag is --name-with-dashes
    parse: Callable[[str], Any]
    help: str
    metavar: str | None = None
    is_flag: bool = False  # a boolean switch on the command line

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("host", str, "address to bind (default 127.0.0.1; 0.0.0.0 in containers)", "ADDR"),
    Setting("port", int, "port to listen on (default 8080)", "PORT"),
    Setting("api", _api, "serve only this API, at the root instead of under its mount", "NAME"),
    Setting("seed", int, f"seed for generated ids and fake data (default {DEFAULT_SEED})", "N"),
    Setting("fixtures", _paths, "fixture file(s) to load at start, YAML or JSON (env: separated by ':')", "PATH"),
    Setting("no_demo_data", _bool, "start without the generated demo data set", is_flag=True),
    Setting("contracts_dir", Path, "folder holding the generated contracts (default: the bundled ones)", "DIR"),
    Setting("admin_token", str, "require 'Authorization: Bearer TOKEN' on /__admin", "TOKEN"),
    Setting("frozen_time", str, "answer every clock read with this ISO 8601 instant (reproducible timestamps)", "ISO"),
    Setting("token_ttl", int, "lifetime of casavi access tokens in seconds (default 3600)", "SECONDS"),
    Setting("job_delay", float, "seconds the casavi import worker spends per record (default 0.01)", "SECONDS"),
    Setting("journal_size", int, "requests kept in the request journal (default 1000)", "N"),
    Setting("log_level", str, "uvicorn log level: critical, error, warning, info, debug (default info)", "LEVEL"),
    Setting("log_format", _log_format, "log lines as 'text' or 'json' (one object a line; default text)", "FORMAT"),
    Setting("state_file", Path, "keep the state in this JSON file: loaded at start, saved when it changed", "PATH"),
    Setting("state_save_interval", _positive_seconds, "seconds between saves of a changed state (default 5)", "SECONDS"),
)
SETTING_BY_NAME = {setting.name: setting for setting in SETTINGS}


@dataclass
class ServerConfig:
    """Everything `create_app` and `serve` need; the defaults are the documented ones."""

    host: str = "127.0.0.1"
    port: int = 8080
    api: str | None = None
    seed: int = DEFAULT_SEED
    fixtures: list[Path] = field(default_factory=list)
    no_demo_data: bool = False
    contracts_dir: Path | None = None
    admin_token: str | None = None
    frozen_time: str | None = None
    token_ttl: int = 3600
    job_delay: float = 0.01
    journal_size: int = 1000
    log_level: str = "info"
    log_format: str = "text"
    state_file: Path | None = None
    state_save_interval: float = 5.0

    @property
    def apis(self) -> tuple[str, ...]:
        """The APIs this server answers."""
        return (self.api,) if self.api else API_NAMES

    def mount_of(self, api: str) -> str:
        """URL prefix an API is served under: `/afosto`, or `` with `--api`."""
        return "" if self.api else f"/{api}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> "ServerConfig":
        """Defaults, then `MOCK_SERVER_*` variables, then explicit overrides."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.env in environ:
                try:
                    values[setting.name] = setting.parse(environ[setting.env])
                except ValueError as error:
                    raise ValueError(f"{setting.env}: {error}") from None
        values.update({key: value for key, value in overrides.items() if value is not None})
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        return cls(**values)


def add_setting_flags(parser: Any, names: Iterable[str] | None = None) -> None:
    """Add one flag per setting, or per named setting, to a parser or an argument group.

    Defaults stay None so the environment can fill in.
    """
    for setting in SETTINGS if names is None else [SETTING_BY_NAME[name] for name in names]:
        help_text = f"{setting.help} [env {setting.env}]"
        if setting.is_flag:
            parser.add_argument(setting.flag, dest=setting.name, action="store_true", default=None, help=help_text)
        else:
            parser.add_argument(
                setting.flag, dest=setting.name, type=_argparse_type(setting), default=None,
                metavar=setting.metavar, help=help_text,
            )


def _argparse_type(setting: Setting) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            return setting.parse(text)
        except ValueError as error:
            if setting.parse in (int, float):
                raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = setting.name
    return convert


def settings_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given on the command line."""
    return {setting.name: getattr(args, setting.name) for setting in SETTINGS}
