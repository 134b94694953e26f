"""Metrics on a hand-built log with a manual clock, and the after-action report drawn from them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from exercise_server.core.metrics import compute
from exercise_server.core.replay import lane_of
from exercise_server.report import render_metrics

from .core_harness import EVAL, FAC, HUM, MIL, POL, CoreRun
from .request_fields import request

POINT = {"type": "Point", "coordinates": [31.0, 4.0]}
XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def hand_built() -> CoreRun:
    """A minute-by-minute exercise whose every metric can be worked out by hand (exercise seconds)."""
    run = CoreRun()
    run.cmd(FAC, "clock.start")                                             # t=0
    run.advance(300)                                                        # t=300: I-1 to hum-1
    run.advance(60)
    run.cmd(HUM, "inject.ack", inject_id="I-1")                             # t=360: ack after 60 s
    run.advance(30)
    run.cmd(HUM, "room.post", room="joint", text="Road to Kora blocked")    # t=390: first action after 90 s
    run.advance(210)                                                        # t=600: I-2 to pol-1; I-4 to hum-1, mil-1
    run.advance(60)
    run.cmd(MIL, "room.post", room="liaison:hum-1~mil-1", text="Escort?")  # t=660: mil's first action on I-4
    run.cmd(POL, "room.post", room="team:pol-1", text="Crowd at the market")  # t=660: team room, not cross-component
    run.advance(40)
    run.cmd(HUM, "cop.add", feature={"kind": "camp", "name": "Distribution site", "geometry": POINT,
                                     "visible_to": ["humanitarian"]})     # t=700: hum's first action on I-4
    run.advance(20)
    run.cmd(MIL, "inject.ack", inject_id="I-4")                             # t=720: I-4 acked by mil after 120 s
    run.advance(80)
    run.cmd(HUM, "cop.change", feature_id="hum-1-f1", set={"visible_to": "all"})  # t=800: shared with everyone
    run.cmd(HUM, "room.post", room="joint", text="Site shared on the map")  # t=800
    run.cmd(EVAL, "expectation.mark", inject_id="I-1", team="hum-1", action=0, status="met", note="at once")
    run.cmd(EVAL, "observation.record", text="Shared the constraint at once", rating=4, objective="O5", team="hum-1")
    run.cmd(EVAL, "observation.record", text="Liaison asked for escort too early", rating=2, objective="O5",
            team="mil-1", recommendation="Rehearse the last-resort test")
    run.cmd(EVAL, "observation.record", text="Knew the CIMIC definition " + XSS, rating=3, objective="O1")
    run.cmd(FAC, "exercise.end")
    return run


def response(metrics, inject: str, team: str) -> dict:
    return next(r for r in metrics.responses if (r["inject_id"], r["team"]) == (inject, team))


def test_time_to_acknowledge_and_to_the_first_related_action_per_inject_and_team():
    m = compute(hand_built().log)
    i1 = response(m, "I-1", "hum-1")
    assert (i1["released_ex"], i1["ack_after"], i1["first_action_after"]) == (300, 60, 90)
    assert i1["first_action"] == "message in joint"
    mil = response(m, "I-4", "mil-1")
    assert (mil["released_ex"], mil["ack_after"], mil["first_action_after"]) == (600, 120, 60)
    hum = response(m, "I-4", "hum-1")
    assert (hum["ack_after"], hum["first_action_after"], hum["first_action"]) == (None, 100, "COP change")
    pol = response(m, "I-2", "pol-1")
    assert (pol["ack_after"], pol["first_action_after"]) == (None, 60)
    assert [(r["inject_id"], r["team"]) for r in m.responses] == [("I-1", "hum-1"), ("I-2", "pol-1"),
                                                                 ("I-4", "hum-1"), ("I-4", "mil-1")]
    teams = {t["team"]: t for t in m.teams}
    assert teams["hum-1"]["ack_mean"] == 60 and teams["hum-1"]["first_action_mean"] == 95
    assert (teams["hum-1"]["messages"], teams["hum-1"]["cop_changes"]) == (2, 2)
    assert teams["civ-1"]["injects"] == 0 and teams["civ-1"]["ack_mean"] is None


def test_cross_component_messages_are_counted_per_room_and_ten_minutes():
    m = compute(hand_built().log, bin_seconds=600)
    rooms = {r["room"]: r for r in m.cross_component["rooms"]}
    assert "team:pol-1" not in rooms and "component:police" not in rooms  # one component only
    assert rooms["joint"]["bins"] == [1, 1] and rooms["joint"]["by_component"] == {"humanitarian": 2}
    assert rooms["liaison:hum-1~mil-1"]["bins"] == [0, 1]
    assert rooms["liaison:hum-1~mil-1"]["components"] == ["humanitarian", "military"]
    assert rooms["plenary"]["total"] == 0
    assert compute(hand_built().log).cross_component["bin_seconds"] == 60  # 800 s: minute by minute


def test_the_timeline_counts_every_event_in_its_lane_and_bin():
    log = hand_built().log
    for bin_seconds in (60, 600):
        activity = compute(log, bin_seconds=bin_seconds).activity
        expected = {lane: [0] * len(bins) for lane, bins in activity["lanes"].items()}
        for event in log:
            expected[lane_of(event.type)][min(int(event.ex_time // bin_seconds), len(expected["inject"]) - 1)] += 1
        assert activity["lanes"] == expected and sum(map(sum, expected.values())) == len(log)
    with pytest.raises(ValueError, match="whole minutes"):
        compute(log, bin_seconds=90)


def test_who_knew_what_and_when():
    m = compute(hand_built().log)
    knew = {(k["kind"], k["id"]): k["teams"] for k in m.first_knew}
    assert knew[("inject", "I-1")] == {"hum-1": 300}
    assert knew[("inject", "I-4")] == {"hum-1": 600, "mil-1": 600}
    assert knew[("feature", "hum-1-f1")] == {"hum-1": 700, "civ-1": 800, "mil-1": 800, "pol-1": 800}


def test_workflow_items_count_in_who_knew_what_and_as_first_actions():
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    run.advance(300)                                                          # t=300: I-1 to hum-1
    run.advance(60)
    run.cmd(HUM, "document.share", title="Beneficiaries", body="names", share_with=["military", "police"],
            sensitive=True)                                                   # t=360: hum-1's first action on I-1
    run.advance(40)
    run.cmd(MIL, "document.open", document_id="D-hum-1-1")                          # t=400: mil-1 knows it now
    run.cmd(HUM, "notification.submit", kind="site", name="Distribution", geometry=POINT, window_start=0,
            window_end=3600, share_with=["military"])
    run.cmd(FAC, "media.publish", outlet="Radio Tamsa", kind="radio", headline="Floods", body="Rain")
    m = compute(run.log)
    knew = {(k["kind"], k["id"]): k for k in m.first_knew}
    assert knew[("document", "D-hum-1-1")]["teams"] == {"hum-1": 360, "mil-1": 400}  # pol-1 holds it sealed: not known
    assert knew[("document", "D-hum-1-1")]["name"] == "D-hum-1-1 Beneficiaries"
    assert knew[("notification", "N-hum-1-1")]["teams"] == {"hum-1": 400, "mil-1": 400}
    assert set(knew[("media", "M-1")]["teams"]) == {"hum-1", "mil-1", "pol-1", "civ-1"}
    i1 = response(m, "I-1", "hum-1")
    assert (i1["first_action_after"], i1["first_action"]) == (60, "document shared")


def test_expected_actions_met_and_ratings_per_objective():
    m = compute(hand_built().log)
    assert m.expectations["teams"] == {"hum-1": {"met": 1, "partly": 0, "not_met": 0, "unmarked": 0}}
    [item] = m.expectations["items"]
    assert item["mark"]["note"] == "at once"
    ratings = {r["objective"]: r for r in m.ratings}
    assert ratings["O5"]["count"] == 2 and ratings["O5"]["mean"] == 3.0
    assert ratings["O5"]["counts"] == {1: 0, 2: 1, 3: 0, 4: 1}
    assert ratings["O1"]["mean"] == 3.0
    s = m.summary
    assert (s["released"], s["injects"], s["acknowledgements"], s["deliveries"], s["observations"]) == (3, 6, 2, 4, 3)
    assert s["status"] == "ended" and s["duration"] == 800


class _Resources(HTMLParser):
    """Every URL a page would fetch, and every script."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.scripts += tag == "script"
        self.urls += [v for k, v in attrs if k in ("src", "href") and v and not v.startswith("#")]


