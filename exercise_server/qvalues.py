"""The items of an HTTP Accept-* header with their weights (RFC 9110, section 12.4.2): one reader
for the languages a browser prefers (i18n) and the codings it takes (static files)."""

from __future__ import annotations


def weighted(header: str) -> list[tuple[str, float]]:
    """`"fr-CA;q=0.9, en"` -> `[("fr-CA", 0.9), ("en", 1.0)]`, in the order written; a weight that
    is no number counts as 0 (refused)."""
    items = []
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if name.strip():
            items.append((name.strip(), q))
    return items
