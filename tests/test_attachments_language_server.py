"""An attachment with a file per language, on a real server: a French reader gets the French file, an
English reader the English one, a reader whose language has no file the default one (and is told so by
`Content-Language`); and no language's copy reaches a team that may not read the inject."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import httpx
import pytest

from .server_harness import Client, ServerProcess

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
ENGLISH = "ATTACHMENT-BODY-FOR-HUM-1"
FRENCH = "PIECE-JOINTE-POUR-HUM-1"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The bilingual scenario, and a copy of it whose attachment has only its English file."""
    folder = tmp_path_factory.mktemp("scenarios")
    shutil.copytree(FIXTURES / "attachments", folder / "attachments")
    text = (FIXTURES / "bilingual.yaml").read_text(encoding="utf-8")
    shutil.copy(FIXTURES / "bilingual.yaml", folder / "bilingual.yaml")
    plain = text.replace("id: bilingual\n", "id: bilingual-plain\n").replace(
        "file: {en: kora-road-assessment.txt, fr: kora-road-assessment.fr.txt}", "file: kora-road-assessment.txt")
    assert plain.count("bilingual-plain") == 1 and "kora-road-assessment.fr.txt" not in plain
    (folder / "bilingual-plain.yaml").write_text(plain, encoding="utf-8")
    server = ServerProcess(tmp_path_factory.mktemp("attachments") / "data",
                           scenarios=(folder / "bilingual.yaml", folder / "bilingual-plain.yaml")).start()
    yield server
    server.stop()


def opened(server: ServerProcess, scenario: str) -> tuple[str, dict[str, str]]:
    """An exercise with I-1 (to the military, the police and the humanitarians) released, and a token
    for a French and an English reader of the humanitarian team, the civilian team and the control cell."""
    exercise, codes, fac_token = server.open_exercise(scenario)
    tokens = {"control": fac_token}
    for who, team in (("hum-fr", "hum-1"), ("hum-en", "hum-1"), ("civ-fr", "civ-1")):
        tokens[who] = server.join(codes[team], who)["token"]

    async def release() -> None:
        fac = await Client(server, exercise, fac_token).connect()
        await fac.ok("inject.release", inject_id="I-1")
        for who in ("hum-fr", "civ-fr"):  # these seats chose French for their interface
            seat = await Client(server, exercise, tokens[who]).connect()
            await seat.ok("participant.language", language="fr")
            await seat.close()
        await fac.close()

    asyncio.run(release())
    return exercise, tokens


def fetch(server: ServerProcess, exercise: str, token: str, file: str = "kora-road-assessment.txt",
          **params: str) -> httpx.Response:
    return httpx.get(f"{server.base}/api/exercises/{exercise}/injects/I-1/attachments/{file}", params=params,
                     headers={"Authorization": f"Bearer {token}"})


def test_a_french_reader_gets_the_french_file_and_an_english_reader_the_english_one(served):
    exercise, tokens = opened(served, "bilingual")
    french = fetch(served, exercise, tokens["hum-fr"])  # the seat's language, remembered by the server
    assert french.status_code == 200, french.text
    assert FRENCH in french.text and ENGLISH not in french.text
    assert french.headers["content-language"] == "fr"
    assert 'filename="kora-road-assessment.fr.txt"' in french.headers["content-disposition"]
    english = fetch(served, exercise, tokens["hum-en"])
    assert english.status_code == 200 and ENGLISH in english.text and FRENCH not in english.text
    assert english.headers["content-language"] == "en"
    # the page says which language it reads in (`?language=`), as the browser does
    assert FRENCH in fetch(served, exercise, tokens["hum-en"], language="fr").text
    assert ENGLISH in fetch(served, exercise, tokens["hum-fr"], language="en").text
    # a language the scenario does not declare reads the default, as its texts do
    german = fetch(served, exercise, tokens["hum-en"], language="de")
    assert ENGLISH in german.text and german.headers["content-language"] == "en"
    # the control cell reads either
    assert FRENCH in fetch(served, exercise, tokens["control"], language="fr").text


def test_a_french_reader_of_an_attachment_with_no_french_file_gets_the_english_one_and_is_told(served):
    exercise, tokens = opened(served, "bilingual-plain")
    r = fetch(served, exercise, tokens["hum-fr"])
    assert r.status_code == 200 and ENGLISH in r.text
    assert r.headers["content-language"] == "en"


def test_no_language_of_an_attachment_reaches_a_team_that_may_not_read_its_inject(served):
    exercise, tokens = opened(served, "bilingual")
    refused = [
        fetch(served, exercise, tokens["civ-fr"]),  # the civilians were not sent I-1
        fetch(served, exercise, tokens["civ-fr"], language="fr"),
        fetch(served, exercise, tokens["civ-fr"], language="en"),
        # the French file named directly is no way in, for anybody: the path names the attachment
        fetch(served, exercise, tokens["civ-fr"], file="kora-road-assessment.fr.txt"),
        fetch(served, exercise, tokens["hum-fr"], file="kora-road-assessment.fr.txt"),
        fetch(served, exercise, tokens["hum-fr"], file="..%2fattachments%2fkora-road-assessment.fr.txt"),
    ]
    assert [r.status_code for r in refused] == [404] * len(refused), [r.text for r in refused]
    assert len({r.text for r in refused[:5]}) == 1  # one answer: nothing says which files exist
    assert not any(FRENCH in r.text or ENGLISH in r.text for r in refused)
