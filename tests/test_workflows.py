"""Coordination workflows (issue 6): deconfliction notifications, requests for assistance,
protected information sharing, simulated media and decision logs. Rules and visibility."""

from __future__ import annotations

import json

import pytest

from exercise_server.core import events as ev
from exercise_server.core.access import event_for_view
from exercise_server.core.errors import CommandError
from exercise_server.core.geometry import distance_m
from exercise_server.core.projections import ExerciseState
from exercise_server.core.replay import timeline
from exercise_server.core.scenario_check import parse_scenario_text
from exercise_server.core.validate import SHORT_CHARS, TEXT_CHARS

from .core_harness import CIV, EVAL, FAC, FIXTURES, HUM, MIL, POL, CoreRun, trainee
from .request_fields import CONDITIONS, ESCORT, request

ROUTE = {"type": "LineString", "coordinates": [[31.0, 4.0], [31.1, 4.0], [31.2, 4.05]]}
SITE = {"type": "Point", "coordinates": [31.5, 4.5]}
NEAR_ROUTE = {"type": "Point", "coordinates": [31.05, 4.01]}  # about 1.1 km north of the route
FAR = {"type": "Point", "coordinates": [32.0, 5.0]}


def refused(run: CoreRun, principal, ctype: str, **fields) -> CommandError:
    with pytest.raises(CommandError) as exc:
        run.cmd(principal, ctype, **fields)
    return exc.value


def stream(run: CoreRun, principal) -> list[dict]:
    return [f for e in run.log if (f := event_for_view(principal.view, e)) is not None]


def seen_by(run: CoreRun, principal) -> str:
    return json.dumps(stream(run, principal)) + json.dumps(run.state.snapshot(principal))


def started() -> CoreRun:
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    return run


def notify(run: CoreRun, share_with=("military",), geometry=ROUTE, **extra) -> str:
    fields = {"kind": "movement", "name": "Convoy to Kora", "geometry": geometry, "window_start": "+0:00",
              "window_end": "+2:00", "share_with": list(share_with), **extra}
    e = run.cmd(HUM, "notification.submit", **fields)[0]  # hazard flags may follow
    return e.payload["notification_id"]


# -- a. humanitarian notification ---------------------------------------------------

def test_a_humanitarian_team_notifies_and_only_the_notified_components_see_it():
    run = started()
    nid = notify(run)
    (e,) = [x for x in run.log if x.type == ev.NOTIFICATION_SUBMITTED]
    assert set(e.audience) == {"facilitator", "evaluator", "team:hum-1", "team:mil-1"}
    assert e.payload["window_end"] == 7200 and e.payload["share_with"] == ["military"]
    for p in (HUM, MIL, FAC, EVAL):
        assert "Convoy to Kora" in seen_by(run, p)
    for p in (POL, CIV):
        assert "Convoy to Kora" not in seen_by(run, p)
    assert [n["notification_id"] for n in run.state.snapshot(MIL)["notifications"]] == [nid]


@pytest.mark.parametrize("who", [MIL, POL, CIV, FAC])
def test_only_a_humanitarian_team_notifies(who):
    run = started()
    assert refused(run, who, "notification.submit", kind="site", name="x", geometry=SITE, window_start=0,
                   window_end=60, share_with=["military"]).code == "forbidden"


@pytest.mark.parametrize("fields", [
    {"kind": "convoy"},
    {"geometry": {"type": "Polygon", "coordinates": [[[31, 4], [31.1, 4], [31, 4.1], [31, 4]]]}},
    {"window_end": "+0:00"},
    {"window_start": "soon"},
    {"share_with": []},
    {"name": ""},
])
def test_a_malformed_notification_is_invalid(fields):
    run = started()
    base = {"kind": "movement", "name": "Convoy", "geometry": ROUTE, "window_start": "+0:10",
            "window_end": "+1:00", "share_with": ["military"]}
    assert refused(run, HUM, "notification.submit", **{**base, **fields}).code == "invalid"


def test_sharing_with_an_unknown_component_is_not_found():
    run = started()
    assert refused(run, HUM, "notification.submit", kind="site", name="x", geometry=SITE, window_start=0,
                   window_end=60, share_with=["navy"]).code == "not_found"


def test_the_military_acknowledges_and_the_humanitarian_team_sees_the_acknowledgement():
    run = started()
    nid = notify(run)
    (ack,) = run.cmd(MIL, "notification.acknowledge", notification_id=nid)
    assert ack.type == ev.NOTIFICATION_ACKNOWLEDGED
    assert event_for_view(HUM.view, ack)["payload"]["team"] == "mil-1"
    assert event_for_view(POL.view, ack) is None
    assert set(run.state.snapshot(HUM)["notifications"][0]["acks"]) == {"mil-1"}
    assert refused(run, MIL, "notification.acknowledge", notification_id=nid).code == "conflict"


