"""The static files (CSS, JS, vendor libraries, images) under content-hashed URLs.

Read once at start-up: each file's URL carries a hash of what it serves
(`/static/js/team.3f2a9c1b0d.js`), so a browser keeps it for a year without asking again,
and a new deploy changes the URL of what changed. ES modules import each other by path,
so a module's imports (and a stylesheet's `url()`s) are rewritten to the hashed URLs of
what they name before the module itself is hashed: a change reaches the URLs of every
module that imports it, and a page only names its entry module. No build step: the
rewrite is a few regular expressions over our own files, run when the server starts.

Compressed copies (Brotli, else gzip, as the browser's Accept-Encoding allows) are made once
per file, on a thread at start-up, and kept; and kept on disk, in a folder of this user's own,
so that a restarted server (or the next of a test suite's) reads them instead of spending a
second and a half of CPU on Brotli's best quality again.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import mimetypes
import posixpath
import re
import threading
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import brotli  # type: ignore[import-untyped]
from markupsafe import Markup, escape
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from ..paths import private_cache_dir, write_whole
from ..qvalues import weighted

PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # an unhashed or stale URL: kept, but asked about each time
HASH_LENGTH = 10
COMPRESSIBLE = {".js", ".mjs", ".css", ".svg", ".json", ".geojson", ".html", ".txt", ".map"}
CODINGS = ("br", "gzip")
JOINED = "joined/"  # stylesheets served as one file (StaticFiles.stylesheet)
NOT_SERVED = {"README.md"}  # the vendor folder's notes are for people changing it
# Served for the browser tests (axe-core) but linked by no page: compressed only if asked, not at
# start-up, where Brotli's best quality on its 550 KiB cost the process 11 MiB of memory it kept.
TESTS_ONLY = ("vendor/axe-core/",)

# `import x from './a.js'`, `import './a.js'`, `export {x} from './a.js'`, `import('./a.js')`
MODULE_SPECIFIER = re.compile(
    r"""(?P<lead>\bimport\s*\(\s*|\bimport\s+(?:[\w$*{}\s,]+?\s+from\s*)?|\bexport\s+[\w$*{}\s,]+?\s+from\s*)"""
    r"""(?P<quote>['"])(?P<spec>[^'"\n]+)(?P=quote)"""
)
CSS_URL = re.compile(r"""url\(\s*(?P<quote>['"]?)(?P<spec>[^'")\s]+)(?P=quote)\s*\)""")
DYNAMIC_IMPORT = re.compile(r"\bimport\s*\(")
STYLESHEET_CALL = re.compile(r"""\bstatic\.stylesheet\((?P<args>[^)]*)\)""")  # in a template
QUOTED = re.compile(r"""["']([^"']+)["']""")
HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<ext>\.[A-Za-z0-9]+)$")


@dataclass
class Asset:
    """One static file as served: its bytes (imports rewritten), its hashed URL, its compressed copies."""

    path: str  # relative to the static folder: "js/team.js"
    body: bytes
    digest: str
    media_type: str
    imports: tuple[str, ...] = ()  # the paths a module imports statically (for modulepreload)
    encoded: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        stem, ext = posixpath.splitext(self.path)
        return f"{PREFIX}{stem}.{self.digest}{ext}"

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'

    @property
    def compressible(self) -> bool:
        return posixpath.splitext(self.path)[1] in COMPRESSIBLE

    def compressed(self, coding: str) -> bytes:
        with self.lock:  # the start-up thread and a first request: compressed once
            if coding not in self.encoded:
                self.encoded[coding] = _compressed(self.body, coding)
            return self.encoded[coding]


LEVELS = {"br": 11, "gzip": 9}  # the best of each: made once, served for as long as the file is unchanged


@cache
def _kept_dir() -> Path | None:
    return private_cache_dir("static")


def _compressed(body: bytes, coding: str) -> bytes:
    """`body` compressed: the copy an earlier process kept if it decompresses to `body` exactly (a
    damaged or truncated one is made again), else made now and kept for the next process."""
    folder = _kept_dir()
    path = folder / f"{hashlib.sha256(body).hexdigest()}.{coding}{LEVELS[coding]}" if folder else None
    if path is not None:
        try:
            data = path.read_bytes()
            if (brotli.decompress(data) if coding == "br" else gzip.decompress(data)) == body:
                return data
        except (OSError, brotli.error, zlib.error, EOFError, gzip.BadGzipFile):
            pass
    data = _compress(body, coding)
    if path is not None:
        write_whole(path, data)  # whole or not at all: two servers may write it at once
    return data


def _compress(body: bytes, coding: str) -> bytes:
    if coding == "br":
        return brotli.compress(body, quality=LEVELS[coding])  # type: ignore[no-any-return]
    return gzip.compress(body, compresslevel=LEVELS[coding], mtime=0)


def media_type(path: str) -> str:
    if path.endswith((".js", ".mjs")):
        return "text/javascript; charset=utf-8"
    guessed = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def preferred_coding(accept_encoding: str) -> str | None:
    """Brotli if the browser takes it, else gzip, else none (q=0 refuses a coding)."""
    offered = dict(weighted(accept_encoding.lower()))
    for coding in CODINGS:
        if offered.get(coding, offered.get("*", 0.0)) > 0:
            return coding
    return None


class StaticFiles:
    """The ASGI app mounted at /static, and the URLs the templates ask it for."""

    def __init__(self, root: Path) -> None:
        self.root = root
        files = sorted(p for p in root.rglob("*") if p.is_file() and p.name not in NOT_SERVED)
        self.sources = {p.relative_to(root).as_posix(): p.read_bytes() for p in files}
        self.assets: dict[str, Asset] = {}
        for path in self.sources:
            self._build(path, ())

    def precompress(self) -> threading.Thread:
        """Compress every file both ways on a thread of its own (about a second of CPU at
        start-up), so that the first laptops do not wait for it; a request for a file not yet
        done compresses that one itself."""
        todo = [a for a in self.assets.values() if a.compressible and not a.path.startswith(TESTS_ONLY)]
        todo.sort(key=lambda a: not a.path.startswith(JOINED))  # first: what a page's scripts wait for
        thread = threading.Thread(
            target=lambda: [a.compressed(c) for a in todo for c in CODINGS], name="precompress", daemon=True
        )
        thread.start()
        return thread

    # -- start-up: rewrite, then hash, leaves first ------------------------------------------------

    def _resolve(self, importer: str, spec: str) -> str | None:
        """The static path a specifier names, if it names one of our files."""
        if spec.startswith(PREFIX):
            path = spec[len(PREFIX) :]
        elif spec.startswith(("./", "../")) or (not spec.startswith(("/", "data:", "#")) and "://" not in spec):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
        else:
            return None
        return path if path in self.sources else None

    def _build(self, path: str, visiting: tuple[str, ...]) -> Asset:
        if path in self.assets:
            return self.assets[path]
        if path in visiting:
            raise ValueError(f"static files import each other in a cycle: {' -> '.join((*visiting, path))}")
        body = self.sources[path]
        imports: list[str] = []
        ext = posixpath.splitext(path)[1]
        if ext in (".js", ".mjs", ".css"):
            pattern = CSS_URL if ext == ".css" else MODULE_SPECIFIER

            def hashed(match: re.Match[str]) -> str:
                target = self._resolve(path, match["spec"])
                if target is None:
                    return match[0]
                if not DYNAMIC_IMPORT.match(match[0]):  # loaded later: not preloaded
                    imports.append(target)
                url = self._build(target, (*visiting, path)).url
                return match[0].replace(match["spec"], url)

            body = pattern.sub(hashed, body.decode("utf-8")).encode("utf-8")
        digest = hashlib.sha256(body).hexdigest()[:HASH_LENGTH]
        asset = Asset(path, body, digest, media_type(path), tuple(imports))
        self.assets[path] = asset
        return asset

    # -- what templates use ------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """The hashed URL of a static file ("css/app.css"); a missing file fails the page loudly."""
        return self.assets[path].url

    def module(self, path: str) -> Markup:
        """A page's entry module, with a modulepreload link for each module it imports, however
        deep: the browser fetches them all at once instead of one level per round trip. The
        largest first: six at a time go out over HTTP/1.1, and on a slow link the big ones
        (Leaflet) are what the page waits for."""
        seen: set[str] = set()
        stack = list(self.assets[path].imports)
        while stack:
            dep = stack.pop()
            if dep not in seen:
                seen.add(dep)
                stack.extend(self.assets[dep].imports)
        largest = sorted(seen, key=lambda dep: (-len(self.assets[dep].body), dep))
        lines = [f'<script type="module" src="{escape(self.url(path))}"></script>']
        lines += [f'<link rel="modulepreload" href="{escape(self.url(dep))}">' for dep in largest]
        return Markup("\n".join(lines))

    def stylesheet(self, *paths: str) -> Markup:
        """One link for the stylesheets of a page, in order: several are served joined as one
        file (their `url()`s are already absolute), one request instead of one each."""
        path = paths[0] if len(paths) == 1 else self.joined(paths)
        return Markup(f'<link rel="stylesheet" href="{escape(self.url(path))}">')

    def joined(self, paths: tuple[str, ...]) -> str:
        """The path of the stylesheets `paths` joined: "joined/vendor~leaflet~leaflet.css+css~app.css".
        The name says what it holds, so a URL of it is answered before any page asked for it."""
        path = JOINED + "+".join(p.replace("/", "~") for p in paths)
        if path not in self.assets:
            body = b"\n".join(self.assets[p].body for p in paths)
            digest = hashlib.sha256(body).hexdigest()[:HASH_LENGTH]
            self.assets[path] = Asset(path, body, digest, media_type(path))
        return path

    def join_named(self, templates: Path) -> None:
        """Join, at start-up, the stylesheets the templates name together, so that precompress()
        compresses them with the rest: made at a page's first showing, a view's joined CSS was
        compressed when its first browser asked for it (Brotli's best on 40 KiB takes a tenth of
        a second, several on a busy machine), and the view's scripts wait for its stylesheet."""
        for template in sorted(templates.rglob("*.html")):
            for call in STYLESHEET_CALL.finditer(template.read_text(encoding="utf-8")):
                paths = tuple(QUOTED.findall(call["args"]))
                if len(paths) > 1 and all(p in self.assets for p in paths):
                    self.joined(paths)

    def script(self, path: str, defer: bool = False, data: dict[str, str] | None = None, high: bool = False) -> Markup:
        """A classic script; `defer` runs it after parsing, in order with the page's modules; `data`
        becomes its data-* attributes (early_socket.js reads them from document.currentScript);
        `high` asks for it at a module's priority (Chromium fetches a deferred script at low priority,
        after the modules, which a deferred script holds back as they run after it)."""
        attrs = "".join(f' data-{escape(k)}="{escape(v)}"' for k, v in (data or {}).items())
        attrs += " defer" if defer else ""
        attrs += ' fetchpriority="high"' if high else ""
        return Markup(f'<script src="{escape(self.url(path))}"{attrs}></script>')

    # -- serving -----------------------------------------------------------------------------------

    def find(self, path: str) -> tuple[Asset, bool] | None:
        """The file a request path names, and whether its URL's hash is the current one. A plain
        path, or a hash of an older deploy (a page loaded before a restart), gets today's file."""
        if path in self.assets:
            return self.assets[path], False
        m = HASHED.match(path)
        if m is None:
            return None
        name = m["stem"] + m["ext"]
        if name.startswith(JOINED) and name not in self.assets:
            parts = tuple(p.replace("~", "/") for p in name[len(JOINED) :].split("+"))
            if len(parts) < 2 or not all(p.endswith(".css") and p in self.assets for p in parts):
                return None
            self.joined(parts)
        asset = self.assets.get(name)
        return (asset, m["hash"] == asset.digest) if asset else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            await PlainTextResponse("method not allowed", 405, headers={"allow": "GET, HEAD"})(scope, receive, send)
            return
        found = self.find(scope["path"].removeprefix(scope.get("root_path", "")).lstrip("/"))  # under the mount
        if found is None:
            await PlainTextResponse("not found", 404)(scope, receive, send)
            return
        asset, current = found
        request = Headers(scope=scope)
        headers = {"cache-control": IMMUTABLE if current else REVALIDATE, "etag": asset.etag}
        if asset.etag in request.get("if-none-match", ""):
            await Response(status_code=304, headers=headers)(scope, receive, send)
            return
        body = asset.body
        coding = preferred_coding(request.get("accept-encoding", "")) if asset.compressible else None
        if coding:
            done = asset.encoded.get(coding)
            body = done if done is not None else await asyncio.to_thread(asset.compressed, coding)
            headers["content-encoding"] = coding
            headers["vary"] = "Accept-Encoding"  # (GZipMiddleware says it of the uncompressed answers)
        await Response(body, media_type=asset.media_type, headers=headers)(scope, receive, send)
