"""The control dashboard, live, in Chromium against a real server: two exercises stand in for a
class's syndicates; a trainee connects, an inject is released, acknowledged, then its answer falls
overdue once the exercise clock passes its target, and a team's action answers it."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Coroutine, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from exercise_server.core.access import event_for_view
from exercise_server.core.dashboard import ANSWERS, Dashboard
from exercise_server.core.events import FACILITATOR_VIEW

from .browser import facilitator, screenshot
from .core_harness import FAC, HUM, MIL, POL, CoreRun
from .request_fields import request
from .server_harness import ROOT, Client, ServerProcess
from .test_workflows import ROUTE

RESPOND_WITHIN = 15 * 60  # tests/fixtures/mini.yaml sets none: the default


class Loop:
    """An event loop in a thread, so that the trainees' WebSockets stay open between the test's steps."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="module")
def loop() -> Iterator[Loop]:
    running = Loop()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def scene(browser, server: ServerProcess, loop: Loop):
    """Two exercises of the four-team scenario, the clock started and paused in the first; the
    dashboard of both open in the facilitator's browser."""
    first, codes, token = server.open_exercise()
    second, _, _ = server.open_exercise()
    fac = loop.run(Client(server, first, token).connect())
    loop.run(fac.ok("clock.start"))
    loop.run(fac.ok("clock.pause"))
    control, errors = facilitator(browser, server, first)
    control.get_by_role("link", name="Dashboard").click()
    page = control
    page.wait_for_url(f"**/control/dashboard?exercises={first}")
    page.goto(f"{server.base}/control/dashboard?exercises={first},{second}")
    expect(page.locator(".team-cell")).to_have_count(8)
    yield page, errors, first, second, codes, fac, token
    loop.run(fac.close())
    page.context.close()


def cell(page: Page, exercise: str, team: str):
    return page.locator(f".syndicate[data-exercise='{exercise}'] .team-cell[data-team='{team}']")


def figure(page: Page, exercise: str, team: str, name: str):
    return cell(page, exercise, team).locator(f"[data-figure='{name}']")


def figures(page: Page) -> list[str]:
    return page.locator(".team-cell dd").all_text_contents()


def test_the_dashboard_follows_a_team_from_connecting_to_an_overdue_answer_and_back(scene, server, loop):
    page, errors, first, second, codes, fac, _ = scene
    expect(page.locator(f".syndicate[data-exercise='{first}'] .syndicate-state")).to_have_text("connected")
    expect(figure(page, first, "pol-1", "connected")).to_have_text("0")

    police = loop.run(Client(server, first, server.join(codes["pol-1"], "Inspector Bah")["token"]).connect())
    expect(figure(page, first, "pol-1", "connected")).to_have_text("1")
    expect(figure(page, first, "pol-1", "connected")).to_have_attribute("title", "Inspector Bah")

    loop.run(fac.ok("inject.release", inject_id="I-2"))  # to the police team only
    expect(figure(page, first, "pol-1", "unacknowledged")).to_have_text("1")
    expect(cell(page, first, "pol-1")).to_have_attribute("data-alert", "unacknowledged")
    expect(figure(page, first, "mil-1", "unacknowledged")).to_have_text("0")
    expect(figure(page, second, "pol-1", "unacknowledged")).to_have_text("0")  # another syndicate

    loop.run(police.ok("inject.ack", inject_id="I-2"))
    expect(figure(page, first, "pol-1", "unacknowledged")).to_have_text("0")
    expect(figure(page, first, "pol-1", "last_activity")).to_have_text("just now")
    expect(figure(page, first, "pol-1", "overdue")).to_have_text("0")  # acknowledged is not answered

    released = next(e for e in fac.events if e["type"] == "inject.released")["ex_time"]
    loop.run(fac.ok("clock.jump", to=released + RESPOND_WITHIN - 60))
    expect(page.locator(f".syndicate[data-exercise='{first}'] .syndicate-clock")).to_contain_text("paused")
    expect(figure(page, first, "pol-1", "overdue")).to_have_text("0")
    loop.run(fac.ok("clock.jump", to=released + RESPOND_WITHIN + 60))
    expect(figure(page, first, "pol-1", "overdue")).to_have_text("1")
    expect(cell(page, first, "pol-1")).to_have_attribute("data-alert", "overdue")
    expect(figure(page, first, "pol-1", "last_activity")).to_have_text("16 minutes ago")
    screenshot(page, "dashboard-overdue")

    loop.run(police.ok("room.post", room="team:pol-1", text="Units on their way to the market"))
    expect(figure(page, first, "pol-1", "overdue")).to_have_text("0")
    expect(cell(page, first, "pol-1")).to_have_attribute("data-alert", "none")

    loop.run(police.close())
    expect(figure(page, first, "pol-1", "connected")).to_have_text("0")

    # A dashboard opened now starts from the server's fold (core/dashboard.py) at the figures the
    # browser's fold reached live, every figure of every team alike.
    loop.run(fac.ok("inject.release", inject_id="I-1"))  # the humanitarians': unacknowledged, not overdue
    expect(figure(page, first, "hum-1", "unacknowledged")).to_have_text("1")
    other = page.context.new_page()
    other.goto(f"{server.base}/control/dashboard?exercises={first},{second}")
    expect(figure(other, first, "hum-1", "unacknowledged")).to_have_text("1")
    assert figures(other) == figures(page)
    other.close()
    assert errors.errors == []


