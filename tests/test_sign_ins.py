"""Guessing join codes or the facilitator secret: a few wrong tries per address, then slowed refusals;
a right code or secret always gets in."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from exercise_server.server.errors import RequestError
from exercise_server.server.sign_ins import WrongSignIns

from .server_harness import SECRET, ServerProcess


async def test_an_address_spends_tries_only_on_wrong_sign_ins_and_gets_them_back_over_time():
    now = [0.0]
    limit = WrongSignIns(3, refill_seconds=60, clock=lambda: now[0], delay=0.01)
    for _ in range(3):
        await limit.pace("10.0.0.1")
        limit.wrong("10.0.0.1")
    await limit.pace("10.0.0.1")  # no try left: it waits, and is still looked at
    with pytest.raises(RequestError) as exc:
        limit.wrong("10.0.0.1")
    assert exc.value.code == "rate_limited" and exc.value.retry_after == 40
    assert "try again in 40 s" in exc.value.message
    limit.wrong("10.0.0.2")  # another address is not concerned
    now[0] = 40.0
    limit.wrong("10.0.0.1")  # one try back after a third of the refill time (the over-limit one counted too)


async def test_an_address_with_no_try_left_has_only_a_few_sign_ins_waiting_at_once():
    limit = WrongSignIns(1, refill_seconds=60, clock=lambda: 0.0, delay=0.2, max_waiting=2)
    limit.wrong("10.0.0.1")
    waiting = [asyncio.ensure_future(limit.pace("10.0.0.1")) for _ in range(2)]
    await asyncio.sleep(0.05)
    with pytest.raises(RequestError) as exc:  # a third at once is refused without being looked at
        await limit.pace("10.0.0.1")
    assert exc.value.code == "rate_limited"
    await asyncio.gather(*waiting)
    await limit.pace("10.0.0.2")


@pytest.fixture
def server(tmp_path):
    s = ServerProcess(tmp_path / "data", "--wrong-sign-ins", "3").start()
    yield s
    s.stop()


def test_guessing_codes_and_secrets_is_refused_after_a_few_tries_while_a_class_joins_freely(server):
    exercise, codes, _ = server.open_exercise()
    join = f"{server.base}/api/join"
    for n in range(12):  # a whole class joins from one address: right codes cost nothing
        assert httpx.post(join, json={"code": codes["hum-1"], "name": f"Trainee {n}"}).status_code == 200
    assert httpx.post(join, json={"code": "AAAAA-AAAAA", "name": "guess"}).status_code == 404
    assert httpx.post(join, json={"code": "AAAAA-AAAAB", "name": "guess"}).status_code == 404
    r = httpx.post(f"{server.base}/api/session/facilitator", json={"secret": "guess"})
    assert r.status_code == 403
    # No try left: a wrong code is refused with when to try again; a right code or secret still gets in.
    r = httpx.post(join, json={"code": "AAAAA-AAAAC", "name": "x"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited", r.text
    assert "try again in" in r.json()["error"]["message"] and int(r.headers["Retry-After"]) >= 1
    assert httpx.post(join, json={"code": codes["mil-1"], "name": "right code, after typos"}).status_code == 200
    r = httpx.post(f"{server.base}/api/session/facilitator", json={"secret": SECRET})
    assert r.status_code == 200