def test_acknowledging_as_a_component_that_was_not_notified_is_not_found():
    run = started()
    nid = notify(run, share_with=["military"])
    err = refused(run, POL, "notification.acknowledge", notification_id=nid)
    assert err.code == "not_found"
    assert refused(run, MIL, "notification.acknowledge", notification_id="N-99").code == "not_found"


def test_only_military_or_police_teams_acknowledge():
    run = started()
    nid = notify(run, share_with=["military", "civilian"])
    assert refused(run, CIV, "notification.acknowledge", notification_id=nid).code == "forbidden"
    assert refused(run, FAC, "notification.acknowledge", notification_id=nid).code == "invalid"  # for a party only


@pytest.mark.parametrize("who", [MIL, POL, FAC, HUM])
def test_asking_to_approve_a_notification_is_refused_as_invalid(who):
    run = started()
    nid = notify(run)
    err = refused(run, who, "notification.approve", notification_id=nid)
    assert err.code == "invalid"
    assert "acknowledged, never approved" in err.message


def test_a_notification_expires_at_window_end():
    run = started()
    nid = notify(run, window_end="+0:30")
    run.advance(31 * 60)
    assert refused(run, MIL, "notification.acknowledge", notification_id=nid).code == "wrong_state"
    run.cmd(MIL, "cop.add", feature={"kind": "incident", "name": "Ambush", "geometry": NEAR_ROUTE})
    assert not [e for e in run.log if e.type == ev.NOTIFICATION_HAZARD_FLAGGED]


def test_distance_to_a_route_and_a_site():
    assert 1000 < distance_m((31.05, 4.01), ROUTE) < 1200
    assert distance_m((31.5, 4.5), SITE) == 0
    assert distance_m((32.0, 5.0), ROUTE) > 50_000


def test_an_incident_near_a_notified_route_is_flagged_to_both_sides():
    run = started()
    nid = notify(run)
    events = run.cmd(POL, "cop.add", feature={"kind": "incident", "name": "Ambush", "geometry": NEAR_ROUTE,
                                              "visible_to": "all"})
    flag = events[-1]
    assert flag.type == ev.NOTIFICATION_HAZARD_FLAGGED
    assert flag.payload["notification_id"] == nid and flag.payload["distance_m"] < 2000
    assert set(flag.audience) == {"facilitator", "evaluator", "team:hum-1", "team:mil-1"}
    assert event_for_view(POL.view, flag) is None
    assert run.state.snapshot(HUM)["notifications"][0]["hazards"][0]["feature_id"] == flag.payload["feature_id"]


def test_a_checkpoint_moved_near_a_notified_site_is_flagged_and_far_ones_are_not():
    run = started()
    notify(run, geometry=SITE, kind="site", share_with=["military", "police"])
    (added,) = run.cmd(MIL, "cop.add", feature={"kind": "checkpoint", "name": "CP 7", "geometry": FAR})
    assert added.type == ev.COP_FEATURE_ADDED
    run.cmd(MIL, "cop.add", feature={"kind": "camp", "name": "not a hazard", "geometry": SITE})
    assert not [e for e in run.log if e.type == ev.NOTIFICATION_HAZARD_FLAGGED]
    moved = run.cmd(MIL, "cop.change", feature_id=added.payload["feature"]["id"],
                    set={"geometry": {"type": "Point", "coordinates": [31.51, 4.5]}})
    assert [e.type for e in moved] == [ev.COP_FEATURE_CHANGED, ev.NOTIFICATION_HAZARD_FLAGGED]
    assert "team:pol-1" in moved[-1].audience


# -- b. request for military or civil defence assets -----------------------------------

def rfa(run: CoreRun, who=HUM, **extra) -> str:
    (e,) = run.cmd(who, "rfa.submit", **request(**extra))
    return e.payload["rfa_id"]


def accept(run: CoreRun, rid: str, who=MIL) -> list[ev.Event]:
    return run.cmd(who, "rfa.respond", rfa_id=rid, decision="accept", conditions=CONDITIONS)


def test_a_request_for_assistance_goes_to_control_the_requester_the_civilian_component_and_military_teams():
    run = started()
    rid = rfa(run)
    (e,) = [x for x in run.log if x.type == ev.RFA_SUBMITTED]
    assert set(e.audience) == {"facilitator", "evaluator", "team:hum-1", "team:mil-1", "team:civ-1"}
    assert "Cholera treatment kits" not in seen_by(run, POL)
    assert run.state.snapshot(MIL)["rfas"][0]["rfa_id"] == rid
    assert run.state.snapshot(CIV)["rfas"][0]["rfa_id"] == rid


@pytest.mark.parametrize("missing", ["need", "alternatives", "unique_capability", "support", "hand_back_to",
                                     "endorsement", "perception_risk", "until", "asset"])
def test_a_request_missing_a_criterion_is_refused_with_the_field_named_and_nothing_recorded(missing):
    run = started()
    before = len(run.log)
    fields = request()
    del fields[missing]
    err = refused(run, HUM, "rfa.submit", **fields)
    assert err.code == "invalid" and missing in err.message
    for blank in ("", "  ", 7):
        assert missing in refused(run, HUM, "rfa.submit", **{**fields, missing: blank}).message
    assert len(run.log) == before