def test_a_click_on_a_team_opens_the_control_panel_on_its_team_room(scene):
    page, errors, first, second, *_ = scene
    cell(page, second, "hum-1").click()
    page.wait_for_url(f"**/control/{second}#team=hum-1")
    expect(page.locator("#room-tabs .tab[data-room='team:hum-1']")).to_have_attribute("aria-pressed", "true")
    page.go_back()
    expect(page.locator(".team-cell")).to_have_count(8)
    assert errors.errors == []


def test_every_team_cell_is_a_link_reached_by_the_keyboard(scene):
    page, _, first, second, *_ = scene
    page.reload()
    expect(page.locator(".team-cell")).to_have_count(8)
    reached: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => document.activeElement.matches('.team-cell') ? "
            "document.activeElement.closest('.syndicate').dataset.exercise + '/' + document.activeElement.dataset.team : ''"
        )
        if focused:
            reached.append(focused)
        if len(reached) == 8:
            break
    teams = ["mil-1", "pol-1", "hum-1", "civ-1"]
    assert reached == [f"{ex}/{team}" for ex in (first, second) for team in teams]


def test_the_dashboard_speaks_french_when_the_seat_does(scene):
    page, errors, first, *_ = scene
    page.select_option("#seat-language", "fr")
    expect(page.locator(".team-cell").first.locator(".figure-overdue dt")).to_have_text("Réponses en retard")
    expect(page.locator("h1")).to_have_text("Tableau de bord de la direction d'exercice")
    expect(figure(page, first, "mil-1", "last_activity")).to_have_text("aucune encore")
    page.select_option("#seat-language", "en")
    expect(page.locator(".team-cell").first.locator(".figure-overdue dt")).to_have_text("Overdue answers")
    assert errors.errors == []


def test_the_dashboards_state_is_the_facilitators_only(scene, server):
    page, _, first, _, codes, _, token = scene
    url = f"{server.base}/api/exercises/{first}/dashboard"
    trainee = server.join(codes["mil-1"], "Captain Osei")["token"]
    evaluator = server.join(codes["evaluator"], "Ms Evaluator")["token"]
    for who in (trainee, evaluator):
        assert httpx.get(url, headers={"Authorization": f"Bearer {who}"}).status_code == 403
    assert httpx.get(url).status_code == 403
    missing = httpx.get(f"{server.base}/api/exercises/no-such-one/dashboard", headers={"Authorization": f"Bearer {token}"})
    assert missing.status_code == 404
    body = httpx.get(url, headers={"Authorization": f"Bearer {token}"}).json()
    assert [t["id"] for t in body["teams"]] == ["mil-1", "pol-1", "hum-1", "civ-1"]
    assert body["state"]["teams"]["pol-1"]["unacknowledged"] == []
    assert body["state"]["teams"]["pol-1"]["awaiting"] == []
    assert "room.message_posted" in body["answers"]
    del page


