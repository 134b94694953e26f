"""The deployment files are valid: docker-compose.yml passes `docker compose config`."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from .server_harness import ROOT


def compose_command() -> list[str]:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail("neither `docker compose` nor `docker-compose` is installed (.ci/run installs Debian's docker-compose)")


def test_the_compose_file_validates():
    result = subprocess.run([*compose_command(), "-f", "docker-compose.yml", "config", "-q"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_redis_runs_with_the_persistence_the_docs_require():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--appendfsync") + 1] == "always"
    assert "appendfsync always" in (ROOT / "docs" / "deployment.md").read_text()
    servers = [s for name, s in compose["services"].items() if name.startswith("server")]
    assert len(servers) >= 2 and all(s["environment"]["REDIS_URL"].startswith("redis://redis") for s in servers)