@pytest.mark.parametrize("alternatives", [[], [{"option": "UNHAS"}], [{"option": "UNHAS", "why_not": " "}],
                                          "trucks", [{"option": "x", "why_not": "y", "extra": 1}]])
def test_each_civilian_alternative_must_say_why_it_fails(alternatives):
    run = started()
    err = refused(run, HUM, "rfa.submit", **request(alternatives=alternatives))
    assert err.code == "invalid" and "alternatives" in err.message


def test_the_asset_list_has_no_default_and_offers_transport_water_logistics_medical_engineering_air():
    run = started()
    fields = request()
    del fields["asset"]
    assert "asset" in refused(run, HUM, "rfa.submit", **fields).message
    for asset in ("transport", "water", "logistics", "medical", "engineering", "air"):
        rfa(run, asset=asset)
    assert refused(run, HUM, "rfa.submit", **request(asset="tanks")).code == "invalid"


def test_support_is_indirect_infrastructure_or_direct():
    run = started()
    for support in ("indirect", "infrastructure", "direct"):
        rfa(run, support=support)
    err = refused(run, HUM, "rfa.submit", **request(support="combat"))
    assert err.code == "invalid" and "support" in err.message and "least direct" in err.message


def test_an_escort_request_answers_the_four_iasc_criteria_and_names_its_security_risk_assessment():
    run = started()
    for missing in ESCORT:
        partial = {k: v for k, v in ESCORT.items() if k != missing}
        err = refused(run, HUM, "rfa.submit", **request(asset="escort", escort=partial))
        assert err.code == "invalid" and f"escort.{missing}" in err.message
    assert "IASC" in refused(run, HUM, "rfa.submit", **request(asset="escort", escort=None)).message
    err = refused(run, HUM, "rfa.submit", **request(escort=ESCORT))  # transport
    assert err.code == "invalid" and "escort" in err.message
    rid = rfa(run, asset="escort")
    assert run.state.snapshot(MIL)["rfas"][0]["escort"]["srm_reference"] == "SRA Sector West 2026-031"
    assert run.state.snapshot(MIL)["rfas"][0]["rfa_id"] == rid


def test_the_hand_back_must_come_after_the_need():
    run = started()
    err = refused(run, HUM, "rfa.submit", **request(time_limit="+2:00", until="+1:00"))
    assert err.code == "invalid" and "until" in err.message


@pytest.mark.parametrize("who", [MIL, POL, CIV, FAC])
def test_only_humanitarian_teams_request_military_assets(who):
    run = started()
    assert refused(run, who, "rfa.submit", **request()).code == "forbidden"


def test_a_malformed_request_is_invalid():
    run = started()
    for bad in ({"asset": "tanks"}, {"location": {"type": "Circle"}}, {"time_limit": "later"}, {"route": "fax"}):
        assert refused(run, HUM, "rfa.submit", **request(**bad)).code == "invalid"


def test_the_military_accepts_only_with_its_conditions_and_the_request_keeps_a_status_history():
    run = started()
    rid = rfa(run)
    assert refused(run, MIL, "rfa.respond", rfa_id=rid, decision="decline").code == "invalid"  # no reason
    assert refused(run, MIL, "rfa.respond", rfa_id=rid, decision="more_info", reason=" ").code == "invalid"
    assert refused(run, MIL, "rfa.respond", rfa_id=rid, decision="maybe").code == "invalid"
    for missing in CONDITIONS:
        partial = {k: v for k, v in CONDITIONS.items() if k != missing}
        err = refused(run, MIL, "rfa.respond", rfa_id=rid, decision="accept", conditions=partial)
        assert err.code == "invalid" and f"conditions.{missing}" in err.message
    assert "conditions" in refused(run, MIL, "rfa.respond", rfa_id=rid, decision="accept").message
    run.cmd(MIL, "rfa.respond", rfa_id=rid, decision="more_info", reason="Which airstrip?")
    run.cmd(HUM, "rfa.clarify", rfa_id=rid, text="Kora's")
    (e,) = accept(run, rid)
    assert event_for_view(CIV.view, e)["payload"]["conditions"] == CONDITIONS
    row = run.state.snapshot(HUM)["rfas"][0]
    assert row["status"] == "accepted" and row["conditions"]["visibility"] == CONDITIONS["visibility"]
    assert [h["status"] for h in row["history"]] == ["submitted", "more_info_requested", "clarified", "accepted"]
    assert refused(run, MIL, "rfa.respond", rfa_id=rid, decision="decline", reason="no").code == "wrong_state"


def test_a_decline_states_no_conditions():
    run = started()
    rid = rfa(run)
    err = refused(run, MIL, "rfa.respond", rfa_id=rid, decision="decline", reason="r", conditions=CONDITIONS)
    assert err.code == "invalid"
    (e,) = run.cmd(MIL, "rfa.respond", rfa_id=rid, decision="decline", reason="All aircraft committed")
    assert e.payload["conditions"] == {} and run.state.snapshot(HUM)["rfas"][0]["status"] == "declined"


