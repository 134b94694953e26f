"""The after-action report as the document people print: the capstone's report, played through the
core, printed by Chromium (as `exercise-server report --pdf` and a trainer's Save as PDF do) and read
back with pypdf; its charts' legends measured in the rendered layout."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from exercise_server.core.scenario_check import load_scenario_file
from exercise_server.report import render
from exercise_server.report_pdf import find_chromium, print_pdf

from .browser import VIEWPORT
from .core_harness import CIV, EVAL, FAC, HUM, MIL, POL, CoreRun
from .test_learning import CAPSTONE, HUM2, RIGHT
from .test_observations import NEGOTIATION

TEAMS = (MIL, POL, HUM, CIV)
PAGE_NUMBER = re.compile(r"^\d+ / \d+$")  # the report's @page footer, "3 / 35"


def text_lines(text: str) -> list[str]:
    """A PDF page's lines, without its page number."""
    return [line.strip() for line in text.splitlines() if line.strip() and not PAGE_NUMBER.match(line.strip())]


def played_capstone() -> CoreRun:
    """Three hours of the Tamsa crisis: every timed inject released, teams acknowledging and talking,
    a pause, evaluators marking and observing (a negotiation among them), the knowledge check."""
    run = CoreRun(load_scenario_file(CAPSTONE))
    for who in (HUM, HUM2, MIL):
        run.cmd(who, "learning.answer", form="pre", answers={"k1": 0, "k2": 1, "k3": 1, "k4": "dunno"})
    run.cmd(FAC, "clock.start")
    for step in range(36):  # five minutes at a time
        released = run.advance(300)
        for n, who in enumerate(TEAMS):
            for event in released:
                if event.type == "inject.released" and f"team:{who.team}" in event.audience and (step + n) % 3:
                    run.cmd(who, "inject.ack", inject_id=event.payload["inject"]["id"])
            run.cmd(who, "room.post", room="joint", text=f"Update {step} from {who.team}: road status and needs")
        if step == 12:
            run.cmd(FAC, "clock.pause")
            run.clock.advance(600)
            run.cmd(FAC, "clock.resume")
    for i, item in enumerate(run.state.checklist()[:60]):
        run.cmd(EVAL, "expectation.mark", inject_id=item["inject_id"], team=item["team"], action=item["action"],
                status=("met", "partly", "not_met")[i % 3], note="seen in the joint room" if i % 3 else None)
    for i, objective in enumerate(["O1", "O2", "O3", "O4", "O5"] * 3):
        run.cmd(EVAL, "observation.record", text=f"Observation {i}: the team shared the constraint late",
                rating=1 + i % 4, objective=objective, team=TEAMS[i % 4].team,
                recommendation="Rehearse the notification drill" if i % 4 < 2 else None,
                **({"negotiation": NEGOTIATION} if objective == "O5" else {}))
    run.cmd(FAC, "exercise.end")
    for who in (HUM, HUM2, MIL):
        run.cmd(who, "learning.answer", form="post", answers=RIGHT)
        run.cmd(who, "learning.answer", form="feedback", answers={"f1": 4, "f2": 3, "f3": "More time for the RFA"})
    return run


@pytest.fixture(scope="module")
def capstone_report() -> str:
    return render(played_capstone().log)


LEGENDS = """() => [...document.querySelectorAll('svg.chart')].flatMap((svg) => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('.legend-item text')].map((text) => {
    const r = text.getBoundingClientRect();
    return { chart: svg.getAttribute('aria-label'), text: text.textContent,
             over: Math.max(r.right - box.right, box.left - r.left, 0) };
  });
})"""


def test_the_capstone_report_prints_to_a_pdf_of_whole_pages_with_its_summary_first_and_its_plan_last(
    browser, capstone_report, tmp_path
):
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.set_content(capstone_report)
    headings = {h.strip() for h in page.locator("main h2, main h3").all_inner_texts()}
    assert {"Executive summary", "Per team", "Knowledge check and feedback", "Annex: improvement plan"} <= headings
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 less the margins, at 96 dpi
    legends = page.evaluate(LEGENDS)
    assert len(legends) >= 10  # response times, expected actions, ratings
    overflowing = [(x["chart"], x["text"], round(x["over"], 1)) for x in legends if x["over"] > 0.5]
    assert not overflowing, f"legends running off their chart: {overflowing}"

    (tmp_path / "report.pdf").write_bytes(page.pdf(format="A4", print_background=True))
    pages = [p.extract_text() or "" for p in PdfReader(tmp_path / "report.pdf").pages]
    assert 8 <= len(pages) <= 60, len(pages)
    assert "Executive summary" in pages[0] and "Timeline" not in pages[0]  # a page of its own
    annex = next(n for n, text in enumerate(pages) if "Annex: improvement plan" in text)
    assert text_lines(pages[annex])[0] == "Annex: improvement plan"  # the annex starts a page
    for number, text in enumerate(pages[:-1], 1):
        lines = text_lines(text)
        assert lines and lines[-1] not in headings, f"page {number} ends on the heading {lines[-1]!r}"
        if number not in (1, annex):  # the pages a forced break ends (1 and the one before the annex) may be short
            assert len(lines) >= 20, f"page {number} holds only {len(lines)} lines"
    # a table running over a page repeats its header: "Per inject and team" is long
    repeated = [n for n, text in enumerate(pages) if "Released To acknowledge" in " ".join(text.split())]
    assert len(repeated) >= 2, "the response table's header is not repeated on its next page"


def test_report_pdf_prints_with_chromium_as_the_command_does(capstone_report, tmp_path):
    assert find_chromium() is not None, "no Chromium on PATH or in $CHROMIUM: `make browser` finds or installs one"
    out = tmp_path / "capstone-report.pdf"
    print_pdf(capstone_report, out)
    reader = PdfReader(out)
    assert len(reader.pages) >= 8 and "Executive summary" in (reader.pages[0].extract_text() or "")
    assert "/ " + str(len(reader.pages)) in (reader.pages[1].extract_text() or "")  # page numbers: 2 / N


def cli(*argv: str) -> int:
    """`exercise-server` in a process of its own, as a trainer runs it (this module's browser holds the
    event loop of the test process, so the command's own asyncio.run cannot run in it)."""
    return subprocess.run([sys.executable, "-m", "exercise_server", *argv], capture_output=True).returncode


def test_the_report_command_writes_a_pdf_comparing_the_class_syndicates(tmp_path):
    from exercise_server.export import write_jsonl

    assert find_chromium() is not None, "no Chromium on PATH or in $CHROMIUM: `make browser` finds or installs one"
    data = tmp_path / "data"
    for exercise, run in (("class-s1", played_capstone()), ("class-s2", CoreRun(load_scenario_file(CAPSTONE)))):
        log = tmp_path / f"{exercise}.jsonl"
        with log.open("w", encoding="utf-8") as out:
            write_jsonl(run.log, out)
        assert cli("import", str(log), "--data-dir", str(data), "--as", exercise) == 0
    out = tmp_path / "class-s1.pdf"
    assert cli("report", "class-s1", "--data-dir", str(data), "--pdf", "--with", "class-s2", "-o", str(out)) == 0
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(out).pages)
    assert "Syndicates side by side" in text and "class-s2" in text and "Executive summary" in text
    assert cli("report", "class-s1", "--data-dir", str(data), "--with", "class-s9") == 1  # unknown: refused
