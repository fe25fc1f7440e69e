"""What the command line is given at start: bad fixtures and bad values end it with one line."""

from __future__ import annotations

import pytest

from mock_server.app import create_app
from mock_server.cli import build_parser, main
from mock_server.config import ServerConfig, settings_from_args


def _serve_error(capsys, *args: str) -> str:
    """Run `mock-server serve ARGS` that must fail; its one line of error output."""
    with pytest.raises(SystemExit) as ended:
        code = main(["serve", *args])
        raise SystemExit(code)
    assert ended.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    return lines[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("casvi:\n  accounts: []\n", "unknown API casvi (did you mean casavi?)"),
        ("casavi:\n  accounts: [{name: x, key: k}]\n", "casavi.accounts[0].secret: Field required"),
        ("casavi:\n  data: {ghost: {/contacts: []}}\n", "data.ghost: unknown account 'ghost'"),
        ("afosto:\n  data: {demo: {/nowhere: [{}]}}\n", "data.demo./nowhere: no collection of this API has that path"),
        ("casavi: {accounts: [\n  {name: x\n", "not valid YAML or JSON: line 3 column 1"),
        ('{"casavi": {"accounts": [NaN]}}', "not valid YAML or JSON: NaN and Infinity are not JSON numbers at line 1 column 26"),
        ("afosto: {data: {demo: {/cat/channels: [{name: x, logo: !!binary aGk=}]}}}\n",
         "afosto.data.demo./cat/channels[0].logo: a bytes value is not JSON data"),
        ("- just\n- a list\n", "a fixture is a mapping of API names"),
    ],
)
def test_a_bad_fixture_ends_the_start_with_one_line_naming_file_and_field(tmp_path, capsys, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    line = _serve_error(capsys, "--fixtures", str(path))
    assert line.startswith("mock-server: ") and str(path) in line, line
    assert expected in line, line


def test_an_unreadable_fixture_ends_the_start(tmp_path, capsys):
    missing = tmp_path / "missing.yaml"
    line = _serve_error(capsys, "--fixtures", str(missing))
    assert f"{missing}: cannot be read" in line
    line = _serve_error(capsys, "--fixtures", str(tmp_path))
    assert f"{tmp_path}: cannot be read" in line


def test_fixtures_can_be_given_more_than_once(tmp_path):
    first, second = tmp_path / "one.yaml", tmp_path / "two.json"
    first.write_text("afosto: {accounts: [{name: one, token: one-token}]}\n")
    second.write_text('{"relay": {"accounts": [{"name": "two", "apiKey": "two-key"}]}}')
    args = build_parser().parse_args(["serve", "--fixtures", str(first), "--fixtures", str(second)])
    config = ServerConfig.from_env({}, **settings_from_args(args))
    assert config.fixtures == [first, second]
    runtimes = create_app(config).sandbox.runtimes
    assert "one" in runtimes["afosto"].accounts and "two" in runtimes["relay"].accounts


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--port", "70000"], "--port (MOCK_SERVER_PORT): Input should be less than or equal to 65535"),
        (["--port", "eighty"], "argument --port: expected a number"),
        (["--log-level", "loud"], "argument --log-level: invalid choice: 'loud'"),
        (["--job-delay", "-1"], "--job-delay (MOCK_SERVER_JOB_DELAY): Input should be greater than or equal to 0"),
        (["--read-timeout", "0"], "--read-timeout (MOCK_SERVER_READ_TIMEOUT): Input should be greater than 0"),
        (["--max-store-mb", "-5"], "--max-store-mb (MOCK_SERVER_MAX_STORE_MB): Input should be greater than or equal to 1"),
        (["--frozen-time", "yesterday"], "--frozen-time (MOCK_SERVER_FROZEN_TIME): not an ISO 8601 instant: 'yesterday'"),
        (["--admin-token", "s\u00e9cret"], "--admin-token (MOCK_SERVER_ADMIN_TOKEN): use printable ASCII"),
    ],
)
def test_a_bad_value_ends_the_start_with_one_line_naming_the_flag(capsys, args, expected):
    assert expected in _serve_error(capsys, *args)



def test_running_a_command_builds_its_parser_alone_and_help_lists_them_all(capsys):
    every = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(every) == {"serve", "contracts", "receive", "proxy", "drift-report", "coverage", "verify"}
    alone = build_parser("serve")._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(alone) == {"serve"}
    with pytest.raises(SystemExit):
        main(["servee"])
    assert "invalid choice: 'servee' (choose from 'serve', 'contracts'" in capsys.readouterr().err
