"""The bundled scenario library: a capstone, a short exercise for every course module, a demo, one base map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exercise_server.core.scenario import Scenario
from exercise_server.msel.template import COURSE_OBJECTIVES
from exercise_server.scenarios import basemap_path, load_library

ROOT = Path(__file__).resolve().parents[1]
INJECTS = ROOT / "injects"
BASEMAP = INJECTS / "basemaps" / "nalora.geojson"
CAPSTONE = "tamsa-river-crisis"
MODULE_EXERCISES = {
    1: "module-1-2-who-does-what-in-bessa",
    2: "module-1-2-who-does-what-in-bessa",
    3: "module-3-floods-at-lake-oru",
    4: "module-4-doyo-under-pressure",
    5: "module-5-coordination-in-varo",
    6: "module-6-the-clinic-at-sebe",
    7: "module-7-the-mirek-checkpoint",
    8: "module-8-handing-over-kora",
}
TRAINEE_COMPONENTS = {"military", "police", "humanitarian", "civilian"}
NALORA = (30.25, 3.45, 32.75, 5.55)  # the base map's extent: west, south, east, north
MINUTE = 60


@pytest.fixture(scope="module")
def library() -> dict[str, Scenario]:
    loaded = load_library([INJECTS])
    assert not loaded.failed, [(f.path.name, f.problems) for f in loaded.failed]
    return loaded.scenarios


@pytest.fixture(scope="module")
def basemap() -> dict:
    return json.loads(BASEMAP.read_text(encoding="utf-8"))


def scenarios(library: dict[str, Scenario]) -> list[Scenario]:
    return sorted(library.values(), key=lambda s: s.id)


def reached_components(sc: Scenario) -> set[str]:
    return {sc.team(t).component for inj in sc.injects for t in sc.audience(inj.to)}


def timed_offsets(sc: Scenario) -> list[float]:
    return [inj.offset for inj in sc.injects if inj.offset is not None]


def test_the_library_holds_the_capstone_the_module_exercises_and_the_demo(library):
    assert {CAPSTONE, "demo", *MODULE_EXERCISES.values()} <= set(library)


def test_every_course_module_1_to_8_has_an_end_of_module_exercise(library):
    """A facilitator finds an exercise for the end of each module, the first two included."""
    covered = {m for name in MODULE_EXERCISES.values() for m in library[name].modules}
    assert covered == set(range(1, 9))
    for module in range(1, 9):
        assert [sc.id for sc in scenarios(library) if sc.id != CAPSTONE and sc.id != "demo"
                and module in sc.modules], f"no exercise for module {module}"


def test_every_scenario_is_set_in_nalora_on_the_bundled_base_map(library):
    for sc in scenarios(library):
        assert sc.basemap == "nalora", sc.id
        assert basemap_path(INJECTS / f"{sc.id}.yaml", sc.basemap) == BASEMAP
        assert "Nalora" in sc.setting, sc.id


def test_every_inject_has_expected_actions_for_every_team_it_reaches(library):
    for sc in scenarios(library):
        for inj in sc.injects:
            covered = sc.teams_of(list(inj.expected))
            missing = sc.audience(inj.to) - covered
            assert not missing, f"{sc.id} {inj.id}: no expected action for {sorted(missing)}"
            assert all(actions and all(a.strip() for a in actions) for actions in inj.expected.values()), \
                f"{sc.id} {inj.id}: an empty expected action"


def test_every_inject_names_its_course_objectives_and_modules(library):
    for sc in scenarios(library):
        for inj in sc.injects:
            assert inj.objectives, f"{sc.id} {inj.id}: no objectives"
            assert inj.modules, f"{sc.id} {inj.id}: no modules"
            assert set(inj.modules) <= set(sc.modules), f"{sc.id} {inj.id}: module outside the scenario's"


def test_objectives_are_the_course_objectives_word_for_word(library):
    for sc in scenarios(library):
        for key, text in sc.objectives.items():
            assert COURSE_OBJECTIVES.get(key) == text.strip(), f"{sc.id}: objective {key}"


def test_every_component_that_has_teams_has_a_briefing(library):
    for sc in scenarios(library):
        with_teams = {t.component for t in sc.teams}
        assert with_teams <= set(sc.briefings), f"{sc.id}: no briefing for {with_teams - set(sc.briefings)}"
        assert all(len(sc.briefings[c].strip()) > 80 for c in with_teams), sc.id


def test_timed_injects_fall_inside_the_planned_duration(library):
    for sc in scenarios(library):
        offsets = timed_offsets(sc)
        assert offsets and max(offsets) < sc.duration, sc.id
        assert offsets == sorted(offsets), f"{sc.id}: timed injects out of order in the MSEL"


def test_the_capstone_runs_three_hours_with_forty_injects_over_all_objectives_and_modules_3_to_8(library):
    sc = library[CAPSTONE]
    assert sc.duration == 180 * MINUTE
    assert len(sc.injects) >= 40
    assert max(timed_offsets(sc)) >= 170 * MINUTE
    assert {o for inj in sc.injects for o in inj.objectives} == set(COURSE_OBJECTIVES)
    assert {m for inj in sc.injects for m in inj.modules} >= {3, 4, 5, 6, 7, 8}
    assert set(sc.modules) == {3, 4, 5, 6, 7, 8}
    assert reached_components(sc) == TRAINEE_COMPONENTS
    assert {inj.trigger for inj in sc.injects} == {"time", "manual", "condition"}


def test_the_capstone_plays_the_course_dilemmas(library):
    """Each dilemma the course names is in the capstone, tagged with the module that teaches it."""
    sc = library[CAPSTONE]

    def injects_about(*words: str) -> list:
        return [inj for inj in sc.injects
                if all(w.lower() in (inj.title + " " + inj.body).lower() for w in words)]

    dilemmas = {
        "protection of civilians": (injects_about("attack"), 4),
        "a convoy under threat": (injects_about("convoy", "roadblock"), 4),
        "military assets where civilian alternatives exist": (injects_about("helicopter"), 3),
        "a beneficiary list the military asks for": (injects_about("beneficiary"), 6),
        "media accusing the mission of militarising aid": (injects_about("militaris"), 6),
        "military direct service delivery": (injects_about("distributing"), 6),
        "a negotiation at a checkpoint": (injects_about("negotiat"), 7),
        "a coordination forum": (injects_about("forum"), 5),
        "handover to local authorities": (injects_about("take over"), 8),
    }
    for name, (found, module) in dilemmas.items():
        assert any(module in inj.modules for inj in found), f"capstone lacks {name} (module {module})"


# The coordination workflows of issue 6, as the capstone's expected actions name them: the
# phrases the UI uses, and for each component a word its action must also carry (its side of
# the workflow: the humanitarians send a notification, the military and police acknowledge it).
CAPSTONE_WORKFLOWS = {
    "humanitarian notification": (("humanitarian notification",),
                                  {"humanitarian": "send", "military": "acknowledge", "police": "acknowledge"}),
    "request for assistance": (("request for assistance",), {"humanitarian": "last-resort", "military": "decline"}),
    # Mission engineers on the mission's own road are a tasking decision, not a last resort (issue 21).
    "mission tasking request": (("mission tasking request",), {"civilian": "submit", "military": "answer"}),
    "sensitive information sharing": (("marked sensitive", "sensitive information sharing"),
                                      {"humanitarian": "share", "police": "share"}),
    "public statement": (("public statement",), {"humanitarian": "issue", "civilian": "issue"}),
    "decision log": (("decision log",), {c: "record" for c in sorted(TRAINEE_COMPONENTS)}),
}


def actions_naming(sc: Scenario, phrases: tuple[str, ...], component: str) -> list[tuple[str, str]]:
    """(inject id, action) for each action expected of an addressed team of `component` that names a phrase."""
    found = []
    for inj in sc.injects:
        addressed = sc.audience(inj.to)
        for key, actions in inj.expected.items():
            if not any(sc.team(t).component == component for t in sc.teams_of([key]) & addressed):
                continue
            found += [(inj.id, a) for a in actions if any(p in a.lower() for p in phrases)]
    return found


@pytest.mark.parametrize("workflow", sorted(CAPSTONE_WORKFLOWS))
def test_the_capstone_provokes_each_coordination_workflow_on_every_side(library, workflow):
    sc = library[CAPSTONE]
    phrases, sides = CAPSTONE_WORKFLOWS[workflow]
    for component, word in sides.items():
        named = actions_naming(sc, phrases, component)
        assert named, f"no capstone inject expects the {component} component to use the {workflow}"
        assert any(word in action.lower() for _, action in named), \
            f"the {component} component's {workflow} actions never say {word!r}: {named}"


def test_a_media_report_in_the_capstone_calls_for_public_statements(library):
    sc = library[CAPSTONE]
    asking = {inj.id for inj in sc.injects if inj.channel == "media"
              and any("public statement" in a.lower() for actions in inj.expected.values() for a in actions)}
    assert asking, "no media inject expects a public statement"


@pytest.mark.parametrize("module", sorted(MODULE_EXERCISES))
def test_each_module_has_a_short_exercise_for_its_end(library, module):
    sc = library[MODULE_EXERCISES[module]]
    shared = {m for m, name in MODULE_EXERCISES.items() if name == sc.id}
    assert set(sc.modules) == shared
    assert 20 * MINUTE <= sc.duration <= 45 * MINUTE
    assert 6 <= len(sc.injects) <= 12
    assert all(set(inj.modules) <= shared for inj in sc.injects)
    assert any(module in inj.modules for inj in sc.injects)
    assert reached_components(sc) == TRAINEE_COMPONENTS


def test_the_demo_shows_all_four_components_within_ten_minutes(library):
    sc = library["demo"]
    assert sc.duration == 10 * MINUTE
    assert 5 <= len(sc.injects) <= 8
    assert all(inj.offset is not None and inj.offset <= 10 * MINUTE for inj in sc.injects)
    assert min(timed_offsets(sc)) == 1 * MINUTE
    assert reached_components(sc) == TRAINEE_COMPONENTS
    assert any(inj.cop for inj in sc.injects), "the demo should move the map"


def test_the_base_map_is_a_small_feature_collection_of_known_layers(basemap):
    assert BASEMAP.stat().st_size < 150_000
    assert basemap["type"] == "FeatureCollection"
    layers = {"border", "province", "river", "lake", "road", "town", "camp", "base", "checkpoint", "label"}
    by_layer: dict[str, list[dict]] = {}
    for feature in basemap["features"]:
        assert feature["type"] == "Feature"
        props = feature["properties"]
        assert props["layer"] in layers, props
        assert isinstance(props["name"], str) and props["name"].strip()
        by_layer.setdefault(props["layer"], []).append(feature)
    assert set(by_layer) == layers
    assert 2 <= len(by_layer["province"]) <= 3
    assert all(f["geometry"]["type"] == "Polygon" for f in by_layer["province"])
    assert all(isinstance(f["properties"].get("population"), int) for f in by_layer["town"])
    assert any(f["geometry"]["type"] == "LineString" and "Kethria" in f["properties"]["name"]
               for f in by_layer["border"])
    assert any(f["geometry"]["type"] == "Polygon" and "Kethria" in f["properties"]["name"]
               for f in by_layer["border"])
    assert [f["properties"]["name"] for f in by_layer["river"] if f["geometry"]["type"] == "LineString"]
    ids = [f.get("id") for f in basemap["features"]]
    assert len(ids) == len(set(ids)), "feature ids must be unique"


def _positions(geometry: dict) -> list[list[float]]:
    coords = geometry["coordinates"]
    if geometry["type"] == "Point":
        return [coords]
    if geometry["type"] == "LineString":
        return coords
    return [p for ring in coords for p in ring]


def test_the_base_map_stays_inside_nalora_and_its_neighbour(basemap):
    west, south, east, north = NALORA
    for feature in basemap["features"]:
        for lon, lat in _positions(feature["geometry"]):
            assert west <= lon <= east and south <= lat <= north, feature["properties"]["name"]


def test_scenario_places_sit_where_the_base_map_draws_them(library, basemap):
    """A COP feature that shares an id with the base map lies on it (within about 500 m)."""
    drawn = {f["id"]: f for f in basemap["features"] if "id" in f}
    matched = 0
    for sc in scenarios(library):
        for feature in sc.features:
            if feature["id"] not in drawn:
                continue
            matched += 1
            on_map = _positions(drawn[feature["id"]]["geometry"])
            for lon, lat in _positions(feature["geometry"]):
                nearest = min(max(abs(lon - x), abs(lat - y)) for x, y in on_map)
                assert nearest <= 0.005, f"{sc.id}: {feature['id']} is off the base map by {nearest:.3f} degrees"
    assert matched >= 30


def test_humanitarian_only_places_are_not_on_the_shared_base_map(library, basemap):
    drawn = {f.get("id") for f in basemap["features"]}
    for sc in scenarios(library):
        for feature in sc.features:
            if feature["visible_to"] != "all" and "humanitarian" in feature["visible_to"]:
                assert feature["id"] not in drawn, f"{sc.id}: {feature['id']} would be visible to all"
