"""The WebSocket endpoint: hello, catch-up (resume or snapshot), then commands and live events.

Thin by design: frames are decoded here, every decision is the core's. One task per
connection: it sends the catch-up, then reads commands; live frames are written by the
fan-out at once, or through the connection's bounded backlog (connection.Connection).
"""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import urlsplit

from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketDisconnect

from ..core.access import HTTP_ONLY_COMMANDS, view_in
from ..core.errors import CommandError
from ..core.roster import seated
from ..store.base import StoreUnavailable
from . import protocol
from .connection import Connection
from .context import AppContext
from .exercise import ExerciseRuntime
from .fanout import CatchUp, Snapshot
from .gc_bursts import BURSTS
from .health import STORE
from .tokens import TokenError, verify

log = logging.getLogger("exercise_server.websocket")


def origin_allowed(websocket: WebSocket, allowed: list[str]) -> bool:
    """Browsers send Origin; only our own site (or a configured one) may open a socket.
    Non-browser clients send none and authenticate with their token like everyone."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    if origin in allowed:
        return True
    host = websocket.headers.get("host", "")
    return urlsplit(origin).netloc.lower() == host.lower()


class RateLimit:
    """A token bucket: `rate` commands per second, bursts up to `burst`."""

    QUIET = 5.0  # seconds without a refusal that end a burst of them (for the log)

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()
        self.refused_in_a_row = 0
        self.refused = 0  # on this connection, in all
        self.last_refusal = -self.QUIET

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.refused_in_a_row = 0
            return True
        self.refused_in_a_row += 1
        self.refused += 1
        return False

    def new_burst(self) -> bool:
        """Whether this refusal starts a burst of them: the log gets one line per burst, not
        one per frame (a flood must not flood the log too)."""
        first, self.last_refusal = self.stamp - self.last_refusal >= self.QUIET, self.stamp
        return first


# The closes the WebSocket layer (uvicorn, websockets) sends for a frame the endpoint never sees
# (errors.CLOSE_CODES): the endpoint logs each in one short line, as it does its own refusals.
LAYER_CLOSES = {
    1002: "a frame that breaks the WebSocket protocol",
    1007: "a frame that is not UTF-8",
    1009: "a frame over the size limit (--max-frame-bytes)",
}


async def exercise_socket(websocket: WebSocket) -> None:
    ctx: AppContext = websocket.app.state.ctx
    settings = ctx.settings
    if not origin_allowed(websocket, settings.allowed_origins):
        log.warning("refused WebSocket from foreign origin %r", websocket.headers.get("origin"))
        await websocket.close(code=1008)  # before accept: the client sees HTTP 403
        return
    await websocket.accept()
    BURSTS.touch()
    runtime = await ctx.exercises.find(websocket.path_params["exercise"])
    if runtime is None:
        await close(websocket, 4404, "no such exercise")
        return
    try:
        conn, last_seq, epoch = await _hello(websocket, ctx, runtime)
    except Refused as refusal:
        log.info("refused hello on %s: %.80s", runtime.id, refusal.reason)
        await close(websocket, refusal.code, refusal.reason)
        return
    except WebSocketDisconnect as gone:
        if gone.code in LAYER_CLOSES:
            log.warning("hello on %s: %s; closed with %d", runtime.id, LAYER_CLOSES[gone.code], gone.code)
        return
    conn.task = asyncio.current_task()
    try:
        plan = runtime.attach(conn, last_seq, settings.snapshot_after_missed, epoch)
        try:
            await _catch_up(runtime, conn, plan)
        except StoreUnavailable as exc:  # the backlog could not be read: the client retries later
            log.warning("catch-up of %s (%s) failed: %s", conn.principal.name, conn.view, exc)
            runtime.health.failed(STORE, str(exc))
            conn.kick(1013, "the event store is unavailable; reconnect and resume shortly")
        else:
            del plan  # the snapshot is sent: do not keep it for the life of the connection
            await _read(websocket, runtime, conn, RateLimit(settings.commands_per_second, settings.command_burst))
    except asyncio.CancelledError:
        # A kick (or a socket the backlog could not be written to) interrupts the handler;
        # any other cancellation goes on.
        task = asyncio.current_task()
        if not conn.interrupted or task is None or task.uncancel() > 0:
            raise
    except Exception as exc:  # noqa: BLE001 - a client gone mid-send (ClientDisconnected, RuntimeError): detach
        log.debug("connection of %s (%s) ended: %r", conn.principal.name, conn.view, exc)
    finally:
        conn.task = None
        if conn.drainer is not None:
            conn.drainer.cancel()
            await asyncio.gather(conn.drainer, return_exceptions=True)
        runtime.detach(conn)
        conn.release()
        BURSTS.touch()
    if conn.close_code is not None:
        log.info("closing %s (%s): %s %s", conn.principal.name, conn.view, conn.close_code, conn.close_reason)
        try:
            await asyncio.wait_for(close(websocket, conn.close_code, conn.close_reason), 15)
        except Exception:  # noqa: BLE001 - the peer may be gone already
            pass


async def close(websocket: WebSocket, code: int, reason: str) -> None:
    """Every close the endpoint sends, with a reason cut to fit the close frame."""
    await websocket.close(code=code, reason=protocol.close_reason(reason))


class Refused(Exception):
    """A WebSocket refused at its hello: closed with `code` (errors.CLOSE_CODES) and `reason`."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(code, reason)
        self.code, self.reason = code, reason

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, reason={self.reason!r})"


