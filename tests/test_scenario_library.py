"""The bundled scenario library: a capstone, a short exercise for every course module, a demo, one base map."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from exercise_server.core.scenario import CRITICAL, WEIGHTS, Scenario
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
# The scenarios a francophone training centre plays whole in French: one line per file.
IN_FRENCH = {
    "module-1-2-who-does-what-in-bessa",
    "module-3-floods-at-lake-oru",
    "module-4-doyo-under-pressure",
    "module-5-coordination-in-varo",
    "module-6-the-clinic-at-sebe",
    "module-7-the-mirek-checkpoint",
    "module-8-handing-over-kora",
    CAPSTONE,
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


def test_a_french_class_reads_every_text_of_its_scenarios_in_french(library):
    """Setting, briefings, role cards, injects, expected actions, notes, names: nothing falls back
    to English (validate's "has no translation in fr" warnings are the list of what would)."""
    for name in sorted(IN_FRENCH):
        sc = library[name]
        assert sc.languages == ("en", "fr") and sc.default_language == "en", name
        assert not sc.missing_translations, f"{name}: {[p.message for p in sc.missing_translations][:5]}"


def test_a_french_class_opens_every_attachment_of_its_scenarios_in_french(library):
    """Each file an inject of those scenarios (and of any other that declares French) carries has its
    own French file: a French title on an English document is not enough."""
    bilingual = sorted(IN_FRENCH | {sc.id for sc in scenarios(library) if "fr" in sc.languages})
    assert len(bilingual) > len(IN_FRENCH)  # the demo and the capstone too
    for name in bilingual:
        for inject in library[name].injects:
            for attachment in inject.attachments:
                french = attachment.get("translations", {}).get("fr", {}).get("file")
                assert french and french != attachment["file"], f"{name} {inject.id}: {attachment['file']}"
                assert (INJECTS / "attachments" / french).is_file(), french


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


# -- continuity: one Nalora story (docs/nalora-chronology.md) ------------------------------

CHRONOLOGY = ROOT / "docs" / "nalora-chronology.md"
ATTACHMENTS = INJECTS / "attachments"
TRACKED_PLACES = {"Kora IDP camp": "camp-kora", "Lunda Bridge site": "camp-lunda-bridge",
                  "Doyo transit site": "camp-doyo", "Mirek": "town-mirek"}


def chronology_table(heading: str) -> list[dict[str, str]]:
    """The rows of the Markdown table under `heading` in the chronology, by column name."""
    lines = CHRONOLOGY.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("## ") and heading in line)
    table: list[str] = []
    for line in lines[at + 1:]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            table.append(line)
    assert table, heading
    cells = [[c.strip() for c in line.strip().strip("|").split("|")] for line in table]
    return [dict(zip(cells[0], row)) for row in cells[2:]]


def exercise_id(cell: str) -> str | None:
    return cell.strip("`") if cell.startswith("`") else None


def population(text: str) -> int | None:
    return None if text == "-" else int(text.replace(",", ""))


def features_at_start(sc: Scenario) -> dict[str, dict]:
    return {f["id"]: f for f in sc.features}


def test_the_chronology_dates_every_scenario_as_its_file_does(library):
    dated = {exercise_id(row["Exercise"]): row["Scenario time"] for row in chronology_table("The calendar")}
    dated.pop(None, None)
    assert set(dated) == set(library), "every bundled scenario, and only those, has its day in the chronology"
    for sid, when in dated.items():
        assert library[sid].start_label == when, f"{sid} starts at {library[sid].start_label}, chronology says {when}"


def test_the_chronology_lists_the_exercises_in_story_order(library):
    order = [exercise_id(row["Exercise"]) for row in chronology_table("The calendar")]
    starts = [library[sid].start for sid in order if sid]
    assert starts == sorted(starts)


def test_each_setting_states_the_day_and_hour_the_exercise_starts(library):
    """A trainee reads the same start in the setting as the clock shows (`It is **D+3, 06:00**`)."""
    for sc in scenarios(library):
        day, time = sc.start_label.split()
        assert f"**{day}, {time}**" in sc.setting, f"{sc.id}: the setting does not say {day}, {time}"