@pytest.fixture(scope="module")
def report_html() -> str:
    return render_metrics(compute(hand_built().log))


def test_the_report_is_self_contained_and_inert(report_html):
    parser = _Resources()
    parser.feed(report_html)
    assert parser.urls == [] and parser.scripts == 0  # nothing fetched, nothing run
    assert "<style>" in report_html and "@media print" in report_html
    assert XSS not in report_html and "&lt;script&gt;alert(2)&lt;/script&gt;" in report_html


def test_the_report_has_every_section_the_course_needs(report_html):
    for section in ("executive-summary", "summary", "timeline", "responses", "coordination", "knowledge", "workflows", "expected",
                    "observations",
                    "findings", "improvement-plan", "definitions"):
        assert f'<section id="{section}">' in report_html
    assert report_html.count("<svg") == 5  # timeline, responses, coordination, expected actions, ratings
    plan = report_html[report_html.index('id="improvement-plan"'):report_html.index('</main>')]
    assert "Liaison asked for escort too early" in plan and "Rehearse the last-resort test" in plan
    findings = report_html[report_html.index('id="findings"'):report_html.index('id="improvement-plan"')]
    strengths, improvements = findings.split("Areas for improvement")
    assert "Shared the constraint at once" in strengths and "escort too early" in improvements
    assert re.search(r"1 min 00 s", report_html)  # hum-1's time to acknowledge I-1


