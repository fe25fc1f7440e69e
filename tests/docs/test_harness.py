"""The documentation test's own parts: a stale output, a hidden failure, a literal address
or an unmarked block is caught, not passed over."""

from __future__ import annotations

from pathlib import Path

import pytest

from .blocks import PageError, read_blocks
from .compare import output_matches
from .runner import PageRun
from .shell_rules import curl_problems, literal_address_problems, with_overrides


def _page(tmp_path: Path, text: str) -> Path:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    return page


def test_markers_are_read_with_their_blocks(tmp_path: Path) -> None:
    page = _page(tmp_path, (
        "Text\n\n<!-- example: skip (needs Docker) -->\n```sh\ndocker run x\n```\n\n"
        "```sh\necho hi\n```\n<!-- example: output abridged volatile=a,b -->\n```json\n{}\n```\n"
        "<!-- example: file tests/x.yaml -->\n```yaml\na: 1\n```\n"
    ))
    skipped, run, output, file = read_blocks(page)
    assert (skipped.marker.action, skipped.marker.argument) == ("skip", "needs Docker")
    assert run.marker.action == "run" and run.code == "echo hi\n" and run.line == 8
    assert (output.marker.abridged, output.marker.volatile) == (True, ("a", "b"))
    assert (file.marker.action, file.marker.argument) == ("file", "tests/x.yaml")


@pytest.mark.parametrize("marker", ["skip", "skip ()", "file /etc/passwd", "file ../x", "output sometimes", "runs"])
def test_a_bad_marker_names_the_page_and_line(tmp_path: Path, marker: str) -> None:
    with pytest.raises(PageError, match=r"page\.md:1"):
        read_blocks(_page(tmp_path, f"<!-- example: {marker} -->\n```sh\necho\n```\n"))


def test_a_marker_away_from_its_block_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PageError, match="right before its code block"):
        read_blocks(_page(tmp_path, "<!-- example: skip (x) -->\nsome text\n```sh\necho\n```\n"))


def test_outputs_are_compared_after_normalising_what_varies() -> None:
    shown = '{"id": "0b2c3f4e-5d6a-4b7c-8d9e-0f1a2b3c4d5e", "at": "2026-01-02T03:04:05.678Z", "n": 4}'
    printed = '{"id":"d4df8b00-fdb4-4c29-9732-bc55d001432b","at":"2030-12-07T03:58:36.010Z","n":4}'
    assert output_matches(shown, printed)
    assert not output_matches(shown.replace('"n": 4', '"n": 1'), printed)  # the stale internalId
    assert not output_matches('{"n": 4}', printed)  # a key left out is a difference unless abridged
    assert output_matches('{"n": 4}', printed, abridged=True)
    assert output_matches('{"up": 1.5}', '{"up": 3.25}', volatile=("up",))
    assert not output_matches('{"up": 1.5}', '{"up": 3.25}')


def test_text_outputs_are_compared_line_by_line() -> None:
    printed = "api     called\nafosto  12\ntotal   12\n"
    assert output_matches("api     called\nafosto  12\ntotal   12", printed)
    assert not output_matches("api     called\nafosto  13\ntotal   12", printed)
    assert output_matches("afosto  12\n...\n", printed, abridged=True)
    assert not output_matches("total   12\nafosto  12\n", printed, abridged=True)  # order counts


@pytest.mark.parametrize("command, problem", [
    ("curl -s $BASE/x", "silent without -S"),
    ("curl -sS $BASE/x", "needs -f"),
    ("curl -fs $BASE/x", "silent without -S"),
    ("X=$(curl -sS $BASE/x | python3 -c 'print(1)')", "needs -f"),
    ("curl -sS -w '%{http_code}' $BASE/x", "needs -f"),  # shows the status, but nothing compares it
])
def test_a_curl_that_could_hide_a_failure_is_refused(command: str, problem: str) -> None:
    assert any(problem in found for found in curl_problems(command, "page.md:1", followed_by_output=False))


@pytest.mark.parametrize("command", [
    "curl -fsS $BASE/x",
    "curl --fail-with-body --silent --show-error $BASE/x",
    "curl -sS -w ' %{http_code}' $BASE/x",  # with an output block after it
    "curl -fsS -X POST $BASE/x \\\n  -d '{\"a\": 1}' | python3 -c 'import sys; print(sys.stdin.read())'",
])
def test_a_curl_that_fails_loudly_passes(command: str) -> None:
    assert curl_problems(command, "page.md:1", followed_by_output=True) == []


def test_addresses_come_from_the_overridden_variables() -> None:
    assert literal_address_problems("BASE=http://127.0.0.1:8080\ncurl -fsS $BASE/x", "p:1") == []
    assert literal_address_problems("curl -fsS localhost:8080/x", "p:1")
    assert literal_address_problems("mock-server receive --port 9000 && curl -fsS http://127.0.0.1:9000", "p:1")
    assert with_overrides("BASE=http://127.0.0.1:8080 RECEIVER_PORT=9000", {"BASE": "B", "RECEIVER_PORT": "R"}) == "BASE=B RECEIVER_PORT=R"


def test_a_page_with_a_stale_output_fails(tmp_path: Path) -> None:
    page = _page(tmp_path, "```sh\necho '{\"internalId\": 4}'\n```\n<!-- example: output -->\n```json\n{\"internalId\": 1}\n```\n")
    with pytest.raises(AssertionError, match="is not what the example printed"):
        PageRun(read_blocks(page), tmp_path / "run").run()


def test_a_failing_command_fails_the_page_and_variables_carry_over(tmp_path: Path) -> None:
    page = _page(tmp_path, "```sh\nNAME=kept\n```\n\n```sh\necho $NAME\n```\n<!-- example: output -->\n```text\nkept\n```\n")
    census = PageRun(read_blocks(page), tmp_path / "ok").run()
    assert census.compared == ["page.md:9"]
    failing = _page(tmp_path, "```sh\nfalse\necho never\n```\n")
    with pytest.raises(AssertionError, match="exited with status 1"):
        PageRun(read_blocks(failing), tmp_path / "failing").run()


def test_an_unmarked_block_of_another_language_is_refused(tmp_path: Path) -> None:
    page = _page(tmp_path, "```yaml\na: 1\n```\n")
    with pytest.raises(PageError, match="neither run nor marked"):
        PageRun(read_blocks(page), tmp_path / "run").run()


def test_python_tests_run_in_a_downstream_project_without_this_repository_settings(tmp_path: Path) -> None:
    page = _page(tmp_path, "```python\nasync def test_needs_a_plugin():\n    pass\n```\n")
    with pytest.raises(AssertionError, match="expected 1 passed"):
        PageRun(read_blocks(page), tmp_path / "run").run()  # asyncio_mode = auto is not inherited
