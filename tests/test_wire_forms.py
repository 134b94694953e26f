"""The forms the hot path builds by hand, held to what the libraries build (issue 20's profiles):
an event's stored form, a frame's bytes, the check of a client's frame, and the frames of a resume,
made once per view and shared by every connection of that view that resumes from the same point."""

from __future__ import annotations

import asyncio
import dataclasses
import math

import msgpack
import pytest
from websockets.frames import Frame, Opcode

from exercise_server.core import events as ev
from exercise_server.core.access import event_for_view
from exercise_server.server import protocol
from exercise_server.server.connection import Connection
from exercise_server.server.fanout import Fanout
from exercise_server.server.fastsend import _frame
from exercise_server.store.memory import MemoryStore

from .core_harness import FAC, HUM, MIL, POL, CoreRun


def _asdict_form(event: ev.Event) -> dict:
    """The stored form as `dataclasses.asdict` gave it before it was built by hand."""
    d = dataclasses.asdict(event)
    d.pop("extra")
    if event.command is None:
        d.pop("command")
    d["audience"] = list(event.audience)
    return d


def test_an_event_is_stored_in_the_same_form_as_before_with_and_without_a_command_id():
    run = CoreRun()
    events = run.cmd(MIL, "room.post", room="team:mil-1", text="convoy at the bridge")
    with_id = dataclasses.replace(events[0], command=ev.CommandRef("p-mil-1", "c-7", "d1g3st"))
    for event in [*run.log, with_id]:
        assert event.to_dict() == _asdict_form(event)
        assert list(event.to_dict()) == list(_asdict_form(event))  # same keys in the same order
        assert ev.encode_event(event) == msgpack.packb(_asdict_form(event), use_bin_type=True)
        assert ev.decode_event(ev.encode_event(event)) == event


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_a_frame_built_by_hand_is_byte_for_byte_the_libraries_frame(size):
    binary = b"\x93" * size
    text = "é" * (size // 2) + "a" * (size % 2)
    assert _frame(binary) == Frame(Opcode.BINARY, binary).serialize(mask=False)
    assert _frame(text) == Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


def _plain_before(value, depth=0):
    """protocol.plain_value as it was before its fast path for maps and text."""
    if depth > 32:
        return False
    if isinstance(value, str):
        return protocol._is_unicode(value)
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -(2**53) <= value <= 2**53
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_plain_before(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and protocol._is_unicode(k) and _plain_before(v, depth + 1) for k, v in value.items())
    return False


def _nested(depth: int, leaf: object, maps_only: bool) -> object:
    value = leaf
    for i in range(depth):
        value = {"a": value} if maps_only or i % 2 else [value]
    return value


def test_a_clients_frame_is_checked_as_before_at_every_depth_and_for_every_kind_of_value():
    leaves = ["text", "é", "\ud800", "x\udfffy", 7, 2**60, True, None, 1.5, math.nan, math.inf, b"raw", {}, {"k": "v"}]
    keys = ["k", "é", "\ud800", 3]
    cases = [{k: leaf} for k in keys for leaf in leaves]
    cases += [{"type": "room.post", "room": "joint", "text": leaf, "n": [leaf, {"x": leaf}]} for leaf in leaves]
    cases += [_nested(depth, leaf, maps) for depth in range(28, 36) for leaf in leaves for maps in (True, False)]
    for case in cases:
        assert protocol.plain_value(case) == _plain_before(case), case


def _connection(principal, fmt=protocol.MSGPACK) -> Connection:
    return Connection(principal, None, fmt, 100)


def test_resuming_connections_of_one_view_share_its_frames_and_see_only_what_it_may():
    run = CoreRun()
    fanout = Fanout(run.exercise, run.state, MemoryStore())
    head = run.state.head
    for i in range(6):
        run.cmd(MIL, "room.post", room="team:mil-1", text=f"military {i}")
        run.cmd(HUM, "room.post", room="team:hum-1", text=f"humanitarian {i}")
        run.cmd(FAC, "room.post", room="joint", text=f"joint {i}")
    missed = [e for e in run.log if e.seq > head]
    # The fan-out's state is the run's: it has folded them; `recent` holds them for resumes.
    for event in missed:
        fanout.recent.append(event)
    until = run.state.head

    first, second, police, control = _connection(MIL), _connection(MIL), _connection(POL), _connection(FAC)
    text_tab = _connection(MIL, protocol.JSON)

    async def resume(conn: Connection, after: int) -> list[bytes | str]:
        return await fanout.backlog(conn, after, until)

    async def all_of_them() -> list[list[bytes | str]]:
        return [
            await resume(first, head),
            await resume(second, head),
            await resume(second, head + 9),
            await resume(police, head),
            await resume(control, head),
            await resume(text_tab, head),
        ]

    frames = asyncio.run(all_of_them())
    for conn, got, after in zip(
        (first, second, second, police, control, text_tab), frames, (head, head, head + 9, head, head, head), strict=True
    ):
        expected = [
            protocol.encode(protocol.event(body), conn.fmt)
            for e in missed
            if e.seq > after and (body := event_for_view(conn.view, e)) is not None
        ]
        assert got == expected
    mil, again, later, pol, fac, text = frames
    assert all(a is b for a, b in zip(mil, again, strict=True))  # made once for the view
    texts = [protocol.decode(f)[0]["event"]["payload"]["text"] for f in mil]
    assert texts == [t for i in range(6) for t in (f"military {i}", f"joint {i}")]
    assert not any("humanitarian" in protocol.decode(f)[0]["event"]["payload"]["text"] for f in pol)
    assert len(fac) == len(missed)
    assert len(later) == len([e for e in missed if e.seq > head + 9 and event_for_view(MIL.view, e) is not None])
    assert all(isinstance(f, str) for f in text)
