"""Replay: seeking with snapshots equals folding from the start; a team's point of view is exactly
what that team could see then; the HTTP replay API is for the control cell only."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercise_server.core import events as ev
from exercise_server.core.access import event_for_view
from exercise_server.core.commands import decide
from exercise_server.core.errors import CommandError, ReplayError
from exercise_server.core.events import View, decode_event, encode_event
from exercise_server.core.projections import ExerciseState
from exercise_server.core.replay import Replay, point_of_view, timeline

from .core_harness import CIV, EVAL, FAC, HUM, MIL, POL, CoreRun
from .server_harness import Client, ServerProcess

TEAMS = (MIL, POL, HUM, CIV)
POINT = {"type": "Point", "coordinates": [31.0, 4.0]}
SHARING = st.sampled_from([["humanitarian"], ["military", "police"], ["police"], "all"])
INJECTS = st.sampled_from(["I-1", "I-2", "I-3", "I-4", "I-5", "I-6", "ADHOC-1"])
WRITERS = [(FAC, "plenary"), (FAC, "team:pol-1"), (MIL, "joint"), (MIL, "team:mil-1"), (MIL, "liaison:hum-1~mil-1"),
           (HUM, "joint"), (HUM, "team:hum-1"), (HUM, "liaison:hum-1~mil-1"), (POL, "component:police"),
           (CIV, "plenary")]
OWNERS = [(FAC, "town-bessa"), (FAC, "inc-protection"), (FAC, "hum-1-f1"), (HUM, "hum-warehouse"),
          (HUM, "hum-1-f1"), (MIL, "mil-coy"), (MIL, "mil-1-f1"), (POL, "pol-1-f1")]

ADDRESSED = [("I-1", HUM), ("I-2", POL), ("I-3", MIL), ("I-3", CIV), ("I-4", MIL), ("I-4", HUM), ("I-6", HUM),
             ("ADHOC-1", POL)]

# Mostly commands that succeed (a refused one leaves nothing in the log), so that logs are long
# and rich: releases, acknowledgements, messages, COP changes that hide and share, evaluation.
COMMAND = st.one_of(
    st.sampled_from(["clock.pause", "clock.resume"]).map(lambda c: (FAC, {"type": c})),
    st.builds(lambda m: (FAC, {"type": "clock.jump", "to": m * 60}), st.integers(1, 60)),
    st.builds(lambda c, i: (FAC, {"type": c, "inject_id": i}), st.sampled_from(["inject.hold", "inject.cancel"]),
              INJECTS),
    st.builds(lambda t: (FAC, {"type": "inject.adhoc", "from": "Radio", "to": {"teams": ["pol-1"]},
                               "channel": "media", "title": t, "body": "b", "expected": {"pol-1": ["Call back"]}}),
              st.sampled_from(["Market", "Rumour"])),
    st.builds(lambda w, t: (w[0], {"type": "room.post", "room": w[1], "text": t}), st.sampled_from(WRITERS),
              st.sampled_from(["Road to Kora blocked", "Convoy at 10:00", "Roger"])),
    st.builds(lambda p, v: (p, {"type": "cop.add", "feature": {"kind": "incident", "name": "n", "geometry": POINT,
                                                                "visible_to": v}}),
              st.sampled_from([FAC, MIL, HUM, POL]), SHARING),
    st.builds(lambda o, v: (o[0], {"type": "cop.change", "feature_id": o[1], "set": {"visible_to": v}}),
              st.sampled_from(OWNERS), SHARING),
    st.builds(lambda o: (o[0], {"type": "cop.remove", "feature_id": o[1]}), st.sampled_from(OWNERS)),
    st.builds(lambda p, r, i, t: (p, {"type": "observation.record", "text": "seen", "rating": r, "objective": "O1",
                                      "inject_id": i, "team": t}),
              st.sampled_from([EVAL, FAC]), st.integers(1, 4), st.sampled_from([None, "I-1", "I-2"]),
              st.sampled_from([None, "hum-1", "pol-1"])),
    st.builds(lambda i, t, s: (EVAL, {"type": "expectation.mark", "inject_id": i, "team": t, "action": 0,
                                      "status": s}),
              st.sampled_from(["I-1", "ADHOC-1"]), st.sampled_from(["hum-1", "pol-1"]),
              st.sampled_from(["met", "partly", "not_met"])),
)
# A step is one command, or a release and, maybe later, its acknowledgement by an addressed team.
STEP = st.one_of(
    COMMAND.map(lambda c: [c]),
    st.builds(lambda a: [(FAC, {"type": "inject.release", "inject_id": a[0]}),
                         (a[1], {"type": "inject.ack", "inject_id": a[0]})], st.sampled_from(ADDRESSED)),
    st.builds(lambda a: [(a[1], {"type": "inject.ack", "inject_id": a[0]})], st.sampled_from(ADDRESSED)),
)
STEPS = st.lists(st.tuples(STEP, st.integers(0, 300)), min_size=1, max_size=25)


def play(steps) -> list[ev.Event]:
    """A log from a running exercise and a sequence of commands, as read back from a store."""
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    for commands, wait in steps:
        run.clock.advance(wait)
        run.tick()
        for principal, command in commands:
            try:
                run.append(decide(run.state, principal, command, run.clock.now()))
            except CommandError:
                pass
    return [decode_event(encode_event(e)) for e in run.log]


def picture(state: ExerciseState) -> str:
    """Everything the fold holds: the facilitator's snapshot has it all, evaluation included."""
    return json.dumps([state.snapshot(FAC), state.checklist()], sort_keys=True, default=str)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STEPS, st.integers(1, 6))