def test_the_report_lists_every_workflow_item_with_its_outcome_as_inert_text():
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    run.cmd(HUM, "notification.submit", kind="movement", name="Convoy " + XSS, window_start=0, window_end=3600,
            geometry={"type": "LineString", "coordinates": [[31.0, 4.0], [31.1, 4.0]]}, share_with=["military"])
    run.advance(120)
    run.cmd(MIL, "notification.acknowledge", notification_id="N-hum-1-1")
    run.cmd(HUM, "rfa.submit", **request(asset="escort", need="Convoy to Kora", time_limit=3600, until=7200,
                                         location=POINT))
    run.cmd(MIL, "rfa.respond", rfa_id="RFA-hum-1-1", decision="decline", reason="Escorts committed " + XSS)
    run.cmd(HUM, "document.share", title="Beneficiaries", body="names", share_with=["military"], sensitive=True)
    run.cmd(MIL, "document.open", document_id="D-hum-1-1")
    run.cmd(FAC, "media.publish", outlet="Radio Tamsa", kind="radio", headline="Aid militarised?", body="b")
    run.cmd(HUM, "statement.issue", text="Aid is neutral " + XSS)
    run.cmd(MIL, "decision.record", what="No escorts", why="Distinction", consulted=["OCHA " + XSS])
    html = render_metrics(compute(run.log))
    part = html[html.index('<section id="workflows">'):html.index('<section id="expected">')]
    for text in ("N-hum-1-1 movement", "after 2 min 00 s", "RFA-hum-1-1 escort", "declined by Military syndicate",
                 "UNHAS helicopter", "Handed back to UNHAS", "D-hum-1-1 Beneficiaries", "sensitive", MIL.name,
                 "Aid militarised?", "public statement S-hum-1-1", "No escorts", "Distinction"):
        assert text in part, text
    assert "Not channelled through OCHA/HC" not in part  # hum-1 is the coordination team
    assert XSS not in html and part.count("&lt;script&gt;alert(2)&lt;/script&gt;") == 4


