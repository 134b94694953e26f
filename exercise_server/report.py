"""The after-action report: one self-contained HTML file (inline CSS and SVG charts, no
external resources) that prints to PDF from any browser.

Everything in it comes from the log through `core.metrics`; the charts are drawn here as
SVG so that the file needs nothing else to open, years later, on any machine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from . import paths
from .core import events as ev
from .core.metrics import Metrics, compute
from .core.timefmt import format_dday, format_offset

COLORS = {
    "inject": "#2456a6",
    "message": "#1e7b3a",
    "cop": "#b86e00",
    "workflow": "#6b7280",
    "observation": "#8a1e8a",
    "met": "#1e7b3a",
    "partly": "#d19a00",
    "not_met": "#b3261e",
    "unmarked": "#c8ccd4",
    "ack": "#2456a6",
    "answer": "#8a4fbf",
    "action": "#1e7b3a",
    4: "#1e7b3a",
    3: "#7fae3e",
    2: "#d19a00",
    1: "#b3261e",
}
LANE_NAMES = {
    "inject": "Injects",
    "message": "Messages",
    "cop": "COP changes",
    "workflow": "Workflow",
    "observation": "Observations",
}
STATUS_NAMES = {"met": "met", "partly": "partly met", "not_met": "not met", "unmarked": "not marked"}


def render(events: Iterable[ev.Event], web_dir: Path | None = None) -> str:
    return render_metrics(compute(events), web_dir)


def render_metrics(metrics: Metrics, web_dir: Path | None = None) -> str:
    if web_dir is None:
        web_dir = paths.web_dir()
    env = Environment(loader=FileSystemLoader(str(Path(web_dir) / "templates")), autoescape=select_autoescape(["html"]))
    start = metrics.summary["start"]
    env.filters["clock"] = lambda ex: "—" if ex is None else format_dday(start + ex)
    env.filters["offset"] = lambda ex: "—" if ex is None else format_offset(ex)
    env.filters["minutes"] = minutes
    env.filters["span"] = lambda seconds: (
        f"{int(seconds) // 3600} h" if seconds >= 3600 and seconds % 3600 == 0 else f"{int(seconds) // 60} min"
    )
    state = metrics.state
    assert state.scenario is not None
    sc = state.scenario
    teams = {t.id: t.name for t in sc.teams}
    injects = {iid: st.inject.title for iid, st in state.injects.items()}
    observations = sorted(state.observations, key=lambda o: (o["objective"], -o["rating"], o["seq"]))
    strengths = [o for o in observations if o["rating"] >= 3]
    improvements = [o for o in observations if o["rating"] <= 2]
    not_met = [i for i in metrics.expectations["items"] if i["status"] == "not_met"]
    end = max(metrics.summary["duration"], 1.0)
    checklist = metrics.expectations["items"]
    met = sum(1 for i in checklist if i["status"] == "met")
    return env.get_template("report.html").render(
        m=metrics,
        s=metrics.summary,
        teams=teams,
        injects=injects,
        scale=ev.RATING_SCALE,
        status_names=STATUS_NAMES,
        objectives=sc.objectives,
        observations=observations,
        strengths=strengths,
        improvements=improvements,
        not_met=not_met,
        met=met,
        checklist=checklist,
        charts={
            "timeline": timeline_chart(metrics, end),
            "responses": grouped_bars(
                [(t["name"], [t["ack_mean"], t["answer_mean"], t["first_action_mean"]]) for t in metrics.teams],
                [
                    ("mean time to acknowledge", COLORS["ack"]),
                    ("mean time to an answer", COLORS["answer"]),
                    ("mean time to first action of any kind", COLORS["action"]),
                ],
                minutes,
            ),
            "cross": room_columns(metrics, end),
            "expectations": stacked_bars(
                [
                    (teams.get(team, team), [(COLORS[k], STATUS_NAMES[k], n) for k, n in counts.items()])
                    for team, counts in metrics.expectations["teams"].items()
                ]
            ),
            "ratings": stacked_bars(
                [
                    (
                        f"{r['objective']}",
                        [
                            (COLORS[v], f"{v} {ev.RATING_SCALE[v][0]}", r["counts"][v])
                            for v in sorted(ev.RATING_SCALE, reverse=True)
                        ],
                    )
                    for r in metrics.ratings
                ]
            ),
        },
    )


def minutes(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s:02d} s" if m < 60 else f"{m // 60} h {m % 60:02d} min"


# -- SVG charts: attributes only (no style), escaped text --------------------------------


def _svg(width: int, height: int, body: list[str], label: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}" class="chart">' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: Any, anchor: str = "start", size: int = 11, fill: str = "#1d2330") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
        f"{escape(str(text))}</text>"
    )


def _legend(items: Sequence[tuple[str, str]], width: int, y: int) -> tuple[list[str], int]:
    """A chart's legend, a swatch and a name each, from the left edge, on as many lines as it needs
    (one line from the labels' edge ran off the chart: "mea…"); returns its parts and the y below it."""
    parts: list[str] = []
    x = 8.0
    for name, color in items:
        w = 30 + 6.5 * len(name)  # 11 px text: about 6 px a character, with room to spare
        if x > 8 and x + w > width:
            x, y = 8.0, y + 18
        parts.append(_rect(x, y, 12, 12, color) + _text(x + 18, y + 10, name))
        x += w
    return parts, y + 18


def _rect(x: float, y: float, w: float, h: float, fill: str, title: str = "", opacity: float = 1.0) -> str:
    tip = f"<title>{escape(title)}</title>" if title else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" fill="{fill}" '
        f'fill-opacity="{opacity:.2f}">{tip}</rect>'
    )