def test_an_unknown_exercise_gets_its_own_section_saying_so(scene, server):
    page, errors, first, *_ = scene
    page.goto(f"{server.base}/control/dashboard?exercises={first},no-such-exercise,<bad>")
    expect(page.locator(".syndicate")).to_have_count(2)
    expect(page.locator(".syndicate[data-exercise='no-such-exercise'] .syndicate-state")).to_have_text(
        "This exercise does not exist."
    )
    expect(page.locator(".team-cell")).to_have_count(4)
    errors.errors.clear()  # the browser logs the 404 of the missing exercise's state
    page.goto(f"{server.base}/control/dashboard?exercises={first},{scene[3]}")


# -- the browser's fold is the server's -------------------------------------------------------

STATIC = ROOT / "web" / "static"
ORIGIN = "http://fold.invalid"
JS_FIGURES = """async ([wire, answers, events, times]) => {
  const { DashboardFold } = await import('/js/dashboard_fold.js');
  const fold = new DashboardFold(wire, answers);
  for (const e of events) fold.apply(e);
  return times.map((ex) => Object.fromEntries([...fold.teams.keys()].map((team) => [team, fold.figures(team, ex)])));
}"""


def a_busy_exercise() -> CoreRun:
    """Every figure moves: injects released, acknowledged and answered, a clock paused, sped up and
    jumped, requests for assistance decided, notifications acknowledged and expired."""
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    run.advance(400)  # I-1 to the humanitarians
    run.cmd(HUM, "inject.ack", inject_id="I-1")
    (rfa,) = run.cmd(HUM, "rfa.submit", **request(time_limit="+3:00", until="+4:00"))
    (note, *_) = run.cmd(HUM, "notification.submit", kind="movement", name="Convoy", geometry=ROUTE,
                         window_start="+0:00", window_end="+0:45", share_with=["military", "police"])
    run.cmd(FAC, "inject.release", inject_id="I-3")  # the joint room: every team
    run.cmd(FAC, "clock.speed", speed=10)
    run.advance(60)
    run.cmd(MIL, "rfa.respond", rfa_id=rfa.payload["rfa_id"], decision="more_info", reason="Which road?")
    run.cmd(MIL, "notification.acknowledge", notification_id=note.payload["notification_id"])
    run.cmd(FAC, "clock.pause")
    run.cmd(POL, "inject.ack", inject_id="I-2")  # released on time at +0:10
    run.cmd(FAC, "clock.jump", to=1500)
    run.cmd(FAC, "clock.resume")
    run.cmd(HUM, "room.post", room="joint", text="Convoy leaves at ten")
    run.cmd(HUM, "rfa.clarify", rfa_id=rfa.payload["rfa_id"], text="The north road")
    run.advance(30)
    return run


def test_the_browsers_fold_gives_the_figures_of_the_servers_from_any_point_of_the_log(browser):
    run = a_busy_exercise()
    body = [b for e in run.log if (b := event_for_view(FACILITATOR_VIEW, e)) is not None]
    times = [0, 300, 900, 1500, 1900, 2400, 2800, 4000]
    whole = Dashboard()
    for e in run.log:
        whole.apply(e)
    expected = [whole.figures(ex) for ex in times]
    page = browser.new_page()
    page.route(f"{ORIGIN}/**", serve_static)
    page.goto(f"{ORIGIN}/fold.html")
    for start in (1, len(run.log) // 2, len(run.log)):  # the server's fold at `start`, the browser's after it
        begun = Dashboard()
        for e in run.log[:start]:
            begun.apply(e)
        wire = json.loads(json.dumps(begun.to_wire()))
        got = page.evaluate(JS_FIGURES, [wire, sorted(ANSWERS), json.loads(json.dumps(body[start:], default=list)),
                                         times])
        assert got == json.loads(json.dumps(expected)), start
    assert any(f["overdue"] for moment in expected for f in moment.values())  # the log exercises them all
    assert any(f["open_requests"] for moment in expected for f in moment.values())
    assert any(f["notifications"] for moment in expected for f in moment.values())
    page.close()


def serve_static(route) -> None:  # type: ignore[no-untyped-def]
    path = route.request.url.removeprefix(ORIGIN)
    if path == "/fold.html":
        route.fulfill(body="<!doctype html><title>fold</title>", content_type="text/html")
        return
    file = STATIC / path.lstrip("/")
    route.fulfill(body=file.read_bytes(), content_type="text/javascript")
