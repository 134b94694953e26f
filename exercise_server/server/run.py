"""Start uvicorn on the application, with its implementation built on the `websockets`
library's sans-I/O protocol (`websockets-sansio`; the legacy one is deprecated), extended
with a synchronous send for the fan-out (fastsend.py), and an HTTP protocol that hands an
exercise socket's upgrade straight to it (upgrade.py)."""

from __future__ import annotations

import logging

import uvicorn

from .app import create_app
from .fastsend import FanoutProtocol
from .settings import Settings
from .upgrade import SocketFirstProtocol


class QuietSockets(logging.Filter):
    """Drops uvicorn's lines for every WebSocket (accepted, open, closed) and its traceback for a
    text frame that is not UTF-8 (closed 1007): the endpoint logs what happens to one (a refusal,
    a close) in a line of its own, so that a hostile frame costs one short line, not three or a
    traceback, and a reconnect storm does not flood the log."""

    DROPPED = ("connection open", "connection closed", "Invalid UTF-8 sequence received from client.")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "uvicorn.error":
            return True
        message = record.msg if isinstance(record.msg, str) else ""
        return message not in self.DROPPED and '"WebSocket %s"' not in message


def serve(settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(QuietSockets())
    # log_config=None: uvicorn's lines go through the same handler and format as ours. Its
    # own formatters copy every record, which cost a reconnect storm a tenth of its CPU time
    # (three lines per connection).
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        http=SocketFirstProtocol,
        ws=FanoutProtocol,
        ws_max_size=settings.max_frame_bytes,
        log_level="info",
        log_config=None,
        lifespan="on",
    )
    return 0
