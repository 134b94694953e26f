"""Defects found in review of main since 5c5e07f, each as the story of what went wrong."""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest

from exercise_server.core import events as ev
from exercise_server.core import gcpause
from exercise_server.export import LogImportError, read_jsonl


class _SwitchAfterRead:
    """The gc module as one thread sees it when the interpreter switches to another thread right
    after `gc.isenabled()` (between the read and the `gc.disable()` of cyclic_gc_paused)."""

    def __init__(self, on_switch: Any) -> None:
        self.on_switch = on_switch

    def isenabled(self) -> bool:
        was = gc.isenabled()
        on_switch, self.on_switch = self.on_switch, None
        if on_switch:
            on_switch()
        return was

    def __getattr__(self, name: str) -> Any:
        return getattr(gc, name)


def test_two_reports_at_once_never_leave_the_cyclic_collector_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Report A pauses the collector; report B (another worker thread) reads "off", the switch lets
    A finish and bring it back, then B turns it off, and B, having found it off, never turns it on."""
    assert gc.isenabled()
    first = gcpause.cyclic_gc_paused()
    first.__enter__()
    ended: list[bool] = []

    def end_first() -> None:
        if not ended:
            ended.append(True)
            first.__exit__(None, None, None)

    try:
        monkeypatch.setattr(gcpause, "gc", _SwitchAfterRead(end_first))
        with gcpause.cyclic_gc_paused():
            pass
        end_first()  # A ends now if the switch did not come
    finally:
        monkeypatch.undo()
        still_on = gc.isenabled()
        gc.enable()
    assert still_on, "the cyclic garbage collector stayed off for the rest of the server's life"


def test_an_overlapping_report_keeps_the_collector_off_until_the_last_one_ends() -> None:
    """Reports in two worker threads end in either order: the pause lasts until both are done."""
    first, second = gcpause.cyclic_gc_paused(), gcpause.cyclic_gc_paused()
    first.__enter__()
    second.__enter__()
    try:
        first.__exit__(None, None, None)  # the first report ends while the second still runs
        off_meanwhile = not gc.isenabled()
    finally:
        second.__exit__(None, None, None)
        back = gc.isenabled()
        gc.enable()
    assert off_meanwhile and back


def _line(payload: dict[str, Any], seq: int = 2) -> str:
    return json.dumps({
        "exercise": "old-1", "seq": seq, "type": ev.RFA_SUBMITTED, "wall_time": 1.0, "ex_time": 1.0,
        "actor": {"role": "trainee", "team": "hum-1", "name": "A", "participant": "p1"},
        "payload": payload, "audience": ["facilitator"],
    })


@pytest.mark.parametrize("missing", ["asset", "last_resort", "location", "time_limit", "team"])
def test_an_older_request_missing_a_field_is_refused_naming_its_line_not_with_a_crash(missing: str) -> None:
    old = {"rfa_id": "RFA-1", "team": "hum-1", "asset": "airlift", "justification": "bridge down",
           "last_resort": "no trucks", "location": {"type": "Point", "coordinates": [31.2, 4.6]}, "time_limit": 600.0}
    del old[missing]
    with pytest.raises(LogImportError, match=r"old\.jsonl:1: .*missing"):
        read_jsonl([_line(old, seq=1)], "old.jsonl")