def test_seeking_to_any_sequence_number_equals_folding_from_the_start(steps, every):
    log = play(steps)
    expected, state = {}, ExerciseState()
    for event in log:  # the fold from the start, one event at a time
        state.apply(event)
        expected[event.seq] = picture(state)
    replay = Replay(log, every=every)
    seqs = list(range(1, len(log) + 1))
    for seq in seqs[::-1] + seqs:  # backwards, then forwards: a seek never disturbs the snapshots
        assert picture(replay.state_at(seq)) == expected[seq], seq
    middle = replay.state_at(len(log) // 2)
    for event in log[len(log) // 2:]:  # a seeked state folds on like any other
        middle.apply(event)
    assert picture(middle) == expected[len(log)]
    times = sorted({e.ex_time for e in log} | {e.ex_time + 0.5 for e in log})
    for ex_time in times[::max(1, len(times) // 4)]:
        assert replay.seq_at(ex_time) == ExerciseState.fold_until(log, ex_time=ex_time).head


def team_mirror(log: list[ev.Event], seq: int, team: str) -> dict:
    """What a team's own client holds at `seq`: the scenario's features it may see, then its event stream
    (each feature with its version: the seq of the event that last changed it)."""
    opened = ExerciseState.fold(log[:1])
    sc = opened.scenario
    cop = {f["id"]: {**f, "version": log[0].seq} for f in sc.features if team in sc.teams_of(f["visible_to"])}
    messages, injects = set(), set()
    for e in log[:seq]:
        frame = event_for_view(View.of_team(team), e)
        if frame is None:
            continue
        p = frame["payload"]
        if frame["type"] in (ev.COP_FEATURE_ADDED, ev.COP_FEATURE_CHANGED):
            cop[p["feature"]["id"]] = {**p["feature"], "version": frame["seq"]}
        elif frame["type"] == ev.COP_FEATURE_REMOVED:
            cop.pop(p["id"], None)
        elif frame["type"] == ev.ROOM_MESSAGE_POSTED:
            messages.add((p["room"], frame["seq"]))
        elif frame["type"] == ev.INJECT_RELEASED:
            injects.add((p["inject"]["id"], json.dumps(p["inject"], sort_keys=True)))
    return {"cop": cop, "messages": messages, "injects": injects}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STEPS, st.data())
def test_a_teams_point_of_view_shows_exactly_what_the_team_could_see(steps, data):
    log = play(steps)
    replay = Replay(log, every=4)
    seq = data.draw(st.integers(1, len(log)))
    state = replay.state_at(seq)
    for team in TEAMS:
        seen = point_of_view(state, f"team:{team.team}")
        mirror = team_mirror(log, seq, team.team)
        assert {f["id"]: f for f in seen["cop"]} == mirror["cop"]
        assert {(r, m["seq"]) for r, room in seen["rooms"].items() for m in room["messages"]} == mirror["messages"]
        assert {(row["inject"]["id"], json.dumps(row["inject"], sort_keys=True))
                for row in seen["injects"]} == mirror["injects"]
        assert set(seen["rooms"]) == {r.id for r in state.scenario.rooms.values() if team.team in r.readers}
        assert not {"observations", "expectation_marks", "rating_scale", "negotiation_choices", "codes"} & set(seen)
        assert all(p["role"] == "trainee" and p["team"] == team.team for p in seen["participants"])
        assert all(i["seq"] <= seq for i in timeline(log[:seq], f"team:{team.team}"))
        assert {i["seq"] for i in timeline(log, f"team:{team.team}")} == {
            e.seq for e in log if event_for_view(team.view, e) is not None}


def test_a_police_team_replayed_at_a_moment_never_sees_the_humanitarian_picture():
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    run.cmd(HUM, "room.post", room="team:hum-1", text="our beneficiary list is ready")
    run.cmd(HUM, "cop.add", feature={"kind": "camp", "name": "Secret distribution site", "geometry": POINT,
                                     "visible_to": ["humanitarian"]})
    run.advance(30 * 60)  # I-6 adds a humanitarian-only protection incident
    run.cmd(EVAL, "observation.record", text="police slow to react", rating=2, objective="O5", team="pol-1")
    moment = run.state.head
    run.cmd(HUM, "cop.change", feature_id="hum-1-f1", set={"visible_to": "all"})  # shared only later
    replay = Replay(run.log, every=3)
    police = json.dumps(point_of_view(replay.state_at(moment), "team:pol-1"))
    for secret in ("beneficiary list", "Secret distribution site", "inc-protection", "hum-warehouse",
                   "police slow to react", "SECRET-CONTROL-NOTE"):
        assert secret not in police
    control = json.dumps(point_of_view(replay.state_at(moment), "control"))
    for secret in ("beneficiary list", "Secret distribution site", "inc-protection", "police slow to react"):
        assert secret in control
    assert "Secret distribution site" in json.dumps(point_of_view(replay.state_at(run.state.head), "team:pol-1"))


def test_a_long_room_is_trimmed_to_its_latest_messages_with_a_count_of_the_rest():
    run = CoreRun()
    for i in range(12):
        run.cmd(MIL, "room.post", room="joint", text=f"message {i}")
    room = point_of_view(Replay(run.log).state_at(run.state.head), "team:mil-1", last_messages=5)["rooms"]["joint"]
    assert [m["text"] for m in room["messages"]] == [f"message {i}" for i in range(7, 12)] and room["earlier"] == 7


def test_an_unknown_or_malformed_point_of_view_or_moment_is_refused():
    run = CoreRun()
    replay = Replay(run.log)
    for view, code in (("team:nobody", "not_found"), ("facilitator", "invalid"), ("", "invalid")):
        with pytest.raises(ReplayError) as err:
            point_of_view(replay.latest, view)
        assert err.value.code == code
    for seq in (-1, replay.head + 1):
        with pytest.raises(ReplayError) as err:
            replay.state_at(seq)
        assert err.value.code == "invalid"


# -- the HTTP API, against a real server ---------------------------------------------------


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """A real server and a small exercise played on it over WebSockets, with clock jumps between acts."""
    import asyncio

    server = ServerProcess(tmp_path_factory.mktemp("replay") / "data").start()
    exercise, codes, fac_token = server.open_exercise()
    evaluator = server.join(codes["evaluator"], "Quiet observer")
    trainee = server.join(codes["hum-1"], "Amina")

    async def act() -> int:
        fac = await Client(server, exercise, fac_token).connect()
        hum = await Client(server, exercise, trainee["token"]).connect()
        await fac.ok("clock.start")
        await hum.ok("room.post", room="joint", text="EARLY message")
        await hum.ok("cop.add", feature={"kind": "camp", "name": "HUM-ONLY distribution site", "geometry": POINT,
                                         "visible_to": ["humanitarian"]})
        await fac.ok("clock.jump", to="+0:20")  # I-1 (+0:05) and I-2 (+0:10) fall due
        await hum.event("inject.released")
        middle = (await hum.ok("room.post", room="team:hum-1", text="LATE team-only message"))["seq"]
        observer = await Client(server, exercise, evaluator["token"]).connect()
        await observer.ok("observation.record", text="Team room used well", rating=3, objective="O5", team="hum-1")
        await fac.ok("exercise.end")
        await fac.close(), await hum.close(), await observer.close()
        return middle

    middle = asyncio.run(act())
    yield server, exercise, fac_token, evaluator["token"], trainee["token"], middle
    server.stop()


def get(server: ServerProcess, path: str, token: str | None, **params) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{server.base}{path}", params=params, headers=headers, timeout=30)


def test_the_control_cell_seeks_by_time_and_by_sequence_number(played):
    server, exercise, fac_token, eval_token, _, middle = played
    before = get(server, f"/api/exercises/{exercise}/replay", eval_token, at="+0:10").json()
    texts = [m["text"] for m in before["state"]["rooms"]["joint"]["messages"]]
    assert texts == ["EARLY message"] and before["ex_time"] == 600
    for same in ("600", "600.0", " 0:10", "0:10"):  # seconds, or an offset whose "+" became a space
        assert get(server, f"/api/exercises/{exercise}/replay", eval_token, at=same).json() == before
    assert all(row["status"] == "scheduled" for row in before["state"]["injects"])
    after = get(server, f"/api/exercises/{exercise}/replay", fac_token, seq=middle).json()
    assert after["seq"] == middle and 1200 <= after["ex_time"] < 1260
    assert [m["text"] for m in after["state"]["rooms"]["team:hum-1"]["messages"]] == ["LATE team-only message"]
    assert {r["inject"]["id"]: r["status"] for r in after["state"]["injects"]}["I-1"] == "released"
    assert "codes" not in after["state"]  # join codes stay out of the replay, even the facilitator's


def test_a_team_point_of_view_over_http_shows_only_that_team(played):
    server, exercise, _, eval_token, _, middle = played
    police = get(server, f"/api/exercises/{exercise}/replay", eval_token, seq=middle, view="team:pol-1").json()
    text = json.dumps(police)
    for secret in ("LATE team-only message", "Access report", "hum-warehouse", "HUM-ONLY", "Team room used well"):
        assert secret not in text
    assert [r["inject"]["id"] for r in police["state"]["injects"]] == ["I-2"]
    assert police["state"]["you"]["role"] == "trainee"
    items = get(server, f"/api/exercises/{exercise}/timeline", eval_token, view="team:pol-1").json()["items"]
    assert items and not any(word in i["label"] for i in items for word in ("LATE", "Access report", "HUM-ONLY"))


def test_the_timeline_lists_every_lane_for_the_control_cell(played):
    server, exercise, _, eval_token, _, _ = played
    body = get(server, f"/api/exercises/{exercise}/timeline", eval_token).json()
    lanes = {i["lane"] for i in body["items"]}
    assert lanes == {"inject", "message", "cop", "workflow", "observation"}
    assert 1200 <= body["end"] < 1260 and body["views"][0]["id"] == "control"
    assert not any(i["type"].startswith("code.") for i in body["items"])  # join codes are the facilitator's


def test_trainees_and_strangers_may_not_replay(played):
    server, exercise, _, _, trainee_token, _ = played
    for token in (trainee_token, None, "forged.token"):
        for path in ("replay", "timeline", "metrics", "report"):
            r = get(server, f"/api/exercises/{exercise}/{path}", token)
            assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", (path, token)
    other, codes, fac_token = server.open_exercise()
    stranger = server.join(codes["evaluator"], "Another exercise's evaluator")["token"]
    r = get(server, f"/api/exercises/{exercise}/replay", stranger)
    assert r.status_code == 403 and "another exercise" in r.json()["error"]["message"]
    assert get(server, f"/api/exercises/{other}/replay", stranger).status_code == 200
    revoked = httpx.post(f"{server.base}/api/exercises/{other}/codes/{codes['evaluator']}/revoke",
                         headers={"Authorization": f"Bearer {fac_token}"})
    assert revoked.status_code == 200
    r = get(server, f"/api/exercises/{other}/replay", stranger)
    assert r.status_code == 403 and r.json()["error"]["message"] == "join code revoked"


@pytest.mark.parametrize("params, status, code", [
    ({"seq": "0"}, 400, "invalid"), ({"seq": "99999"}, 400, "invalid"), ({"seq": "x"}, 400, "invalid"),
    ({"seq": "-3"}, 400, "invalid"), ({"at": "later"}, 400, "invalid"), ({"at": "-5"}, 400, "invalid"),
    ({"at": "nan"}, 400, "invalid"), ({"at": "inf"}, 400, "invalid"), ({"seq": "3", "at": "10"}, 400, "invalid"),
    ({"view": "team:nobody"}, 404, "not_found"), ({"view": "facilitator"}, 400, "invalid"),
    ({"messages": "0"}, 400, "invalid"), ({"messages": "many"}, 400, "invalid"),
])
def test_a_bad_replay_request_is_refused_with_a_code(played, params, status, code):
    server, exercise, fac_token, _, _, _ = played
    r = get(server, f"/api/exercises/{exercise}/replay", fac_token, **params)
    assert r.status_code == status and r.json()["error"]["code"] == code, r.text


def test_an_unknown_exercise_is_not_found(played):
    server, _, fac_token, _, _, _ = played
    r = get(server, "/api/exercises/nope-000000/replay", fac_token)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert "No such exercise" in httpx.get(f"{server.base}/replay/nope-000000").text


def test_the_report_and_metrics_come_from_the_log(played):
    server, exercise, _, eval_token, _, _ = played
    r = get(server, f"/api/exercises/{exercise}/report", eval_token)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-disposition"] == f'attachment; filename="{exercise}-report.html"'
    assert "After-action report" in r.text and "Mini exercise" in r.text
    metrics = get(server, f"/api/exercises/{exercise}/metrics", eval_token).json()
    assert metrics["summary"]["released"] == 2 and metrics["summary"]["status"] == "ended"


def test_snapshots_stay_as_they_were_when_a_trainee_moves_or_a_feature_changes_afterwards():
    """The fields a snapshot copies cheaply (participants, COP versions, message seqs, the rooms'
    counts): a later move, edit or message leaves every earlier moment as folding to it gives."""
    run = CoreRun()
    run.join("CODE-mil-1", "Kofi", "p-kofi")
    run.cmd(FAC, "clock.start")
    (added,) = run.cmd(MIL, "cop.add", feature={"kind": "checkpoint", "name": "CP 1",
                                                "geometry": {"type": "Point", "coordinates": [31.2, 4.6]}})
    fid = added.payload["feature"]["id"]
    run.cmd(MIL, "room.post", room="joint", text="one")
    run.cmd(FAC, "participant.move", participant="p-kofi", team="hum-1")
    run.cmd(MIL, "cop.change", feature_id=fid, set={"name": "CP 1 (moved)"})
    run.cmd(HUM, "room.post", room="joint", text="two")
    log = [decode_event(encode_event(e)) for e in run.log]
    replay = Replay(log, every=1)
    for seq in range(1, len(log) + 1):
        seen, folded = replay.state_at(seq), ExerciseState.fold_until(log, seq=seq)
        assert picture(seen) == picture(folded), seq
        assert {p: v.team for p, v in seen.participants.items()} == {p: v.team for p, v in folded.participants.items()}
        assert {k: (v.version, v.fields) for k, v in seen.cop_versions.items()} == \
               {k: (v.version, v.fields) for k, v in folded.cop_versions.items()}, seq
        assert {r: list(s) for r, s in seen.message_seqs.items()} == \
               {r: list(s) for r, s in folded.message_seqs.items()}, seq