def test_places_start_with_the_populations_the_chronology_gives(library):
    for row in chronology_table("The state of the world"):
        sc = library[exercise_id(row["Exercise"]) or ""]
        features = features_at_start(sc)
        for column, fid in TRACKED_PLACES.items():
            expected = population(row[column])
            got = features.get(fid, {}).get("properties", {}).get("population")
            assert got == expected, f"{sc.id}: {fid} starts at {got}, chronology says {expected}"


def release_offset(sc: Scenario, inject_id: str) -> float:
    """The earliest exercise time an inject can be released (a condition counts from its inject)."""
    inj = sc.inject(inject_id)
    assert inj is not None and not inj.manual, inject_id
    if inj.offset is not None:
        return inj.offset
    return release_offset(sc, inj.after or "") + inj.delay


def cop_at(sc: Scenario, offset: float) -> dict[str, dict]:
    """The COP's features once every timed or triggered inject due before `offset` has applied its changes."""
    features = {fid: json.loads(json.dumps(f)) for fid, f in features_at_start(sc).items()}
    due = sorted((release_offset(sc, i.id), i.order, i) for i in sc.injects if not i.manual)
    for at, _, inj in due:
        if at >= offset:
            break
        for change in inj.cop:
            if "add" in change:
                features[change["add"]["id"]] = change["add"]
            elif "change" in change:
                for key, value in change["set"].items():
                    features[change["change"]][key] = value
            elif "remove" in change:
                features.pop(change["remove"], None)
    return features


def csv_rows(name: str) -> tuple[list[dict[str, str]], dict[str, str]]:
    with (ATTACHMENTS / name).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    totals = [r for r in rows if r[next(iter(r))].strip().lower() == "total"]
    assert len(totals) == 1, f"{name}: one total row"
    return [r for r in rows if r not in totals], totals[0]


def test_every_csv_attachment_adds_up_to_its_total_row():
    for path in sorted(ATTACHMENTS.glob("*.csv")):
        rows, total = csv_rows(path.name)
        for column in list(total)[1:]:
            assert sum(int(r[column]) for r in rows) == int(total[column]), f"{path.name}: column {column}"


def test_camp_figures_count_everyone_in_the_camp_when_they_arrive(library):
    """An attachment of camp figures totals the camp's population on the COP at the inject's release,
    and each block's people are its women, men, girls and boys."""
    checked = 0
    for sc in scenarios(library):
        for inj in sc.injects:
            for attachment in inj.attachments:
                name = attachment["file"]
                if not name.endswith(".csv") or "camp" not in name:
                    continue
                rows, total = csv_rows(name)
                for r in rows:
                    assert int(r["people"]) == sum(int(r[k]) for k in ("women", "men", "girls", "boys")), r
                camp = "camp-" + name.split("-")[0]  # kora-camp-....csv: camp-kora
                on_map = cop_at(sc, release_offset(sc, inj.id))[camp]["properties"]["population"]
                assert int(total["people"]) == on_map, f"{sc.id} {inj.id}: {name} totals {total['people']}, the camp holds {on_map}"
                checked += 1
    assert checked, "no camp figures checked"


def markdown_total(name: str, column: str) -> tuple[int, int]:
    """(sum of the rows, the **Total** row) of one column of a Markdown attachment's table."""
    lines = [line for line in (ATTACHMENTS / name).read_text(encoding="utf-8").split("\n") if line.startswith("|")]
    cells = [[c.strip().strip("*").replace(",", "") for c in line.strip().strip("|").split("|")] for line in lines]
    at = cells[0].index(column)
    body = [row for row in cells[2:] if row[0].lower() != "total"]
    total = next(row for row in cells[2:] if row[0].lower() == "total")
    return sum(int(row[at]) for row in body), int(total[at])


def test_the_lunda_relocation_plan_moves_the_people_the_demo_says_and_hires_its_trucks(library):
    plan = "lunda-bridge-relocation-plan.md"
    for column in ("Households", "People"):
        added, total = markdown_total(plan, column)
        assert added == total, column
    _, people = markdown_total(plan, "People")
    moving = [c["set"]["properties"]["flooded"] for inj in library["demo"].injects for c in inj.cop
              if c.get("change") == "camp-lunda-bridge"]
    assert moving and all(f"{people:,} people" in m for m in moving)
    assert "WFP truck" not in (ATTACHMENTS / plan).read_text(encoding="utf-8")


