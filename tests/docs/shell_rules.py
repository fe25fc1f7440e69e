"""What a shell example must do so that a failure shows: every `curl` fails on an HTTP
error status (`-f` / `--fail-with-body`) or prints the status for the page to compare, and
never hides its own errors (`-s` only with `-S`); addresses come from the variables the
test overrides, never from a literal port."""

from __future__ import annotations

import re
import shlex

# Variables an example assigns at the top of a page, with the value the page shows; the
# test replaces the assignments with a free port of its own.
OVERRIDDEN = {"BASE": "http://127.0.0.1:8080", "RECEIVER_PORT": "9000", "PROXY_PORT": "8081"}
ASSIGNMENT = re.compile(r"(?<![\w${])(?P<name>" + "|".join(OVERRIDDEN) + r")=(?P<value>\"[^\"]*\"|'[^']*'|[^\s;]+)")
_LITERAL_PORT = re.compile(r"(?:localhost|127\.0\.0\.1|\[::1\]):(?:8080|8081|9000)\b")
_CURL = re.compile(r"(?<![\w-])curl\s")
_ENDS_COMMAND = {"|", "||", "&&", ";", ")", "&", ">", ">>", "<"}
_FAIL_LONG = {"--fail", "--fail-with-body"}
_SHOWS_STATUS = re.compile(r"%\{(http_code|response_code)\}")


def joined(code: str) -> str:
    """The code with backslash-newline continuations joined."""
    return re.sub(r"\\\n\s*", " ", code)


def _curl_options(segment: str) -> list[str]:
    lexer = shlex.shlex(segment, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    options = []
    try:
        for token in lexer:
            if token in _ENDS_COMMAND:
                break
            options.append(token)
    except ValueError:  # an unbalanced quote in a segment cut at a line end: judge what was read
        pass
    return options


def curl_problems(code: str, where: str, followed_by_output: bool) -> list[str]:
    """Why the curl calls of a shell block could hide a failure (empty when none)."""
    problems = []
    for line in joined(code).splitlines():
        for match in _CURL.finditer(line):
            options = _curl_options(line[match.end():])
            short = "".join(option[1:] for option in options if option.startswith("-") and not option.startswith("--"))
            fails = "f" in short or any(option in _FAIL_LONG for option in options)
            silent = "s" in short or "--silent" in options
            shows_errors = "S" in short or "--show-error" in options
            shows_status = any(_SHOWS_STATUS.search(option) for option in options)
            text = "curl " + " ".join(options)
            if silent and not shows_errors:
                problems.append(f"{where}: `{text[:60]}...` is silent without -S, which hides curl's own errors")
            if not fails and not (shows_status and followed_by_output):
                problems.append(
                    f"{where}: `{text[:60]}...` needs -f/--fail-with-body, or -w '%{{http_code}}' with an output block after it"
                )
    return problems


def literal_address_problems(code: str, where: str) -> list[str]:
    """A runnable block names the sandbox, receiver or proxy through the variables only."""
    without_assignments = ASSIGNMENT.sub("", code)
    return [
        f"{where}: `{match.group(0)}` is a literal address; use $BASE, $RECEIVER_PORT or $PROXY_PORT"
        for match in _LITERAL_PORT.finditer(without_assignments)
    ]


def with_overrides(code: str, values: dict[str, str]) -> str:
    """The code with the page's assignments of the overridden variables replaced."""
    return ASSIGNMENT.sub(lambda match: f"{match['name']}={values[match['name']]}", code)