def _data(message: Message) -> bytes | str:
    """What a `websocket.receive` message carries: bytes for a binary frame, else text."""
    data: bytes | None = message.get("bytes")
    text: str = message.get("text") or ""
    return data if data is not None else text


async def _hello(websocket: WebSocket, ctx: AppContext, runtime: ExerciseRuntime) -> tuple[Connection, int, str | None]:
    try:
        async with asyncio.timeout(ctx.settings.hello_timeout):  # wait_for would start a task per socket
            message = await websocket.receive()
    except TimeoutError:
        raise Refused(4408, "no hello within the time limit") from None
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    try:
        hello, fmt = protocol.decode(_data(message))
        mtype, _ = protocol.check_message(hello)
    except CommandError as exc:
        raise Refused(4400, f"the first frame must be a hello: {exc.message}") from None
    last_seq = hello.get("last_seq", 0)
    if mtype != "hello" or not isinstance(last_seq, int) or isinstance(last_seq, bool) or last_seq < 0:
        raise Refused(4400, "the first frame must be a hello with a token and last_seq >= 0")
    epoch = hello.get("epoch")
    if epoch is not None and (not isinstance(epoch, str) or len(epoch) > 64):
        raise Refused(4400, "epoch must be the string a welcome gave")
    try:
        session = verify(hello.get("token"), ctx.secret_key, ctx.clock.now())
    except TokenError as exc:
        raise Refused(4401, f"session token refused: {exc}") from None
    if not session.for_exercise(runtime.id):  # another exercise (another syndicate): as if this one did not exist
        raise Refused(4404, "no such exercise")
    if runtime.state.was_removed(session.participant):
        raise Refused(4410, "removed from the exercise by the facilitator")
    if session.code is not None:
        info = runtime.state.codes.get(session.code)
        if info is None:
            raise Refused(4404, "no such exercise")
        if info.revoked:
            raise Refused(4403, "join code revoked")
        open_now = runtime.open_with_code(session.code)
        if open_now >= ctx.settings.connections_per_code:
            raise Refused(4413, f"{open_now} connections with this join code are open already")
    if not ctx.staff.signed_in(session):
        raise Refused(4410, "signed out: the lead facilitator removed this member of the control cell")
    principal = seated(runtime.state, session.principal())
    conn = Connection(principal, session.code, fmt, ctx.settings.send_queue_frames, websocket)
    conn.protocol = protocol.spoken(hello.get("protocol"))
    if runtime.state.scenario is not None:
        conn.view = view_in(conn.principal, runtime.state.scenario)
    return conn, last_seq, epoch