def test_only_military_teams_respond_to_requests():
    run = started()
    rid = rfa(run)
    for who in (CIV, POL, HUM, FAC):
        assert refused(run, who, "rfa.respond", rfa_id=rid, decision="decline", reason="r").code == "forbidden"
    assert refused(run, MIL, "rfa.respond", rfa_id="RFA-9", decision="decline", reason="r").code == "not_found"
    accept(run, rid)
    assert run.state.snapshot(CIV)["rfas"][0]["status"] == "accepted"


# -- routing through the humanitarian coordination team (OCHA) ---------------------------

NGO = trainee("ngo-1", "humanitarian")
COORDINATION = FIXTURES / "coordination.yaml"


def coordinated(ocha: bool = True) -> CoreRun:
    """The mini scenario with an NGO team besides hum-1, which (with `ocha`) is the coordination team."""
    text = COORDINATION.read_text(encoding="utf-8")
    if not ocha:
        text = text.replace("ocha_team: hum-1\n", "")
    scenario, problems = parse_scenario_text(text)
    assert scenario is not None, problems
    run = CoreRun(scenario)
    run.cmd(FAC, "clock.start")
    return run


def test_a_request_sent_through_ocha_waits_for_it_and_reaches_the_military_only_when_forwarded():
    run = coordinated()
    rid = rfa(run, who=NGO)
    (e,) = [x for x in run.log if x.type == ev.RFA_SUBMITTED]
    assert set(e.audience) == {"facilitator", "evaluator", "team:ngo-1", "team:hum-1", "team:civ-1"}
    assert run.state.snapshot(MIL)["rfas"] == [] and "Cholera" not in seen_by(run, MIL)
    assert run.state.snapshot(NGO)["rfas"][0]["status"] == "with_ocha"
    assert refused(run, MIL, "rfa.respond", rfa_id=rid, decision="decline", reason="r").code == "not_found"
    assert refused(run, NGO, "rfa.coordinate", rfa_id=rid, decision="forward", note="n").code == "forbidden"
    assert refused(run, HUM, "rfa.coordinate", rfa_id=rid, decision="approve", note="n").code == "invalid"
    assert refused(run, HUM, "rfa.coordinate", rfa_id=rid, decision="forward").code == "invalid"  # no note
    (f,) = run.cmd(HUM, "rfa.coordinate", rfa_id=rid, decision="forward", note="Endorsed by the HC; last resort met")
    assert "team:mil-1" in f.audience
    assert event_for_view(MIL.view, f)["payload"]["request"]["need"].startswith("Cholera")
    row = run.state.snapshot(MIL)["rfas"][0]
    assert row["status"] == "submitted" and row["route"] == "ocha" and row["to_military"] is True
    assert refused(run, HUM, "rfa.coordinate", rfa_id=rid, decision="return", note="n").code == "wrong_state"
    accept(run, rid)
    assert [h["status"] for h in run.state.snapshot(NGO)["rfas"][0]["history"]] == [
        "submitted", "forwarded", "accepted"]


def test_ocha_returns_a_request_that_fails_the_test_and_the_military_never_sees_it():
    run = coordinated()
    rid = rfa(run, who=NGO)
    (r,) = run.cmd(HUM, "rfa.coordinate", rfa_id=rid, decision="return", note="Commercial trucks reach Kora today")
    assert "team:mil-1" not in r.audience
    assert run.state.snapshot(NGO)["rfas"][0]["status"] == "returned"
    assert run.state.snapshot(MIL)["rfas"] == [] and "Cholera" not in seen_by(run, MIL)


def test_a_request_sent_around_ocha_is_flagged_not_channelled_to_everyone_who_sees_it():
    run = coordinated()
    rid = rfa(run, who=NGO, route="direct")
    for who in (MIL, CIV, HUM, NGO, FAC):
        (row,) = run.state.snapshot(who)["rfas"]
        assert row["rfa_id"] == rid and row["route"] == "direct"
    labels = [row["label"] for row in timeline(run.log) if row["lane"] == "workflow"]
    assert any("not channelled through OCHA/HC" in label for label in labels), labels
    assert refused(run, HUM, "rfa.coordinate", rfa_id=rid, decision="return", note="n").code == "wrong_state"


def test_the_coordination_team_s_own_request_goes_straight_to_the_military_channelled():
    run = coordinated()
    rfa(run, route="direct")  # hum-1 is OCHA: its own request is channelled whatever it says
    (row,) = run.state.snapshot(MIL)["rfas"]
    assert row["route"] == "ocha" and row["status"] == "submitted"


def test_without_a_coordination_team_every_request_is_flagged():
    run = coordinated(ocha=False)
    rfa(run, who=NGO)
    (row,) = run.state.snapshot(MIL)["rfas"]
    assert row["route"] == "direct"
    assert refused(run, HUM, "rfa.coordinate", rfa_id=row["rfa_id"], decision="forward", note="n").code == "forbidden"


