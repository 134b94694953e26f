"""The cyclic collector held off during a long pass, and back afterwards, nested or not."""

from __future__ import annotations

import gc

import pytest

from exercise_server.core.gcpause import cyclic_gc_paused


def test_the_collector_is_off_within_and_back_after_even_on_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        assert not gc.isenabled()
        with cyclic_gc_paused():  # nested: the inner pass does not bring it back early
            pass
        assert not gc.isenabled()
        raise RuntimeError("the pass failed")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
