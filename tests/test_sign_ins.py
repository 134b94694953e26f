"""Guessing join codes or the facilitator secret: a few wrong tries per address, then refusals."""

from __future__ import annotations

import httpx
import pytest

from exercise_server.server.errors import RequestError
from exercise_server.server.sign_ins import WrongSignIns

from .server_harness import SECRET, ServerProcess


def test_an_address_spends_tries_only_on_wrong_sign_ins_and_gets_them_back_over_time():
    now = [0.0]
    limit = WrongSignIns(3, refill_seconds=60, clock=lambda: now[0])
    for _ in range(3):
        limit.check("10.0.0.1")
        limit.wrong("10.0.0.1")
    with pytest.raises(RequestError) as exc:
        limit.check("10.0.0.1")
    assert exc.value.code == "rate_limited" and "try again in 20 s" in exc.value.message
    limit.check("10.0.0.2")  # another address is not concerned
    now[0] = 20.0
    limit.check("10.0.0.1")  # one try back after a third of the refill time


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
    for attempt in ({"code": codes["mil-1"], "name": "right code, too late"}, {"code": "AAAAA-AAAAC", "name": "x"}):
        r = httpx.post(join, json=attempt)
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited", r.text
        assert "try again in" in r.json()["error"]["message"]
    r = httpx.post(f"{server.base}/api/session/facilitator", json={"secret": SECRET})
    assert r.status_code == 429