# -- c. information sharing with protection ----------------------------------------

def share(run: CoreRun, who=HUM, sensitive=True, share_with=("military",)) -> str:
    (e,) = run.cmd(who, "document.share", title="Protection report", body="Names of victims at Bessa",
                   share_with=list(share_with), sensitive=sensitive)
    return e.payload["document_id"]


def test_a_document_reaches_only_the_owner_and_its_recipients():
    run = started()
    share(run, sensitive=False)
    assert "Names of victims" in seen_by(run, MIL) and "Names of victims" in seen_by(run, EVAL)
    assert "Names of victims" not in seen_by(run, POL) + seen_by(run, CIV)


def test_a_sensitive_document_stays_sealed_until_a_logged_opening():
    run = started()
    (e,) = run.cmd(HUM, "document.share", title="Protection incident", body="Names of victims at Bessa",
                   share_with=["military"], sensitive=True, location={"type": "Point", "coordinates": [30.1, 1.2]})
    did = e.payload["document_id"]
    assert "Protection incident" in seen_by(run, MIL)  # the recipient knows it exists
    assert "Names of victims" not in seen_by(run, MIL) and "30.1" not in seen_by(run, MIL)
    assert run.state.snapshot(MIL)["documents"][0]["sealed"] is True
    assert "Names of victims" in seen_by(run, HUM) + seen_by(run, EVAL)
    (opened,) = run.cmd(MIL, "document.open", document_id=did)
    assert event_for_view(MIL.view, opened)["payload"]["body"] == "Names of victims at Bessa"
    assert "body" not in event_for_view(HUM.view, opened)["payload"]  # the owner's copy: who, not what
    row = run.state.snapshot(MIL)["documents"][0]
    assert row["body"] == "Names of victims at Bessa" and row["location"]["coordinates"] == [30.1, 1.2]
    assert "sealed" not in row and "accesses" not in row
    assert "Names of victims" not in seen_by(run, POL) + seen_by(run, CIV)


def test_a_document_location_must_be_a_geometry():
    run = started()
    err = refused(run, HUM, "document.share", title="t", body="b", share_with=["military"],
                  location={"type": "Point", "coordinates": ["x", 1]})
    assert err.code == "invalid" and "location" in err.message


def test_forwarding_a_sensitive_item_is_forbidden_unless_one_owns_it():
    run = started()
    did = share(run)
    err = refused(run, MIL, "document.forward", document_id=did, to=["police"])
    assert err.code == "forbidden" and "sensitive items cannot be forwarded" in err.message
    assert "Names of victims" not in seen_by(run, POL)
    run.cmd(HUM, "document.forward", document_id=did, to=["police"])  # the owner decides
    assert "Protection report" in seen_by(run, POL) and "Names of victims" not in seen_by(run, POL)
    run.cmd(POL, "document.open", document_id=did)
    assert "Names of victims" in seen_by(run, POL)


def test_a_plain_document_may_be_forwarded_by_a_recipient_but_not_by_a_stranger():
    run = started()
    did = share(run, sensitive=False)
    assert refused(run, POL, "document.forward", document_id=did, to=["police"]).code == "not_found"
    (e,) = run.cmd(MIL, "document.forward", document_id=did, to=["police"])
    assert e.type == ev.DOCUMENT_FORWARDED and "team:pol-1" in e.audience
    assert [d["document_id"] for d in run.state.snapshot(POL)["documents"]] == [did]


def test_opening_a_sensitive_document_is_recorded_for_control_and_the_owner():
    run = started()
    did = share(run)
    (e,) = run.cmd(MIL, "document.open", document_id=did)
    assert e.type == ev.DOCUMENT_ACCESSED and e.payload["team"] == "mil-1"
    assert set(e.audience) == {"facilitator", "evaluator", "team:hum-1", "team:mil-1"}
    assert event_for_view(POL.view, e) is None
    assert run.state.snapshot(HUM)["documents"][0]["accesses"][0]["team"] == "mil-1"
    assert "accesses" not in run.state.snapshot(MIL)["documents"][0]
    assert run.state.snapshot(EVAL)["documents"][0]["accesses"][0]["name"] == MIL.name
    assert refused(run, POL, "document.open", document_id=did).code == "not_found"


def test_a_team_shares_only_as_itself():
    run = started()
    assert refused(run, POL, "document.share", title="t", body="b", share_with=["military"],
                   owner="hum-1").code == "forbidden"
    assert refused(run, FAC, "document.share", title="t", body="b", share_with=["military"]).code == "forbidden"
    assert refused(run, POL, "document.share", title="t", body="b", share_with=["military"],
                   sensitive="yes").code == "invalid"


# -- d. simulated media, e. decisions ----------------------------------------------