async def _catch_up(runtime: ExerciseRuntime, conn: Connection, plan: CatchUp) -> None:
    """Welcome, the snapshot or the backlog, caught_up, then what was queued meanwhile, in one write
    when the socket takes it at once; then live."""
    fmt = conn.fmt
    welcome = protocol.welcome(
        runtime.id,
        plan.mode,
        plan.head,
        runtime.clock.now(),
        conn.principal,
        runtime.fanout.epoch,
        conn.protocol,
        runtime.state.languages.get(conn.principal.participant),
    )
    frames = [protocol.encode(welcome, fmt)]
    if isinstance(plan, Snapshot):
        frames.append(plan.frame)
    else:
        frames += await runtime.fanout.backlog(conn, plan.after, plan.head)
    frames.append(protocol.encode(protocol.caught_up(plan.head), fmt))
    assert conn.pending is not None
    frames += conn.pending  # queued while catching up: after caught_up, as the protocol says
    conn.pending.clear()
    await conn.write_all(frames)
    await conn.flush()  # anything queued while a slow socket took the catch-up frame by frame
    conn.go_live()


async def _read(websocket: WebSocket, runtime: ExerciseRuntime, conn: Connection, limit: RateLimit) -> None:
    # Ends on a kick from this task itself (flooding, its own queue overflowing), or from elsewhere
    # while it was storing a command (see Connection.interrupt).
    while conn.close_code is None and not conn.interrupted:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            code = message.get("code")
            if code in LAYER_CLOSES:  # uvicorn refused the frame and closed before we saw it
                log.warning("%s (%s): %s; closed with %d", conn.principal.name, conn.view, LAYER_CLOSES[code], code)
            return
        data = _data(message)
        cid = None
        allowed = limit.allow()  # every frame counts, valid or not
        if not allowed:
            if limit.new_burst():
                log.warning(
                    "%s (%s): over the rate limit of %g messages per second; refusing frames "
                    "(%d refused on this connection so far)",
                    conn.principal.name,
                    conn.view,
                    limit.rate,
                    limit.refused,
                )
            if limit.refused_in_a_row > 5 * limit.burst:
                conn.kick(4429, "flooding: far beyond the command rate limit")
                return
        try:
            frame, _ = protocol.decode(data)
            cid = protocol.client_id(frame)
            if not allowed:
                raise CommandError("rate_limited", f"at most {limit.rate:g} messages per second")
            mtype, cid = protocol.check_message(frame)
            if mtype == "ping":
                conn.offer(protocol.encode(protocol.pong(cid, runtime.clock.now()), conn.fmt))
                continue
            if mtype == "hello":
                raise CommandError("invalid", "hello was already said on this connection")
            if mtype == protocol.HISTORY:
                room, rows, earlier = await runtime.room_history(conn.principal, frame)
                conn.offer(protocol.encode(protocol.history(cid, room, frame["before"], rows, earlier), conn.fmt))
                continue
            command = {k: v for k, v in frame.items() if k != "id"}
            if command.get("type") in HTTP_ONLY_COMMANDS:
                raise CommandError("forbidden", f"{command['type']} is taken only from the evaluation page")
            conn.submitting = True
            try:
                if cid is not None and conn.protocol >= protocol.IDEMPOTENT_IDS:
                    first, last = await runtime.submit_once(conn.principal, command, cid)
                else:
                    events = await runtime.submit(conn.principal, command)
                    first, last = events[0].seq, events[-1].seq
            finally:
                conn.submitting = False
            conn.offer(protocol.encode(protocol.ack(cid, first, last), conn.fmt))
        except CommandError as exc:
            if allowed:  # refusals over the rate limit are logged once per burst, above
                log.info("%s (%s) refused: %s %s", conn.principal.name, conn.view, exc.code, exc.message)
            conn.offer(protocol.encode(protocol.error(exc.code, exc.message, cid, exc.changed), conn.fmt))
        except Exception:  # noqa: BLE001 - a fault in one command must not kill the connection
            log.exception("command from %s failed", conn.principal.name)
            conn.offer(protocol.encode(protocol.error("internal", "an unexpected server fault", cid), conn.fmt))
