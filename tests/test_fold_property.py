"""Property: folding any prefix of a valid command sequence equals replaying its stored events."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercise_server.core.errors import CommandError
from exercise_server.core.events import decode_event, encode_event
from exercise_server.core.projections import ExerciseState

from .core_harness import CIV, FAC, HUM, MIL, POL, CoreRun

PEOPLE = st.sampled_from([FAC, MIL, POL, HUM, CIV])
INJECTS = st.sampled_from(["I-1", "I-2", "I-3", "I-4", "I-5", "I-6", "ADHOC-1", "nope"])
ROOMS = st.sampled_from(["joint", "plenary", "team:mil-1", "team:hum-1", "liaison:hum-1~mil-1", "component:police"])
POINTS = st.tuples(st.floats(30, 32), st.floats(3, 5)).map(lambda p: {"type": "Point", "coordinates": list(p)})
FEATURES = st.sampled_from(["town-bessa", "hum-warehouse", "mil-coy", "inc-protection", "mil-1-f1", "hum-1-f1"])

COMMANDS = st.one_of(
    st.tuples(st.just(FAC), st.sampled_from(["clock.start", "clock.pause", "clock.resume", "exercise.end"])
              ).map(lambda t: (t[0], {"type": t[1]})),
    st.builds(lambda s: (FAC, {"type": "clock.speed", "speed": s}), st.sampled_from([1, 2, 10, 60])),
    st.builds(lambda m: (FAC, {"type": "clock.jump", "to": m * 60}), st.integers(1, 90)),
    st.builds(lambda c, i: (FAC, {"type": c, "inject_id": i}),
              st.sampled_from(["inject.release", "inject.hold", "inject.unhold", "inject.cancel"]), INJECTS),
    st.builds(lambda i, t: (FAC, {"type": "inject.edit", "inject_id": i, "changes": {"title": t}}),
              INJECTS, st.text(min_size=1, max_size=20)),
    st.builds(lambda t: (FAC, {"type": "inject.adhoc", "from": "Radio", "to": {"rooms": ["plenary"]},
                               "channel": "media", "title": t, "body": "b"}), st.text(min_size=1, max_size=10)),
    st.builds(lambda p, i: (p, {"type": "inject.ack", "inject_id": i}), PEOPLE, INJECTS),
    st.builds(lambda p, r, t: (p, {"type": "room.post", "room": r, "text": t}), PEOPLE, ROOMS,
              st.text(min_size=1, max_size=30)),
    st.builds(lambda p, r, i: (p, {"type": "room.post", "room": r, "text": "re", "responds_to": i}), PEOPLE, ROOMS,
              INJECTS),
    st.builds(lambda p, g, v: (p, {"type": "cop.add", "feature": {"kind": "incident", "name": "n", "geometry": g,
                                                                   "visible_to": v}}),
              PEOPLE, POINTS, st.sampled_from([["humanitarian"], ["military", "police"], "all"])),
    st.builds(lambda p, f, v: (p, {"type": "cop.change", "feature_id": f, "set": {"visible_to": v}}),
              PEOPLE, FEATURES, st.sampled_from([["humanitarian"], ["military"], "all"])),
    st.builds(lambda p, f: (p, {"type": "cop.remove", "feature_id": f}), PEOPLE, FEATURES),
)
STEPS = st.lists(st.tuples(COMMANDS, st.integers(0, 600)), min_size=1, max_size=40)


def picture(state: ExerciseState) -> str:
    return json.dumps(state.snapshot(FAC), sort_keys=True, default=str)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STEPS)
def test_folding_any_prefix_equals_replaying_its_stored_events(steps):
    run = CoreRun()
    pictures = {run.state.head: picture(run.state)}
    for (principal, command), wait in steps:
        run.clock.advance(wait)
        run.tick()
        pictures[run.state.head] = picture(run.state)
        try:
            run.append(__import__("exercise_server.core.commands", fromlist=["decide"]).decide(
                run.state, principal, command, run.clock.now()))
        except CommandError:
            pass
        pictures[run.state.head] = picture(run.state)
    stored = [decode_event(encode_event(e)) for e in run.log]  # as read back from a store
    assert [e.seq for e in stored] == list(range(1, len(stored) + 1))
    for head, expected in pictures.items():
        assert picture(ExerciseState.fold_until(stored, seq=head)) == expected