def test_the_facilitator_publishes_media_that_everyone_sees():
    run = started()
    (s,) = run.cmd(HUM, "statement.issue", text="Aid continues despite the floods")
    assert s.audience == (ev.EVERYONE,)  # a public statement is public (bug 13 of the UX review)
    assert "Aid continues" in seen_by(run, MIL)
    (m,) = run.cmd(FAC, "media.publish", outlet="Radio Tamsa", kind="radio", headline="Aid convoys stuck",
                   body="Reports from Kora", in_reply_to=s.payload["statement_id"])
    assert m.audience == (ev.EVERYONE,)
    for p in (MIL, POL, HUM, CIV, EVAL):
        assert "Aid convoys stuck" in seen_by(run, p)
    assert refused(run, FAC, "media.publish", outlet="o", kind="tv", headline="h", body="b").code == "invalid"
    assert refused(run, FAC, "media.publish", outlet="o", kind="social", headline="h", body="b",
                   in_reply_to="S-9").code == "not_found"
    assert refused(run, MIL, "statement.issue", text="x", team="hum-1").code == "forbidden"
    assert refused(run, FAC, "statement.issue", text="x").code == "forbidden"


def test_a_team_records_decisions_only_it_and_control_see():
    run = started()
    (d,) = run.cmd(MIL, "decision.record", what="Reroute patrol", why="Convoy notified on route",
                   consulted=["hum-1", "UNHCR liaison"])
    assert set(d.audience) == {"facilitator", "evaluator", "team:mil-1"}
    assert run.state.snapshot(MIL)["decisions"][0]["consulted"] == ["hum-1", "UNHCR liaison"]
    assert run.state.snapshot(HUM)["decisions"] == []
    assert "Reroute patrol" in seen_by(run, EVAL) and "Reroute patrol" not in seen_by(run, HUM)
    assert refused(run, MIL, "decision.record", what="x", why="").code == "invalid"
    assert refused(run, MIL, "decision.record", what="x", why="y", consulted="all").code == "invalid"
    assert refused(run, EVAL, "decision.record", what="x", why="y").code == "forbidden"


def test_workflow_commands_are_refused_once_the_exercise_ended():
    run = started()
    nid = notify(run)
    run.cmd(FAC, "exercise.end")
    assert refused(run, MIL, "notification.acknowledge", notification_id=nid).code == "wrong_state"
    assert refused(run, MIL, "decision.record", what="x", why="y").code == "wrong_state"


def test_the_workflows_replay_to_the_same_state():
    run = started()
    nid = notify(run)
    run.cmd(MIL, "notification.acknowledge", notification_id=nid)
    rid = rfa(run)
    accept(run, rid)
    did = share(run)
    run.cmd(MIL, "document.open", document_id=did)
    again = ExerciseState.fold(run.log)
    for p in (FAC, HUM, MIL, POL, CIV):
        assert again.snapshot(p) == run.state.snapshot(p)


def test_snapshot_rows_keep_the_payload_name_and_name_the_author_apart():
    run = started()
    notify(run)
    row = run.state.snapshot(MIL)["notifications"][0]
    assert row["name"] == "Convoy to Kora" and row["author"] == HUM.name


def test_a_hazard_flag_does_not_reveal_a_feature_hidden_from_a_team():
    run = started()
    notify(run)  # to the military
    run.cmd(POL, "cop.add", feature={"kind": "incident", "name": "Informant meeting", "geometry": NEAR_ROUTE,
                                     "visible_to": ["police", "humanitarian"]})
    flag = run.log[-1]
    assert flag.type == ev.NOTIFICATION_HAZARD_FLAGGED
    assert event_for_view(MIL.view, flag)["payload"] == {"notification_id": "N-hum-1-1", "feature_kind": "incident"}
    assert "Informant meeting" not in seen_by(run, MIL)
    assert "Informant meeting" in json.dumps(run.state.snapshot(HUM)["notifications"])
    assert event_for_view(HUM.view, flag)["payload"]["feature_name"] == "Informant meeting"


# -- limits on every text field ------------------------------------------------------

VALID = {
    "notification.submit": (HUM, {"kind": "movement", "name": "Convoy", "geometry": ROUTE, "window_start": 0,
                                  "window_end": 3600, "share_with": ["military"]}),
    "rfa.submit": (HUM, request(time_limit=3600, until=7200)),
    "document.share": (HUM, {"title": "Report", "body": "Text", "share_with": ["military"]}),
    "media.publish": (FAC, {"outlet": "Radio Tamsa", "kind": "radio", "headline": "News", "body": "Text"}),
    "statement.issue": (HUM, {"text": "Statement"}),
    "decision.record": (MIL, {"what": "Decision", "why": "Reason", "consulted": ["OCHA"]}),
}
TEXT_LIMITS = [("notification.submit", "name", SHORT_CHARS), ("rfa.submit", "need", TEXT_CHARS),
               ("rfa.submit", "endorsement", TEXT_CHARS), ("rfa.submit", "hand_back_to", SHORT_CHARS), ("document.share", "title", SHORT_CHARS),
               ("document.share", "body", TEXT_CHARS), ("media.publish", "outlet", SHORT_CHARS),
               ("media.publish", "headline", SHORT_CHARS), ("media.publish", "body", TEXT_CHARS),
               ("statement.issue", "text", TEXT_CHARS), ("decision.record", "what", TEXT_CHARS),
               ("decision.record", "why", TEXT_CHARS)]


