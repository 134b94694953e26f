"""COP geometry: the GeoJSON-like shapes a feature may have, [longitude, latitude] positions."""

from __future__ import annotations

from typing import Any

GEOMETRY_TYPES = ("Point", "LineString", "Polygon")


def is_position(p: Any) -> bool:
    """A [longitude, latitude] pair of numbers within the globe's bounds."""
    return (
        isinstance(p, list)
        and len(p) == 2
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in p)
        and -180 <= p[0] <= 180
        and -90 <= p[1] <= 90
    )


def _is_line(coords: Any) -> bool:
    return isinstance(coords, list) and len(coords) >= 2 and all(is_position(p) for p in coords)


def _is_polygon(coords: Any) -> bool:
    return (
        isinstance(coords, list)
        and len(coords) >= 1
        and all(isinstance(ring, list) and len(ring) >= 4 and all(is_position(p) for p in ring) for ring in coords)
    )


_VALID = {"Point": is_position, "LineString": _is_line, "Polygon": _is_polygon}
assert set(_VALID) == set(GEOMETRY_TYPES)


def geometry_problem(geo: Any) -> str | None:
    """Why a GeoJSON-like geometry is unacceptable, or None."""
    if not isinstance(geo, dict) or set(geo) != {"type", "coordinates"}:
        return "geometry must be {type, coordinates}"
    kind, coords = geo["type"], geo["coordinates"]
    valid = _VALID.get(kind) if isinstance(kind, str) else None
    if valid is None:
        return f"geometry type must be one of {', '.join(GEOMETRY_TYPES)}"
    return None if valid(coords) else f"{kind} coordinates are not valid [longitude, latitude] positions"
