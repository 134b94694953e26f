"""Every view at a phone's, a tablet's, a laptop's and a projector's size, in its main states: no
horizontal scrolling, every primary action reachable (inside the window once scrolled to, its text
whole, nothing on top of it) and no critical or serious axe-core violation of WCAG 2.1 A and AA.

One server and one browser for the module; each participant's page is opened once and resized."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from .browser import PageErrors, facilitator, join, screenshot
from .server_harness import ROOT, Client

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}
EVERY_SIZE = [PHONE, TABLET, LAPTOP, PROJECTOR]
CONTROL_SIZES = [TABLET, LAPTOP, PROJECTOR]  # the control panel is not asked of a phone
AXE = ROOT / "web" / "static" / "vendor" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TEAMS = ["mil-1", "pol-1", "hum-1", "civ-1"]

# Required actions (must be on the page) and optional ones (checked where the page has them).
TEAM_ACTIONS = [".inject-item", "#inject-detail button.ack", "#inject-detail button.respond",
                "#composer button[type=submit]", "#room-tabs .tab", "#add-feature"]
TEAM_OPTIONAL = ["#notify-send", "#rfa-send", "#tasking-send", "#casevac-send", "#share-send", "#statement-send", "#decision-send",
                 ".forward-document", ".open-document"]
CONTROL_ACTIONS = ["#clock-controls button", "#jump", "#msel-table .row-actions button", "#composer button[type=submit]",
                   "#room-tabs .tab", "details.adhoc summary", "#code-table button"]
EVALUATOR_ACTIONS = [".inject-item", "#inject-detail .mark-buttons button", "#observation-form button[type=submit]",
                     "#room-tabs .tab"]
REPLAY_ACTIONS = ["#play", "#prev-event", "#next-event", "#goto-button", "#refresh", "#report", "#event-list button"]

# The page's checks, in the page: what lies outside the window, is cut or covered.
UNREACHABLE = """(selectors) => {
  const out = [];
  // A text whose lines outnumber its words has a word cut in two (a button squeezed too narrow).
  const brokenWord = (node) => {
    const texts = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (let text = texts.nextNode(); text; text = texts.nextNode()) {
      const words = text.data.trim().split(/\\s+/).filter(Boolean).length;
      const range = document.createRange();
      range.selectNodeContents(text);
      if (words && new Set([...range.getClientRects()].map((r) => Math.round(r.bottom))).size > words) return true;
    }
    return false;
  };
  const overflow = document.documentElement.scrollWidth - innerWidth;
  if (overflow > 1) out.push(`the page scrolls sideways by ${overflow}px`);
  for (const [selector, required] of selectors) {
    const nodes = [...document.querySelectorAll(selector)].filter((n) => n.getClientRects().length);
    if (!nodes.length) { if (required) out.push(`${selector}: not shown`); continue; }
    for (const node of nodes) {
      node.scrollIntoView({ block: 'center', inline: 'center' });
      const r = node.getBoundingClientRect();
      const name = `${selector} "${(node.textContent || node.value || '').trim().slice(0, 30)}"`;
      if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) {
        out.push(`${name}: outside the window (${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)})`);
        continue;
      }
      const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
      if (!hit || !(node.contains(hit) || hit.contains(node) && hit.tagName === 'LABEL')) {
        out.push(`${name}: covered by ${hit ? hit.tagName.toLowerCase() + (hit.id ? '#' + hit.id : '')
          + (hit.className && typeof hit.className === 'string' ? '.' + hit.className.split(' ')[0] : '') : 'nothing'}`);
        continue;
      }
      const cut = [node, ...node.querySelectorAll('.name')].find((n) => n.scrollWidth > n.clientWidth + 1);
      if (cut) { out.push(`${name}: its text is cut (${cut.scrollWidth}px in ${cut.clientWidth}px)`); continue; }
      if (node.tagName === 'BUTTON' && brokenWord(node)) out.push(`${name}: a word of it is broken over two lines`);
    }
  }
  window.scrollTo(0, 0);
  return out;
}"""

# The same, once the page has drawn two frames at its new size (what resizing set off is done),
# in one call.
SETTLED_UNREACHABLE = f"""async (selectors) => {{
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  return ({UNREACHABLE})(selectors);
}}"""

# Bug 7 of the review: a chart's legend ran past the chart's edge ("mea…").
CHART_TEXT_CUT = """() => [...document.querySelectorAll('svg.chart')].flatMap((svg) => {
  const box = svg.viewBox.baseVal;
  return [...svg.querySelectorAll('text')].filter((t) => {
    const b = t.getBBox();
    return b.x < box.x - 0.5 || b.x + b.width > box.x + box.width + 0.5;
  }).map((t) => t.textContent);
})"""

# axe's rules on a page's structure (one h1, landmarks, every content in one) are best practice,
# not WCAG tags: they are run by name, and fail whatever their impact. One axe run for both: the
# rules the WCAG tags select (as a run by tag would: none experimental or deprecated) and those of
# the structure, by name; a WCAG violation counts when critical or serious, a structure one always.
STRUCTURE = ["page-has-heading-one", "landmark-one-main", "landmark-no-duplicate-main", "region",
             "landmark-unique", "landmark-banner-is-top-level", "landmark-main-is-top-level"]
AXE_RUN = """async ([tags, structure]) => {
  if (typeof axe === 'undefined') return null;
  const wcag = axe.getRules(tags).filter((r) => !r.tags.some((t) => t === 'experimental' || t === 'deprecated'))
    .map((r) => r.ruleId);
  const { violations } = await axe.run(document, { runOnly: { type: 'rule', values: [...new Set([...wcag, ...structure])] },
                                                   resultTypes: ['violations'] });
  return violations.filter((v) => structure.includes(v.id) || v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`
      + `${v.nodes.length > 4 ? ` (+${v.nodes.length - 4})` : ''}`);
}"""


def check(page: Page, label: str, sizes: list[dict[str, int]], required: Sequence[str],
          optional: Sequence[str] = (), pictures: dict[str, str] | None = None) -> list[str]:
    """What fails at each size: layout for every size, axe once per state (at the first size).
    `pictures`: a docs picture's name by size ("390x844"), taken by `make screenshots`."""
    problems: list[str] = []
    selectors = [[s, True] for s in required] + [[s, False] for s in optional]
    for k, size in enumerate(sizes):
        page.set_viewport_size(size)
        where = f"{label} at {size['width']}x{size['height']}"
        problems += [f"{where}: {p}" for p in page.evaluate(SETTLED_UNREACHABLE, selectors)]
        if pictures and f"{size['width']}x{size['height']}" in pictures:
            screenshot(page, pictures[f"{size['width']}x{size['height']}"])
        if k == 0:
            problems += [f"{label}: axe {v}" for v in axe(page)]
    return problems


def axe(page: Page) -> list[str]:
    problems = page.evaluate(AXE_RUN, [WCAG, STRUCTURE])
    if problems is None:  # not in the page yet
        if page.url.startswith("file:"):
            page.add_script_tag(path=str(AXE))
        else:  # served from the same origin: the pages' Content Security Policy allows it
            page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
        problems = page.evaluate(AXE_RUN, [WCAG, STRUCTURE])
    return problems


@pytest.fixture(scope="module")
def scene(browser, server):
    """A running exercise at +0:00: I-1 (humanitarians), I-2 (police) and I-3 (the joint room)
    released, a message in the joint room, a document the humanitarians shared with the civilians;
    a page for control, each team and the evaluator."""
    exercise, codes, fac_token = server.open_exercise()

    async def act() -> None:
        fac = await Client(server, exercise, fac_token).connect()
        hum = await Client(server, exercise, server.join(codes["hum-1"], "Amina (OCHA)")["token"]).connect()
        await fac.ok("clock.start")
        await fac.ok("clock.pause")
        for inject in ("I-1", "I-2", "I-3"):
            await fac.ok("inject.release", inject_id=inject)
        await hum.ok("room.post", room="joint", text="Convoy leaves Bessa at 10:00.")
        await hum.ok("document.share", title="Beneficiary list, Kora", body="Names and needs.",
                     share_with=["civilian"], sensitive=False)
        for c in (fac, hum):
            await c.close()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API may already run a loop in this thread
        pool.submit(asyncio.run, act()).result()
    pages: dict[str, tuple[Page, PageErrors]] = {"control": facilitator(browser, server, exercise)}
    pages["evaluator"] = join(browser, server, codes["evaluator"], "Quiet observer")
    for team in TEAMS:
        pages[team] = join(browser, server, codes[team], f"Player of {team}")
    yield server, exercise, fac_token, pages
    for page, errors in pages.values():
        assert errors.errors == []
        page.context.close()


def test_the_sign_in_page_the_control_home_and_not_found_fit_every_size(browser, scene):
    server, exercise, _, pages = scene
    page = browser.new_context().new_page()
    page.goto(server.base + "/")
    problems = check(page, "sign-in", EVERY_SIZE, ["#join-form button[type=submit]",
                                                   "#facilitator-form button[type=submit]"])
    page.goto(server.base + "/team/no-such-exercise")
    problems += check(page, "not found", EVERY_SIZE, ["a[href='/']"])
    control = pages["control"][0].context.new_page()
    control.goto(server.base + "/control")
    expect(control.locator(f"#exercise-table tr[data-exercise='{exercise}'] a")).to_be_visible()
    problems += check(control, "control home", EVERY_SIZE, ["#exercise-table a", "#scenario-table button"])
    control.goto(server.base + f"/control/{exercise}/handout")
    expect(control.locator(".slip").first).to_be_visible()
    problems += check(control, "handout", EVERY_SIZE, ["#print"])
    control.close()
    page.context.close()
    assert not problems, "\n".join(problems)


def test_the_spreadsheet_mapping_step_fits_every_size_with_its_columns_and_warnings(scene):
    server, _, _, pages = scene
    page = pages["control"][0].context.new_page()
    page.goto(server.base + "/control/studio/import")
    page.set_input_files("#import-file", str(ROOT / "tests" / "fixtures" / "msel" / "hseep-template.csv"))
    expect(page.locator(".import-columns select")).to_have_count(11)
    page.locator(".import-warnings summary").click()
    problems = check(page, "spreadsheet import", EVERY_SIZE, ["#import-file", ".import-step button.primary",
                                                              ".import-columns select"])
    page.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("team", TEAMS)
def test_a_team_view_fits_every_size_with_an_inject_open_and_while_responding(scene, team):
    _, _, _, pages = scene
    page, _ = pages[team]
    page.locator(".inject-item[data-inject='I-3']").click()
    expect(page.locator("#inject-detail button.respond")).to_be_visible()
    pictures = {"390x844": "team-view-phone", "768x1024": "team-view-tablet"} if team == "hum-1" else None
    problems = check(page, f"{team} inbox", EVERY_SIZE, TEAM_ACTIONS, TEAM_OPTIONAL, pictures)
    page.locator("details.briefing summary").click()  # the briefing open below the inject
    problems += check(page, f"{team} inbox and briefing", EVERY_SIZE, TEAM_ACTIONS[:3])
    page.locator("details.briefing summary").click()
    page.set_viewport_size(LAPTOP)
    page.locator("#inject-detail button.respond").click()
    expect(page.locator("#reply-chip")).to_be_visible()
    problems += check(page, f"{team} responding", EVERY_SIZE, ["#reply-chip", "#composer button[type=submit]"])
    page.locator("#reply-chip button.chip-remove").click()
    assert not problems, "\n".join(problems)


def test_the_evaluator_view_fits_every_size_with_an_inject_open(scene):
    _, _, _, pages = scene
    page, _ = pages["evaluator"]
    page.locator(".inject-item[data-inject='I-1']").click()
    expect(page.locator("#inject-detail .mark-buttons button").first).to_be_visible()
    problems = check(page, "evaluator", EVERY_SIZE, EVALUATOR_ACTIONS, pictures={"390x844": "evaluator-view-phone"})
    assert not problems, "\n".join(problems)


def test_the_control_panel_fits_a_tablet_a_laptop_and_a_projector_with_and_without_its_dialog(scene):
    _, _, _, pages = scene
    page, _ = pages["control"]
    problems = check(page, "control", CONTROL_SIZES, CONTROL_ACTIONS, pictures={"768x1024": "control-panel-tablet"})
    page.set_viewport_size(LAPTOP)
    page.locator("#msel-table tr[data-inject='I-4'] button:has-text('Edit')").click()
    expect(page.locator("#edit-dialog")).to_be_visible()
    problems += check(page, "control editing", CONTROL_SIZES, ["#edit-save", "#edit-form button[value=cancel]"])
    page.keyboard.press("Escape")
    expect(page.locator("#edit-dialog")).to_be_hidden()
    assert not problems, "\n".join(problems)


CLASS_ACTIONS = ["#class-clock button", "#scope", "#class-msel td.actions button", "#class-post button[type=submit]",
                 "#compare-refresh", "#syndicate-table a"]


def test_a_class_control_panel_and_its_handout_fit_the_control_sizes(scene):
    """A class of 4 syndicates (core/syndicates.py): its panel at the control panel's sizes, its handout at every size."""
    server, _, fac_token, pages = scene
    r = httpx.post(f"{server.base}/api/classes", json={"scenario": "mini", "syndicates": 4},
                   headers={"Authorization": f"Bearer {fac_token}"})
    class_id = r.json()["class"]
    page = pages["control"][0].context.new_page()
    page.goto(f"{server.base}/control/class/{class_id}")
    expect(page.locator("#class-msel td[data-status]")).to_have_count(6 * 4)
    problems = check(page, "class control", CONTROL_SIZES, CLASS_ACTIONS)
    page.goto(f"{server.base}/control/class/{class_id}/handout")
    expect(page.locator(".syndicate-slips")).to_have_count(4)
    problems += check(page, "class handout", EVERY_SIZE, ["#print"])
    page.close()
    assert not problems, "\n".join(problems)


def test_the_replay_and_the_report_fit_every_size_while_playing(scene, tmp_path: Path):
    server, exercise, fac_token, pages = scene
    page = pages["control"][0].context.new_page()
    page.goto(server.base + f"/replay/{exercise}")
    expect(page.locator("#lanes .lane").first).to_be_visible()
    problems = check(page, "replay", EVERY_SIZE, REPLAY_ACTIONS)
    page.set_viewport_size(LAPTOP)
    page.click("#play")
    expect(page.locator("#play")).to_have_text("Pause")
    problems += check(page, "replay playing", EVERY_SIZE, REPLAY_ACTIONS)
    page.close()
    report = httpx.get(f"{server.base}/api/exercises/{exercise}/report", headers={"Authorization": f"Bearer {fac_token}"})
    assert report.status_code == 200
    path = tmp_path / "report.html"
    path.write_bytes(report.content)
    page = pages["control"][0].context.new_page()
    page.goto(path.as_uri())  # opened from disk, as a trainer keeps it
    problems += check(page, "report", EVERY_SIZE, [])
    problems += [f"report: a chart's text is cut: {text}" for text in page.evaluate(CHART_TEXT_CUT)]
    page.close()
    assert not problems, "\n".join(problems)


# The plenary screen's type, measured at 1920x1080 (docs/views.md): read from the back of a room.
PLENARY_SIZES = """() => {
  const px = (selector) => [...document.querySelectorAll(selector)].map((n) => parseFloat(getComputedStyle(n).fontSize));
  return { clock: px('#scenario-time'), headings: px('h1, h2, .plenary-inject h3'),
           text: px('.plenary-list .body') };
}"""


def test_the_plenary_screen_fits_a_projector_and_a_laptop_in_type_read_from_the_back(scene):
    _, _, _, pages = scene
    control, _ = pages["control"]
    with control.context.expect_page() as opened:
        control.locator("a:has-text('Plenary screen')").click()  # a window of its own, for the projector
    page = opened.value
    errors = PageErrors(page)
    expect(page.locator(".plenary-inject[data-inject='I-3']")).to_be_visible()
    problems = check(page, "plenary", [PROJECTOR, LAPTOP], ["#plenary-injects", "#plenary-media", "#map"],
                     pictures={"1920x1080": "plenary-screen"})
    page.set_viewport_size(PROJECTOR)
    sizes = page.evaluate(PLENARY_SIZES)
    assert min(sizes["clock"]) >= 150, sizes  # 8vw
    assert min(sizes["headings"]) >= 32 and min(sizes["text"]) >= 32, sizes
    page.set_viewport_size(LAPTOP)
    assert min(page.evaluate(PLENARY_SIZES)["text"]) >= 24
    page.close()
    assert errors.errors == []
    assert not problems, "\n".join(problems)


def test_the_people_pages_fit_every_size_slips_certificates_and_the_control_cell(scene):
    """Personal join slips (with QR codes), the certificates (one page each) and the lead's page of
    the control cell (people_api.py), with a roster and a named controller in them."""
    server, exercise, fac_token, pages = scene
    auth = {"Authorization": f"Bearer {fac_token}"}
    roster = [{"name": "Amina Diallo", "team": "hum-1"}, {"name": "Bartholomew Okonkwo-Smith", "team": "mil-1"}]
    assert httpx.post(f"{server.base}/api/exercises/{exercise}/roster", json={"people": roster},
                      headers=auth).status_code == 201
    assert httpx.post(f"{server.base}/api/staff", json={"name": "Controller Cruz", "role": "facilitator"},
                      headers=auth).status_code == 201
    page = pages["control"][0].context.new_page()
    page.goto(server.base + f"/control/{exercise}/handout?slips=person")
    expect(page.locator(".slip svg.qr")).to_have_count(2)
    problems = check(page, "personal slips", EVERY_SIZE, ["#print", "#slip-kind", "#slip-address"],
                     pictures={"1366x768": "join-slips"})
    page.goto(server.base + f"/control/{exercise}/certificates")
    expect(page.locator(".certificate").first).to_be_visible()
    problems += check(page, "certificates", EVERY_SIZE, ["#print", "#attendance-link"])
    page.goto(server.base + "/control/cell")
    expect(page.locator("#member-table tr", has_text="Controller Cruz")).to_be_visible()
    problems += check(page, "control cell", EVERY_SIZE, ["#member-form button[type=submit]", "#member-table button"],
                      pictures={"1366x768": "control-cell"})
    page.close()
    assert not problems, "\n".join(problems)


def test_the_evaluation_page_and_the_printable_guide_per_team_fit_every_size(browser, server):
    """The lead evaluator's page (final ratings beside their evidence, the improvement plan) and the
    exercise evaluation guide an evaluator prints for one team (evaluation_api.py). Its own exercise:
    the control panel alone, no team to join."""
    exercise, _, _ = server.open_exercise()
    control, errors = facilitator(browser, server, exercise)
    page = control.context.new_page()
    page.goto(server.base + f"/evaluation/{exercise}")
    expect(page.locator(".rating-item").first).to_be_visible()
    problems = check(page, "evaluation", EVERY_SIZE, ["#rating-items button[type=submit]", "#plan-xlsx", "#plan-csv",
                                                      "#course-rows button[type=submit]", "#guide-links a"])
    page.goto(server.base + f"/evaluation/{exercise}/guide?team=hum-1")
    expect(page.locator("#guide table").first).to_be_visible()
    problems += check(page, "evaluation guide", EVERY_SIZE, ["#print", "#guide-team"])
    page.context.close()
    assert errors.errors == []
    assert not problems, "\n".join(problems)


# The dashboard at 1920x1080: every team cell inside the window, the page not scrolled at all.
DASHBOARD_FITS = """() => {
  const cells = [...document.querySelectorAll('.team-cell')].map((n) => n.getBoundingClientRect());
  return { cells: cells.length, outside: cells.filter((r) => r.bottom > innerHeight || r.right > innerWidth).length,
           scroll: document.documentElement.scrollHeight - innerHeight };
}"""


def test_the_dashboard_of_four_syndicates_of_four_teams_fits_one_1920x1080_screen(scene):
    server, exercise, _, pages = scene
    control, _ = pages["control"]
    syndicates = [exercise] + [server.open_exercise()[0] for _ in range(3)]
    page = control.context.new_page()
    errors = PageErrors(page)
    page.goto(f"{server.base}/control/dashboard?exercises={','.join(syndicates)}")
    expect(page.locator(".team-cell")).to_have_count(16)
    expect(page.locator(".syndicate-state[data-state='connected']")).to_have_count(4)
    expect(page.locator(".team-cell[data-alert='unacknowledged']")).to_have_count(4)  # I-1 to I-3 released
    problems = check(page, "dashboard", [PROJECTOR, PHONE, TABLET, LAPTOP], [".team-cell", ".syndicate-head a"],
                     pictures={"1920x1080": "dashboard"})
    page.set_viewport_size(PROJECTOR)
    fits = page.evaluate(DASHBOARD_FITS)
    assert fits == {"cells": 16, "outside": 0, "scroll": 0}, fits
    page.close()
    assert errors.errors == []
    assert not problems, "\n".join(problems)


STUDIO_SIZES = [PHONE, LAPTOP, PROJECTOR]
STUDIO_LIST_ACTIONS = ["#new-scenario", "#upload-file", "#studio-table .edit", "#studio-table .duplicate",
                       "#studio-table .download", "#studio-table .delete"]
STUDIO_ACTIONS = ["#studio-tabs button", "#save", "#download"]


def test_the_scenario_studio_fits_a_phone_a_laptop_and_a_projector_in_each_part(scene):
    server, _, _, pages = scene
    page = pages["control"][0].context.new_page()
    errors = PageErrors(page)
    page.goto(server.base + "/control/studio")
    expect(page.locator("#studio-table tr[data-scenario='mini'] .edit")).to_be_visible()
    problems = check(page, "studio list", STUDIO_SIZES, STUDIO_LIST_ACTIONS)
    page.set_viewport_size(LAPTOP)
    page.click("#studio-table tr[data-scenario='mini'] .edit")
    expect(page.locator("#sc-title")).to_be_visible()
    problems += check(page, "studio scenario", STUDIO_SIZES, [*STUDIO_ACTIONS, "#add-objective"])
    for section, actions in (("people", ["[data-add='teams']"]), ("rooms", ["[data-add='rooms.extra']"]),
                             ("briefings", []), ("personas", ["[data-add='personas']"]),
                             ("map", ["#add-point", "#draw-line", "#draw-area"]), ("history", [])):
        page.set_viewport_size(LAPTOP)
        page.click(f"#studio-tabs button[data-section='{section}']")
        expect(page.locator(f"#section-{section} h2")).to_be_visible()
        problems += check(page, f"studio {section}", STUDIO_SIZES, [*STUDIO_ACTIONS, *actions])
    page.set_viewport_size(LAPTOP)
    page.click("#studio-tabs button[data-section='msel']")
    # I-1: an expected action with its weight and objectives; I-6: a change of a COP feature at release.
    for inject, actions in (("I-1", [".add-action", ".remove-action"]), ("I-6", [".change-pick", "#cop-change-edit"])):
        page.set_viewport_size(LAPTOP)
        page.click(f"#studio-msel tr[data-inject='{inject}'] .edit-inject")
        expect(page.locator("#inject-title")).to_be_visible()
        problems += check(page, f"studio MSEL and inject editor ({inject})", STUDIO_SIZES,
                          [*STUDIO_ACTIONS, "#add-inject", "#studio-timeline .marker", "#studio-msel .edit-inject",
                           "#inject-done", *actions])
    page.close()
    assert errors.errors == []
    assert not problems, "\n".join(problems)
