"""The image: `scripts/docker-smoke.sh` where a Docker daemon answers, and the compose file."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from .servers import REPO

SMOKE_SCRIPT = REPO / "scripts" / "docker-smoke.sh"


def _docker_or_skip() -> str:
    docker = os.environ.get("DOCKER") or shutil.which("docker")
    if docker is None:
        pytest.skip("no docker client found (set DOCKER to one): the image smoke test needs Docker")
    try:
        info = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"'{docker} info' did not run ({error}): the image smoke test needs a Docker daemon")
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["no answer"])[-1]
        pytest.skip(f"no Docker daemon answers to '{docker} info' ({reason}): the image smoke test needs one")
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed: the image smoke test calls the container with it")
    return docker


def _image_ids(docker: str) -> set[str]:
    listed = subprocess.run([docker, "images", "-a", "-q", "--no-trunc"], capture_output=True, text=True, timeout=60)
    return set(listed.stdout.split())


@pytest.mark.slow
def test_docker_smoke_script():
    docker = _docker_or_skip()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MOCK_SERVER_")}
    environment["DOCKER"] = docker
    environment["KEEP_IMAGE"] = "0"  # the image is removed at the end, so test runs leave no images behind
    images_before = _image_ids(docker)
    result = subprocess.run([str(SMOKE_SCRIPT)], capture_output=True, text=True, env=environment, timeout=1800)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert _image_ids(docker) <= images_before  # neither the image nor its untagged build stage stays
    assert "docker-smoke: PASS" in output
    for check in ("casavi GET /contacts: 200", "afosto POST /cat/channels: 200", "relay GET /orders: 200",
                  "messages GET /api/v3/case-messages: 200", "GET /__admin/state: 200", "GET /__admin/ui: 200", "GET /__admin/ui/panels/requests.js: 200",
                  "docker health: healthy"):
        assert check in output


def test_compose_file_starts_the_consumer_once_the_sandbox_is_healthy():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    sandbox, consumer = compose["services"]["sandbox"], compose["services"]["consumer"]
    assert sandbox["build"] == "."
    assert "8080:8080" in sandbox["ports"]
    assert consumer["depends_on"]["sandbox"]["condition"] == "service_healthy"
    script = "\n".join(consumer["command"])
    for url in ("http://sandbox:8080/__admin/health", "http://sandbox:8080/casavi/", "http://sandbox:8080/afosto/",
                "http://sandbox:8080/relay/", "http://sandbox:8080/messages/"):
        assert url in script


def test_the_image_build_context_holds_what_the_wheel_needs():
    rules = [line for line in (REPO / ".dockerignore").read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert rules[0] == "*", "the build context lists what it lets in"
    let_in = {rule[1:] for rule in rules if rule.startswith("!")}
    assert {"pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "mock_server", "contracts", "fixtures"} <= let_in
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "MOCK_SERVER_CONTRACTS_DIR" not in dockerfile
    assert "USER sandbox" in dockerfile and "HEALTHCHECK" in dockerfile
