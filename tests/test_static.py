"""Static files on a classroom's link: hashed URLs kept for a year, compressed when the browser
asks, revalidated by ETag; and what start-up makes of the files (exercise_server/server/static.py)."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

import brotli
import httpx
import pytest

from exercise_server.paths import private_cache_dir
from exercise_server.server import static
from exercise_server.server.static import IMMUTABLE, StaticFiles, preferred_coding

HASHED_URL = re.compile(r"^/static/[\w/.~+-]+\.[0-9a-f]{10}\.\w+$")
LINKED = re.compile(r'(?:href|src)="(/static/[^"]+)"')
# static and dynamic imports (not ['from', ...])
IMPORTED = re.compile(r"""(?:^|[\s}])from\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]""", re.M)


@pytest.fixture(scope="module")
def exercise(server) -> str:
    return server.open_exercise()[0]


def linked(server, path: str) -> list[str]:
    page = httpx.get(server.base + path)
    assert page.status_code == 200
    return LINKED.findall(page.text)


def test_every_view_links_its_css_and_js_by_hashed_url_kept_for_a_year(server, exercise):
    for path in ("/", "/control", f"/team/{exercise}", f"/observe/{exercise}", f"/control/{exercise}"):
        urls = linked(server, path)
        assert urls, path
        for url in urls:
            assert HASHED_URL.match(url), (path, url)
            r = httpx.get(server.base + url)
            assert r.status_code == 200, url
            assert r.headers["cache-control"] == IMMUTABLE
            assert r.headers["etag"]


def test_a_modules_imports_name_the_hashed_urls_of_what_it_imports(server, exercise):
    entry = next(u for u in linked(server, f"/team/{exercise}") if "/js/team." in u)
    seen, todo = set(), [entry]
    while todo:  # the whole graph: each import hashed, each answering
        url = todo.pop()
        seen.add(url)
        body = httpx.get(server.base + url).text
        for spec in (a or b for a, b in IMPORTED.findall(body)):
            assert HASHED_URL.match(spec), (url, spec)
            if spec not in seen:
                todo.append(spec)
    assert any("/vendor/leaflet/leaflet." in u for u in seen) and len(seen) > 10  # imported when the map shows


def test_only_views_with_a_map_load_leaflet(server, exercise):
    assert not [u for u in linked(server, "/") if "leaflet" in u]
    assert not [u for u in linked(server, "/control") if "leaflet" in u]
    assert [u for u in linked(server, f"/team/{exercise}") if "leaflet" in u]


LOADED_WHEN_SHOWN = re.compile(r"/(vendor/leaflet/leaflet|js/leaflet_map|vendor/marked/|vendor/dompurify/)")


def test_a_view_connects_without_waiting_for_the_map_or_the_markdown_renderer(server, exercise):
    """Leaflet (with leaflet_map.js), marked and DOMPurify are imported when a map or a text is
    shown: no view names them among the files its first load waits for (its modulepreloads)."""
    for view in ("team", "observe", "control", "plenary", "replay"):
        urls = linked(server, f"/{view}/{exercise}")
        assert any("/js/map." in u for u in urls), view
        assert not [u for u in urls if u.endswith(".js") and LOADED_WHEN_SHOWN.search(u)], (view, urls)


def test_static_files_are_compressed_as_the_browser_asks(server, exercise):
    url = server.base + next(u for u in linked(server, f"/team/{exercise}") if "/js/team." in u)
    plain = httpx.get(url, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.headers["vary"] == "Accept-Encoding"  # GZipMiddleware
    with httpx.stream("GET", url, headers={"accept-encoding": "gzip, deflate, br"}) as r:
        raw = b"".join(r.iter_raw())
        assert r.headers["content-encoding"] == "br"
    assert brotli.decompress(raw) == plain.content and len(raw) < len(plain.content) / 2
    gz = httpx.get(url, headers={"accept-encoding": "br;q=0, gzip"})
    assert gz.headers["content-encoding"] == "gzip" and gz.content == plain.content
    png = httpx.get(server.base + "/static/vendor/leaflet/images/layers.png", headers={"accept-encoding": "br"})
    assert "content-encoding" not in png.headers  # already compressed


def test_pages_are_gzipped_and_never_kept_as_immutable(server):
    r = httpx.get(server.base + "/", headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert "immutable" not in r.headers.get("cache-control", "")


def test_an_unchanged_file_answers_304_to_its_etag(server, exercise):
    url = server.base + linked(server, f"/team/{exercise}")[0]
    etag = httpx.get(url).headers["etag"]
    again = httpx.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert httpx.get(url, headers={"if-none-match": '"0000000000"'}).status_code == 200


def test_a_page_from_before_a_restart_still_gets_todays_files_but_not_for_a_year(server, exercise):
    current = next(u for u in linked(server, f"/team/{exercise}") if "/js/team." in u)
    stale = re.sub(r"\.[0-9a-f]{10}\.js$", ".0123456789.js", current)
    old, new = httpx.get(server.base + stale), httpx.get(server.base + current)
    assert old.status_code == 200 and old.content == new.content
    assert old.headers["cache-control"] == "no-cache"
    plain = httpx.get(server.base + "/static/js/team.js")  # the unhashed name: asked about each time
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"


def test_unknown_static_files_and_other_methods_are_refused(server):
    assert httpx.get(server.base + "/static/js/nothing.js").status_code == 404
    assert httpx.get(server.base + "/static/vendor/README.md").status_code == 404
    assert httpx.post(server.base + "/static/js/team.js").status_code == 405


def test_a_change_to_a_module_changes_the_urls_of_the_modules_that_import_it(tmp_path: Path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "dom.js").write_text("export const x = 1;\n")
    (tmp_path / "js" / "view.js").write_text("import { x } from './dom.js';\nconsole.log(x);\n")
    (tmp_path / "js" / "page.js").write_text("import './view.js';\n")
    before = StaticFiles(tmp_path)
    assert f"from '{before.url('js/dom.js')}'" in before.assets["js/view.js"].body.decode()
    assert 'href="' + before.url("js/dom.js") in before.module("js/page.js")
    (tmp_path / "js" / "dom.js").write_text("export const x = 2;\n")
    after = StaticFiles(tmp_path)
    assert all(before.url(p) != after.url(p) for p in ("js/dom.js", "js/view.js", "js/page.js"))


def test_modules_that_import_each_other_in_a_cycle_are_refused_at_start_up(tmp_path: Path):
    (tmp_path / "a.js").write_text("import './b.js';\n")
    (tmp_path / "b.js").write_text("import './a.js';\n")
    with pytest.raises(ValueError, match="cycle: a.js -> b.js -> a.js"):
        StaticFiles(tmp_path)


def test_a_compressed_copy_is_kept_for_the_next_process_and_a_damaged_one_is_made_again(tmp_path: Path, monkeypatch):
    web, kept = tmp_path / "static", tmp_path / "kept"
    web.mkdir(), kept.mkdir()
    (web / "app.js").write_text("console.log('a classroom');\n" * 200)
    monkeypatch.setattr(static, "_kept_dir", lambda: kept)
    first = StaticFiles(web).assets["app.js"]
    made = {coding: first.compressed(coding) for coding in ("br", "gzip")}
    assert brotli.decompress(made["br"]) == gzip.decompress(made["gzip"]) == first.body
    assert len(list(kept.iterdir())) == 2

    def compress(body: bytes, coding: str) -> bytes:
        raise AssertionError(f"{coding} made again")

    with monkeypatch.context() as m:  # the next process reads both copies, compresses nothing
        m.setattr(static, "_compress", compress)
        assert {c: StaticFiles(web).assets["app.js"].compressed(c) for c in made} == made
    for path in kept.iterdir():  # a damaged copy (truncated, or of other bytes) is made again, and kept
        path.write_bytes(path.read_bytes()[:-3])
    again = StaticFiles(web).assets["app.js"]
    assert {c: again.compressed(c) for c in made} == made
    assert {c: StaticFiles(web).assets["app.js"].compressed(c) for c in made} == made
    assert sorted(p.stat().st_size for p in kept.iterdir()) == sorted(map(len, made.values()))


def test_the_kept_copies_live_in_a_folder_only_this_user_may_open(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folder = private_cache_dir("static")
    assert folder == tmp_path / f"exercise-server-{os.getuid()}" / "static" and folder.is_dir()
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    folder.parent.chmod(0o755)  # opened up: closed again
    assert private_cache_dir("static") == folder and stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    shutil.rmtree(folder.parent)
    (tmp_path / "planted").mkdir()
    folder.parent.symlink_to(tmp_path / "planted")  # not a folder of ours: nothing is kept
    assert private_cache_dir("static") is None


def test_the_coding_is_brotli_then_gzip_and_a_refused_coding_is_not_used():
    assert preferred_coding("gzip, deflate, br, zstd") == "br"
    assert preferred_coding("gzip") == "gzip"
    assert preferred_coding("br;q=0, gzip;q=0.5") == "gzip"
    assert preferred_coding("identity") is None
    assert preferred_coding("") is None


def test_a_views_stylesheets_come_joined_in_one_request_in_their_order(server, exercise):
    css = [u for u in linked(server, f"/observe/{exercise}") if u.endswith(".css")]
    assert len(css) == 1 and "/joined/" in css[0]
    parts = ("vendor/leaflet/leaflet.css", "css/app.css", "css/replay.css")
    one_by_one = [httpx.get(f"{server.base}/static/{p}").content for p in parts]
    assert httpx.get(server.base + css[0]).content == b"\n".join(one_by_one)
    for bogus in ("css~app.css+css~nothing.css", "js~team.js+js~dom.js", "css~app.css"):
        assert httpx.get(f"{server.base}/static/joined/{bogus}.0123456789.css").status_code == 404, bogus


def test_accept_headers_are_read_with_their_weights_and_a_zero_refuses():
    from exercise_server.i18n import preferred
    from exercise_server.qvalues import weighted
    from exercise_server.server.static import preferred_coding

    assert weighted("fr-CA;q=0.9, en, de;q=x") == [("fr-CA", 0.9), ("en", 1.0), ("de", 0.0)]
    assert preferred("de;q=0, fr-CA;q=0.9, en;q=0.8") == ["fr", "en"]
    assert preferred_coding("gzip, br;q=0") == "gzip"
    assert preferred_coding("identity") is None