@pytest.mark.parametrize("ctype,name,limit", TEXT_LIMITS)
def test_every_workflow_text_field_has_a_limit_and_an_over_long_value_changes_nothing(ctype, name, limit):
    run = started()
    who, fields = VALID[ctype]
    before = len(run.log)
    err = refused(run, who, ctype, **{**fields, name: "x" * (limit + 1)})
    assert err.code == "invalid" and f"{name} is longer than {limit} characters" in err.message
    for blank in ("", "   ", None, 7, ["x"]):
        assert refused(run, who, ctype, **{**fields, name: blank}).code == "invalid"
    assert len(run.log) == before
    (e,) = run.cmd(who, ctype, **{**fields, name: "x" * limit})  # the limit itself is allowed
    assert len(e.payload[name]) == limit


def test_the_rfa_response_reason_and_the_consulted_list_are_bounded():
    run = started()
    rid = rfa(run)
    err = refused(run, MIL, "rfa.respond", rfa_id=rid, decision="decline", reason="x" * (TEXT_CHARS + 1))
    assert err.code == "invalid"
    assert refused(run, MIL, "decision.record", what="w", why="y", consulted=["a"] * 51).code == "invalid"
    assert refused(run, MIL, "decision.record", what="w", why="y", consulted=["a", ""]).code == "invalid"
    (e,) = run.cmd(MIL, "decision.record", what="w", why="y", consulted=["x" * (SHORT_CHARS + 50)])
    assert e.payload["consulted"] == ["x" * SHORT_CHARS]  # a name is cut to the short limit


def test_an_offset_beyond_thirty_days_is_refused_as_text_as_well_as_as_a_number():
    run = started()
    for late in ("+999:00", 3_600_000):
        err = refused(run, HUM, "notification.submit", **{**VALID["notification.submit"][1], "window_end": late})
        assert err.code == "invalid" and "between 0 and" in err.message
        err = refused(run, HUM, "rfa.submit", **{**VALID["rfa.submit"][1], "time_limit": late})
        assert err.code == "invalid"


def test_the_replay_timeline_names_each_workflow_step_without_unsealing_anything():
    run = started()
    nid = notify(run)
    run.cmd(MIL, "notification.acknowledge", notification_id=nid)
    rid = rfa(run)
    run.cmd(MIL, "rfa.respond", rfa_id=rid, decision="decline", reason="Escorts committed")
    did = share(run)
    run.cmd(MIL, "document.open", document_id=did)
    run.cmd(HUM, "statement.issue", text="Aid is neutral")
    run.cmd(MIL, "decision.record", what="No escorts", why="Distinction")
    labels = [row["label"] for row in timeline(run.log) if row["lane"] == "workflow"]
    for expected in ("N-hum-1-1 movement notified by hum-1: Convoy to Kora", "N-hum-1-1 acknowledged by mil-1",
                     "RFA-hum-1-1 transport requested by hum-1", "RFA-hum-1-1 declined by mil-1: Escorts committed",
                     "D-hum-1-1 shared by hum-1 with military (sensitive): Protection report",
                     f"D-hum-1-1 opened by {MIL.name} (mil-1)", "S-hum-1-1 public statement by hum-1: Aid is neutral",
                     "DEC-mil-1-1 decision by mil-1: No escorts"):
        assert expected in labels, labels
    assert "Names of victims" not in json.dumps(timeline(run.log, POL.view) + timeline(run.log, MIL.view))


# -- found in review: existing hazards, forwards, clarifications, deadlines, numbering --

def test_a_hazard_already_on_the_map_is_flagged_when_the_notification_is_sent():
    run = started()
    run.cmd(MIL, "cop.add", feature={"kind": "checkpoint", "name": "NDF checkpoint", "geometry": NEAR_ROUTE,
                                     "visible_to": ["military", "humanitarian"]})
    run.cmd(MIL, "cop.add", feature={"kind": "checkpoint", "name": "Far away", "geometry": FAR,
                                     "visible_to": ["military"]})
    nid = notify(run)
    flags = [e for e in run.log if e.type == ev.NOTIFICATION_HAZARD_FLAGGED]
    assert [(f.payload["notification_id"], f.payload["feature_name"]) for f in flags] == [(nid, "NDF checkpoint")]
    assert run.state.snapshot(HUM)["notifications"][0]["hazards"][0]["feature_name"] == "NDF checkpoint"
    run.advance(120)
    err = refused(run, HUM, "notification.submit", kind="site", name="Past", geometry=SITE, window_start=0,
                  window_end=100, share_with=["military"])
    assert err.code == "invalid" and "already passed" in err.message


