"""A bilingual exercise on a real server: each seat reads the same inject in its own language, the log
records which, and the after-action report comes in either language and says who read what."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .server_harness import Client, ServerProcess

ROOT = Path(__file__).resolve().parents[1]
BILINGUAL = ROOT / "tests" / "fixtures" / "bilingual.yaml"


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """A bilingual exercise: the police reads I-2 in French, the military in English; then it ends."""
    server = ServerProcess(tmp_path_factory.mktemp("bilingual") / "data", scenarios=(BILINGUAL,)).start()
    exercise, codes, fac_token = server.open_exercise("bilingual")
    police = server.join(codes["pol-1"], "Capitaine Diallo")
    police_en = server.join(codes["pol-1"], "Sergeant Moore")  # the same team, reading in English
    military = server.join(codes["mil-1"], "Major Jones")
    evaluator = server.join(codes["evaluator"], "Observer")

    async def act() -> tuple[dict, dict, dict]:
        fac = await Client(server, exercise, fac_token).connect()
        pol = await Client(server, exercise, police["token"]).connect()
        mil = await Client(server, exercise, military["token"]).connect()
        await fac.ok("clock.start")
        await fac.ok("clock.jump", to="+0:12")  # I-1 (+0:05) and I-2 (+0:10) fall due
        seen = await pol.event("inject.released"), await mil.event("inject.released")
        while (await pol.event("inject.released"))["payload"]["inject"]["id"] != "I-2":
            pass
        refused = await pol.command("inject.ack", inject_id="I-2", language="de")
        moore = await Client(server, exercise, police_en["token"]).connect()
        await pol.ok("inject.open", inject_id="I-2", language="fr")
        await moore.ok("inject.open", inject_id="I-2", language="en")
        again = await pol.command("inject.open", inject_id="I-2", language="fr")
        assert again["type"] == "error" and again["code"] == "conflict"
        await moore.close()
        await pol.ok("inject.ack", inject_id="I-2", language="fr")
        await mil.ok("inject.ack", inject_id="I-2", language="en")
        await fac.ok("exercise.end")
        for c in (fac, pol, mil):
            await c.close()
        return seen[0], refused, seen[1]

    first_for_police, refused, _ = asyncio.run(act())
    yield server, exercise, fac_token, evaluator["token"], first_for_police, refused
    server.stop()


def report(server: ServerProcess, exercise: str, token: str, **params: str) -> httpx.Response:
    return httpx.get(f"{server.base}/api/exercises/{exercise}/report", params=params,
                     headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_a_seat_receives_the_inject_with_its_french_text_and_never_the_control_notes(played):
    _, _, _, _, first, _ = played
    inject = first["payload"]["inject"]
    assert inject["id"] == "I-1" and inject["title"] == "Access report"
    assert inject["translations"]["fr"]["title"] == "Rapport sur l'accès"
    assert "NOTE" not in json.dumps(first)


def test_two_seats_of_different_languages_acknowledge_the_same_inject_and_the_log_records_each_language(played):
    server, exercise, _, _, _, refused = played
    assert refused["type"] == "error" and refused["code"] == "invalid"
    out = subprocess.run([sys.executable, "-m", "exercise_server", "export", exercise, "--data-dir",
                          str(server.data_dir)], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    log = list(map(json.loads, out.splitlines()))
    acks = [e for e in log if e["type"] == "inject.acknowledged"]
    assert {(e["actor"]["name"], e["payload"]["inject_id"], e["payload"]["language"]) for e in acks} == {
        ("Capitaine Diallo", "I-2", "fr"), ("Major Jones", "I-2", "en")}
    # Two members of one team, each in their own language: the log has both readings.
    opened = [e for e in log if e["type"] == "inject.opened"]
    assert [(e["actor"]["name"], e["payload"]["team"], e["payload"]["language"]) for e in opened] == [
        ("Capitaine Diallo", "pol-1", "fr"), ("Sergeant Moore", "pol-1", "en")]
    assert all(e["audience"] == ["facilitator", "evaluator"] for e in opened)


def test_the_report_comes_in_french_and_says_which_seat_read_which_language(played):
    server, exercise, _, eval_token, _, _ = played
    french = report(server, exercise, eval_token, language="fr")
    assert french.status_code == 200, french.text
    assert french.headers["content-disposition"] == f'attachment; filename="{exercise}-report-fr.html"'
    assert "Émeute au marché" in french.text and "Riot at the market" not in french.text
    assert "Syndicat militaire" in french.text and "Définir la coordination civilo-militaire." in french.text
    assert "Police syndicate" in french.text  # untranslated: its English name stands
    seats = french.text.split('id="seat-languages"', 1)[1].split("</table>", 1)[0]
    rows = {row.split("</td>")[1].split(">")[-1]: row for row in seats.split("<tr>")[2:]}
    assert "fr (1)" in rows["Capitaine Diallo"] and "en (1)" in rows["Major Jones"]
    assert "en (1)" in rows["Sergeant Moore"]
    english = report(server, exercise, eval_token)
    assert "Riot at the market" in english.text and "Émeute au marché" not in english.text
    wrong = report(server, exercise, eval_token, language="de")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid"


def test_the_cli_writes_the_report_and_the_csv_export_in_french(played, tmp_path):
    server, exercise, _, _, _, _ = played
    base = [sys.executable, "-m", "exercise_server"]
    where = ["--data-dir", str(server.data_dir)]
    out = tmp_path / "report.html"
    done = subprocess.run([*base, "report", exercise, *where, "--language", "fr", "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "Émeute au marché" in out.read_text(encoding="utf-8")
    csv_fr = subprocess.run([*base, "export", exercise, *where, "--format", "csv", "--language", "fr"],
                            capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert "Émeute au marché" in csv_fr and "Riot at the market" not in csv_fr
    refused = subprocess.run([*base, "export", exercise, *where, "--language", "fr"],
                             capture_output=True, text=True, cwd=ROOT)
    assert refused.returncode != 0 and "JSON Lines keeps the content in every language" in refused.stderr
    unknown = subprocess.run([*base, "report", exercise, *where, "--language", "de", "-o", str(out)],
                             capture_output=True, text=True, cwd=ROOT)
    assert unknown.returncode != 0 and "--language must be one of en, fr" in unknown.stderr
