"""Distances on the map: lon/lat geometries, in metres (equirectangular; fine at a few kilometres)."""

from __future__ import annotations

import math
from typing import Any

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
