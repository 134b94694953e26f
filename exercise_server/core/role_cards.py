"""Role cards: one per person inside a team (the Sector Commander, the U9, OCHA's CMCoord officer),
each with the role's mandate, legal basis, red lines and hidden agenda (docs/scenario-format.md).

A card is scenario content, read in a snapshot as briefings are: the control cell holds every card,
a team only its own team's, nobody else any. Views are per team, so the members of a team would read
each other's cards: a team's copy comes without the hidden agenda, which reaches its holder on the
printed card the control cell hands out (the handout page, GET /api/exercises/{id}/role-cards).
`for_view` is the one rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .scenario_fields import FieldChecks
from .translations import Translations

FIELDS = ("role", "mandate", "legal_basis", "red_lines", "hidden_agenda")  # each translatable


@dataclass(frozen=True)
class RoleCard:
    id: str
    team: str
    role: str  # the person's role in the team: "Sector Commander", "CMCoord officer"
    mandate: str
    legal_basis: str
    red_lines: str
    hidden_agenda: str = ""
    translations: Translations = field(default_factory=dict)  # {language: {role, mandate, ...}}


def read_role_cards(checks: FieldChecks, doc: dict[str, Any], team_ids: set[str]) -> tuple[RoleCard, ...]:
    """The scenario's `role_cards`, each problem reported at its line."""
    raw = doc.get("role_cards")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        checks.err(doc, "role_cards", "role_cards must be a list of {id, team, role, mandate, legal_basis, red_lines}")
        return ()
    out: list[RoleCard] = []
    for i, item in enumerate(raw):
        found = checks.entry(raw, i, item, "role card", ("id", "team", *FIELDS[:-1]), ("hidden_agenda",))
        if found is None:
            continue
        item, cid = found
        what = f"role card {cid!r}"
        if any(c.id == cid for c in out):
            checks.err(item, "id", f"duplicate role card id {cid!r}")
            continue
        if item["team"] not in team_ids:
            checks.err(item, "team", f"{what}: unknown team {item['team']!r}")
            continue
        texts: dict[str, str] = {}
        translations: Translations = {}
        for key in FIELDS:
            text = checks.translatable(item, key, item.get(key, ""), what, empty=key == "hidden_agenda")
            texts[key] = text.default if text else ""
            for lang, other in text.others if text else ():
                translations.setdefault(lang, {})[key] = other
        out.append(RoleCard(cid, item["team"], translations=translations, **texts))
    return tuple(out)


def for_view(cards: tuple[RoleCard, ...], control: bool, team: str | None) -> list[dict[str, Any]]:
    """The cards a view holds: every card whole for the control cell; a team's own for its members,
    each without its hidden agenda (`hidden_agenda_on_paper` says there is one on the printed card)."""
    if control:
        return [vars(c) for c in cards]
    return [_without_agenda(c) for c in cards if team is not None and c.team == team]


def _without_agenda(card: RoleCard) -> dict[str, Any]:
    translations = {lang: {k: v for k, v in t.items() if k != "hidden_agenda"} for lang, t in card.translations.items()}
    on_paper = bool(card.hidden_agenda)
    return {**vars(card), "hidden_agenda": "", "translations": translations, "hidden_agenda_on_paper": on_paper}
