"""The fields of a complete request for military or civil defence assets (rfa.submit), shared by
every test that submits one: each criterion answered (core/workflows/last_resort.py)."""

from __future__ import annotations

from typing import Any

SITE = {"type": "Point", "coordinates": [31.5, 4.5]}
CRITERIA: dict[str, Any] = {
    "need": "Cholera treatment kits for 40 suspected cases in Kora camp: lives at risk within 48 hours",
    "alternatives": [
        {"option": "UNHAS helicopter", "why_not": "Grounded for maintenance until D+5"},
        {"option": "Commercial trucks by the Amali ferry", "why_not": "The ferry is closed by the floods"},
    ],
    "unique_capability": "Only the sector's helicopter can reach Kora before the cases double",
    "support": "indirect",
    "hand_back_to": "UNHAS, once its helicopter flies again",
    "endorsement": "The HC endorsed the request at the HCT call at 06:30 (OCHA reference CMC-14)",
    "perception_risk": "Unmarked flight to the camp's airstrip only; no troops at the distribution",
}
ESCORT = {
    "programme_criticality": "Food for 15,500 people; the camp has two days of stock",
    "responsible_authorities": "The national police cannot cover MSR1 past Kilo 22",
    "safety_security": "Two ambushes on unescorted trucks this week; the armed group avoids UN patrols",
    "sustainability": "One convoy; the road is reassessed before the next",
    "srm_reference": "SRA Sector West 2026-031",
}


def request(**extra: Any) -> dict[str, Any]:
    """A complete request for transport, needed within the hour and handed back within three."""
    fields = {"asset": "transport", **CRITERIA, "time_limit": "+1:00", "until": "+3:00", "location": SITE}
    if extra.get("asset") == "escort" and "escort" not in extra:
        fields["escort"] = ESCORT
    return {**fields, **extra}


CONDITIONS = {
    "scope": "One lift of 8 tonnes to the Kora airstrip; no distribution",
    "duration": "Today, 10:00 to 14:00",
    "visibility": "Unmarked cargo; crew stays with the aircraft",
}
