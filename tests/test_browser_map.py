"""The COP as a map (issue 19): the base map's names as labels that come with zoom, and a legend of
the kinds of feature shown, with their icons, and of the layers, each of which can be hidden."""

from __future__ import annotations

from playwright.sync_api import expect

from .browser import join
from .server_harness import ROOT, ServerProcess


def test_place_and_road_names_come_with_zoom_and_the_legend_names_what_is_shown(browser, servers, tmp_path):
    server = ServerProcess(tmp_path / "data", scenarios=(ROOT / "injects" / "demo.yaml",)).start()
    servers.append(server)
    exercise, codes, _ = server.open_exercise("demo")
    page, errors = join(browser, server, codes["hum-1"], "Amina")
    label = lambda layer, name: page.locator(f".map-label-{layer}", has_text=name)  # noqa: E731
    expect(label("label", "Tamsa Province")).to_be_visible()  # the regions at once
    expect(label("town", "Bessa")).to_be_hidden()
    expect(label("road", "MSR2")).to_be_hidden()
    page.locator(".leaflet-control-zoom-in").click()
    expect(label("town", "Bessa")).to_be_visible()
    expect(label("road", "MSR2")).to_be_hidden()
    page.locator(".leaflet-control-zoom-in").click()
    expect(label("road", "MSR2")).to_be_visible()
    expect(label("checkpoint", "Mirek border crossing")).to_be_hidden()

    # The legend lists every kind of feature the team sees, each with its icon.
    kinds = set(page.evaluate("() => [...document.querySelectorAll('.leaflet-marker-icon.cop')]"
                              ".map((n) => [...n.classList].find((c) => c.startsWith('cop-') && c !== 'cop'))"))
    listed = page.locator(".map-legend .legend-kinds li")
    assert kinds and set(t.strip() for t in listed.all_text_contents()) >= {k.removeprefix("cop-") for k in kinds}
    for kind in kinds:
        expect(page.locator(f".map-legend .legend-icon[data-kind='{kind.removeprefix('cop-')}']")).to_be_visible()
    page.locator(".map-legend label", has_text="Base map").locator("input").uncheck()  # the base map hidden
    expect(label("town", "Bessa")).to_have_count(0)
    page.locator(".map-legend label", has_text="Base map").locator("input").check()
    expect(label("town", "Bessa")).to_be_visible()
    assert errors.errors == []
    page.context.close()
