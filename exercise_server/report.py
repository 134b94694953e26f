"""The after-action report: one self-contained HTML file (inline CSS and SVG charts, no
external resources) that prints to PDF from any browser.

Everything in it comes from the log through `core.metrics`; the charts are drawn here as
SVG so that the file needs nothing else to open, years later, on any machine.
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from jinja2 import BytecodeCache, Environment, FileSystemBytecodeCache, FileSystemLoader, select_autoescape
from jinja2.bccache import Bucket
from markupsafe import Markup, escape

from . import paths
from .core import events as ev
from .core.conditions import describe_branch
from .core.gcpause import cyclic_gc_paused
from .core.in_language import log_in, scenario_languages, seat_languages
from .core.metrics import Metrics, compute
from .core.timefmt import dday_parts, format_offset
from .i18n import SOURCE_LANGUAGE, catalogues
from .report_evaluation import evaluation_context

Gettext = Callable[[str], str]
# What a section of the report adds to the template's context: a function of the metrics and the
# report's gettext, registered with @section_context (for a partial such as _report_final_ratings.html).
SectionContext = Callable[[Metrics, Gettext], dict[str, Any]]
SECTION_CONTEXTS: list[SectionContext] = []


def section_context(fn: SectionContext) -> SectionContext:
    """Register what a section of the report needs in the template's context."""
    SECTION_CONTEXTS.append(fn)
    return fn


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