def _time_axis(x0: float, width: float, end: float, y: float) -> list[str]:
    step = next((s for s in (300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400) if end / s <= 8), 172800)
    out = [f'<line x1="{x0}" y1="{y}" x2="{x0 + width}" y2="{y}" stroke="#5b6475"/>']
    t = 0.0
    while t <= end:
        x = x0 + width * t / end
        out.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 4}" stroke="#5b6475"/>')
        out.append(_text(x, y + 15, format_offset(t), "middle", 10, "#5b6475"))
        t += step
    return out


def timeline_chart(metrics: Metrics, end: float, width: int = 900) -> Markup:
    """Activity per lane over exercise time (darker: busier), inject releases as ticks."""
    x0, lane_h, top = 110, 22, 26
    inner = width - x0 - 10
    lanes = metrics.activity["lanes"]
    bin_s = metrics.activity["bin_seconds"]
    body: list[str] = []
    releases = sorted({(r["released_ex"], r["inject_id"]) for r in metrics.responses})
    last_label = -1e9
    for ex_time, iid in releases:
        x = x0 + inner * min(ex_time, end) / end
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{top + lane_h * len(lanes)}" '
            f'stroke="{COLORS["inject"]}" stroke-opacity="0.35"><title>{escape(iid)}</title></line>'
        )
        if x - last_label > 34:
            body.append(_text(x, top - 8, iid, "middle", 9, COLORS["inject"]))
            last_label = x
    for i, (lane, bins) in enumerate(lanes.items()):
        y = top + i * lane_h
        body.append(_text(x0 - 8, y + lane_h * 0.65, LANE_NAMES[lane], "end"))
        body.append(_rect(x0, y + 2, inner, lane_h - 4, "#eef0f3"))
        peak = max(bins) or 1
        for b, count in enumerate(bins):
            if count:
                bx = x0 + inner * (b * bin_s) / end
                bw = inner * min(bin_s, end - b * bin_s) / end
                body.append(
                    _rect(
                        bx,
                        y + 2,
                        max(bw, 1.5),
                        lane_h - 4,
                        COLORS[lane],
                        f"{LANE_NAMES[lane]}: {count} from {format_offset(b * bin_s)}",
                        0.2 + 0.8 * count / peak,
                    )
                )
    axis_y = top + lane_h * len(lanes) + 4
    body += _time_axis(x0, inner, end, axis_y)
    return _svg(width, axis_y + 22, body, "Exercise timeline: activity per lane over exercise time")


