"""`exercise-server validate`: bundled scenarios pass, each broken fixture fails at its line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from exercise_server.core.scenario_check import ScenarioError, load_scenario_file

ROOT = Path(__file__).resolve().parents[1]
BROKEN = sorted((ROOT / "tests" / "fixtures" / "broken").glob("*.yaml"))


def validate(*paths: Path | str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "exercise_server", "validate", *map(str, paths)],
                          capture_output=True, text=True, cwd=ROOT)


def test_bundled_scenarios_validate_with_a_summary_per_file():
    result = validate("injects/")
    assert result.returncode == 0, result.stdout + result.stderr
    files = sorted((ROOT / "injects").glob("*.yaml"))
    assert files
    for f in files:
        assert f"injects/{f.name}: ok" in result.stdout


def test_bundled_course_scenario_has_fifteen_injects_across_all_components():
    sc = load_scenario_file(ROOT / "injects" / "tamsa-river-crisis.yaml")
    assert len(sc.injects) >= 15
    reached = {sc.team(t).component for inj in sc.injects for t in sc.audience(inj.to)}
    assert {"military", "police", "humanitarian", "civilian"} <= reached


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_fixture_fails_with_file_and_line(path: Path):
    lines = path.read_text().splitlines()
    marker = next(i for i, line in enumerate(lines, 1) if "# ERROR" in line)
    expected_text = lines[marker - 1].split("# ERROR", 1)[1].strip()
    result = validate(path)
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    m = re.match(r"^(.*):(\d+): (.*)$", first)
    assert m, first
    assert m.group(1).endswith(path.name)
    assert int(m.group(2)) == marker, first
    assert expected_text in m.group(3), first


def test_a_broken_scenario_never_half_loads():
    with pytest.raises(ScenarioError) as info:
        load_scenario_file(ROOT / "tests" / "fixtures" / "broken" / "unknown-team.yaml")
    assert info.value.problems


def test_validate_reports_every_broken_file_in_a_folder():
    result = validate(ROOT / "tests" / "fixtures" / "broken")
    assert result.returncode == 1
    reported = {line.split(":", 1)[0] for line in result.stdout.splitlines()}
    assert len(reported) == len(BROKEN)
