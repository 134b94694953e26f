"""Scenario content in several languages: the format, the fallback, validate's warnings, and what each
view receives (core only: no server)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from exercise_server.core import events as ev
from exercise_server.core.access import event_for_view
from exercise_server.core.errors import CommandError
from exercise_server.core.scenario_check import build_inject, load_scenario_file, parse_scenario_text
from exercise_server.core.translations import Shown, Text, pick
from exercise_server.core.views import adhoc_item, inject_content, snapshot
from tests.core_harness import CIV, FAC, FIXTURES, HUM, MIL, MINI, POL, CoreRun

ROOT = Path(__file__).resolve().parents[1]
BILINGUAL = FIXTURES / "bilingual.yaml"


def test_a_text_picks_the_readers_language_and_says_when_it_fell_back():
    title = Text("Access report", "en", (("fr", "Rapport sur l'accès"),))
    assert title.pick("fr") == Shown("Rapport sur l'accès", "fr", False)
    assert title.pick("en") == Shown("Access report", "en", False)
    assert title.pick("ar") == Shown("Access report", "en", True)
    assert title.pick(None) == Shown("Access report", "en", False)
    assert title.written() == {"en": "Access report", "fr": "Rapport sur l'accès"}
    assert Text("Plain").written() == "Plain"


def test_a_bilingual_scenario_keeps_each_default_text_where_it_was_and_the_french_beside_it():
    sc = load_scenario_file(BILINGUAL)
    assert sc.languages == ("en", "fr") and sc.default_language == "en"
    assert sc.setting == "A test setting in the Republic of Nalora."
    assert sc.translations["fr"]["setting"] == "Un cadre d'essai en République de Nalora."
    assert sc.translations["fr"]["briefings"]["military"].startswith("**Briefing militaire.**")
    assert "humanitarian" not in sc.translations["fr"]["briefings"]  # left untranslated
    assert sc.translations["fr"]["objectives"]["O1"] == "Définir la coordination civilo-militaire."
    i1 = sc.inject("I-1")
    assert i1 and (i1.title, i1.sender) == ("Access report", "OCHA")
    assert sc.text(i1.title, i1.translations, "title").pick("fr").text == "Rapport sur l'accès"
    assert i1.expected == {"hum-1": ["Share the access constraint in the joint room", "Call the police"]}
    assert i1.translations["fr"]["expected"]["hum-1"] == ["Signaler la contrainte d'accès dans la salle commune", None]
    assert i1.attachments[0]["file"] == "kora-road-assessment.txt"
    assert i1.attachments[0]["translations"] == {
        "fr": {"title": "Évaluation de la route, Kora", "file": "kora-road-assessment.fr.txt"}}
    assert sc.team("mil-1").translations == {"fr": {"name": "Syndicat militaire"}}
    assert sc.rooms["cmcoord"].translations == {"fr": {"name": "Cellule CMCoord"}}
    assert sc.rooms["component:police"].translations == {"fr": {"name": "Police des Nations Unies (UNPOL)"}}
    bridge = next(f for f in sc.features if f["id"] == "kora-bridge")
    assert (bridge["name"], bridge["translations"]) == ("Kora bridge", {"fr": {"name": "Pont de Kora"}})
    assert pick(bridge, "name", "fr", "en") == Shown("Pont de Kora", "fr", False)


def test_a_single_language_scenario_reads_as_before():
    sc = load_scenario_file(MINI)
    assert sc.languages == ("en",) and sc.translations == {} and sc.missing_translations == ()
    assert all(i.translations == {} for i in sc.injects)
    assert all("translations" not in f for f in sc.features)


def test_validate_lists_missing_translations_with_their_lines_and_still_loads_the_scenario():
    result = subprocess.run([sys.executable, "-m", "exercise_server", "validate", str(BILINGUAL)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = BILINGUAL.read_text().splitlines()
    warnings = [line for line in result.stdout.splitlines() if ": warning: " in line]
    assert len(warnings) == 6, result.stdout
    body = next(w for w in warnings if "'I-2': body has no translation in fr" in w)
    line = int(body.split(":")[1])
    assert lines[line - 1].strip() == "body: A crowd gathers."
    assert any("team 'pol-1': name has no translation in fr" in w for w in warnings)
    assert "6 missing translations" in result.stdout


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ('{en: Access, de: Zugang}', "title in 'de', a language the scenario does not declare (en, fr)"),
        ("{fr: Accès}", "title has no text in the default language 'en'"),
        ('{en: Access, fr: "  "}', "title in 'fr' is empty"),
        ("{}", "title must be non-empty text"),
    ],
)
def test_validate_refuses_an_undeclared_language_a_missing_default_and_an_empty_translation(field, message):
    text = BILINGUAL.read_text().replace("title: {en: Access report, fr: Rapport sur l'accès}", f"title: {field}")
    scenario, problems = parse_scenario_text(text)
    assert scenario is None
    assert any(message in p.message for p in problems), problems


def test_ids_times_and_channels_are_not_translatable():
    for old, new in [("channel: radio", "channel: {en: radio, fr: radio}"), ('at: "+0:10"', 'at: {en: "+0:10"}'),
                     ("id: I-2", "id: {en: I-2}"), ("title: Bilingual exercise", "title: {en: B, fr: B}")]:
        scenario, problems = parse_scenario_text(BILINGUAL.read_text().replace(old, new, 1))
        assert scenario is None and problems, new


def test_a_team_receives_every_translation_of_its_inject_but_no_control_notes_in_any_language():
    run = CoreRun(load_scenario_file(BILINGUAL))
    run.cmd(FAC, "clock.start")
    released = run.advance(5 * 60)
    event = next(e for e in released if e.type == ev.INJECT_RELEASED)
    for view in (ev.View.of_team("hum-1"), ev.View.of_team("mil-1")):
        seen = event_for_view(view, event)
        assert seen is not None
        inject = seen["payload"]["inject"]
        assert inject["translations"]["fr"]["title"] == "Rapport sur l'accès"
        assert "notes" not in inject["translations"]["fr"] and "expected" not in inject["translations"]["fr"]
        assert "NOTE-SECRETE" not in repr(seen)
    control = event.payload["inject"]
    assert control["translations"]["fr"]["notes"] == "NOTE-SECRETE-CONTROLE-1"
    mine = snapshot(run.state, HUM)
    assert "NOTE-SECRETE" not in repr(mine)
    assert "briefings" not in mine["scenario"]["translations"]["fr"]  # the humanitarian one is untranslated
    police = snapshot(run.state, POL)["scenario"]["translations"]["fr"]
    assert police["briefings"] == {"police": "Briefing de la police."}
    assert snapshot(run.state, FAC)["scenario"]["translations"]["fr"]["briefings"].keys() == {"military", "police"}


def test_an_acknowledgement_records_the_language_the_inject_was_shown_in():
    run = CoreRun(load_scenario_file(BILINGUAL))
    run.cmd(FAC, "clock.start")
    run.advance(10 * 60)
    [fr] = run.cmd(POL, "inject.ack", inject_id="I-2", language="fr")
    [en] = run.cmd(MIL, "inject.ack", inject_id="I-2")
    assert (fr.payload["language"], en.payload["language"]) == ("fr", "en")  # none said: the default
    assert run.state.injects["I-2"].acks["pol-1"]["language"] == "fr"
    with pytest.raises(CommandError) as info:
        run.cmd(HUM, "inject.ack", inject_id="I-1", language="de")
    assert info.value.code == "invalid"


def test_an_edited_field_loses_its_translations_and_an_edit_in_a_mapping_is_refused():
    run = CoreRun(load_scenario_file(BILINGUAL))
    version = run.state.injects["I-1"].versions.version
    run.cmd(FAC, "inject.edit", inject_id="I-1", changes={"title": "Access report (updated)"}, version=version)
    i1 = run.state.injects["I-1"].inject
    assert "title" not in i1.translations["fr"] and i1.translations["fr"]["body"].startswith("La route")
    with pytest.raises(CommandError) as info:
        run.cmd(FAC, "inject.edit", inject_id="I-1", changes={"body": {"en": "x", "fr": "y"}},
                version=run.state.injects["I-1"].versions.version)
    assert info.value.code == "invalid"


def test_a_cop_change_renames_in_both_languages_and_a_rename_in_one_drops_the_old_translation():
    run = CoreRun(load_scenario_file(BILINGUAL))
    run.cmd(FAC, "clock.start")
    run.advance(10 * 60)
    assert run.state.cop["kora-bridge"]["translations"] == {"fr": {"name": "Pont de Kora (fermé)"}}
    version = run.state.cop_versions["kora-bridge"].version
    run.cmd(FAC, "cop.change", feature_id="kora-bridge", set={"name": "Kora bridge (open)"}, version=version)
    assert "translations" not in run.state.cop["kora-bridge"]


def test_an_inject_rebuilt_from_the_content_its_release_carries_keeps_its_translations():
    # How the fold rebuilds an ad-hoc inject from its inject.released (core/views.py adhoc_item).
    sc = load_scenario_file(BILINGUAL)
    state = CoreRun(sc).state.injects["I-1"]
    item = adhoc_item(inject_content(state), sc.default_language)
    rebuilt, problems = build_inject(sc, {**item, "id": "I-1"}, 0)
    assert not problems and rebuilt is not None
    assert rebuilt.translations == state.inject.translations
    assert (rebuilt.title, rebuilt.expected) == (state.inject.title, state.inject.expected)


def test_each_participant_records_opening_an_inject_once_per_language_for_the_control_cell_only():
    run = CoreRun(load_scenario_file(BILINGUAL))
    run.cmd(FAC, "clock.start")
    run.advance(10 * 60)
    before = {k: v for k, v in snapshot(run.state, POL).items() if k != "seq"}
    [fr] = run.cmd(POL, "inject.open", inject_id="I-2", language="fr")
    assert fr.payload == {"inject_id": "I-2", "team": "pol-1", "language": "fr"}
    assert fr.audience == ev.CONTROL_CELL and fr.actor.participant == POL.participant
    run.cmd(POL, "inject.open", inject_id="I-2", language="en")  # the seat switched its language
    for command, code in ((dict(inject_id="I-2", language="fr"), "conflict"),
                          (dict(inject_id="I-1", language="xx"), "invalid"),
                          (dict(inject_id="I-3"), "not_found")):
        with pytest.raises(CommandError) as info:
            run.cmd(POL if command["inject_id"] != "I-1" else HUM, "inject.open", **command)
        assert info.value.code == code
    with pytest.raises(CommandError) as info:
        run.cmd(CIV, "inject.open", inject_id="I-2")  # not addressed to the civilians: as if missing
    assert info.value.code == "not_found"
    assert run.state.injects["I-2"].reads == {(POL.participant, "fr"), (POL.participant, "en")}
    assert {k: v for k, v in snapshot(run.state, POL).items() if k != "seq"} == before  # nothing a team sees