def test_a_team_that_may_not_see_a_hazard_does_not_learn_how_far_it_is():
    run = started()
    nid = notify(run)
    run.cmd(POL, "cop.add", feature={"kind": "incident", "name": "Hidden", "geometry": NEAR_ROUTE,
                                     "visible_to": ["police"]})
    row = run.state.snapshot(MIL)["notifications"][0]["hazards"][0]
    assert "distance_m" not in row and "feature_name" not in row and row["notification_id"] == nid
    assert "distance_m" in run.state.snapshot(FAC)["notifications"][0]["hazards"][0]


def test_a_forward_reaches_every_holder_with_the_new_recipients_and_a_repeat_is_refused():
    run = started()
    did = share(run, sensitive=False)  # hum-1 to the military
    (e,) = run.cmd(MIL, "document.forward", document_id=did, to=["police"])
    assert set(e.audience) >= {"team:hum-1", "team:mil-1", "team:pol-1"}
    assert e.payload["recipients"] == ["military", "police"] and e.payload["share_with"] == ["military"]
    for who in (HUM, MIL, POL):
        assert run.state.snapshot(who)["documents"][0]["recipients"] == ["military", "police"]
    err = refused(run, POL, "document.forward", document_id=did, to=["military"])
    assert err.code == "conflict"


def test_the_requester_answers_a_request_for_more_information_and_the_military_responds_again():
    run = started()
    rid = rfa(run)
    assert refused(run, HUM, "rfa.clarify", rfa_id=rid, text="x").code == "wrong_state"
    run.cmd(MIL, "rfa.respond", rfa_id=rid, decision="more_info", reason="How many patients?")
    for who in (CIV, MIL, POL):
        assert refused(run, who, "rfa.clarify", rfa_id=rid, text="12 patients").code in ("forbidden", "not_found")
    assert refused(run, HUM, "rfa.clarify", rfa_id=rid, text=" ").code == "invalid"
    run.cmd(HUM, "rfa.clarify", rfa_id=rid, text="12 patients, 3 on stretchers")
    row = run.state.snapshot(HUM)["rfas"][0]
    assert row["status"] == "submitted"
    assert [h["status"] for h in row["history"]] == ["submitted", "more_info_requested", "clarified"]
    assert row["history"][-1]["reason"] == "12 patients, 3 on stretchers"
    accept(run, rid)
    assert run.state.snapshot(MIL)["rfas"][0]["status"] == "accepted"


def test_a_request_for_assistance_cannot_be_needed_by_a_time_already_past():
    run = started()
    run.advance(3 * 3600)
    err = refused(run, HUM, "rfa.submit", **{**VALID["rfa.submit"][1], "time_limit": "+2:00"})
    assert err.code == "invalid" and "already passed" in err.message


def test_ids_are_numbered_per_team_so_they_tell_nothing_of_other_teams():
    run = started()
    for _ in range(3):
        run.cmd(HUM, "decision.record", what="w", why="y")
        run.cmd(HUM, "statement.issue", text="t")
    (d,) = run.cmd(MIL, "decision.record", what="w", why="y")
    (s,) = run.cmd(CIV, "statement.issue", text="t")
    assert (d.payload["decision_id"], s.payload["statement_id"]) == ("DEC-mil-1-1", "S-civ-1-1")


# -- one visibility rule: what a view holds in its snapshot is what it was sent live ---------

ROW_IDS = {"notifications": "notification_id", "rfas": "rfa_id", "documents": "document_id", "media": "media_id",
           "statements": "statement_id", "decisions": "decision_id"}


def test_every_view_holds_in_its_snapshot_the_workflow_rows_it_received_live():
    run = started()
    notify(run, share_with=["military", "police"])
    notify(run, geometry=SITE, kind="site", share_with=["police"])
    run.cmd(POL, "cop.add", feature={"kind": "incident", "name": "Ambush", "geometry": NEAR_ROUTE,
                                     "visible_to": ["police"]})
    rid = rfa(run)
    rfa(run, asset="air")
    run.cmd(MIL, "rfa.respond", rfa_id=rid, decision="more_info", reason="Which road?")
    did = share(run)
    share(run, who=MIL, sensitive=False, share_with=("civilian",))
    run.cmd(HUM, "document.forward", document_id=did, to=["police"])
    run.cmd(MIL, "document.open", document_id=did)
    (s,) = run.cmd(HUM, "statement.issue", text="Aid continues")
    run.cmd(FAC, "media.publish", outlet="Radio Tamsa", kind="radio", headline="Aid", body="b",
            in_reply_to=s.payload["statement_id"])
    run.cmd(MIL, "decision.record", what="Reroute", why="Convoy notified")
    for principal in (FAC, EVAL, MIL, POL, HUM, CIV):
        frames = stream(run, principal)
        snapshot = run.state.snapshot(principal)
        for key, id_field in ROW_IDS.items():
            live = {f["payload"][id_field] for f in frames if id_field in f["payload"]}
            held = {row[id_field] for row in snapshot[key]}
            assert held == live, (principal.view, key)
