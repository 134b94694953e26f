"""The after-action report from the browser's server: HTML or PDF (Chromium's print, as the command's
--pdf), one syndicate beside the class's others, and nobody getting figures of a syndicate they could
not replay themselves."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from .server_harness import ServerProcess
from .test_syndicates import codes_of, fac_headers, fac_token, open_class


def report(server: ServerProcess, exercise: str, token: str | None, **params: Any) -> httpx.Response:
    headers = fac_headers(token) if token else {}
    return httpx.get(f"{server.base}/api/exercises/{exercise}/report", params=params, headers=headers, timeout=200)


def syndicates(server: ServerProcess, exercise: str, token: str | None) -> httpx.Response:
    headers = fac_headers(token) if token else {}
    return httpx.get(f"{server.base}/api/exercises/{exercise}/report/syndicates", headers=headers)


def compared(html: str) -> str:
    """The side-by-side table of a report ("" without one)."""
    start = html.find('<table id="syndicates-table">')
    return html[start : html.index("</table>", start)] if start >= 0 else ""


def member(server: ServerProcess, name: str, role: str) -> tuple[dict[str, Any], str]:
    """A named member of the control cell (every exercise's, as the lead's) and their session token."""
    r = httpx.post(f"{server.base}/api/staff", json={"name": name, "role": role}, headers=fac_headers(fac_token(server)))
    assert r.status_code == 201, r.text
    signed = httpx.post(f"{server.base}/api/session/facilitator", json={"secret": r.json()["secret"]})
    return r.json()["member"], signed.json()["token"]


@pytest.fixture(scope="module")
def klass(server) -> dict[str, Any]:
    """A class of three syndicates; syndicate 2 released an inject the others did not."""
    opened = open_class(server, 3)
    r = httpx.post(f"{server.base}/api/classes/{opened['class']}/commands", headers=fac_headers(fac_token(server)),
                   json={"command": {"type": "inject.release", "inject_id": "I-1"}, "syndicates": [2]})
    assert r.status_code == 200, r.text
    return opened


def test_a_syndicates_report_comes_beside_the_classs_other_syndicates_as_html(server, klass):
    s1, s2, s3 = klass["exercises"]
    token = fac_token(server)
    alone = report(server, s1, token)
    assert alone.status_code == 200 and alone.headers["content-type"] == "text/html; charset=utf-8"
    assert alone.headers["content-disposition"] == f'attachment; filename="{s1}-report.html"'
    assert "Syndicate 1" in alone.text and not compared(alone.text)  # as before: one syndicate unless asked
    beside = report(server, s1, token, compare="class")
    assert beside.status_code == 200
    table = compared(beside.text)
    assert "Syndicates side by side" in beside.text and all(x in table for x in (s1, s2, s3))
    assert table.index(s1) < table.index(s2) < table.index(s3)  # its own first, then by number
    some = report(server, s1, token, **{"with": s3})
    assert s3 in compared(some.text) and s2 not in compared(some.text)
    assert syndicates(server, s1, token).json() == {
        "exercise": s1, "syndicate": {"class": klass["class"], "number": 1, "of": 3},
        "compare": [{"number": 2, "exercise": s2}, {"number": 3, "exercise": s3}]}
    timeline = httpx.get(f"{server.base}/api/exercises/{s1}/timeline", headers=fac_headers(token)).json()
    assert timeline["compare"] == [{"number": 2, "exercise": s2}, {"number": 3, "exercise": s3}]  # the replay page's
    # an exercise of no class: nothing to compare with, and the same report either way
    single, _, _ = server.open_exercise()
    assert syndicates(server, single, token).json()["compare"] == []
    assert report(server, single, token, compare="class").status_code == 200


def test_the_report_prints_to_a_pdf_from_the_browser_with_the_comparison_in_it(server, klass):
    s1, s2, _ = klass["exercises"]
    r = report(server, s1, fac_token(server), format="pdf", compare="class", language="fr")
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="{s1}-report-fr.pdf"'
    assert r.content.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(r.content)).pages
    assert 2 <= len(pages) <= 30, len(pages)
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pages)
    assert "Les groupes de travail côte à côte" in text and s2 in text  # in the language asked for, the class beside it


def test_a_syndicates_evaluator_gets_its_own_report_and_no_figure_of_the_other_syndicates(server, klass):
    s1, s2, _ = klass["exercises"]
    evaluator = server.join(codes_of(klass, 1)["evaluator"], "S1 evaluator")["token"]
    r = report(server, s1, evaluator, compare="class")
    assert r.status_code == 200 and not compared(r.text) and s2 not in r.text
    assert syndicates(server, s1, evaluator).json()["compare"] == []
    timeline = httpx.get(f"{server.base}/api/exercises/{s1}/timeline", headers=fac_headers(evaluator)).json()
    assert timeline["compare"] == [] and timeline["syndicate"]["number"] == 1 and s2 not in json.dumps(timeline)
    # naming a syndicate of the class answers as naming one that does not exist, byte for byte
    unknown = f"{klass['class']}-s9"
    answers = [report(server, s1, evaluator, **{"with": x}) for x in (s2, unknown)]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json()["error"]["message"].replace(s2, unknown) == answers[1].json()["error"]["message"]
    assert report(server, s1, evaluator, format="pdf", **{"with": s2}).status_code == 403
    # another syndicate's report, PDF or not, and its comparison: refused as an unknown exercise's, byte for byte
    for path in ("report", "report/syndicates"):
        answers = [httpx.get(f"{server.base}/api/exercises/{x}/{path}", params={"format": "pdf", "compare": "class"},
                             headers=fac_headers(evaluator)) for x in (s2, unknown)]
        assert answers[0].status_code == 403 and answers[0].text == answers[1].text, path


def test_strangers_trainees_and_other_classes_get_no_report_and_no_comparison(server, klass):
    s1, s2, _ = klass["exercises"]
    other = open_class(server, 2)
    outsider = server.join(codes_of(other, 1)["evaluator"], "Another class's evaluator")["token"]
    trainee = server.join(codes_of(klass, 1)["hum-1"], "S1 trainee")["token"]
    for token in (outsider, trainee, None, "forged.token"):
        for params in ({}, {"format": "pdf"}, {"compare": "class"}, {"with": s2}):
            r = report(server, s1, token, **params)
            assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", (token, params)
            assert s2 not in r.text
        assert syndicates(server, s1, token).status_code == 403
    # the other class's evaluator, from its own syndicate, may not reach into this class either
    mine = other["exercises"][0]
    for target in (s1, s2, other["exercises"][1], "nope-000000"):
        r = report(server, mine, outsider, **{"with": target})
        assert r.status_code == 403 and target not in compared(r.text), target
    # nor the facilitator compare a syndicate with another class's, or with nothing that exists
    token = fac_token(server)
    for target in (other["exercises"][1], "nope-000000", s1):
        r = report(server, s1, token, **{"with": target})
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", target
    for params in ({"format": "docx"}, {"compare": "everyone"}, {"compare": "class", "with": s2},
                   {"with": ",".join([s2] * 9)}, {"language": "xx"}):
        r = report(server, s1, token, **params)
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid", params
    assert report(server, "nope-000000", token, compare="class").status_code == 404


def test_a_named_evaluator_of_the_control_cell_compares_the_class_until_the_lead_removes_them(server, klass):
    s1, s2, s3 = klass["exercises"]
    person, token = member(server, "Maj. Okafor", "evaluator")
    r = report(server, s1, token, compare="class")
    assert r.status_code == 200 and s2 in compared(r.text) and s3 in compared(r.text)  # every exercise's, as the lead
    assert [s["number"] for s in syndicates(server, s1, token).json()["compare"]] == [2, 3]
    removed = httpx.post(f"{server.base}/api/staff/{person['id']}/remove", headers=fac_headers(fac_token(server)))
    assert removed.status_code == 200, removed.text
    for params in ({}, {"compare": "class"}, {"with": s2}, {"format": "pdf"}):
        r = report(server, s1, token, **params)
        assert r.status_code == 403 and s2 not in r.text, params
    assert syndicates(server, s1, token).status_code == 403


def test_a_server_without_chromium_says_what_to_install_in_the_readers_language(tmp_path, monkeypatch, servers):
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-chromium-here"))
    server = ServerProcess(tmp_path / "data").start()
    servers.append(server)
    exercise, _, token = server.open_exercise()
    english = report(server, exercise, token, format="pdf")
    assert english.status_code == 503
    error = english.json()["error"]
    assert error["code"] == "unavailable" and error["language"] == "en"
    assert "apt-get install chromium" in error["message"] and "CHROMIUM" in error["message"]
    french = report(server, exercise, token, format="pdf", language="fr").json()["error"]
    assert french["language"] == "fr" and "apt-get install chromium" in french["message"]
    assert "navigateur" in french["message"]
    assert report(server, exercise, token).status_code == 200  # the HTML needs no Chromium
    assert "Traceback" not in server.log()