class _CompiledTemplates(BytecodeCache):
    """The report's templates compiled once, not once per report: each report needs its own
    Environment (its filters know its exercise and language), and compiling report.html costs three
    times what rendering a long exercise's report does. Kept in the process, and on disk in the
    folder private to the user where the server keeps what it derives (paths.private_cache_dir), so
    that a CLI report or a restarted server loads them instead of compiling again. Keyed by jinja2 on
    the template's name and source, so an edit recompiles."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._disk: BytecodeCache | None | bool = False  # False: not looked for yet; None: none to use

    def _on_disk(self) -> BytecodeCache | None:
        if self._disk is False:
            folder = paths.private_cache_dir("templates")  # None: memory only
            self._disk = FileSystemBytecodeCache(str(folder)) if folder is not None else None
        return self._disk if isinstance(self._disk, BytecodeCache) else None

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)
            return
        disk = self._on_disk()
        if disk is not None:
            try:
                disk.load_bytecode(bucket)
            except (OSError, ValueError, EOFError, TypeError):  # unreadable: compiled anew
                bucket.reset()
            if bucket.code is not None:
                self._code[bucket.key] = bucket.bytecode_to_string()

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()
        disk = self._on_disk()
        if disk is not None:
            try:
                disk.dump_bytecode(bucket)
            except OSError:  # a full or read-only disk: the process keeps its copy
                pass


COMPILED = _CompiledTemplates()
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _ReportEnvironment(Environment):
    """`row.field` on a dict looks the key up first, as jinja2 would after failing getattr: the report
    reads some hundred thousand fields of dict rows, and each failed getattr raised and caught an
    AttributeError. The same result for every name (a dict's own attributes still win)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def lane_names(_: Gettext) -> dict[str, str]:
    return {
        "inject": _("Injects"),
        "message": _("Messages"),
        "cop": _("COP changes"),
        "workflow": _("Workflow"),
        "observation": _("Observations"),
    }


def status_names(_: Gettext) -> dict[str, str]:
    return {"met": _("met"), "partly": _("partly met"), "not_met": _("not met"), "unmarked": _("not marked")}


def kind_names(_: Gettext) -> dict[str, str]:
    """What "who knew what" and the workflows' tables name: kinds of items, COP features and media."""
    return {
        "inject": _("inject"),
        "notification": _("notification"),
        "request": _("request"),
        "document": _("document"),
        "media": _("media"),
        "site": _("site"),
        "movement": _("movement"),
        "article": _("article"),
        "radio": _("radio"),
        "social": _("social"),
        **{k: _(k) for k in ("incident", "unit", "convoy", "checkpoint", "camp", "place", "note", "route", "area")},
    }


def render(
    events: Iterable[ev.Event],
    web_dir: Path | None = None,
    language: str = SOURCE_LANGUAGE,
    peers: Sequence[Iterable[ev.Event]] = (),
) -> str:
    """The report in `language`: its interface from the catalogues, the scenario content in that
    language where the scenario declares it (else in its default language); what people wrote
    stays as they wrote it. `peers`: the logs of the class's other syndicates, compared side by side."""
    with cyclic_gc_paused():
        return _render(list(events), web_dir, language, peers)


def _render(events: list[ev.Event], web_dir: Path | None, language: str, peers: Sequence[Iterable[ev.Event]]) -> str:
    languages, default = scenario_languages(events)
    content = language if language in languages else default
    metrics = compute(log_in(events, content) if content != default else events)
    return render_metrics(
        metrics,
        web_dir,
        language,
        {
            "content_languages": languages,
            "content_language": content,
            "content_seats": seat_languages(events),
            "side_by_side": side_by_side([metrics, *(compute(list(p)) for p in peers)]) if peers else None,
        },
    )


def side_by_side(syndicates: Sequence[Metrics]) -> dict[str, Any]:
    """The syndicates' main figures in columns: the report of one syndicate compares its class."""
    columns = []
    for n, m in enumerate(syndicates, 1):
        acks = [r for r in m.responses if r["ack_after"] is not None]
        items = m.expectations["items"]
        learned = {o["objective"]: o for o in (m.learning or {}).get("objectives", [])}
        columns.append(
            {
                "name": m.state.syndicate.number if m.state.syndicate else n,
                "exercise": m.summary["exercise"],
                "acknowledged": len(acks) / len(m.responses) if m.responses else None,
                "ack_median": _median([r["ack_after"] for r in acks]),
                "ack_median_working": _median([r["ack_working"] for r in acks]),
                "met": sum(1 for i in items if i["status"] == "met") / len(items) if items else None,
                "ratings": {r["objective"]: r["mean"] for r in m.ratings},
                "learning": {oid: (o["pre"], o["post"]) for oid, o in learned.items()},
            }
        )
    return {"columns": columns, "objectives": list(syndicates[0].summary["objectives"])}


def render_metrics(
    metrics: Metrics,
    web_dir: Path | None = None,
    language: str = SOURCE_LANGUAGE,
    content: dict[str, Any] | None = None,
) -> str:
    """The report in `language` (the interface's catalogues); `content`: the scenario content's
    languages, the one shown and which seat read which (see render)."""
    if web_dir is None:
        web_dir = paths.web_dir()
    catalogue = catalogues().get(language)
    _ = catalogue.translations.gettext
    env = _ReportEnvironment(
        loader=FileSystemLoader(str(Path(web_dir) / "templates")),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        bytecode_cache=COMPILED,
    )
    env.install_gettext_translations(catalogue.translations, newstyle=True)  # type: ignore[attr-defined]
    start = metrics.summary["start"]
    clock_format = _("D%(sign)s%(day)s %(time)s")

    @functools.cache
    def clock(ex: float | None) -> str:  # the same times recur in row after row
        return "—" if ex is None else clock_format % dday_parts(start + ex)

    env.filters["clock"] = clock
    env.filters["offset"] = lambda ex: "—" if ex is None else format_offset(ex)
    env.filters["minutes"] = minutes
    env.filters["percent_of"] = lambda share: (
        "—" if share is None else f"{format_decimal(100 * share, '0', locale=catalogue.language)} %"
    )
    env.filters["percent"] = lambda value: (
        "—" if value is None else f"{format_decimal(value, '0', locale=catalogue.language)} %"
    )
    env.filters["decimal"] = lambda value: format_decimal(value, "0.0", locale=catalogue.language)  # 2,5 in French
    env.filters["span"] = lambda seconds: (
        f"{int(seconds) // 3600} h" if seconds >= 3600 and seconds % 3600 == 0 else f"{int(seconds) // 60} min"
    )
    state = metrics.state
    assert state.scenario is not None
    sc = state.scenario
    teams = {t.id: t.name for t in sc.teams}
    injects = {iid: st.inject.title for iid, st in state.injects.items()}
    # The branches taken (inject.branched, core/branches.py): each, in words, with when it held.
    branches = [
        (describe_branch(st.branch, _), st.branch["cause"]["ex_time"])
        for st in sorted(state.injects.values(), key=lambda st: st.released_seq or 0)
        if st.branch and st.branch["inject_id"] == st.inject.id
    ]
    observations = sorted(state.observations, key=lambda o: (o["objective"], -o["rating"], o["seq"]))
    strengths = [o for o in observations if o["rating"] >= 3]
    improvements = [o for o in observations if o["rating"] <= 2]
    not_met = [i for i in metrics.expectations["items"] if i["status"] == "not_met"]
    end = max(metrics.summary["duration"], 1.0)
    checklist = metrics.expectations["items"]
    met = sum(1 for i in checklist if i["status"] == "met")
    statuses = status_names(_)
    i18n = catalogues()
    seats = [
        (p.name, teams.get(p.team or "", _(p.role)), i18n.by_language[lang].label if lang in i18n.by_language else lang)
        for p in state.participants.values()
        if (lang := state.languages.get(p.id))
    ]
    if "facilitator" in state.languages:
        seats.insert(0, (_("Facilitator"), _("facilitator"), i18n.get(state.languages["facilitator"]).label))
    learned = {o["objective"]: o for o in (metrics.learning or {}).get("objectives", [])}
    acks = [r for r in metrics.responses if r["ack_after"] is not None]
    executive = {
        "ack_share": len(acks) / len(metrics.responses) if metrics.responses else None,
        "ack_median": _median([r["ack_after"] for r in acks]),
        "ack_median_working": _median([r["ack_working"] for r in acks]),
        "met_share": met / len(checklist) if checklist else None,
        "objectives": [{**r, "learning": learned.get(r["objective"])} for r in metrics.ratings],
        "strengths": sorted(strengths, key=lambda o: -o["rating"])[:3],
        "improvements": sorted(improvements, key=lambda o: o["rating"])[:3],
    }
    sections: dict[str, Any] = {}
    for add in SECTION_CONTEXTS:
        sections.update(add(metrics, _))
    return env.get_template("report.html").render(
        **sections,
        executive=executive,
        seats=seats,
        language=catalogue.language,
        m=metrics,
        s=metrics.summary,
        syndicate=state.syndicate,  # one syndicate of a class (core/syndicates.py), or None
        teams=teams,
        injects=injects,
        branches=branches,
        scale={r: (_(label), _(meaning)) for r, (label, meaning) in ev.RATING_SCALE.items()},
        status_names=statuses,
        weight_names={"critical": _("critical"), "desirable": _("desirable")},
        relationship_names={k: _(label) for k, label in ev.NEGOTIATION_RELATIONSHIPS.items()},
        outcome_names={k: _(label) for k, label in ev.NEGOTIATION_OUTCOMES.items()},
        kind_names=kind_names(_),
        clock_names={"draft": _("draft"), "running": _("running"), "paused": _("paused"), "ended": _("ended")},
        rfa_names={
            "submitted": _("submitted"),
            "accepted": _("accepted"),
            "declined": _("declined"),
            "more_info_requested": _("more info requested"),
            "clarified": _("clarified"),
            "with_ocha": _("with OCHA"),
            "forwarded": _("forwarded to the military"),
            "returned": _("returned to the requester"),
        },
        support_names={"indirect": _("indirect"), "infrastructure": _("infrastructure"), "direct": _("direct")},
        objectives=sc.objectives,
        observations=observations,
        strengths=strengths,
        improvements=improvements,
        not_met=not_met,
        met=met,
        checklist=checklist,
        evaluation=evaluation_context(metrics),  # the partials _report_targets, _final_ratings, _improvement_plan
        **{
            "side_by_side": None,
            **(content or {"content_languages": [], "content_language": None, "content_seats": []}),
        },
        charts={
            "timeline": timeline_chart(metrics, end, _),
            "responses": grouped_bars(
                [
                    (team["name"], [team["ack_mean"], team["answer_mean"], team["first_action_mean"]])
                    for team in metrics.teams
                ],
                [
                    (_("mean time to acknowledge"), COLORS["ack"]),
                    (_("mean time to an answer"), COLORS["answer"]),
                    (_("mean time to first action of any kind"), COLORS["action"]),
                ],
                minutes,
                _("Response times per team"),
            ),
            "cross": room_columns(metrics, end, _),
            "expectations": stacked_bars(
                [
                    (teams.get(team, team), [(COLORS[k], statuses[k], n) for k, n in counts.items()])
                    for team, counts in metrics.expectations["teams"].items()
                ],
                _("Expected actions per team"),
            ),
            "ratings": stacked_bars(
                [
                    (
                        f"{r['objective']}",
                        [
                            (COLORS[v], f"{v} {_(ev.RATING_SCALE[v][0])}", r["counts"][v])
                            for v in sorted(ev.RATING_SCALE, reverse=True)
                        ],
                    )
                    for r in metrics.ratings
                ],
                _("Ratings per objective"),
            ),
        },
    )


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


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
        w = 30 + 7.0 * len(name)  # 11 px text: about 6 px a character (wide capitals 7), with room to spare
        if x > 8 and x + w > width:
            x, y = 8.0, y + 18
        parts.append(f'<g class="legend-item">{_rect(x, y, 12, 12, color)}{_text(x + 18, y + 10, name)}</g>')
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


def timeline_chart(metrics: Metrics, end: float, _: Gettext, width: int = 900) -> Markup:
    """Activity per lane over exercise time (darker: busier), inject releases as ticks."""
    x0, lane_h, top = 110, 22, 26
    inner = width - x0 - 10
    lanes = metrics.activity["lanes"]
    bin_s = metrics.activity["bin_seconds"]
    body: list[str] = []
    names = lane_names(_)
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
        body.append(_text(x0 - 8, y + lane_h * 0.65, names[lane], "end"))
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
                        f"{names[lane]}: "
                        + _("%(count)s from %(time)s") % {"count": count, "time": format_offset(b * bin_s)},
                        0.2 + 0.8 * count / peak,
                    )
                )
    axis_y = top + lane_h * len(lanes) + 4
    body += _time_axis(x0, inner, end, axis_y)
    return _svg(width, axis_y + 22, body, _("Exercise timeline: activity per lane over exercise time"))


