"""COP geometry: the GeoJSON-like shapes a feature may have ([longitude, latitude] positions), and distances
on the map in metres (equirectangular; fine at a few kilometres)."""

from __future__ import annotations

import math
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


Point = tuple[float, float]


def points(geometry: dict[str, Any]) -> list[Point]:
    """The vertices of a Point, LineString or Polygon (every ring)."""
    coords: Any
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return [(coords[0], coords[1])]
    if kind == "LineString":
        return [(p[0], p[1]) for p in coords]
    if kind == "Polygon":
        return [(p[0], p[1]) for ring in coords for p in ring]
    return []


def _metres(a: Point, b: Point, lat0: float) -> Point:
    k = 111_320.0
    return ((b[0] - a[0]) * k * math.cos(math.radians(lat0)), (b[1] - a[1]) * k)


def distance_m(point: Point, geometry: dict[str, Any]) -> float:
    """Distance in metres from a lon/lat point to a Point or LineString."""
    pts = points(geometry)
    if not pts:
        return math.inf
    if len(pts) == 1 or geometry.get("type") == "Point":
        dx, dy = _metres(pts[0], point, point[1])
        return math.hypot(dx, dy)
    best = math.inf
    for a, b in zip(pts, pts[1:], strict=False):
        bx, by = _metres(a, b, point[1])
        px, py = _metres(a, point, point[1])
        seg = bx * bx + by * by
        t = 0.0 if seg == 0 else max(0.0, min(1.0, (px * bx + py * by) / seg))
        best = min(best, math.hypot(px - t * bx, py - t * by))
    return best