def test_time_to_answer_counts_only_actions_that_name_the_inject():
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    run.advance(300)
    run.advance(300)                                                        # t=600: I-4 to hum-1 and mil-1
    run.advance(30)
    run.cmd(HUM, "room.post", room="joint", text="Anyone seen the convoy?")  # t=630: unrelated, untagged
    run.advance(90)
    run.cmd(HUM, "cop.add", feature={"kind": "convoy", "name": "WFP convoy", "geometry": POINT},
            responds_to="I-4")                                              # t=720: answers I-4 after 120 s
    run.advance(60)
    run.cmd(HUM, "room.post", room="joint", text="Convoy held at Kora", responds_to="I-4")  # t=780: not first
    m = compute(run.log)
    hum = response(m, "I-4", "hum-1")
    assert (hum["first_action_after"], hum["first_action"]) == (30, "message in joint")
    assert (hum["answer_after"], hum["answer"]) == (120, "COP feature added")
    mil = response(m, "I-4", "mil-1")
    assert (mil["answer_after"], mil["answer"], mil["first_action_after"]) == (None, None, None)
    teams = {t["team"]: t for t in m.teams}
    assert (teams["hum-1"]["answered"], teams["hum-1"]["answer_mean"]) == (1, 120)
    assert (teams["mil-1"]["answered"], teams["mil-1"]["answer_mean"]) == (0, None)
    html = render_metrics(m)
    assert "COP feature added" in html and "Mean to answer" in html


def test_a_team_that_answers_during_a_pause_is_timed_in_working_time_too():
    """The review's D-03: in exercise time an answer given while the clock stands is instant; working
    time (wall time less the pauses wholly between release and answer) counts the team's minutes."""
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    run.advance(300)
    run.advance(300)                                                        # t=600: I-4 to hum-1 and mil-1
    run.cmd(FAC, "clock.pause")                                             # a huddle
    run.advance(180)
    run.cmd(HUM, "inject.ack", inject_id="I-4")                             # 3 wall minutes into the pause
    run.cmd(HUM, "room.post", room="joint", text="Convoy held", responds_to="I-4")
    run.advance(120)
    run.cmd(FAC, "clock.resume")                                            # pause of 300 wall seconds
    run.advance(60)
    run.cmd(FAC, "clock.pause")
    run.advance(900)                                                        # a 15-minute huddle nobody worked in
    run.cmd(FAC, "clock.resume")
    run.advance(30)
    run.cmd(MIL, "inject.ack", inject_id="I-4")
    m = compute(run.log)
    hum = response(m, "I-4", "hum-1")
    assert (hum["ack_after"], hum["ack_working"]) == (0, 180)
    assert (hum["answer_after"], hum["answer_working"], hum["first_action_working"]) == (0, 180, 180)
    mil = response(m, "I-4", "mil-1")
    # mil did nothing in either pause, both wholly between release and acknowledgement: both left out
    assert (mil["ack_after"], mil["ack_working"]) == (90, 90)
    assert (m.summary["pauses"], m.summary["paused_seconds"]) == (2, 1200)
    teams = {t["team"]: t for t in m.teams}
    assert (teams["hum-1"]["ack_mean"], teams["hum-1"]["ack_mean_working"]) == (0, 180)
    html = render_metrics(m)
    assert "3 min 00 s working" in html and "1 min 30 s working" in html and "paused 2 times for 20 min 00 s" in html


def test_working_time_leaves_out_only_the_stops_wholly_between_two_moments():
    from exercise_server.core.pauses import Pauses

    run = CoreRun()
    run.advance(50)                                                         # draft: stopped from the first event
    run.cmd(FAC, "clock.start")                                             # wall +50
    run.advance(100)
    run.cmd(FAC, "clock.pause")                                             # wall +150
    run.advance(40)
    run.cmd(FAC, "clock.resume")                                            # wall +190
    run.advance(10)
    run.cmd(FAC, "exercise.end")                                            # wall +200, stopped for good
    pauses = Pauses()
    for event in run.log:
        pauses.apply(event)
    w0 = run.log[0].wall_time
    assert [(s - w0, e - w0) for s, e in pauses.stops()][1:] == [(150, 190), (200, float("inf"))]
    assert pauses.working(w0 + 60, w0 + 195) == 95  # the 40 s pause lies between
    assert pauses.working(w0 + 160, w0 + 195) == 35  # starts inside the pause: counted
    assert pauses.working(w0 + 60, w0 + 170) == 110  # ends inside it: counted
    assert pauses.working(w0 + 60, w0 + 500) == 440 - 40  # the stop after the end never closes
    assert (pauses.pauses, pauses.paused_seconds) == (1, 40)
