"""MkDocs hook: the configuration reference, rendered at build time from the code.

`reference/configuration.md` holds two placeholders. `<!-- settings -->` becomes the
settings of `mock-server serve`: every flag with its environment variable, default and
meaning, in the groups `serve --help` shows, from the settings table and the
configuration model (`ServerConfig`). `<!-- commands -->` becomes the options of the
other commands, read from the command-line parser. Nothing of it is written by hand, so
the page cannot fall behind the code; a setting the page cannot describe fails the build.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from mkdocs.exceptions import PluginError
from pydantic_core import PydanticUndefined

from mock_server.cli import build_parser
from mock_server.config import SETTINGS, ServerConfig

PAGE = "reference/configuration.md"
SETTINGS_PLACEHOLDER = "<!-- settings -->"
COMMANDS_PLACEHOLDER = "<!-- commands -->"
_BOUNDS = (("ge", "at least"), ("gt", "more than"), ("le", "at most"), ("lt", "less than"))
_DEFAULT_NOTE = re.compile(r"\s*\(default (?P<value>[^();]*)\)")
_GENERATED_NOTE = "<!-- generated from the code at build time: do not edit here -->"


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Fill the placeholders of the configuration page."""
    if page.file.src_uri != PAGE:
        return markdown
    for placeholder in (SETTINGS_PLACEHOLDER, COMMANDS_PLACEHOLDER):
        if placeholder not in markdown:
            raise PluginError(f"{PAGE} lost its {placeholder} placeholder")
    parser = build_parser()
    commands = _subcommands(parser)
    markdown = markdown.replace(SETTINGS_PLACEHOLDER, _GENERATED_NOTE + "\n" + settings_reference(commands["serve"]))
    return markdown.replace(COMMANDS_PLACEHOLDER, _GENERATED_NOTE + "\n" + commands_reference(commands))


def _subcommands(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    """Every (nested) subcommand's parser by its name, e.g. `contracts export`; a parser
    without a description gets its one-line help as one."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                full = f"{prefix} {name}".strip()
                if not sub.description and helps.get(name):
                    sub.description = helps[name][:1].upper() + helps[name][1:] + "."
                nested = _subcommands(sub, full)
                if nested:
                    found.update(nested)
                else:
                    found[full] = sub
    return found


def _without_default(text: str, default: str) -> str:
    """Help text less a `(default X)` the default column already shows."""
    match = _DEFAULT_NOTE.search(text)
    if match and _code(match["value"]) == default:
        return text[: match.start()] + text[match.end():]
    return text


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _default(name: str) -> str:
    field = ServerConfig.model_fields[name]
    if field.default_factory is not None:
        value = field.default_factory()
    elif field.default is PydanticUndefined:
        return "required"
    else:
        value = field.default
    if value is None or value == []:
        return "none"
    if isinstance(value, bool):
        return "off" if value is False else "on"
    return _code(f"{value:g}" if isinstance(value, float) else str(value))


def _bounds(name: str) -> str:
    field = ServerConfig.model_fields[name]
    found = []
    for item in field.metadata:
        for attribute, words in _BOUNDS:
            value = getattr(item, attribute, None)
            if value is not None:
                found.append(f"{words} {value:g}" if isinstance(value, float) else f"{words} {value}")
    return "; ".join(found)


def settings_reference(serve: argparse.ArgumentParser) -> str:
    """One table per group of `serve --help`: flag, environment variable, default, meaning."""
    by_name = {setting.name: setting for setting in SETTINGS}
    described: set[str] = set()
    sections = []
    for group in serve._action_groups:
        rows = []
        for action in group._group_actions:
            setting = by_name.get(action.dest)
            if setting is None:
                continue
            if setting.name not in ServerConfig.model_fields:
                raise PluginError(f"setting {setting.name} is not a field of ServerConfig")
            described.add(setting.name)
            flag = setting.flag if setting.is_flag else f"{setting.flag} {setting.metavar or 'VALUE'}"
            default = _default(setting.name)
            meaning = _without_default(setting.help, default)
            if setting.choices:
                meaning += "; one of " + ", ".join(_code(choice) for choice in setting.choices)
            if setting.repeatable:
                meaning += "; repeatable"
            bounds = _bounds(setting.name)
            if bounds:
                meaning += f" ({bounds})"
            rows.append(f"| {_code(flag)} | {_code(setting.env)} | {default} | {_cell(meaning)} |")
        if rows:
            sections.append(
                f"### {group.title[:1].upper()}{group.title[1:]}\n\n"
                "| flag | environment variable | default | meaning |\n|---|---|---|---|\n" + "\n".join(rows)
            )
    missing = {setting.name for setting in SETTINGS} - described
    if missing:
        raise PluginError(f"settings without a serve flag: {sorted(missing)}")
    return "\n\n".join(sections)


def _option_default(action: argparse.Action) -> str:
    if action.required:
        return "required"
    if action.default in (None, argparse.SUPPRESS, [], False):
        return "none"
    return _code(str(action.default))


def commands_reference(commands: dict[str, argparse.ArgumentParser]) -> str:
    """The options of every command but `serve`, from its parser."""
    sections = []
    for name, parser in sorted(commands.items()):
        if name == "serve":
            continue
        rows = []
        for action in parser._actions:
            if not action.option_strings or isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
                continue
            takes = "" if action.nargs == 0 else f" {action.metavar or action.dest.upper()}"
            flags = ", ".join(_code(option + takes) for option in action.option_strings)
            default = _option_default(action)
            meaning = _without_default(action.help or "", default)
            if action.choices:
                meaning += "; one of " + ", ".join(_code(str(choice)) for choice in action.choices)
            rows.append(f"| {flags} | {default} | {_cell(meaning)} |")
        description = _cell((parser.description or "").split("\n\n")[0])
        table = "| option | default | meaning |\n|---|---|---|\n" + "\n".join(rows) if rows else "No options."
        sections.append(f"### `mock-server {name}`\n\n{description}\n\n{table}")
    return "\n\n".join(sections)