def grouped_bars(
    rows: Sequence[tuple[str, Sequence[float | None]]],
    series: Sequence[tuple[str, str]],
    fmt: Any,
    label: str,
    width: int = 900,
) -> Markup:
    """Horizontal bars, one group per row, one bar per series."""
    label_w, bar_h, gap = 260, 14, 10
    peak = max((v for _, values in rows for v in values if v is not None), default=0) or 1
    inner = width - label_w - 120
    body, y = _legend(series, width, 8)
    y += 8
    for name, values in rows:
        body.append(_text(label_w - 8, y + bar_h * len(series) / 2 + 4, _clip(name, 40), "end"))
        for i, value in enumerate(values):
            w = 0 if value is None else inner * value / peak
            body.append(_rect(label_w, y + i * bar_h, w, bar_h - 2, series[i][1], f"{series[i][0]}: {fmt(value)}"))
            body.append(_text(label_w + w + 6, y + i * bar_h + bar_h - 4, fmt(value), size=10, fill="#5b6475"))
        y += bar_h * len(series) + gap
    return _svg(width, y + 4, body, label)


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[tuple[str, str, int]]]], chart_label: str, width: int = 900
) -> Markup:
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
    return _svg(width, y + 4, body, chart_label)


def room_columns(metrics: Metrics, end: float, _: Gettext, width: int = 900) -> Markup:
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
                        f"{room['name']}: "
                        + _("%(count)s from %(time)s") % {"count": count, "time": format_offset(b * bin_s)},
                    )
                )
        body.append(_text(label_w + inner + 6, y + row_h / 2 + 4, room["total"], size=10, fill="#5b6475"))
        y += row_h
    body += _time_axis(label_w, inner, end, y)
    return _svg(width, y + 22, body, _("Cross-component messages per room over time"))


def _from(_: Gettext, count: int, ex: float) -> str:
    """A chart bin's tooltip: how many, from when."""
    return _("%(count)s from %(time)s") % {"count": count, "time": format_offset(ex)}


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
