"""What one page moved over its link, counted from Chromium's DevTools protocol: bytes on the
wire, requests, those that waited for the server, WebSocket frames (bench/page.py, and the
browser tests that assert a view's weight)."""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

KIB = 1024

# Records, in the page's own time from the start of the navigation: when the page's connection
# box first says "connected" (set at the server's caught_up), when its map first shows the base
# map (Leaflet is loaded once a map is made: js/map.js), and when the replay's timeline is drawn.
WATCH_CONNECTED = """
new MutationObserver(() => {
  const box = document.getElementById('connection');
  if (box && box.dataset.state === 'connected' && window.__connectedAt === undefined) {
    window.__connectedAt = performance.now();
  }
  const now = performance.now();
  if (window.__mapAt === undefined && document.querySelector('#map .base')) window.__mapAt = now;
  if (window.__timelineAt === undefined && document.querySelector('#lanes > *')) window.__timelineAt = now;
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
"""


@dataclass
class Load:
    """One navigation of one page over the emulated link."""

    http_bytes: int = 0
    ws_bytes: int = 0  # WebSocket frames received (the welcome, the snapshot, what followed)
    requests: int = 0
    network: int = 0  # requests that waited for the server
    ready_s: float = float("nan")  # "connected" for a view, the timeline for the replay, the load event for a bare page
    map_s: float = float("nan")  # when the view's map showed its base map (Leaflet loaded after "connected")
    sizes: dict[str, int] = field(default_factory=dict)  # bytes per URL
    fetched: list[str] = field(default_factory=list)  # the URLs that waited for the network
    ws_extensions: str = ""  # what the WebSocket's handshake agreed (permessage-deflate)
    ws_deflated_bytes: int = 0  # DevTools shows frames inflated: each deflated again, as an estimate of the wire
    largest_frame_s: float = float("nan")  # when the largest frame (the snapshot) had arrived, from the navigation
    # The waterfall: per request (in the order asked), its URL's last part, Chromium's priority, and
    # when it was asked, its answer's headers came and it was done, in s from the navigation; the
    # WebSocket's upgrade as one more row ("socket": asked, answered).
    waterfall: list[tuple[str, str, float, float, float]] = field(default_factory=list)

    @property
    def ws_wire_bytes(self) -> int:
        """The WebSocket's share of the link: deflated where the handshake agreed permessage-deflate
        (each frame deflated alone, an upper bound of what context takeover sends), else as received."""
        return self.ws_deflated_bytes if "permessage-deflate" in self.ws_extensions else self.ws_bytes

    @property
    def kib(self) -> float:
        """What the page moved over the link: HTTP as transferred (compressed), the WebSocket as sent."""
        return (self.http_bytes + self.ws_wire_bytes) / KIB


class Traffic:
    """What one page moved, from Chromium's DevTools protocol (reset before each navigation)."""

    def __init__(self, cdp: Any) -> None:  # a CDPSession of Playwright's async or sync API
        self.load = Load()
        self.cached: set[str] = set()
        self.waited: set[str] = set()
        self.urls: dict[str, str] = {}
        self.started, self.largest = 0.0, 0
        self.rows: dict[str, int] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.on("Network.webSocketHandshakeResponseReceived", self._handshake)
        cdp.on("Network.webSocketWillSendHandshakeRequest", lambda e: self._socket(e, 2))

    def reset(self) -> Load:
        self.load, self.cached, self.waited, self.urls = Load(), set(), set(), {}
        self.rows: dict[str, int] = {}  # request id -> its row of the waterfall
        self.largest = 0
        return self.load

    def _sent(self, e: dict[str, Any]) -> None:
        if e.get("type") == "Document":
            self.started = e["timestamp"]
        if not e["request"]["url"].startswith("data:"):
            self.load.requests += 1
            self.urls[e["requestId"]] = e["request"]["url"]
            self.rows[e["requestId"]] = len(self.load.waterfall)
            name = e["request"]["url"].split("?")[0].rsplit("/", 1)[-1]
            at = e["timestamp"] - self.started
            self.load.waterfall.append((name, e["request"].get("initialPriority", ""), at, at, at))

    def _at(self, request_id: str, column: int, timestamp: float) -> None:
        if (row := self.rows.get(request_id)) is not None:
            entry = list(self.load.waterfall[row])
            entry[column:] = [timestamp - self.started] * (5 - column)
            self.load.waterfall[row] = (entry[0], entry[1], entry[2], entry[3], entry[4])

    def _socket(self, e: dict[str, Any], column: int) -> None:
        if column == 2:
            self.rows[e["requestId"]] = len(self.load.waterfall)
            self.load.waterfall.append(("socket", "", 0.0, 0.0, 0.0))
        self._at(e["requestId"], column, e["timestamp"])

    def _response(self, e: dict[str, Any]) -> None:
        self._at(e["requestId"], 3, e["timestamp"])
        r = e["response"]
        if not r["url"].startswith("data:") and not (r.get("fromDiskCache") or r.get("fromPrefetchCache")):
            self.waited.add(e["requestId"])

    def _finished(self, e: dict[str, Any]) -> None:
        self._at(e["requestId"], 4, e["timestamp"])
        self.load.http_bytes += int(e.get("encodedDataLength", 0))
        url = self.urls.get(e["requestId"], "?").split("/", 3)[-1]
        self.load.sizes[url] = self.load.sizes.get(url, 0) + int(e.get("encodedDataLength", 0))
        if e["requestId"] in self.waited and e["requestId"] not in self.cached:
            self.load.network += 1
            self.load.fetched.append(url)

    def _handshake(self, e: dict[str, Any]) -> None:
        self._socket(e, 3)
        headers = {k.lower(): v for k, v in e["response"].get("headers", {}).items()}
        self.load.ws_extensions = headers.get("sec-websocket-extensions", "")

    def _frame(self, e: dict[str, Any]) -> None:
        frame = e["response"]
        data = frame.get("payloadData", "")
        raw = base64.b64decode(data) if frame.get("opcode") == 2 else data.encode()
        self.load.ws_bytes += len(raw)
        deflate = zlib.compressobj(6, zlib.DEFLATED, -12)  # the server's window (server_max_window_bits=12)
        self.load.ws_deflated_bytes += len(deflate.compress(raw) + deflate.flush(zlib.Z_SYNC_FLUSH)) - 4
        if len(raw) > self.largest:
            self.largest = len(raw)
            self.load.largest_frame_s = e["timestamp"] - self.started


def storage_script(items: dict[str, str]) -> str:
    """An init script that puts the sign-in page's localStorage in place before the page runs."""
    sets = "".join(f"localStorage.setItem({json.dumps(k)}, {json.dumps(v)});" for k, v in items.items())
    return f"try {{ {sets} }} catch (e) {{}}\n"
