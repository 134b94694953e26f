"""The improvement plan: findings consolidated per objective and capability from the log, written
rows, course lessons apart, and the plan through XLSX and CSV and back unchanged."""

from __future__ import annotations

import csv
import io

from exercise_server.core import events as ev
from exercise_server.core.access import EVALUATOR, Principal
from exercise_server.core.errors import CommandError
from exercise_server.core.improvement_plan import plan
from exercise_server.core.metrics import compute
from exercise_server.improvement_files import plan_csv, plan_xlsx, read_plan

from .core_harness import EVAL, FAC, HUM, CoreRun
from .test_evaluation_guide import load

LEAD = Principal(EVALUATOR, "Col. Diallo", "staff-lead", lead=True)


def played() -> CoreRun:
    """Many unmet items against O5 (observations, marks, a pitfall, a missed target): one finding."""
    run = CoreRun(load())
    run.cmd(FAC, "clock.start")
    run.advance(300)  # I-1 to hum-1
    run.advance(600)  # I-4 to hum-1 and mil-1 (at +0:10)
    for text in ("Late to share", "No liaison at all"):
        run.cmd(
            EVAL,
            "observation.record",
            text=text,
            rating=2,
            objective="O5",
            team="hum-1",
            recommendation=f"Rehearse: {text}",
        )
    run.cmd(EVAL, "expectation.mark", inject_id="I-1", team="hum-1", action=0, status="not_met")
    run.cmd(EVAL, "pitfall.tick", pitfall="pf-escort", team="hum-1")
    run.advance(1200)  # the 10-minute target on I-1 passes with nothing
    run.cmd(FAC, "exercise.end")
    return run


def test_areas_for_improvement_are_consolidated_per_objective_and_capability():
    findings = plan(compute(played().log))
    keys = [(f.objective, f.capability, f.status) for f in findings]
    assert keys == [
        ("O5", "", "proposed"),
        ("O5", "Information sharing", "proposed"),
        ("", "", "proposed"),
        ("", "Information sharing", "proposed"),
    ]  # targets without objectives
    o5 = findings[0]
    assert o5.evidence == "2 observations rated 1-2, 1 expected actions not met, 1 pitfalls seen"
    assert o5.recommendation == "Rehearse: Late to share; Rehearse: No liaison at all"
    assert (
        findings[1].evidence == "1 targets missed"
        and findings[1].text == "Information sharing: Develop practical skills for coordination."
    )
    assert findings[2].text == "2 targets missed"  # convoy-warning-fast and police-told: no objective, no capability


def test_a_written_finding_replaces_its_proposal_and_course_lessons_stay_apart():
    run = played()
    run.cmd(
        LEAD,
        "improvement.set",
        scope="participants",
        objective="O5",
        capability="",
        text="Information reaches the military late",
        root_cause="No liaison routine",
        recommendation="Agree a liaison rhythm",
        owner="Sector West CIMIC",
        start="2027-01-10",
        due="2027-02-01",
        status="open",
    )
    run.cmd(
        FAC,
        "improvement.set",
        scope="course",
        text="I-4 comes too soon after I-1 to be played",
        recommendation="Move I-4 to +0:20",
        owner="Course director",
    )
    findings = plan(compute(run.log))
    assert [
        (f.finding, f.scope, f.objective, f.capability) for f in findings if f.objective or f.scope == "course"
    ] == [
        ("IP-1", "participants", "O5", ""),
        ("", "participants", "O5", "Information sharing"),
        ("CL-1", "course", "", ""),
    ]
    run.cmd(
        LEAD,
        "improvement.set",
        finding="IP-1",
        scope="participants",
        objective="O5",
        text="Information reaches the military late",
        status="complete",
    )
    assert plan(compute(run.log))[0].status == "complete"


def test_only_the_facilitator_and_the_lead_evaluator_write_the_plan_and_bad_rows_change_nothing():
    run = played()
    before = len(run.log)
    plain = Principal(EVALUATOR, "Ms Berg", "staff-plain")
    for who, fields, code in (
        (plain, {"scope": "course", "text": "x"}, "forbidden"),
        (HUM, {"scope": "course", "text": "x"}, "forbidden"),
        (LEAD, {"scope": "team", "text": "x"}, "invalid"),
        (LEAD, {"scope": "course", "text": ""}, "invalid"),
        (LEAD, {"scope": "course", "text": "x", "due": "1 March"}, "invalid"),
        (LEAD, {"scope": "course", "text": "x", "start": "2027-03-01", "due": "2027-02-01"}, "invalid"),
        (LEAD, {"scope": "course", "text": "x", "status": "done"}, "invalid"),
        (LEAD, {"scope": "participants", "text": "x", "objective": "O9"}, "not_found"),
        (LEAD, {"scope": "course", "text": "x", "finding": "IP-7"}, "not_found"),
    ):
        try:
            run.cmd(who, "improvement.set", **fields)
        except CommandError as exc:
            assert exc.code == code, (fields, exc)
        else:
            raise AssertionError(f"accepted {fields}")
    assert len(run.log) == before
    assert not [e for e in run.log if e.type == ev.IMPROVEMENT_SET]


def test_the_plan_round_trips_through_xlsx_and_csv():
    run = played()
    run.cmd(
        LEAD,
        "improvement.set",
        scope="participants",
        objective="O5",
        text='Late; "quoted", =1+1',
        root_cause="Line one\nline two",
        owner="Sector West",
        start="2027-01-10",
        due="2027-02-01",
    )
    run.cmd(FAC, "improvement.set", scope="course", text="Move I-4 later", status="in_progress")
    findings = plan(compute(run.log))
    rows = [{**f.row(), "evidence": f.evidence} for f in findings]
    assert read_plan("plan.xlsx", plan_xlsx(findings, "Mini")) == rows
    assert read_plan("plan.csv", plan_csv(findings)) == rows
    header = next(csv.reader(io.StringIO(plan_csv(findings).decode("utf-8-sig"))))
    assert header[:5] == ["Finding", "Scope", "Objective", "Capability", "Area for improvement"]


def test_the_report_shows_targets_final_ratings_with_evidence_and_the_plan_with_course_lessons_apart():
    from exercise_server.report import render_metrics

    run = played()
    run.cmd(LEAD, "rating.final", item="objective", item_id="O5", rating="M", rationale="Shared <late> & alone")
    run.cmd(FAC, "improvement.set", scope="course", text="Move I-4 later", owner="Course director")
    html = render_metrics(compute(run.log))
    for section in ("targets", "final-ratings", "improvement-plan"):
        assert f'<section id="{section}">' in html
    def section(name: str) -> str:  # one section's html, wherever the report places it
        start = html.index(f'<section id="{name}">')
        end = html.find("<section", start + 1)
        return html[start : end if end > 0 else None]

    targets = section("targets")
    assert "The access report reaches the military team within 10 minutes" in targets and "missed" in targets
    assert "Oslo Guidelines Rev. 1.1 (2007), para. 5" in targets
    rated = section("final-ratings")
    assert "Performed with major challenges" in rated and "Shared &lt;late&gt; &amp; alone" in rated
    assert "Late to share" in rated and "Asks for an armed escort at once" in rated  # evidence beside it
    plan_html = section("improvement-plan")
    participants, course = plan_html.split("Course lessons")
    assert "Late to share; No liaison at all" in participants and "Move I-4 later" not in participants
    assert "Move I-4 later" in course
