"""One French word per thing (docs/glossaire-fr.md): the bundled scenarios' French and the
interface's French catalogue call the decision log, the COP, an inject, a checkpoint... by the same
name, so a francophone trainer never sees one thing under two names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from exercise_server.i18n import LOCALE_DIR

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "injects").glob("*.yaml"))
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)[sd]")

# Forms the glossary rejects -> the form it keeps. Case-insensitive unless the pattern says (?-i).
REJECTED: dict[str, str] = {
    r"journal des décisions": "registre des décisions",
    r"registre de décisions": "registre des décisions",
    r"(?-i:\bCOP\b)": "IOC (image opérationnelle commune)",
    r"\binjects?\b": "injection",
    r"demandes? d'(?:appui|aide) (?:militaire|logistique)": "demande d'assistance",
    r"demandes? de soutien": "demande d'assistance",
    r"salles? conjointes?": "salle commune",
    r"salles? de coordination communes?": "salle commune de coordination civilo-militaire",
    r"salles? de liaison": "ligne de liaison",
    r"\bpoints? de contrôle": "poste de contrôle",
    r"tableau de contrôle": "panneau de contrôle (le poste de contrôle est un checkpoint)",
    r"cellules? d'animation": "cellule de contrôle",
    r"facilitat(?:eur|rice)s?": "animateur, animatrice",
    r"\bsyndicats?\b": "groupe de travail",
    r"(?-i:\bGroupe \d)": "Groupe de travail 1",
    r"(?-i:\bD[+-]\d)": "J+1 (jour J)",
    r"(?-i:\bdirectives d'Oslo)": "Directives d'Oslo",
    r"lignes directrices d'Oslo": "Directives d'Oslo",
    r"moyens militaires et de (?:la )?protection civile": "ressources militaires et de la protection civile",
    r"dernier ressort|ultime recours": "dernier recours",
    r"coordinat(?:eur|rice)s? humanitaires?": "coordonnateur humanitaire, coordonnatrice humanitaire",
    r"centre (?:conjoint|commun) d'opérations|centre des opérations conjointes": "Centre d'opérations conjoint (JOC)",
    r"(?:centre|cellule) conjointe? d'analyse|centre d'analyse conjoint": "Cellule d'analyse conjointe de la mission (JMAC)",
}
# Messages whose French shows what the field must be typed as: a scenario's `start` and its MSEL times are
# read as D+N HH:MM only (exercise_server/core/timefmt.py), so their hint keeps the D.
LITERAL_SYNTAX = {
    "D+N HH:MM, e.g. D+1 09:00",
    "'%(text)s' is not a time (0:05 or +0:05 after the start, or a scenario time such as D+1 08:05), manual, "
    "or a condition such as 'after I-03 released +0:10' or 'after I-03 acknowledged'",
}
# The catalogue's own word for each glossary term (msgid -> msgstr), the form the scenarios follow.
CATALOGUE_TERMS = {
    "Decision log": "Registre des décisions",
    "COP": "IOC",
    "Inject": "Injection",
    "Syndicate": "Groupe de travail",
    "Control panel": "Panneau de contrôle",
    "checkpoint": "poste de contrôle",
    "Facilitator": "Animateur",
    "Evaluator": "Évaluateur",
    "Liaison lines": "Lignes de liaison",
    "Joint civil-military coordination room": "Salle commune de coordination civilo-militaire",
    "Plenary": "Plénière",
}


def french_texts(node: object, where: str = "") -> Iterator[tuple[str, str]]:
    """Every French text of a scenario document, with the path of its field."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "fr" and isinstance(value, str):
                yield where, value
            else:
                yield from french_texts(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from french_texts(value, f"{where}[{i}]")


def rejected_forms(text: str) -> list[str]:
    text = " ".join(PLACEHOLDER.sub("", text).split())  # a line break never hides a form
    found = []
    for pattern, accepted in REJECTED.items():
        for m in re.finditer(pattern, text, re.IGNORECASE):
            found.append(f"« {m.group(0)} » -> « {accepted} »")
    return found


def french_catalogue():  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale="fr")


def test_the_rejected_forms_are_caught_and_the_accepted_ones_are_not():
    assert rejected_forms("Consigner la décision dans le journal des\n  décisions.")
    assert rejected_forms("Tenir les chiffres à jour sur la COP.")
    assert rejected_forms("Inject de réserve") and rejected_forms("Groupe 1 : UNPOL Secteur Ouest")
    assert rejected_forms("SITREP, D+1 09:00")
    assert not rejected_forms(
        "Consigner dans le registre des décisions ; tenir l'IOC à jour ; cette injection ; "
        "Groupe de travail 1 : UNPOL ; J+1, 09 h 00 ; la CIMIC coordonne ; en dernier recours ; "
        "{inject} diffusée ; %(inject)s"
    )


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_scenario_s_french_uses_the_glossary_s_words(path):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = [f"{path.name} {where}: {form}" for where, text in french_texts(doc) for form in rejected_forms(text)]
    assert not found, "docs/glossaire-fr.md rejects:\n" + "\n".join(found)


@pytest.mark.parametrize("path", sorted((ROOT / "injects" / "attachments").glob("*.fr.md")), ids=lambda p: p.name)
def test_a_french_attachment_uses_the_glossary_s_words(path):
    found = [
        f"{path.name}:{n}: {form}"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for form in rejected_forms(line)
    ]
    assert not found, "docs/glossaire-fr.md rejects:\n" + "\n".join(found)


def test_the_french_catalogue_uses_the_glossary_s_words():
    found = []
    for message in french_catalogue():
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if ids[0] in LITERAL_SYNTAX:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [f"{ids[0]!r}: {form}" for text in strings for form in rejected_forms(text)]
    assert not found, "docs/glossaire-fr.md rejects:\n" + "\n".join(found)


def test_the_catalogue_names_each_glossary_term_as_the_glossary_does():
    cat = french_catalogue()
    wrong = {msgid: cat[msgid].string for msgid, accepted in CATALOGUE_TERMS.items() if cat[msgid].string != accepted}
    assert not wrong, f"the catalogue translates these otherwise than docs/glossaire-fr.md: {wrong}"


def test_the_glossary_lists_every_term_the_test_holds_to():
    glossary = (ROOT / "docs" / "glossaire-fr.md").read_text(encoding="utf-8")
    missing = [accepted for accepted in CATALOGUE_TERMS.values() if accepted.lower() not in glossary.lower()]
    assert not missing, f"docs/glossaire-fr.md does not give: {missing}"