CAPSTONE_FORUM_MINUTES = 12


def test_nothing_lands_during_the_capstones_first_coordination_forum(library):
    sc = library[CAPSTONE]
    forums = [i for i in sc.injects if i.offset is not None and "coordination forum" in i.title.lower()]
    first = min(forums, key=lambda i: i.offset or 0.0)
    opens, closes = first.offset or 0.0, (first.offset or 0.0) + CAPSTONE_FORUM_MINUTES * MINUTE
    landing = [i.id for i in sc.injects if i is not first and not i.manual
               and opens <= release_offset(sc, i.id) < closes]
    assert not landing, f"{landing} land during the forum {first.id}"


def test_the_civilian_component_never_dresses_a_mission_task_as_a_humanitarian_last_resort(library):
    for sc in scenarios(library):
        for inj in sc.injects:
            for key, actions in inj.expected.items():
                if not any(sc.team(t).component == "civilian" for t in sc.teams_of([key])):
                    continue
                for action in actions:
                    assert "request for assistance" not in action.lower(), f"{sc.id} {inj.id}: {action}"


def test_only_the_peacetime_disaster_cites_oslo_alone_the_armed_conflict_cites_mcda(library):
    """The Oslo Guidelines cover disasters in peacetime (Lake Oru, before D); from D on, Nalora is a
    complex emergency and a scenario that names Oslo also names the MCDA Guidelines."""
    for sc in scenarios(library):
        cited = json.dumps(sc.doc, ensure_ascii=False)
        if sc.start >= 0 and "Oslo" in cited:
            assert "MCDA" in cited, f"{sc.id}: Oslo cited in an armed conflict without the MCDA Guidelines"
    assert "Oslo" in json.dumps(library[MODULE_EXERCISES[3]].doc)


def test_an_expected_action_is_never_a_fragment_of_a_flow_list_split_at_its_commas(library):
    """`mil-1: [Do this, and that]` is two actions in YAML; each action starts as a sentence does."""
    for sc in scenarios(library):
        for inj in sc.injects:
            for key, actions in inj.expected.items():
                for action in actions:
                    assert action[:1].isupper() or action[:1].isdigit(), f"{sc.id} {inj.id} {key}: {action!r}"


# -- expected actions as evidence (issue 21) -------------------------------------------------


def test_every_expected_action_names_the_objectives_it_evidences_and_its_weight(library):
    """Each action in the files is a mapping naming its objectives (a few of its inject's, never
    outside them) and a weight; every addressee has a critical action, and an inject names only
    objectives some action evidences."""
    for sc in scenarios(library):
        for raw in sc.doc["msel"]:
            named = set(raw["objectives"])
            evidenced: set[str] = set()
            for key, items in raw["expected"].items():
                where = f"{sc.id} {raw['id']} {key}"
                for item in items:
                    assert isinstance(item, dict) and "action" in item, f"{where}: {item!r} names no objectives"
                    assert item["objectives"] and set(item["objectives"]) <= named, f"{where}: {item['objectives']}"
                    assert item["weight"] in WEIGHTS, f"{where}: {item['weight']}"
                    evidenced |= set(item["objectives"])
                assert any(item["weight"] == CRITICAL for item in items), f"{where}: no critical action"
            assert evidenced == named, f"{sc.id} {raw['id']}: {sorted(named - evidenced)} evidenced by no action"


def test_the_loaded_actions_carry_the_objectives_the_file_names(library):
    sc = library[CAPSTONE]
    i09 = sc.inject("I-09")
    assert i09 is not None
    first = i09.actions_of("mil-1")[0]
    assert first.weight == CRITICAL and first.objectives == ("O3",)


# -- languages: a French that is French -----------------------------------------------------


@pytest.mark.parametrize("name", sorted(IN_FRENCH))
def test_no_inject_of_a_scenario_played_in_french_has_its_english_copied_over_as_french(library, name):
    sc = library[name]
    for inj in sc.injects:
        french = inj.translations["fr"]
        assert french["body"].strip() != inj.body.strip(), f"{name} {inj.id}: the French body is the English one"
        assert french["title"] != inj.title, f"{name} {inj.id}: the French title is the English one"
