"""Start uvicorn on the application, with its implementation built on the `websockets`
library's sans-I/O protocol (`websockets-sansio`; the legacy one is deprecated)."""

from __future__ import annotations

import logging

import uvicorn

from .app import create_app
from .fastsend import FanoutProtocol
from .settings import Settings


def serve(settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, ws=FanoutProtocol,
                ws_max_size=settings.max_frame_bytes, log_level="info", lifespan="on")
    return 0