def grouped_bars(
    rows: Sequence[tuple[str, Sequence[float | None]]], series: Sequence[tuple[str, str]], fmt: Any, width: int = 900
) -> Markup:
    """Horizontal bars, one group per row, one bar per series."""
    label_w, bar_h, gap = 260, 14, 10
    peak = max((v for _, values in rows for v in values if v is not None), default=0) or 1
    inner = width - label_w - 120
    body, y = _legend(series, width, 8)
    y += 8
    for label, values in rows:
        body.append(_text(label_w - 8, y + bar_h * len(series) / 2 + 4, _clip(label, 40), "end"))
        for i, value in enumerate(values):
            w = 0 if value is None else inner * value / peak
            body.append(_rect(label_w, y + i * bar_h, w, bar_h - 2, series[i][1], f"{series[i][0]}: {fmt(value)}"))
            body.append(_text(label_w + w + 6, y + i * bar_h + bar_h - 4, fmt(value), size=10, fill="#5b6475"))
        y += bar_h * len(series) + gap
    return _svg(width, y + 4, body, "Response times per team")


def stacked_bars(rows: Sequence[tuple[str, Sequence[tuple[str, str, int]]]], width: int = 900) -> Markup:
    """One horizontal bar per row, split into (colour, name, count) segments; a legend on top."""
    label_w, bar_h = 260, 18
    inner = width - label_w - 60
    body: list[str] = []
    legend: dict[str, str] = {}
    for _, segments in rows:
        for color, name, _ in segments:
            legend.setdefault(name, color)
    parts, y = _legend(list(legend.items()), width, 8)
    body += parts
    y += 6
    for label, segments in rows:
        total = sum(n for _, _, n in segments)
        body.append(_text(label_w - 8, y + 13, _clip(label, 40), "end"))
        x = float(label_w)
        for color, name, n in segments:
            if n:
                w = inner * n / total
                body.append(_rect(x, y, w, bar_h, color, f"{label}: {n} {name}"))
                if w > 18:
                    body.append(_text(x + w / 2, y + 13, n, "middle", 10, "#fff"))
                x += w
        body.append(_text(label_w + inner + 6, y + 13, total, size=10, fill="#5b6475"))
        y += bar_h + 8
    return _svg(width, y + 4, body, "Counts per row")


def room_columns(metrics: Metrics, end: float, width: int = 900) -> Markup:
    """Cross-component messages over time: a row of columns per room, one column per time bin."""
    label_w, row_h = 260, 46
    inner = width - label_w - 50
    rooms = metrics.cross_component["rooms"]
    bin_s = metrics.cross_component["bin_seconds"]
    peak = max((c for r in rooms for c in r["bins"]), default=0) or 1
    body: list[str] = []
    y = 6
    for room in rooms:
        body.append(_text(label_w - 8, y + row_h / 2 + 4, _clip(room["name"], 40), "end"))
        body.append(
            f'<line x1="{label_w}" y1="{y + row_h - 6}" x2="{label_w + inner}" y2="{y + row_h - 6}" stroke="#d8dce3"/>'
        )
        for b, count in enumerate(room["bins"]):
            if count:
                h = (row_h - 10) * count / peak
                bx = label_w + inner * (b * bin_s) / end
                bw = max(inner * min(bin_s, end - b * bin_s) / end - 2, 1.5)
                body.append(
                    _rect(
                        bx,
                        y + row_h - 6 - h,
                        bw,
                        h,
                        COLORS["message"],
                        f"{room['name']}: {count} from {format_offset(b * bin_s)}",
                    )
                )
        body.append(_text(label_w + inner + 6, y + row_h / 2 + 4, room["total"], size=10, fill="#5b6475"))
        y += row_h
    body += _time_axis(label_w, inner, end, y)
    return _svg(width, y + 22, body, "Cross-component messages per room over time")


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
